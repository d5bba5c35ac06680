import type { Fact, Snapshot } from '@routescope/snapshot';
import { diffAgainstCurrent, estimateInterval } from '../history/fact-writer.service';
import type { CurrentFact, NodeHead } from '../history/store/history-writer.repository';

const current = (id: number, key: string, attrs: Fact['attrs']): CurrentFact => ({ id: BigInt(id), ns: 'host', kind: 'route', key, attrs });
const next = (key: string, attrs: Fact['attrs']): Fact => ({ ns: 'host', kind: 'route', key, attrs });

describe('ingest delta', () => {
  it('closes changed and vanished facts, opens changed and new ones, and counts each change once', () => {
    const delta = diffAgainstCurrent(
      [current(1, 'same', { dev: 'eth0' }), current(2, 'changed', { dev: 'eth0' }), current(3, 'gone', { dev: 'eth0' })],
      [next('same', { dev: 'eth0' }), next('changed', { dev: 'eth1' }), next('new', { dev: 'eth0' })],
    );
    expect(delta.close.map((f) => f.id)).toEqual([2n, 3n]);
    expect(delta.open.map((f) => f.key)).toEqual(['changed', 'new']);
    expect(delta.changes).toBe(3);
  });

  it('sees attributes stored as JSON in another key order as unchanged', () => {
    const delta = diffAgainstCurrent([current(1, 'a', { scope: 'link', dev: 'eth0' })], [next('a', { dev: 'eth0', scope: 'link' })]);
    expect(delta.changes).toBe(0);
  });
});

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
