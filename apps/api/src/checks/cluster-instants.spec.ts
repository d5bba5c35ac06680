import { checkCluster, clusterView, type ClusterView, type Finding } from '@routescope/checks';
import { canonicalJson, snapshotToFacts, type Fact } from '@routescope/snapshot';
import { SeededRandom, SyntheticCluster } from '@routescope/synth';
import { evaluateClusterInstants, findingIdentity, type ClusterEvaluation, type ClusterEvaluationRequest } from './cluster-instants';

// The cross-node evaluation answers with the findings of its first instant and then only what
// changed at each later instant: a backlog of many instants with many findings open stays as
// small as its changes (1,000 nodes catching up on an hour of churn sent every instant's whole
// list, several GB, and the API ran out of memory receiving it).

const NODES = 40;

function clusterFacts(): Array<{ node: string; facts: Fact[] }> {
  const cluster = new SyntheticCluster({ seed: 11, nodes: NODES, podsPerNode: 3 });
  return cluster.nodes.map((_, i) => ({ node: cluster.snapshot(i).node, facts: snapshotToFacts(cluster.snapshot(i)) }));
}

/** The node's view without its route to the block of node `other` (a CALICO_BLOCK_ROUTE_MISSING on it). */
function withoutRouteTo(facts: readonly Fact[], node: string, blockRoutes: readonly Fact[], other: number): ClusterView {
  const route = blockRoutes[other];
  return clusterView({ node, facts: facts.filter((f) => f !== route) });
}

/** The node's view routing the block of its route `which` via the gateway of its route `via` (a CALICO_BLOCK_ROUTE_WRONG_NODE whose message names that gateway). */
function misrouted(facts: readonly Fact[], node: string, blockRoutes: readonly Fact[], which: number, via: number): ClusterView {
  const route = blockRoutes[which];
  const wrong = { ...route, attrs: { ...route.attrs, gateway: blockRoutes[via].attrs['gateway'] } };
  return clusterView({ node, facts: facts.map((f) => (f === route ? wrong : f)) });
}

/** Host block routes of a node: unicast /26 routes, in order. */
function blockRoutesOf(facts: readonly Fact[]): Fact[] {
  return facts.filter((f) => f.kind === 'route' && f.ns === 'host' && f.key.includes('/26') && f.key.includes('|unicast|'));
}

/** The stored findings after the evaluation's first instant and each change up to `until`. */
function replayed(evaluation: ClusterEvaluation, until: number): Map<string, Finding> {
  const open = new Map<string, Finding>();
  if (!evaluation.first || evaluation.first.at > until) return open;
  for (const d of evaluation.first.drafts) if (!open.has(findingIdentity(d))) open.set(findingIdentity(d), d);
  for (const change of evaluation.changes) {
    if (change.at > until) break;
    for (const key of change.resolved) open.delete(findingIdentity(key));
    for (const d of [...change.refreshed, ...change.opened]) open.set(findingIdentity(d), d);
  }
  return open;
}

function byIdentity(findings: readonly Finding[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const f of findings) if (!map.has(findingIdentity(f))) map.set(findingIdentity(f), canonicalJson(f as never));
  return map;
}

describe('evaluateClusterInstants', () => {
  const nodes = clusterFacts();
  const healthy = nodes.map(({ node, facts }) => clusterView({ node, facts }));

  it('answers the first instant in full and then changes that rebuild every instant’s findings exactly', () => {
    const random = new SeededRandom(5);
    const current = new Map(healthy.map((v) => [v.node, v]));
    const steps: Array<[number, Array<[string, ClusterView]>]> = [];
    const truth: Array<{ at: number; findings: Map<string, string> }> = [];
    for (let k = 0; k < 60; k++) {
      const i = random.int(NODES);
      const { node, facts } = nodes[i];
      // heal the node, break a block route, or send its first block route to another node (the
      // same finding again with another message: a refresh)
      const routes = blockRoutesOf(facts);
      const what = random.int(3);
      const view = what === 0 ? healthy[i] : what === 1 ? withoutRouteTo(facts, node, routes, random.int(routes.length)) : misrouted(facts, node, routes, 0, 1 + random.int(routes.length - 1));
      const at = 1_000 + k * 1_000;
      steps.push([at, [[node, view]]]);
      current.set(node, view);
      truth.push({ at, findings: byIdentity(checkCluster([...current.values()])) });
    }
    const request: ClusterEvaluationRequest = { full: true, removed: [], base: healthy.map((v) => [v.node, v]), steps };
    const { evaluation } = evaluateClusterInstants(new Map(), request);
    expect(evaluation.changes.length).toBeGreaterThan(10);
    expect(evaluation.changes.some((c) => c.refreshed.length > 0)).toBe(true);
    for (const { at, findings } of truth) {
      const stored = new Map([...replayed(evaluation, at)].map(([id, f]) => [id, canonicalJson(f as never)]));
      expect(stored).toEqual(findings);
    }
  });

  it('costs the findings of the first instant plus the changes, not every instant’s whole list', () => {
    // 20 nodes each miss a block route from the start; then one more node misses one at each of 30 instants
    const base: Array<[string, ClusterView]> = nodes.map(({ node, facts }, i) => [node, i < 20 ? withoutRouteTo(facts, node, blockRoutesOf(facts), 0) : healthy[i]]);
    const steps: Array<[number, Array<[string, ClusterView]>]> = [];
    for (let k = 0; k < 30; k++) {
      const i = 20 + (k % 20);
      const { node, facts } = nodes[i];
      steps.push([1_000 + k, [[node, withoutRouteTo(facts, node, blockRoutesOf(facts), 1 + Math.floor(k / 20))]]]);
    }
    const { evaluation } = evaluateClusterInstants(new Map(), { full: true, removed: [], base, steps });
    const sent = (evaluation.first?.drafts.length ?? 0) + evaluation.changes.reduce((n, c) => n + c.opened.length + c.refreshed.length + c.resolved.length, 0);
    const everyInstant = steps.reduce((n, [at]) => n + replayed(evaluation, at).size, 0);
    expect(evaluation.instantsChecked).toBe(30);
    // the first instant's 21 findings, then per instant at most a finding opened and one replaced
    expect(evaluation.first?.drafts).toHaveLength(21);
    expect(sent).toBeLessThanOrEqual(21 + 2 * 29);
    expect(everyInstant).toBeGreaterThan(30 * 21);
  });

  it('shares the routes of views that arrive as separate copies (as through the thread) again', () => {
    // each view cloned on its own, as each message to the thread is: no route object in common
    const [a, b] = [structuredClone(healthy[0]), structuredClone(healthy[1])];
    const common = (x: ClusterView, y: ClusterView) => x.routes.filter((r) => y.routes.includes(r)).length;
    expect(common(a, b)).toBe(0);
    const { views } = evaluateClusterInstants(new Map(), { full: true, removed: [], base: [], steps: [[1, [[a.node, a]]], [2, [[b.node, b]]]] });
    const [x, y] = [views.get(a.node)!.view, views.get(b.node)!.view];
    // both route to the other 38 nodes' blocks the same way: the same objects now
    expect(common(x, y)).toBeGreaterThanOrEqual(NODES - 2);
    expect(x.routes.map((r) => r.key)).toEqual(a.routes.map((r) => r.key));
  });
});
