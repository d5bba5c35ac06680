import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '@routescope/snapshot';
import { BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS, RunLoop, backoffDelay, retryDelay } from './run-loop';
import type { DeliveryOutcome, HeartbeatOutcome } from './snapshot-sender';
import { SnapshotSpool } from './snapshot-spool';

describe('backoff between failed posts', () => {
  it('doubles with each failure, with jitter in the upper half, up to a cap', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(3, () => 0)).toBe(4000);
    expect(backoffDelay(40, () => 1)).toBe(BACKOFF_CAP_MS);
  });

  it('waits at least what the server asked for (Retry-After), within a cap', () => {
    expect(retryDelay(0, 5000, () => 0)).toBe(5000);
    expect(retryDelay(3, 1000, () => 0)).toBe(4000);
    expect(retryDelay(0, 86_400_000, () => 0)).toBe(RETRY_AFTER_CAP_MS);
    expect(retryDelay(0, undefined, () => 0)).toBe(500);
  });
});

describe('run loop', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rs-loop-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  function fakeSnapshot(seq: number): Snapshot {
    return { snapshotId: `id-${seq}`, collector: { seq } } as unknown as Snapshot;
  }

  it('moves a snapshot the server refuses for good to rejected/ with the answer, and delivers the next one', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await spool.open();
    const seen: number[] = [];
    let seq = 0;
    const logs: string[] = [];
    const loop: RunLoop = new RunLoop({
      spool,
      intervalMs: 20,
      log: (m) => logs.push(m),
      takeSnapshot: async () => fakeSnapshot(seq++),
      send: async (body): Promise<DeliveryOutcome> => {
        const s = JSON.parse(body).collector.seq as number;
        seen.push(s);
        if (s >= 2) loop.stop();
        return s === 0
          ? { kind: 'rejected', status: 409, detail: 'snapshotId already belongs to node b', body: '{"error":"SNAPSHOT_ID_CONFLICT"}' }
          : { kind: 'delivered', status: 200, detail: '' };
      },
    });
    await loop.run();
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(loop.rejected).toBe(1);
    const rejected = (await readdir(join(dir, 'rejected'))).sort();
    expect(rejected).toEqual(['0000000000000000-id-0.json', '0000000000000000-id-0.json.response.json']);
    expect(JSON.parse(await readFile(join(dir, 'rejected', rejected[1]), 'utf8'))).toMatchObject({ status: 409, body: '{"error":"SNAPSHOT_ID_CONFLICT"}' });
    expect(JSON.parse(await readFile(join(dir, 'rejected', rejected[0]), 'utf8')).collector.seq).toBe(0);
    expect(logs).toContainEqual(expect.stringMatching(/rejected 0000000000000000-id-0.json with 409: snapshotId already belongs to node b; moved to .*rejected with the response \(1 rejected since start/));
  });

  it('sends the clock skew it measured in the snapshots it takes next, and logs a large one once', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 10, maxBytes: 1e6 });
    await spool.open();
    let seq = 0;
    const sent: Array<number | undefined> = [];
    const logs: string[] = [];
    const loop: RunLoop = new RunLoop({
      spool,
      intervalMs: 20,
      log: (m) => logs.push(m),
      takeSnapshot: async () => fakeSnapshot(seq++),
      send: async (body): Promise<DeliveryOutcome> => {
        sent.push(JSON.parse(body).collector.clockSkewMs);
        if (sent.length >= 3) loop.stop();
        return { kind: 'delivered', status: 200, detail: '', clockSkewMs: 120_000 + sent.length };
      },
    });
    await loop.run();
    expect(sent).toEqual([undefined, 120_001, 120_002]);
    expect(logs.filter((l) => /clock skew/.test(l))).toEqual([expect.stringMatching(/this node's clock is 120\.0 s ahead of the API's/)]);
  });

  it('keeps collecting while the server is down and delivers everything in order afterwards', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 10000, maxBytes: 1e9 });
    await spool.open();
    let seq = 0;
    let attempts = 0;
    const delivered: number[] = [];
    const loop: RunLoop = new RunLoop({
      spool,
      intervalMs: 50,
      log: () => undefined,
      random: () => 0,
      takeSnapshot: async () => fakeSnapshot(seq++),
      send: async (body): Promise<DeliveryOutcome> => {
        if (++attempts <= 2) return { kind: 'retry', detail: 'ECONNREFUSED' };
        delivered.push(JSON.parse(body).collector.seq);
        if (delivered.length >= 5) loop.stop();
        return { kind: 'delivered', status: 200, detail: '' };
      },
    });
    await loop.run();
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
  });

  it('falls back to the full snapshot when a heartbeat is refused, retries a heartbeat the server could not answer, and sends full snapshots after an answer without a state hash', async () => {
    const spool = new SnapshotSpool(dir, { maxFiles: 1000, maxBytes: 1e6 });
    await spool.open();
    let seq = 0;
    const posts: string[] = [];
    // The facts never change (one state hash, h); the server's answers in turn:
    const heartbeatAnswers: HeartbeatOutcome[] = [
      { kind: 'resend', status: 409, detail: 'SNAPSHOT_ID_CONFLICT' },
      { kind: 'retry', status: 503, detail: 'DATABASE_UNAVAILABLE' },
      { kind: 'acknowledged', status: 200, stateHash: 'h' },
      { kind: 'resend', status: 200, detail: 'another hash' },
    ];
    const fullAnswers: DeliveryOutcome[] = [
      { kind: 'delivered', status: 201, detail: '', stateHash: 'h' },
      { kind: 'delivered', status: 201, detail: '', stateHash: 'h' },
      { kind: 'delivered', status: 202, detail: 'late' },
    ];
    const record = (post: string) => {
      posts.push(post);
      if (posts.length >= 9) loop.stop();
    };
    const loop: RunLoop = new RunLoop({
      spool,
      intervalMs: 40,
      log: () => undefined,
      random: () => 0,
      takeSnapshot: async () => fakeSnapshot(seq++),
      send: async (body): Promise<DeliveryOutcome> => {
        record(`full ${JSON.parse(body).collector.seq}`);
        return fullAnswers.shift() ?? { kind: 'delivered', status: 200, detail: '', stateHash: 'h' };
      },
      heartbeats: {
        stateHash: () => 'h',
        heartbeatFor: (snapshot) => ({ seq: snapshot.collector.seq }),
        send: async (body): Promise<HeartbeatOutcome> => {
          record(`heartbeat ${JSON.parse(body).seq}`);
          return heartbeatAnswers.shift() ?? { kind: 'acknowledged', status: 200, stateHash: 'h' };
        },
      },
    });
    await loop.run();
    expect(posts).toEqual([
      'full 0', // nothing acknowledged yet
      'heartbeat 1', // refused (409): the full snapshot follows at once
      'full 1',
      'heartbeat 2', // 503: retried later, as a heartbeat
      'heartbeat 2',
      'heartbeat 3', // resend: the full snapshot follows, and its answer (late) names no state…
      'full 3',
      'full 4', // …so the next one goes in full, and its answer names h again
      'heartbeat 5',
    ]);
    expect(loop.heartbeats).toBe(2);
  });
});
