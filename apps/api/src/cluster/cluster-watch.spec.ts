// No cluster can run here; this server speaks the real wire protocol. These suites run the
// real @kubernetes/client-node informers (list + chunked watch streams, bookmarks, 410 Gone)
// against @routescope/testing's FakeKubeApiServer through a real KubeConfig (server URL, bearer token),
// and the history on both databases (PostgreSQL and PGlite).
jest.mock('@kubernetes/client-node', () => jest.requireActual<typeof import('../../test/kube-client-node')>('../../test/kube-client-node').clientNode());

import type { ClusterObjectRow } from './cluster-history.repository';
import type { PodAttrs } from './cluster-objects';
import { testing } from '@routescope/db';
import { blockAffinity, eventually, ipamBlock, ipPool, node, pod, sleep, startClusterHarness, type ClusterHarness, type HarnessOptions } from '../../test/cluster-harness';
import type { FakeKubeApiServer } from '@routescope/testing';
import { vethNameForWorkload } from './veth-name';

function seedCluster(server: FakeKubeApiServer): void {
  server.create('nodes', node('node-a', '10.0.0.11', { podCIDR: '10.244.0.0/24' }));
  server.create('nodes', node('node-b', '10.0.0.12', { podCIDR: '10.244.1.0/24' }));
  server.create('pods', pod('shop', 'web-1', { node: 'node-a', ips: ['172.17.8.2'], uid: 'uid-web-1' }));
  server.create('pods', pod('shop', 'web-2', { node: 'node-b', ips: ['172.17.9.2'], uid: 'uid-web-2' }));
  server.create('pods', pod('kube-system', 'kube-proxy-a', { node: 'node-a', ips: ['10.0.0.11'], hostNetwork: true, uid: 'uid-kube-proxy-a' }));
  server.create('ippools', ipPool('default-ipv4-ippool', '172.17.0.0/16', { ipipMode: 'Always' }));
  server.create('blockaffinities', blockAffinity('node-a', '172.17.8.0/26'));
  server.create('blockaffinities', blockAffinity('node-b', '172.17.9.0/26'));
  server.create('ipamblocks', ipamBlock('172.17.8.0/26', 'node-a'));
  server.create('ipamblocks', ipamBlock('172.17.9.0/26', 'node-b'));
}

const open = (rows: ClusterObjectRow[]) => rows.filter((r) => r.validTo === null);
const podNames = (h: ClusterHarness) => (h.context.context()?.pods ?? []).map((p) => `${p.namespace}/${p.name}`);

for (const kind of testing.testDatabaseKinds()) {
  describe(`cluster watch [${kind}]`, () => {
    let h: ClusterHarness;

    async function start(options: HarnessOptions = {}) {
      h = await startClusterHarness(kind, { seed: seedCluster, ...options });
      await h.watch.synced();
      await eventually(() => expect(h.server.openWatches()).toBe(5));
      await h.settled();
    }

    afterEach(async () => {
      await h?.close();
    });

    it('lists, then follows watch events for pods and nodes: the context and the history follow', async () => {
      await start();
      const context = h.context.context()!;
      expect(context.nodes).toEqual([
        { name: 'node-a', internalIPs: ['10.0.0.11'] },
        { name: 'node-b', internalIPs: ['10.0.0.12'] },
      ]);
      expect(context.pods).toEqual([
        { namespace: 'kube-system', name: 'kube-proxy-a', node: 'node-a', ips: [] },
        { namespace: 'shop', name: 'web-1', node: 'node-a', ips: ['172.17.8.2'] },
        { namespace: 'shop', name: 'web-2', node: 'node-b', ips: ['172.17.9.2'] },
      ]);
      expect(open(await h.rows('pod'))).toHaveLength(3);
      expect(open(await h.rows('node'))).toHaveLength(2);
      // Watches were opened from the list's revision, asking for bookmarks.
      expect(h.server.watchRequests('pods')[0].query).toMatchObject({ watch: 'true', allowWatchBookmarks: 'true', resourceVersion: expect.stringMatching(/^\d+$/) });

      h.server.create('pods', pod('shop', 'web-3', { node: 'node-b', ips: ['172.17.9.3'], uid: 'uid-web-3' }));
      h.server.update('nodes', node('node-b', '10.0.0.22', { podCIDR: '10.244.1.0/24' }));
      h.server.delete('pods', 'web-1', 'shop');
      await eventually(() => {
        expect(podNames(h)).toEqual(['kube-system/kube-proxy-a', 'shop/web-2', 'shop/web-3']);
        expect(h.context.context()!.nodes).toContainEqual({ name: 'node-b', internalIPs: ['10.0.0.22'] });
      });
      await h.settled();

      const web1 = await h.rows('pod', 'uid-web-1');
      expect(web1).toHaveLength(1);
      expect(web1[0].validTo).toBeInstanceOf(Date);
      expect(open(await h.rows('pod', 'uid-web-3'))).toHaveLength(1);
      const nodeB = await h.rows('node', 'node-b');
      expect(nodeB.map((r) => (r.attrs as { internalIPs: string[] }).internalIPs)).toEqual([['10.0.0.12'], ['10.0.0.22']]);
      expect(nodeB[0].validTo!.getTime()).toBe(nodeB[1].validFrom.getTime());
      expect(nodeB[1].validTo).toBeNull();
      expect(await h.rows('node', 'node-a')).toHaveLength(1);
      // Only the list's connection: no relist was needed.
      expect(h.server.listRequests('pods')).toHaveLength(1);
    });

    it('opens no interval for a MODIFIED event that changes nothing kept (status churn, new resourceVersion)', async () => {
      await start();
      const before = await h.rows('pod', 'uid-web-2');
      const churned = pod('shop', 'web-2', { node: 'node-b', ips: ['172.17.9.2'], uid: 'uid-web-2', labels: { app: 'web-2', rollout: 'x' } });
      h.server.update('pods', churned);
      h.server.update('nodes', node('node-a', '10.0.0.11', { podCIDR: '10.244.0.0/24' })); // fresh heartbeat only
      await eventually(() => expect(h.watch.status().resources.find((r) => r.kind === 'pod')!.resourceVersion).toBe(h.server.get('pods', 'web-2', 'shop')!.metadata.resourceVersion));
      await eventually(() => expect(h.watch.status().resources.find((r) => r.kind === 'node')!.resourceVersion).toBe(h.server.resourceVersion));
      await h.settled();
      expect(await h.rows('pod', 'uid-web-2')).toEqual(before);
      expect(await h.rows('node', 'node-a')).toHaveLength(1);
    });

    it('keeps two intervals for a reused pod IP, and podForAddress answers by time', async () => {
      await start();
      const ip = '172.17.8.2';
      expect(await h.context.podForAddress(ip)).toMatchObject({ namespace: 'shop', name: 'web-1', node: 'node-a', uid: 'uid-web-1' });

      await sleep(5);
      h.server.delete('pods', 'web-1', 'shop');
      await eventually(() => expect(podNames(h)).not.toContain('shop/web-1'));
      await h.settled();
      expect(await h.context.podForAddress(ip)).toBeUndefined();
      await sleep(5);
      h.server.create('pods', pod('billing', 'api-7', { node: 'node-a', ips: [ip], uid: 'uid-api-7' }));
      await eventually(() => expect(podNames(h)).toContain('billing/api-7'));
      await h.settled();

      const holders = (await h.rows('pod')).filter((r) => (r.attrs as PodAttrs).ips.includes(ip));
      expect(holders.map((r) => [r.key, r.validTo === null])).toEqual([
        ['uid-api-7', true],
        ['uid-web-1', false],
      ]);
      const [b, a] = holders;
      expect(a.validTo!.getTime()).toBeLessThan(b.validFrom.getTime());

      const during = (from: Date, to: Date) => new Date(Math.floor((from.getTime() + to.getTime()) / 2));
      expect(await h.context.podForAddress(ip, during(a.validFrom, a.validTo!))).toMatchObject({ namespace: 'shop', name: 'web-1', uid: 'uid-web-1' });
      expect(await h.context.podForAddress(ip, a.validTo!)).toBeUndefined(); // [validFrom, validTo): gone at validTo
      expect(await h.context.podForAddress(ip, b.validFrom)).toMatchObject({ namespace: 'billing', name: 'api-7', uid: 'uid-api-7' });
      expect(await h.context.podForAddress(ip)).toMatchObject({ namespace: 'billing', name: 'api-7' });
      expect(await h.context.podForAddress(ip, new Date(a.validFrom.getTime() - 60000))).toBeUndefined();
    });

    it('resumes a dropped watch from its last resourceVersion without a relist, losing nothing', async () => {
      await start();
      const resumeFrom = h.watch.status().resources.find((r) => r.kind === 'pod')!.resourceVersion;
      // The API is unreachable for a while; things change meanwhile.
      h.server.partition();
      await eventually(() => expect(h.server.heldRequests).toBeGreaterThanOrEqual(5));
      h.server.create('pods', pod('shop', 'web-4', { node: 'node-a', ips: ['172.17.8.4'], uid: 'uid-web-4' }));
      h.server.delete('pods', 'web-2', 'shop');
      h.server.update('pods', pod('shop', 'web-1', { node: 'node-a', ips: ['172.17.8.2'], phase: 'Succeeded', uid: 'uid-web-1' }));
      h.server.heal();

      await eventually(() => {
        expect(podNames(h)).toEqual(['kube-system/kube-proxy-a', 'shop/web-1', 'shop/web-4']);
        expect(h.context.context()!.pods!.find((p) => p.name === 'web-1')!.ips).toEqual([]); // finished: IP released
      });
      await h.settled();
      const resumed = h.server.watchRequests('pods').slice(1);
      expect(resumed[0].query['resourceVersion']).toBe(resumeFrom);
      expect(h.server.listRequests('pods')).toHaveLength(1);
      expect(open(await h.rows('pod', 'uid-web-2'))).toHaveLength(0);
      expect(open(await h.rows('pod', 'uid-web-4'))).toHaveLength(1);
      expect((await h.rows('pod', 'uid-web-1')).map((r) => (r.attrs as PodAttrs).phase)).toEqual(['Running', 'Succeeded']);
    });

    it('restarts after a connection reset (informer error) with back-off and resumes the watch', async () => {
      await start();
      h.server.disconnect({ abrupt: true });
      await eventually(() => expect(h.watch.status().resources.every((r) => r.restarts >= 1)).toBe(true));
      await eventually(() => expect(h.server.openWatches()).toBe(5));
      h.server.create('pods', pod('shop', 'web-5', { node: 'node-b', ips: ['172.17.9.5'], uid: 'uid-web-5' }));
      await eventually(() => expect(podNames(h)).toContain('shop/web-5'));
      await h.settled();
      expect(h.server.listRequests('pods')).toHaveLength(1);
      expect(open(await h.rows('pod', 'uid-web-5'))).toHaveLength(1);
    });

    for (const goneAs of ['event', 'http'] as const) {
      it(`relists after 410 Gone (${goneAs === 'event' ? 'ERROR event with a Status 410' : 'HTTP 410'}) and closes objects deleted while disconnected`, async () => {
        await start({ server: { goneAs } });
        h.server.partition();
        await eventually(() => expect(h.server.heldRequests).toBeGreaterThanOrEqual(5));
        h.server.delete('pods', 'web-2', 'shop');
        h.server.delete('nodes', 'node-b');
        h.server.delete('blockaffinities', blockAffinity('node-b', '172.17.9.0/26').metadata.name);
        h.server.create('pods', pod('shop', 'web-6', { node: 'node-a', ips: ['172.17.8.6'], uid: 'uid-web-6' }));
        h.server.compact(); // the events above are gone from the server's log
        h.server.heal();

        await eventually(() => {
          expect(h.server.listRequests('pods')).toHaveLength(2);
          expect(podNames(h)).toEqual(['kube-system/kube-proxy-a', 'shop/web-1', 'shop/web-6']);
          expect(h.context.context()!.nodes!.map((n) => n.name)).toEqual(['node-a']);
          expect(h.context.context()!.blockAffinities).toEqual([{ cidr: '172.17.8.0/26', node: 'node-a' }]);
        });
        await h.settled();
        expect(h.server.watchRequests('pods').some((r) => r.status === (goneAs === 'http' ? 410 : 200) && r.query['resourceVersion'] !== h.server.resourceVersion)).toBe(true);
        expect(open(await h.rows('pod', 'uid-web-2'))).toHaveLength(0);
        expect(await h.rows('pod', 'uid-web-2')).toHaveLength(1);
        expect(open(await h.rows('node', 'node-b'))).toHaveLength(0);
        expect(open(await h.rows('pod', 'uid-web-6'))).toHaveLength(1);
        expect(open(await h.rows('blockaffinity'))).toHaveLength(1);
      });
    }

    it('moves the resume point with bookmarks, so a compaction after a bookmark costs no relist', async () => {
      await start();
      // Changes elsewhere move the revision on; the pods watch hears of it only through a bookmark.
      h.server.update('nodes', node('node-a', '10.0.0.31'));
      h.server.update('ippools', ipPool('default-ipv4-ippool', '172.17.0.0/16', { vxlanMode: 'Always' }));
      const revision = h.server.resourceVersion;
      expect(h.server.bookmark()).toBe(5);
      await eventually(() => expect(h.watch.status().resources.find((r) => r.kind === 'pod')!.resourceVersion).toBe(revision));
      h.server.compact();
      h.server.disconnect();
      await eventually(() => expect(h.server.watchRequests('pods').length).toBe(2));
      await eventually(() => expect(h.server.openWatches('pods')).toBe(1));
      expect(h.server.watchRequests('pods')[1].query['resourceVersion']).toBe(revision);
      expect(h.server.listRequests('pods')).toHaveLength(1);
      expect(h.context.context()!.ipPools).toEqual([{ name: 'default-ipv4-ippool', cidr: '172.17.0.0/16', encapsulation: 'VXLAN' }]);
    });

    it('closes, on the first list, the rows a previous run left open for objects that no longer exist', async () => {
      const stale = new Date(Date.now() - 3600_000);
      await start({
        before: async (database) => {
          await database.prisma.$executeRaw`
            INSERT INTO cluster_object (kind, key, attrs, valid_from) VALUES
              ('pod', 'uid-gone', ${JSON.stringify({ namespace: 'shop', name: 'gone', node: 'node-a', ips: ['172.17.8.9'], hostNetwork: false, phase: 'Running', ipsReleased: false, veth: 'cali0' })}::jsonb, ${stale}),
              ('node', 'node-a', ${JSON.stringify({ name: 'node-a', internalIPs: ['10.0.0.99'] })}::jsonb, ${stale})`;
        },
      });
      const gone = await h.rows('pod', 'uid-gone');
      expect(gone).toHaveLength(1);
      expect(gone[0].validTo).toBeInstanceOf(Date);
      const nodeA = await h.rows('node', 'node-a');
      expect(nodeA.map((r) => [(r.attrs as { internalIPs: string[] }).internalIPs, r.validTo === null])).toEqual([
        [['10.0.0.99'], false],
        [['10.0.0.11'], true],
      ]);
      expect(await h.context.podForAddress('172.17.8.9', new Date(stale.getTime() + 1000))).toMatchObject({ name: 'gone' });
    });

    it('lists in pages (limit/continue) and still sees one consistent list', async () => {
      await start({ module: { pageSize: 2 } });
      expect(h.server.listRequests('pods').map((r) => [r.query['limit'], r.query['continue'] !== undefined])).toEqual([
        ['2', false],
        ['2', true],
      ]);
      expect(podNames(h)).toHaveLength(3);
      expect(open(await h.rows('pod'))).toHaveLength(3);
    });

    it('never writes an empty interval: changes within one millisecond move to the next one', async () => {
      const frozen = new Date('2026-11-26T03:12:00.000Z');
      await start({ module: { clock: () => frozen } });
      h.server.update('pods', pod('shop', 'web-2', { node: 'node-b', ips: ['172.17.9.20'], uid: 'uid-web-2' }));
      h.server.update('pods', pod('shop', 'web-2', { node: 'node-b', ips: ['172.17.9.21'], uid: 'uid-web-2' }));
      h.server.delete('pods', 'web-2', 'shop');
      await eventually(() => expect(podNames(h)).not.toContain('shop/web-2'));
      await h.settled();
      const rows = await h.rows('pod', 'uid-web-2');
      expect(rows.map((r) => [(r.attrs as PodAttrs).ips[0], r.validFrom.getTime() - frozen.getTime(), r.validTo!.getTime() - frozen.getTime()])).toEqual([
        ['172.17.9.2', 0, 1],
        ['172.17.9.20', 1, 2],
        ['172.17.9.21', 2, 3],
      ]);
    });

    it('maps Calico pools, block affinities, IPAM blocks and host veths; contextAt rebuilds the past', async () => {
      await start({
        seed: (server) => {
          seedCluster(server);
          server.create('ippools', ipPool('vxlan-pool', '172.18.0.0/16', { vxlanMode: 'CrossSubnet' }));
          server.create('ippools', ipPool('flat-pool', '172.19.0.0/16'));
          server.create('blockaffinities', blockAffinity('node-b', '172.18.4.0/26', 'pending'));
          server.create('ipamblocks', ipamBlock('172.19.0.0/26'));
        },
      });
      const context = h.context.context()!;
      expect(context.ipPools).toEqual([
        { name: 'default-ipv4-ippool', cidr: '172.17.0.0/16', encapsulation: 'IPIP' },
        { name: 'flat-pool', cidr: '172.19.0.0/16', encapsulation: 'None' },
        { name: 'vxlan-pool', cidr: '172.18.0.0/16', encapsulation: 'VXLAN' },
      ]);
      expect(context.blockAffinities).toEqual([
        { cidr: '172.17.8.0/26', node: 'node-a' },
        { cidr: '172.17.9.0/26', node: 'node-b' },
      ]);
      expect(h.context.ipamBlocks()!.sort((a, b) => a.cidr.localeCompare(b.cidr))).toEqual([
        { cidr: '172.17.8.0/26', affinity: 'host:node-a', node: 'node-a' },
        { cidr: '172.17.9.0/26', affinity: 'host:node-b', node: 'node-b' },
        { cidr: '172.19.0.0/26' },
      ]);
      const veth = vethNameForWorkload('shop', 'web-1');
      expect(h.context.podForVeth('node-a', veth)).toMatchObject({ namespace: 'shop', name: 'web-1', veth, ips: ['172.17.8.2'] });
      expect(h.context.podForVeth('node-b', veth)).toBeUndefined();
      expect(await h.context.podForAddress('10.0.0.11')).toBeUndefined(); // a host-network pod owns no pod IP

      const before = new Date();
      await sleep(5);
      h.server.update('blockaffinities', blockAffinity('node-b', '172.18.4.0/26', 'confirmed'));
      h.server.update('ippools', ipPool('flat-pool', '172.19.0.0/16', { ipipMode: 'CrossSubnet' }));
      await eventually(() => expect(h.context.context()!.blockAffinities).toContainEqual({ cidr: '172.18.4.0/26', node: 'node-b' }));
      await eventually(() => expect(h.context.context()!.ipPools).toContainEqual({ name: 'flat-pool', cidr: '172.19.0.0/16', encapsulation: 'IPIP' }));
      await h.settled();
      const past = await h.context.contextAt(before);
      expect(past.blockAffinities).toEqual(context.blockAffinities);
      expect(past.ipPools).toEqual(context.ipPools);
      expect(past.pods).toEqual(context.pods);
      expect(past.nodes).toEqual(context.nodes);
      expect((await h.context.contextAt(new Date())).blockAffinities).toHaveLength(3);
    });
  });
}
