import { checkCluster, checkNode, clusterView, NETLAB_FAULT_RULES, type Finding } from '@routescope/checks';
import { snapshotToFacts } from '@routescope/snapshot';
import { SyntheticCluster, type ClusterOptions } from './synthetic-cluster';
import { SYNTH_FAULTS, WRONG_VETH_MAC, type SynthFault } from './synthetic-faults';

// The synthetic cluster against the real rules (libs/checks), as the API runs them: node rules
// on every node, cluster rules over every node's view. Healthy unless faults are asked for.

const HOUR = 3600_000;

function findingsOf(cluster: SyntheticCluster): Finding[] {
  const nodes = cluster.nodes.map((_, i) => {
    const snapshot = cluster.snapshot(i);
    return { node: snapshot.node, facts: snapshotToFacts(snapshot) };
  });
  return [...nodes.flatMap((n) => checkNode(n)), ...checkCluster(nodes.map((n) => clusterView(n)))];
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.node} ${f.subject}: ${f.message}`);

/** Every kind of churn, often: a block moves about every 20 min, the MTU every ~2 h. */
const BUSY: Partial<ClusterOptions> = {
  nodes: 6,
  podsPerNode: 4,
  churn: { podReplacementsPerNodePerHour: 2, arpChangesPerNodePerHour: 2, blockMovesPerClusterPerDay: 72, mtuChangesPerClusterPerDay: 12 },
};

describe('a synthetic cluster is healthy: the checks raise nothing on it', () => {
  it.each([1, 2, 3, 4, 5, 6])('after every churn event of 12 h, seed %i', (seed) => {
    const cluster = new SyntheticCluster({ ...BUSY, seed });
    expect(summary(findingsOf(cluster))).toEqual([]);
    const seen = new Set<string>();
    cluster.advance(12 * HOUR, undefined, (event) => {
      seen.add(event.type);
      expect({ event: event.type, at: new Date(event.at).toISOString(), findings: summary(findingsOf(cluster)) }).toEqual({ event: event.type, at: new Date(event.at).toISOString(), findings: [] });
    });
    // the property covered every kind of scheduled event
    expect([...seen].sort()).toEqual(expect.arrayContaining(['arp-changed', 'block-moved', 'pod-replaced']));
  });

  it('after node churn (pods created and deleted) on top of block moves, and an MTU change', () => {
    const cluster = new SyntheticCluster({ ...BUSY, seed: 11, churn: { ...BUSY.churn, mtuChangesPerClusterPerDay: 48 } });
    let mtuChanges = 0;
    for (let step = 0; step < 24; step++) {
      cluster.advance(HOUR / 2, undefined, (e) => (mtuChanges += e.type === 'mtu-changed' ? 1 : 0));
      cluster.churnNode(step % 6, 14);
      expect(summary(findingsOf(cluster))).toEqual([]);
    }
    expect(mtuChanges).toBeGreaterThan(0);
  });

  it('a block that moved while pods used it leaves them borrowed, each with a /32 via its node on every other node', () => {
    const cluster = new SyntheticCluster({ seed: 8, nodes: 5, podsPerNode: 3, churn: { podReplacementsPerNodePerHour: 0, arpChangesPerNodePerHour: 0, blockMovesPerClusterPerDay: 1000, mtuChangesPerClusterPerDay: 0 } });
    const moves: string[] = [];
    while (moves.length === 0) cluster.advance(1000, undefined, (e) => moves.push(e.node!));
    const host = cluster.nodes.findIndex((n) => n.name === moves[0]);
    const hostSnapshot = cluster.snapshot(host);
    const hostPods = hostSnapshot.namespaces.filter((ns) => ns.kind === 'pod').map((ns) => ns.addresses!.find((a) => a.dev === 'eth0')!.local);
    const vtep = hostSnapshot.namespaces[0].addresses!.find((a) => a.dev === 'vxlan.calico')!.local;
    for (let i = 0; i < 5; i++) {
      if (i === host) continue;
      const routes = cluster.snapshot(i).namespaces[0].routes!.filter((r) => hostPods.includes(r.dst));
      expect(routes.map((r) => [r.dst, r.gateway, r.dev])).toEqual(hostPods.map((ip) => [ip, vtep, 'vxlan.calico']));
    }
    expect(summary(findingsOf(cluster))).toEqual([]);
  });
});

describe('faults only when asked, each raising exactly its netlab rule', () => {
  it('names the same faults as tools/netlab (NETLAB_FAULT_RULES)', () => {
    expect([...SYNTH_FAULTS].sort()).toEqual(Object.keys(NETLAB_FAULT_RULES).sort());
  });

  it.each(SYNTH_FAULTS.map((f) => [f, NETLAB_FAULT_RULES[f]] as [SynthFault, string]))('%s:2 raises %s on 2 nodes and nothing else, through an hour of churn', (fault, rule) => {
    const cluster = new SyntheticCluster({ ...BUSY, nodes: 8, seed: 21, faults: [{ fault, count: 2 }] });
    for (let step = 0; step < 3; step++) {
      const findings = findingsOf(cluster);
      expect(new Set(findings.map((f) => f.rule))).toEqual(new Set([rule]));
      // a duplicated address is one subject, reported on one or both of the nodes holding it
      if (fault === 'duplicate-pod-ip') expect(new Set(findings.map((f) => f.subject)).size).toBe(2);
      else expect(new Set(findings.map((f) => f.node)).size).toBe(2);
      cluster.advance(HOUR / 2);
    }
  });

  it('proxy-arp-off:3 gives exactly 3 findings, one pod on each of 3 nodes', () => {
    const cluster = new SyntheticCluster({ nodes: 20, podsPerNode: 5, seed: 3, faults: [{ fault: 'proxy-arp-off', count: 3 }] });
    const findings = findingsOf(cluster);
    expect(findings.map((f) => f.rule)).toEqual(['CALICO_PROXY_ARP', 'CALICO_PROXY_ARP', 'CALICO_PROXY_ARP']);
    expect(new Set(findings.map((f) => f.node)).size).toBe(3);
  });

  it('faults on several kinds at once land on distinct nodes, one finding set each', () => {
    const cluster = new SyntheticCluster({ nodes: 10, podsPerNode: 3, seed: 4, faults: [{ fault: 'proxy-arp-off', count: 3 }, { fault: 'remote-block-route-missing', count: 1 }, { fault: 'veth-mac-wrong', count: 1 }] });
    const findings = findingsOf(cluster);
    const byRule = (rule: string) => findings.filter((f) => f.rule === rule);
    expect(byRule('CALICO_PROXY_ARP')).toHaveLength(3);
    expect(byRule('CALICO_BLOCK_ROUTE_MISSING')).toHaveLength(1);
    expect(byRule('CALICO_VETH_MAC')).toHaveLength(1);
    expect(findings).toHaveLength(5);
    expect(new Set(findings.map((f) => f.node)).size).toBe(5);
    expect(findings.find((f) => f.rule === 'CALICO_VETH_MAC')!.message).toContain(WRONG_VETH_MAC);
  });

  it('refuses faults it cannot place, naming the fault', () => {
    expect(() => new SyntheticCluster({ nodes: 3, faults: [{ fault: 'proxy-arp-off', count: 4 }] })).toThrow('the faults need 4 distinct nodes (duplicate-pod-ip takes 2 each), the cluster has 3');
    expect(() => new SyntheticCluster({ nodes: 3, faults: [{ fault: 'no-such' as SynthFault, count: 1 }] })).toThrow(/^unknown fault "no-such"; known: proxy-arp-off, /);
    expect(() => new SyntheticCluster({ nodes: 3, faults: [{ fault: 'ip-forward-off', count: 0 }] })).toThrow('fault ip-forward-off: count must be a positive integer, got 0');
    expect(() => new SyntheticCluster({ nodes: 3, podsPerNode: 0, faults: [{ fault: 'mtu-mismatch', count: 1 }] })).toThrow('fault mtu-mismatch acts on a pod, and the cluster has no pods');
  });
});
