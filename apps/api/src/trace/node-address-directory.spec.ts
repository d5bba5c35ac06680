import { FactStore } from '../history/fact-store.service';
import { snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { namespacesOf, nodeA, nodeB, type VxlanNode } from '../../test/trace-cluster';
import { addressesOf, macKey, NodeAddressDirectory } from './node-address-directory';

// The directory a trace finds its next nodes by answers from an index of the open facts; it must
// name exactly the nodes whose current facts hold the address (addressesOf over every node's open
// facts, which is how it was built before), on each database, as history moves on.
const T0 = Date.parse('2025-04-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
// a third node reusing node-b's pod address after node-b lost its pod (a pod IP moving)
const nodeC: VxlanNode = {
  ip: '10.0.0.13',
  vtep: '172.17.10.0',
  vtepMac: '66:00:00:00:00:0C',
  block: '172.17.10.0/26',
  pods: [{ netns: 'cni-cccc', veth: 'cali3333333333c', ip: '172.17.9.2', mac: '0a:58:00:00:0a:02' }],
  peers: [],
};

for (const kind of testDatabaseKinds()) {
  describe(`the address directory of traces [${kind}]`, () => {
    let t: ApiTestApp;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(() => t.close());

    /** Every address and VTEP MAC of every node's open facts → its holders, as the old full build gave it. */
    async function expected(): Promise<Map<string, string[]>> {
      const index = new Map<string, string[]>();
      for (const [node, facts] of await t.app.get(FactStore).currentStateOfCluster()) {
        for (const address of addressesOf(facts)) index.set(address, [...(index.get(address) ?? []), node].sort());
      }
      return index;
    }

    async function answered(keys: string[]): Promise<Map<string, string[]>> {
      const found = await t.app.get(NodeAddressDirectory).holders(keys);
      return new Map([...found].map(([key, nodes]) => [key, nodes.map((n) => n.name)]));
    }

    it('names the nodes holding each address and VTEP MAC now, as every node’s open facts do', async () => {
      await t.ingest(snapshot({ node: 'node-a', takenAt: at(0), seq: 0, namespaces: namespacesOf(nodeA) }));
      await t.ingest(snapshot({ node: 'node-b', takenAt: at(5), seq: 0, namespaces: namespacesOf(nodeB) }));
      const want = await expected();
      expect(want.get('172.17.9.2')).toEqual(['node-b']);
      expect(await answered([...want.keys(), '192.0.2.1', macKey('ee:ee:ee:ee:ee:ee')])).toEqual(want);
      expect(await answered([macKey('66:00:00:00:00:0B')])).toEqual(new Map([[macKey('66:00:00:00:00:0b'), ['node-b']]]));
    });

    it('follows an address from one node to another and forgets what no node holds any more', async () => {
      await t.ingest(snapshot({ node: 'node-b', takenAt: at(30), seq: 1, namespaces: namespacesOf({ ...nodeB, pods: [] }) }));
      await t.ingest(snapshot({ node: 'node-c', takenAt: at(35), seq: 0, namespaces: namespacesOf(nodeC) }));
      const want = await expected();
      expect(want.get('172.17.9.2')).toEqual(['node-c']);
      expect(await answered([...want.keys(), '10.0.0.99'])).toEqual(want);
      expect(await answered(['10.0.0.99'])).toEqual(new Map());
    });

    it('never looks up a loopback address, which every node holds and none is reached for', async () => {
      const withLoopback = namespacesOf({ ...nodeA, ip: '10.0.0.21', vtep: '172.17.21.0', vtepMac: '66:00:00:00:00:15', block: '172.17.21.0/26', pods: [] });
      withLoopback[0].addresses = [...(withLoopback[0].addresses ?? []), { dev: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', flags: [] }];
      await t.ingest(snapshot({ node: 'node-d', takenAt: at(40), seq: 0, namespaces: withLoopback }));
      expect((await expected()).get('127.0.0.1')).toEqual(['node-d']);
      expect(await answered(['127.0.0.1', '10.0.0.21'])).toEqual(new Map([['10.0.0.21', ['node-d']]]));
    });
  });
}
