import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '@routescope/snapshot';
import { BACKOFF_CAP_MS, RunLoop, backoffDelay } from './run-loop';
import type { DeliveryOutcome } from './snapshot-sender';
import { SnapshotSpool } from './snapshot-spool';

describe('backoff between failed posts', () => {
  it('doubles with each failure, with jitter in the upper half, up to a cap', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(3, () => 0)).toBe(4000);
    expect(backoffDelay(40, () => 1)).toBe(BACKOFF_CAP_MS);
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

  it('drops a snapshot the server rejects for good and delivers the next one', async () => {
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
        return s === 0 ? { kind: 'rejected', status: 409, detail: 'older than latest' } : { kind: 'delivered', status: 200, detail: '' };
      },
    });
    await loop.run();
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(logs.some((l) => /rejected .* 409/.test(l))).toBe(true);
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
});
