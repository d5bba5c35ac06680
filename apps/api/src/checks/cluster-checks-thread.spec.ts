import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clusterView, type ClusterView } from '@routescope/checks';
import { snapshotToFacts } from '@routescope/snapshot';
import { SyntheticCluster } from '@routescope/synth';
import { ClusterChecksThread } from './cluster-checks-thread';
import { evaluateClusterInstants, type ClusterEvaluationRequest } from './cluster-instants';

// checkCluster runs in a worker thread: the API keeps answering while a large cross-node
// evaluation is under way, and the thread's findings are those of the same evaluation in process.

const NODES = 200;
const INSTANTS = 6;

/** A 200-node synthetic cluster (a route to every other node's block) and, at each instant, one node that lost a block route. */
function largeEvaluation(): ClusterEvaluationRequest {
  const cluster = new SyntheticCluster({ seed: 7, nodes: NODES, podsPerNode: 5 });
  const facts = cluster.nodes.map((_, i) => ({ node: cluster.snapshot(i).node, facts: snapshotToFacts(cluster.snapshot(i)) }));
  const base = facts.map(({ node, facts: f }) => [node, clusterView({ node, facts: f })] as [string, ClusterView]);
  const steps = Array.from({ length: INSTANTS }, (_, k) => {
    const { node, facts: f } = facts[k];
    const blockRoute = f.findIndex((fact) => fact.kind === 'route' && fact.ns === 'host' && fact.key.includes('/26') && !fact.key.includes('blackhole'));
    const broken = clusterView({ node, facts: f.filter((_, i) => i !== blockRoute) });
    return [cluster.now + k * 1000, [[node, broken]]] as const;
  });
  return { full: true, removed: [], base, steps };
}

describe('the cross-node checks thread', () => {
  let server: Server;
  let url: string;
  const request = largeEvaluation();

  beforeAll(async () => {
    server = createServer((_, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it(`answers an HTTP request while it evaluates ${NODES} nodes at ${INSTANTS} instants, and finds what in-process evaluation finds`, async () => {
    const thread = new ClusterChecksThread();
    try {
      let evaluated = false;
      const evaluation = thread.evaluate(request).finally(() => (evaluated = true));
      // The request is sent and answered by this event loop while the evaluation is in progress.
      expect(await (await fetch(url)).text()).toBe('ok');
      expect(evaluated).toBe(false);
      const result = await evaluation;
      expect(result.instantsChecked).toBe(INSTANTS);
      // the first instant's findings, then one more missing block route at each later instant
      expect(result.first?.drafts.filter((d) => d.rule === 'CALICO_BLOCK_ROUTE_MISSING')).toHaveLength(1);
      expect(result.changes.map((c) => c.opened.filter((d) => d.rule === 'CALICO_BLOCK_ROUTE_MISSING').length)).toEqual(Array(INSTANTS - 1).fill(1));
      expect(result).toEqual(evaluateClusterInstants(new Map(), request).evaluation);
    } finally {
      await thread.close();
    }
  });

  it('keeps the committed views between evaluations and drops discarded ones', async () => {
    const thread = new ClusterChecksThread();
    try {
      expect(thread.fresh).toBe(true);
      const [node, broken] = request.steps[0][1][0];
      const healthy = request.base.find(([n]) => n === node)![1];
      await thread.evaluate({ ...request, steps: [] });
      thread.commit();
      expect(thread.fresh).toBe(false);
      // a change sent alone is judged against the committed views of every other node
      const after = await thread.evaluate({ full: false, removed: [], base: [], steps: [[1, [[node, broken]]]] });
      expect(after.first?.drafts.filter((d) => d.rule === 'CALICO_BLOCK_ROUTE_MISSING').map((d) => d.node)).toEqual([node]);
      thread.discard();
      // discarded: the node is still healthy for the thread, so bringing the same view back changes nothing
      const again = await thread.evaluate({ full: false, removed: [], base: [], steps: [[2, [[node, healthy]]]] });
      expect(again.instantsChecked).toBe(0);
    } finally {
      await thread.close();
    }
  });
});
