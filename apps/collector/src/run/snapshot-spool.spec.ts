import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotSpool } from './snapshot-spool';

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
    expect(await spool.append('c', '{}')).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['0000000000000001-b.json', '0000000000000002-c.json']);
  });

  it('drops the oldest snapshots when it holds more than its byte limit, but keeps the newest', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 100, maxBytes: 10 });
    await spool.open();
    await spool.append('a', '12345678');
    expect(await spool.append('b', '123456789012')).toBe(1);
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
});
