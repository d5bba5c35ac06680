import type { NetworkNamespace } from '@routescope/snapshot';
import { snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { namespacesOf, nodeA, type VxlanNode } from '../../test/trace-cluster';
import { FactStore } from '../history/fact-store.service';
import { MAX_HOLDERS_READ } from './trace-walk';

// An address many nodes hold is node-local by design: NodeLocal DNSCache puts 169.254.20.10 on a
// dummy device of every node (kube-proxy's IPVS mode does the same with every ClusterIP on
// kube-ipvs0). A pod's trace to it ends on its own node, and must not read the other holders'
// states — it read every node of the cluster, one state read per holder, for one trace.

const NODELOCAL_DNS = '169.254.20.10';
const T0 = Date.parse('2025-04-01T00:00:00.000Z');
const OTHER_HOLDERS = MAX_HOLDERS_READ + 3;

/** A node's namespaces with NodeLocal DNSCache's dummy device and address on the host. */
function withNodeLocalDns(namespaces: NetworkNamespace[]): NetworkNamespace[] {
  const [host, ...pods] = namespaces;
  return [
    {
      ...host,
      links: [...(host.links ?? []), { ifindex: 90, name: 'nodelocaldns', kind: 'dummy', mtu: 1500, operState: 'UNKNOWN', flags: ['BROADCAST', 'NOARP'] }],
      addresses: [...(host.addresses ?? []), { dev: 'nodelocaldns', family: 'inet', local: NODELOCAL_DNS, prefixlen: 32, scope: 'global', flags: [] }],
      routes: [...(host.routes ?? []), { family: 'inet', table: 'local', type: 'local', dst: NODELOCAL_DNS, dev: 'nodelocaldns', scope: 'host', protocol: 'kernel', prefsrc: NODELOCAL_DNS, flags: [] }],
    },
    ...pods,
  ];
}

/** Another node of the cluster, with addresses and a block of its own and no pods. */
function otherNode(i: number): VxlanNode {
  return { ip: `10.0.1.${i}`, vtep: `172.18.${i}.0`, vtepMac: `66:00:00:00:01:${String(i).padStart(2, '0')}`, block: `172.18.${i}.0/26`, pods: [], peers: [] };
}

const TRACE = `query($at: DateTime, $to: String!) {
  trace(from: { node: "node-a", pod: "cni-aaaa" }, to: $to, at: $at) {
    reachable verdict nodes
    forward { delivered hops { node namespace } }
  }
}`;

interface TraceData {
  trace: { reachable: boolean; verdict: string; nodes: string[]; forward: { delivered: boolean; hops: Array<{ node: string; namespace: string }> } };
}

for (const kind of testDatabaseKinds()) {
  describe(`a trace to an address every node holds [${kind}]`, () => {
    let api: ApiTestApp;

    beforeAll(async () => {
      api = await startApiTestApp(kind);
      await api.ingest(snapshot({ node: 'node-a', takenAt: new Date(T0).toISOString(), seq: 0, namespaces: withNodeLocalDns(namespacesOf(nodeA)) }));
      for (let i = 1; i <= OTHER_HOLDERS; i++) {
        await api.ingest(snapshot({ node: `node-dns-${i}`, takenAt: new Date(T0 + i * 1000).toISOString(), seq: 0, namespaces: withNodeLocalDns(namespacesOf(otherNode(i))) }));
      }
    });

    afterAll(async () => {
      await api?.close();
    });

    it('ends on the sending node and reads no other holder’s state', async () => {
      // a spy that calls through: the reads go to the real database, the spy counts them
      const spy = jest.spyOn(api.app.get(FactStore), 'stateAt');
      try {
        const response = await api.graphql<TraceData>(TRACE, { at: new Date(T0 + 60_000).toISOString(), to: NODELOCAL_DNS });
        expect(response.errors).toBeUndefined();
        const trace = response.data!.trace;
        expect(trace.forward.delivered).toBe(true);
        expect(trace.forward.hops.at(-1)).toMatchObject({ node: 'node-a', namespace: 'host' });
        expect(trace.nodes).toEqual(['node-a']);
        // the holders' look-up answers before node-a's state is read: a prefetch of them would have started by now
        await api.settled();
        expect(spy.mock.calls.length).toBe(1);
      } finally {
        spy.mockRestore();
      }
    });
  });
}
