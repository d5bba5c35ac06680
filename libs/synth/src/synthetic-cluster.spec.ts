import { canonicalJson, factIdentity, snapshotToFacts, validateSnapshot, type Fact } from '@routescope/snapshot';
import { SyntheticCluster, type ChurnEvent, type FactDelta } from './synthetic-cluster';

const HOUR = 3600_000;

/** Applies deltas to a fact list the way ingest applies a snapshot: close, then open. */
function applyDeltas(facts: readonly Fact[], deltas: readonly FactDelta[]): Map<string, string> {
  const state = new Map(facts.map((f) => [factIdentity(f), canonicalJson(f.attrs)]));
  for (const delta of deltas) {
    for (const f of delta.closed) {
      expect(state.get(factIdentity(f))).toBe(canonicalJson(f.attrs));
      state.delete(factIdentity(f));
    }
    for (const f of delta.opened) {
      expect(state.has(factIdentity(f))).toBe(false);
      state.set(factIdentity(f), canonicalJson(f.attrs));
    }
  }
  return state;
}

const asMap = (facts: readonly Fact[]) => new Map(facts.map((f) => [factIdentity(f), canonicalJson(f.attrs)]));

describe('SyntheticCluster', () => {
  it('is deterministic: the same seed gives the same snapshots and the same churn', () => {
    const a = new SyntheticCluster({ seed: 7, nodes: 50 });
    const b = new SyntheticCluster({ seed: 7, nodes: 50 });
    expect(a.snapshot(3)).toEqual(b.snapshot(3));
    expect(a.advance(6 * HOUR)).toEqual(b.advance(6 * HOUR));
    expect(a.snapshot(3)).toEqual(b.snapshot(3));
    expect(a.churnNode(5, 14)).toEqual(b.churnNode(5, 14));
    expect(a.snapshot(5)).toEqual(b.snapshot(5));
  });

  it('gives another cluster for another seed', () => {
    const a = new SyntheticCluster({ seed: 1, nodes: 20 }).snapshot(0);
    const b = new SyntheticCluster({ seed: 2, nodes: 20 }).snapshot(0);
    expect(a.snapshotId).not.toBe(b.snapshotId);
    expect(snapshotToFacts(a)).not.toEqual(snapshotToFacts(b));
  });

  it('does not depend on how time is advanced: 2 × 3 h equals 6 h', () => {
    const a = new SyntheticCluster({ seed: 3, nodes: 40 });
    const b = new SyntheticCluster({ seed: 3, nodes: 40 });
    a.advance(6 * HOUR);
    b.advance(3 * HOUR);
    b.advance(3 * HOUR);
    expect(a.now).toBe(b.now);
    expect(snapshotToFacts(a.snapshot(11))).toEqual(snapshotToFacts(b.snapshot(11)));
  });

  it('produces valid v1 snapshots, before and after a day of churn', () => {
    const cluster = new SyntheticCluster({ seed: 4, nodes: 100, churn: { blockMovesPerClusterPerDay: 10, mtuChangesPerClusterPerDay: 2 } });
    for (const i of [0, 42, 99]) expect(validateSnapshot(cluster.snapshot(i))).toMatchObject({ ok: true });
    cluster.advance(24 * HOUR);
    for (const i of [0, 42, 99]) {
      const result = validateSnapshot(JSON.parse(JSON.stringify(cluster.snapshot(i))));
      if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
    }
  });

  it('has about 1,400 facts per node snapshot at the defaults (1,000 nodes, 30 pods), ~N of them block routes', () => {
    const cluster = new SyntheticCluster();
    const facts = snapshotToFacts(cluster.snapshot(500));
    expect(facts.length).toBeGreaterThan(1300);
    expect(facts.length).toBeLessThan(1500);
    const blockRoutes = facts.filter((f) => f.kind === 'route' && /\/26\|/.test(f.key));
    expect(blockRoutes).toHaveLength(1000);
    expect(blockRoutes.filter((f) => f.attrs['type'] === 'blackhole')).toHaveLength(1);
    expect(new Set(facts.map((f) => f.ns)).size).toBe(31);
  });

  it('takes node names, snapshot ids and seqs a collector would send', () => {
    const cluster = new SyntheticCluster({ nodes: 3 });
    const first = cluster.snapshot(2);
    const second = cluster.snapshot(2, cluster.now + 30_000);
    expect(first.node).toBe('node-00002');
    expect([first.collector.seq, second.collector.seq]).toEqual([0, 1]);
    expect(second.snapshotId).not.toBe(first.snapshotId);
    expect(Date.parse(second.takenAt) - Date.parse(first.takenAt)).toBe(30_000);
  });

  it('reports churn as fact deltas that turn one snapshot’s facts into the next one’s', () => {
    const cluster = new SyntheticCluster({ seed: 9, nodes: 30, churn: { blockMovesPerClusterPerDay: 24, mtuChangesPerClusterPerDay: 4 } });
    const before = cluster.nodes.map((_, i) => snapshotToFacts(cluster.snapshot(i)));
    const deltas: FactDelta[] = [];
    cluster.advance(12 * HOUR, (d) => deltas.push(d));
    expect(deltas.length).toBeGreaterThan(50);
    for (const i of [0, 7, 29]) {
      const expected = applyDeltas(before[i], deltas.filter((d) => d.node === i));
      expect(expected).toEqual(asMap(snapshotToFacts(cluster.snapshot(i))));
    }
  });

  it('changes a node by about the requested number of facts (1% of ~1,400 = 14)', () => {
    const cluster = new SyntheticCluster({ seed: 5, nodes: 1000 });
    const before = snapshotToFacts(cluster.snapshot(10));
    const deltas: FactDelta[] = [];
    for (let round = 0; round < 10; round++) {
      const events = cluster.churnNode(10, 14, (d) => deltas.push(d));
      const changes = events.reduce((sum, e) => sum + e.changes, 0);
      expect(changes).toBeGreaterThanOrEqual(14);
      expect(changes).toBeLessThanOrEqual(16);
    }
    const after = snapshotToFacts(cluster.snapshot(10));
    expect(applyDeltas(before, deltas)).toEqual(asMap(after));
    // the pod count stays near its target
    expect(new Set(after.map((f) => f.ns)).size).toBeGreaterThanOrEqual(28);
    expect(new Set(after.map((f) => f.ns)).size).toBeLessThanOrEqual(33);
  });

  it('follows its churn rates: events per node-hour within a few standard deviations of the rate', () => {
    const cluster = new SyntheticCluster({
      seed: 6,
      nodes: 200,
      churn: { podReplacementsPerNodePerHour: 0.5, arpChangesPerNodePerHour: 4, blockMovesPerClusterPerDay: 6, mtuChangesPerClusterPerDay: 1 },
    });
    const counts: Record<string, number> = {};
    cluster.advance(48 * HOUR, undefined, (e) => (counts[e.type] = (counts[e.type] ?? 0) + 1));
    const expectRate = (observed: number, expected: number) => {
      expect(Math.abs(observed - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);
    };
    expectRate(counts['pod-replaced'] ?? 0, 0.5 * 200 * 48);
    expectRate(counts['arp-changed'] ?? 0, 4 * 200 * 48);
    expectRate(counts['block-moved'] ?? 0, 12);
    expectRate(counts['mtu-changed'] ?? 0, 2);
  });

  it('moves a block: every node re-routes it, routes the old owner’s new block, and routes the pods left on it by /32', () => {
    const cluster = new SyntheticCluster({ seed: 8, nodes: 10, churn: { podReplacementsPerNodePerHour: 0, arpChangesPerNodePerHour: 0, blockMovesPerClusterPerDay: 1000, mtuChangesPerClusterPerDay: 0 } });
    const deltas: FactDelta[] = [];
    const events: ChurnEvent[] = [];
    while (events.length === 0) cluster.advance(1000, (d) => deltas.push(d), (e) => events.push(e));
    expect(events[0].type).toBe('block-moved');
    const first = deltas.filter((d) => d.at === deltas[0].at);
    expect(first).toHaveLength(10);
    // the old owner kept its pods on the block (30 of them, borrowed now): every other node routes each by /32
    const owner = cluster.nodes.findIndex((n) => n.name === events[0].node);
    for (const d of first) expect([d.closed.length, d.opened.length]).toEqual([1, d.node === owner ? 2 : 32]);
    const facts = snapshotToFacts(cluster.snapshot(0)).filter((f) => f.kind === 'route' && /\/26\|/.test(f.key));
    expect(facts).toHaveLength(11);
  });

  it('can add felix’s per-VTEP neighbour entries (the full VXLAN host table)', () => {
    const facts = snapshotToFacts(new SyntheticCluster({ nodes: 200, vtepNeighbors: true }).snapshot(0));
    expect(facts.filter((f) => f.kind === 'neighbor' && f.key.startsWith('vxlan.calico|'))).toHaveLength(199);
  });
});
