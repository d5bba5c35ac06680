import { snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';
import { namespacesOf, nodeA, nodeB } from '../../test/trace-cluster';

// trace and traceChanges over HTTP, on each database, from history stored by the real ingest.
//
// Timeline (T0 = 2025-04-01T00:00:00Z): node-a and node-b are Calico VXLAN nodes, one pod each.
//   T0      a0, b0 healthy                          → cni-aaaa reaches 172.17.9.2 (node-b's pod)
//   T0+30s  a1: proxy_arp off on cni-aaaa's veth    → no ARP answer for 169.254.1.1
//   T0+60s  a2: proxy_arp on again                  → reachable again
const T0 = Date.parse('2025-04-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const veth = nodeA.pods[0].veth;

const history = [
  snapshot({ node: 'node-a', takenAt: at(0), seq: 0, namespaces: namespacesOf(nodeA) }),
  snapshot({ node: 'node-b', takenAt: at(5), seq: 0, namespaces: namespacesOf(nodeB) }),
  snapshot({ node: 'node-a', takenAt: at(30), seq: 1, namespaces: namespacesOf({ ...nodeA, proxyArpOff: [veth] }) }),
  snapshot({ node: 'node-a', takenAt: at(60), seq: 2, namespaces: namespacesOf(nodeA) }),
];

const TRACE = `query($at: DateTime, $to: String!, $pod: String, $node: String!) {
  trace(from: { node: $node, pod: $pod }, to: $to, at: $at) {
    at reachable verdict nodes to size dontFragment
    forward { delivered hops { node namespace step detail evidence { node namespace kind key attributes } } stop { reason node detail evidence { kind key attributes } } }
    reply { delivered stop { reason } }
  }
}`;

interface TraceData {
  trace: {
    at: string;
    reachable: boolean;
    verdict: string;
    nodes: string[];
    to: string;
    size: number;
    dontFragment: boolean;
    forward: {
      delivered: boolean;
      hops: Array<{ node: string; namespace: string; step: string; detail: string; evidence: Array<{ node: string; namespace: string; kind: string; key: string; attributes: unknown }> }>;
      stop: { reason: string; node: string; detail: string; evidence: Array<{ kind: string; key: string; attributes: unknown }> } | null;
    };
    reply: { delivered: boolean; stop: { reason: string } | null };
  };
}

const CHANGES = `query($from: DateTime!, $to: DateTime!) {
  traceChanges(from: { node: "node-a", pod: "cni-aaaa" }, to: "172.17.9.2", window: { from: $from, to: $to }) {
    initial nodes instantsTraced complete checkedThrough
    flips { at before after detail changes { node namespace kind key change cited after } }
  }
}`;

interface ChangesData {
  traceChanges: {
    initial: string;
    nodes: string[];
    instantsTraced: number;
    complete: boolean;
    checkedThrough: string;
    flips: Array<{ at: string; before: string; after: string; detail: string; changes: Array<{ node: string; namespace: string; kind: string; key: string; change: string; cited: boolean; after: unknown }> }>;
  };
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

function errorOf(response: GraphqlResponse<unknown>) {
  expect(response.errors?.length).toBeGreaterThan(0);
  const [error] = response.errors!;
  return { code: error.extensions?.code, reason: error.extensions?.reason, message: error.message };
}

for (const kind of testDatabaseKinds()) {
  describe(`trace over HTTP [${kind}]`, () => {
    let api: ApiTestApp;
    const trace = async (when: string, to = '172.17.9.2', pod: string | null = 'cni-aaaa', node = 'node-a') =>
      dataOf(await api.graphql<TraceData>(TRACE, { at: when, to, pod, node })).trace;

    beforeAll(async () => {
      api = await startApiTestApp(kind);
      for (const s of history) await api.ingest(s);
    });

    afterAll(async () => {
      await api?.close();
    });

    it('a pod reaches a pod on the other node through VXLAN, reading both nodes at the instant', async () => {
      const result = await trace(at(10));
      expect(result).toMatchObject({ at: at(10), reachable: true, verdict: 'REACHABLE', to: '172.17.9.2', size: 84, dontFragment: false });
      expect(result.nodes.sort()).toEqual(['node-a', 'node-b']);
      expect(result.forward.delivered).toBe(true);
      expect(result.reply.delivered).toBe(true);
      // the walk crossed to node-b and cites node-b's facts as stored, attributes included
      const evidence = result.forward.hops.flatMap((h) => h.evidence);
      expect(evidence.some((e) => e.node === 'node-b' && e.attributes !== null)).toBe(true);
      expect(result.forward.hops.at(-1)).toMatchObject({ node: 'node-b', namespace: 'pod:cni-bbbb' });
    });

    it('with proxy ARP off on the pod’s veth the trace stops at node-a, citing the sysctl', async () => {
      const result = await trace(at(40));
      expect(result).toMatchObject({ reachable: false, verdict: 'NO_ARP_REPLY' });
      expect(result.forward.stop).toMatchObject({ reason: 'NO_ARP_REPLY', node: 'node-a' });
      expect(result.forward.stop!.evidence).toContainEqual({ kind: 'SYSCTL', key: `net/ipv4/conf/${veth}/proxy_arp`, attributes: { value: '0' } });
    });

    it('traceChanges lists both flips with the proxy_arp change that made each, cited first', async () => {
      const { traceChanges } = dataOf(await api.graphql<ChangesData>(CHANGES, { from: at(10), to: at(90) }));
      expect(traceChanges).toMatchObject({ initial: 'REACHABLE', complete: true, checkedThrough: at(90) });
      expect(traceChanges.nodes.sort()).toEqual(['node-a', 'node-b']);
      expect(traceChanges.instantsTraced).toBe(2); // node-a's changes at 30 s and 60 s
      expect(traceChanges.flips.map((f) => [f.at, f.before, f.after])).toEqual([
        [at(30), 'REACHABLE', 'NO_ARP_REPLY'],
        [at(60), 'NO_ARP_REPLY', 'REACHABLE'],
      ]);
      for (const [flip, value] of [[traceChanges.flips[0], '0'], [traceChanges.flips[1], '1']] as const) {
        expect(flip.changes[0]).toEqual({ node: 'node-a', namespace: 'host', kind: 'SYSCTL', key: `net/ipv4/conf/${veth}/proxy_arp`, change: 'CHANGED', cited: true, after: { value } });
      }
    });

    it('an unknown node or pod is NOT_FOUND naming it; an address that is none, a bad size or an overlong window is BAD_USER_INPUT', async () => {
      expect(errorOf(await api.graphql(TRACE, { to: '172.17.9.2', node: 'nope' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_NODE', message: expect.stringContaining('"nope" (from.node)') });
      expect(errorOf(await api.graphql(TRACE, { at: at(10), to: '172.17.9.2', node: 'node-a', pod: 'cni-zzzz' }))).toMatchObject({
        code: 'NOT_FOUND',
        reason: 'UNKNOWN_POD',
        message: expect.stringMatching(/from\.pod.*"cni-zzzz"/),
      });
      expect(errorOf(await api.graphql(TRACE, { to: '172.17.9.300', node: 'node-a' }))).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ADDRESS', message: expect.stringContaining('to must be') });
      const size = errorOf(await api.graphql('{ trace(from: { node: "node-a" }, to: "10.0.0.12", size: 10) { verdict } }'));
      expect(size).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ARGUMENT', message: expect.stringContaining('size') });
      const window = errorOf(await api.graphql(CHANGES, { from: at(0), to: at(8 * 24 * 3600) }));
      expect(window).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'WINDOW_TOO_LARGE', message: expect.stringContaining('7 days') });
    });
  });
}
