import type { Snapshot } from '@routescope/snapshot';
import { estimateInterval } from '../history/fact-writer.service';
import type { NodeHead } from '../history/store/history-writer.repository';

// The write path's delta is libs/diff's diffAgainstCanonical, tested there.

describe('reporting interval estimate', () => {
  const head: NodeHead = {
    id: 1,
    lastSeenAt: new Date('2026-11-26T03:00:00Z'),
    lastSnapshotId: 'x',
    lastBootId: 'boot-1',
    lastSeq: 5n,
    intervalMs: 30000,
    stateHash: '',
    stateVersion: 1,
  };
  const snapshot = (bootId: string, seq: number) => ({ collector: { bootId, seq } }) as unknown as Snapshot;

  it('learns from consecutive snapshots of one collector boot', () => {
    expect(estimateInterval(head, snapshot('boot-1', 6), new Date('2026-11-26T03:01:00Z'))).toBe(39000);
  });

  it('takes the first spacing of a boot as the interval outright', () => {
    expect(estimateInterval({ ...head, lastSeq: 0n }, snapshot('boot-1', 1), new Date('2026-11-26T03:05:00Z'))).toBe(300000);
  });

  it('caps the estimate at a day, so a collector suspended for a month cannot overflow interval_ms', () => {
    expect(estimateInterval(head, snapshot('boot-1', 6), new Date('2026-12-31T03:00:00Z'))).toBe(Math.round(0.7 * 30000 + 0.3 * 86_400_000));
    expect(estimateInterval({ ...head, lastSeq: 0n }, snapshot('boot-1', 1), new Date('2027-02-01T00:00:00Z'))).toBe(86_400_000);
  });

  it('keeps its estimate across a restart or a lost snapshot, so a silence still reads as a gap', () => {
    expect(estimateInterval(head, snapshot('boot-2', 0), new Date('2026-11-26T04:00:00Z'))).toBe(30000);
    expect(estimateInterval(head, snapshot('boot-1', 9), new Date('2026-11-26T04:00:00Z'))).toBe(30000);
  });
});
