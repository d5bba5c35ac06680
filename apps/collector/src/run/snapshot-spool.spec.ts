import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REJECTED, SnapshotSpool } from './snapshot-spool';

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('snapshot spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rs-spool-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('hands snapshots back oldest first', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await spool.open();
    for (const id of ['a', 'b', 'c']) await spool.append(id, `{"id":"${id}"}`);
    const order: string[] = [];
    for (let item = await spool.oldest(); item; item = await spool.oldest()) {
      order.push(JSON.parse(item.body).id);
      await spool.remove(item.file);
    }
    expect(order).toEqual(['a', 'b', 'c']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps its order across a restart of the collector', async () => {
    const first = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await first.open();
    await first.append('a', '{"id":"a"}');
    await first.append('b', '{"id":"b"}');
    const second = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await second.open();
    await second.append('c', '{"id":"c"}');
    expect(second.length).toBe(3);
    expect(JSON.parse((await second.oldest())!.body).id).toBe('a');
    expect((await readdir(dir)).sort().at(-1)).toMatch(/^0000000000000002-c\.json$/);
  });

  it('drops the oldest snapshots when it holds more than its file limit', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 2, maxBytes: 1e6 });
    await spool.open();
    await spool.append('a', '{}');
    await spool.append('b', '{}');
    expect(await spool.append('c', '{}')).toEqual(['0000000000000000-a.json']);
    expect((await readdir(dir)).sort()).toEqual(['0000000000000001-b.json', '0000000000000002-c.json']);
  });

  it('drops the oldest snapshots when it holds more than its byte limit, but keeps the newest', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 100, maxBytes: 10 });
    await spool.open();
    await spool.append('a', '12345678');
    expect(await spool.append('b', '123456789012')).toHaveLength(1);
    expect(spool.length).toBe(1);
  });

  it('ignores half-written temporary files and foreign files', async () => {
    await writeFile(join(dir, '.0000000000000000-x.json.tmp'), '{');
    await writeFile(join(dir, 'notes.txt'), 'hi');
    const spool = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await spool.open();
    expect(spool.length).toBe(0);
    expect(await spool.oldest()).toBeUndefined();
  });

  it('keeps snapshots to the collector’s user: folder 0700, files 0600, also a spool left 0755/0644 by an earlier version', async () => {
    const path = join(dir, 'spool');
    await mkdir(path, { mode: 0o755 });
    await chmod(path, 0o755);
    await writeFile(join(path, '0000000000000000-old.json'), '{}', { mode: 0o644 });
    await chmod(join(path, '0000000000000000-old.json'), 0o644);
    const spool = new SnapshotSpool(path, { maxFiles: 10, maxBytes: 1e6 });
    await spool.open();
    await spool.append('new', '{}');
    expect(await modeOf(path)).toBe('700');
    expect(await modeOf(join(path, '0000000000000000-old.json'))).toBe('600');
    expect(await modeOf(join(path, '0000000000000001-new.json'))).toBe('600');
    await spool.reject('0000000000000000-old.json', { status: 400, body: '{}' });
    expect(await modeOf(join(path, 'rejected'))).toBe('700');
    expect(await modeOf(join(path, 'rejected', '0000000000000000-old.json'))).toBe('600');
    expect(await modeOf(join(path, 'rejected', '0000000000000000-old.json.response.json'))).toBe('600');
  });

  it('moves a rejected snapshot out of the queue with its answer, survives a restart without it, and bounds rejected/', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await spool.open();
    await spool.append('a', '{"id":"a"}');
    await spool.append('b', '{"id":"b"}');
    await spool.reject('0000000000000000-a.json', { status: 400, body: '{"error":"INVALID_SNAPSHOT","message":"invalid snapshot: node: ..."}' }, new Date('2026-12-06T10:00:00.000Z'));
    expect(spool.length).toBe(1);
    expect(JSON.parse((await spool.oldest())!.body).id).toBe('b');
    expect(JSON.parse(await readFile(join(dir, 'rejected', '0000000000000000-a.json.response.json'), 'utf8'))).toEqual({
      file: '0000000000000000-a.json',
      status: 400,
      rejectedAt: '2026-12-06T10:00:00.000Z',
      body: '{"error":"INVALID_SNAPSHOT","message":"invalid snapshot: node: ..."}',
    });
    const reopened = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await reopened.open();
    expect(reopened.length).toBe(1);
    // rejected/ keeps the newest maxRejected (MAX_REJECTED by default), across restarts too.
    expect(MAX_REJECTED).toBe(1000);
    const limits = { maxFiles: 10, maxBytes: 1e9, maxRejected: 3 };
    const many = new SnapshotSpool(join(dir, 'many'), limits);
    await many.open();
    for (let i = 0; i < 4; i++) await many.append(`s${i}`, '{}');
    const dropped: string[] = [];
    for (let i = 0; i < 2; i++) dropped.push(...(await many.reject((await many.oldest())!.file, { status: 400, body: '' })));
    const restarted = new SnapshotSpool(join(dir, 'many'), limits);
    await restarted.open();
    while (restarted.length > 0) dropped.push(...(await restarted.reject((await restarted.oldest())!.file, { status: 400, body: '' })));
    expect(dropped).toEqual(['0000000000000000-s0.json']);
    expect((await readdir(join(dir, 'many', 'rejected'))).sort()).toEqual(
      ['0000000000000001-s1.json', '0000000000000002-s2.json', '0000000000000003-s3.json'].flatMap((f) => [f, `${f}.response.json`]).sort(),
    );
  });
});
