import { randomUUID } from 'node:crypto';
import { diffFacts } from '@routescope/diff';
import { snapshotToFacts, type Fact, type Snapshot } from '@routescope/snapshot';
import { testDatabaseKinds, hostNamespace, podNamespace, snapshot, startApiTestApp, type GraphqlResponse, type ApiTestApp } from '../../test/api-test-app';

// History read side over real HTTP, seeded through the real ingest path, on each database.
//
// Timeline (T0 = 2025-03-01T00:00:00Z; reporting interval 30 s, gap factor 3 → 90 s grace):
//   node-a  T0 s0 · T0+30s unchanged · T0+60s s2 (gateway, ip_forward, a new block route)
//           — collector restart, silence — T0+10m s3 (pod aaaa gone, pod bbbb new) · T0+10m30s unchanged
//   node-b  T0+15s b0 · T0+45s b1 (its pod's neighbour FAILED)
const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const S = 1000;
const M = 60 * S;

const vethA = 'cali1111111111a';
const vethB = 'cali2222222222b';
const vethC = 'cali3333333333c';

const a0 = snapshot({
  node: 'node-a',
  takenAt: at(0),
  seq: 0,
  namespaces: [
    hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined], ['172.17.9.0/26', '10.0.0.12']], veths: [[vethA, '172.17.8.2']] }),
    podNamespace('cni-aaaa', vethA, '172.17.8.2'),
  ],
});
const a1 = { ...a0, snapshotId: randomUUID(), takenAt: at(30 * S), collector: { ...a0.collector, seq: 1 } };
const a2 = snapshot({
  node: 'node-a',
  takenAt: at(60 * S),
  seq: 2,
  namespaces: [
    hostNamespace({
      ip: '10.0.0.11',
      gateway: '10.0.0.254',
      ipForward: '0',
      blocks: [['172.17.8.0/26', undefined], ['172.17.9.0/26', '10.0.0.12'], ['172.17.10.0/26', '10.0.0.13']],
      veths: [[vethA, '172.17.8.2']],
    }),
    podNamespace('cni-aaaa', vethA, '172.17.8.2'),
  ],
});
const a3 = snapshot({
  node: 'node-a',
  takenAt: at(10 * M),
  seq: 0,
  bootId: 'boot-2',
  namespaces: [
    hostNamespace({
      ip: '10.0.0.11',
      gateway: '10.0.0.254',
      blocks: [['172.17.8.0/26', undefined], ['172.17.9.0/26', '10.0.0.12'], ['172.17.10.0/26', '10.0.0.13']],
      veths: [[vethB, '172.17.8.3']],
    }),
    podNamespace('cni-bbbb', vethB, '172.17.8.3'),
  ],
});
const a4 = { ...a3, snapshotId: randomUUID(), takenAt: at(10 * M + 30 * S), collector: { ...a3.collector, seq: 1 } };
const b0 = snapshot({
  node: 'node-b',
  takenAt: at(15 * S),
  seq: 0,
  namespaces: [
    hostNamespace({ ip: '10.0.0.12', gateway: '10.0.0.1', blocks: [['172.17.9.0/26', undefined], ['172.17.8.0/26', '10.0.0.11']], veths: [[vethC, '172.17.9.2']] }),
    podNamespace('cni-cccc', vethC, '172.17.9.2'),
  ],
});
const b1 = snapshot({
  node: 'node-b',
  takenAt: at(45 * S),
  seq: 1,
  namespaces: [
    hostNamespace({ ip: '10.0.0.12', gateway: '10.0.0.1', blocks: [['172.17.9.0/26', undefined], ['172.17.8.0/26', '10.0.0.11']], veths: [[vethC, '172.17.9.2']] }),
    podNamespace('cni-cccc', vethC, '172.17.9.2', 'FAILED'),
  ],
});

interface ExpectedChange {
  at: string;
  node: string;
  namespace: string;
  kind: string;
  key: string;
  change: string;
}

/** The changes ingest must have recorded between consecutive snapshots, from libs/diff. */
function changesBetween(node: string, before: Snapshot | undefined, after: Snapshot): ExpectedChange[] {
  return diffFacts(before ? snapshotToFacts(before) : [], snapshotToFacts(after)).map((c) => ({
    at: new Date(after.takenAt).toISOString(),
    node,
    namespace: c.ns,
    kind: c.kind.toUpperCase(),
    key: c.key,
    change: c.change.toUpperCase(),
  }));
}

/** Byte order, as the API sorts (COLLATE "C"). */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const changeOrder = (a: ExpectedChange, b: ExpectedChange) =>
  byBytes(a.at, b.at) || byBytes(a.node, b.node) || byBytes(a.namespace, b.namespace) || byBytes(a.kind, b.kind) || byBytes(a.key, b.key);

const STATE_QUERY = `query($node: String!, $at: DateTime) {
  node(name: $node) {
    state(at: $at) {
      at covered namespaces
      links { namespace name }
      addresses { namespace key }
      routes { namespace key }
      neighbors { namespace key }
      sysctls { namespace path value }
      pods { name namespace hostVeth }
    }
  }
}`;

interface StateData {
  node: {
    state: {
      at: string;
      covered: boolean;
      namespaces: string[];
      links: { namespace: string; name: string }[];
      addresses: { namespace: string; key: string }[];
      routes: { namespace: string; key: string }[];
      neighbors: { namespace: string; key: string }[];
      sysctls: { namespace: string; path: string; value: string }[];
      pods: { name: string; namespace: string; hostVeth: string | null }[];
    };
  };
}

/** Every fact of a state as `kind ns key`, sorted: the GraphQL answer and a snapshot compare directly. */
function stateFacts(state: StateData['node']['state']): string[] {
  return [
    ...state.links.map((f) => `link ${f.namespace} ${f.name}`),
    ...state.addresses.map((f) => `address ${f.namespace} ${f.key}`),
    ...state.routes.map((f) => `route ${f.namespace} ${f.key}`),
    ...state.neighbors.map((f) => `neighbor ${f.namespace} ${f.key}`),
    ...state.sysctls.map((f) => `sysctl ${f.namespace} ${f.path}`),
    ...state.pods.map((p) => `netns ${p.namespace} ${p.name}`),
    ...(state.namespaces.includes('host') ? ['netns host host'] : []),
  ].sort();
}

function snapshotFacts(s: Snapshot | undefined): string[] {
  return (s ? snapshotToFacts(s) : []).map((f: Fact) => `${f.kind} ${f.ns} ${f.key}`).sort();
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

function errorOf(response: GraphqlResponse<unknown>): { code?: string; reason?: string; message: string } {
  expect(response.errors?.length).toBeGreaterThan(0);
  const [error] = response.errors!;
  return { code: error.extensions?.code, reason: error.extensions?.reason, message: error.message };
}

for (const kind of testDatabaseKinds()) {
  describe(`GraphQL history over HTTP [${kind}]`, () => {
    let api: ApiTestApp;

    beforeAll(async () => {
      api = await startApiTestApp(kind);
      for (const s of [a0, b0, a1, b1, a2, a3, a4]) await api.ingest(s);
    });

    afterAll(async () => {
      await api?.close();
    });

    describe('state(at)', () => {
      const state = async (node: string, when: string) => dataOf(await api.graphql<StateData>(STATE_QUERY, { node, at: when })).node.state;

      it.each([
        ['just after the first snapshot', 10 * S, a0],
        ['one millisecond before a change', 60 * S - 1, a0],
        ['exactly at a change', 60 * S, a2],
        ['inside the gap (last known facts)', 5 * M, a2],
        ['after the gap', 11 * M, a3],
        ['long after the last snapshot', 60 * M, a3],
      ])('%s holds exactly the facts valid then', async (_label, offset, expected) => {
        expect(stateFacts(await state('node-a', at(offset)))).toEqual(snapshotFacts(expected));
      });

      it('before the first snapshot the state is empty and not covered', async () => {
        const before = await state('node-a', at(-1));
        expect(stateFacts(before)).toEqual([]);
        expect(before.covered).toBe(false);
      });

      it('covered says whether the node was reporting: true while reporting, false in a gap', async () => {
        expect((await state('node-a', at(10 * S))).covered).toBe(true);
        // last snapshot before the gap at T0+60s; the grace is 3 x 30 s.
        expect((await state('node-a', at(60 * S + 90 * S))).covered).toBe(true);
        expect((await state('node-a', at(60 * S + 90 * S + 1))).covered).toBe(false);
        expect((await state('node-a', at(5 * M))).covered).toBe(false);
        expect((await state('node-a', at(10 * M))).covered).toBe(true);
      });

      it('lists take a namespace filter and pods carry their host veth', async () => {
        const response = await api.graphql<{
          node: { state: { routes: { namespace: string; dst: string; gateway: string | null; type: string; protocol: string }[]; pods: { name: string; hostVeth: string; routes: { dst: string }[] }[] } };
        }>(
          `query($at: DateTime) { node(name: "node-a") { state(at: $at) {
              routes(namespace: "host") { namespace dst gateway type protocol }
              pods { name hostVeth routes { dst } }
          } } }`,
          { at: at(10 * S) },
        );
        const { routes, pods } = dataOf(response).node.state;
        expect(new Set(routes.map((r) => r.namespace))).toEqual(new Set(['host']));
        expect(routes).toContainEqual({ namespace: 'host', dst: '0.0.0.0/0', gateway: '10.0.0.1', type: 'unicast', protocol: 'boot' });
        expect(routes).toContainEqual({ namespace: 'host', dst: '172.17.8.0/26', gateway: null, type: 'blackhole', protocol: 'bird' });
        expect(pods).toEqual([{ name: 'cni-aaaa', hostVeth: vethA, routes: [{ dst: '0.0.0.0/0' }, { dst: '169.254.1.1/32' }] }]);
      });

      it('defaults to now: the latest facts', async () => {
        const response = await api.graphql<StateData>(STATE_QUERY, { node: 'node-b' });
        expect(stateFacts(dataOf(response).node.state)).toEqual(snapshotFacts(b1));
      });
    });

    describe('changes(from, to)', () => {
      interface ChangesData {
        node: {
          changes: {
            edges: { cursor: string; node: { at: string; afterGap: boolean; namespace: string; kind: string; key: string; change: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      }
      const CHANGES = `query($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
        node(name: "node-a") { changes(from: $from, to: $to, first: $first, after: $after) {
          edges { cursor node { at afterGap namespace kind key change before after } }
          pageInfo { hasNextPage endCursor }
        } }
      }`;
      const expectedA = [...changesBetween('node-a', a0, a2), ...changesBetween('node-a', a2, a3)].sort(changeOrder);

      it('lists the changes in (from, to], each paired into ADDED / REMOVED / CHANGED', async () => {
        const { edges, pageInfo } = dataOf(await api.graphql<ChangesData>(CHANGES, { from: at(0), to: at(15 * M) })).node.changes;
        expect(pageInfo.hasNextPage).toBe(false);
        expect(edges.map((e) => ({ at: e.node.at, node: 'node-a', namespace: e.node.namespace, kind: e.node.kind, key: e.node.key, change: e.node.change }))).toEqual(expectedA);
        const gateway = edges.find((e) => e.node.kind === 'ROUTE' && e.node.key === 'main|inet|unicast|0.0.0.0/0|0' && e.node.namespace === 'host')!.node;
        expect(gateway).toMatchObject({ change: 'CHANGED', at: at(60 * S), before: { gateway: '10.0.0.1' }, after: { gateway: '10.0.0.254' } });
        const block = edges.find((e) => e.node.key === 'main|inet|unicast|172.17.10.0/26|0')!.node;
        expect(block).toMatchObject({ change: 'ADDED', before: null, after: { dst: '172.17.10.0/26', gateway: '10.0.0.13' } });
        const gonePod = edges.find((e) => e.node.kind === 'NETNS' && e.node.key === 'cni-aaaa')!.node;
        expect(gonePod).toMatchObject({ change: 'REMOVED', after: null, before: { hostVeth: vethA } });
      });

      it('marks the changes first seen after a gap: they happened somewhere in the gap', async () => {
        const { edges } = dataOf(await api.graphql<ChangesData>(CHANGES, { from: at(0), to: at(15 * M) })).node.changes;
        expect(new Set(edges.filter((e) => e.node.at === at(60 * S)).map((e) => e.node.afterGap))).toEqual(new Set([false]));
        expect(new Set(edges.filter((e) => e.node.at === at(10 * M)).map((e) => e.node.afterGap))).toEqual(new Set([true]));
      });

      it('a window starting before the first snapshot includes its facts as ADDED; one ending before a change excludes it', async () => {
        const first = dataOf(await api.graphql<ChangesData>(CHANGES, { from: at(-1), to: at(59 * S), first: 1000 })).node.changes.edges;
        expect(first.map((e) => `${e.node.change} ${e.node.kind.toLowerCase()} ${e.node.namespace} ${e.node.key}`).sort()).toEqual(snapshotFacts(a0).map((f) => `ADDED ${f}`).sort());
        expect(first.every((e) => e.node.afterGap)).toBe(true);
      });

      it('pages with opaque cursors, without duplicates or gaps', async () => {
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 20; page++) {
          const result: ChangesData['node']['changes'] = dataOf(await api.graphql<ChangesData>(CHANGES, { from: at(0), to: at(15 * M), first: 4, after })).node.changes;
          seen.push(...result.edges.map((e) => `${e.node.at} ${e.node.namespace} ${e.node.kind} ${e.node.key}`));
          if (!result.pageInfo.hasNextPage) break;
          after = result.pageInfo.endCursor;
        }
        expect(seen).toEqual(expectedA.map((c) => `${c.at} ${c.namespace} ${c.kind} ${c.key}`));
      });
    });

    describe('diff', () => {
      interface KindDiff {
        added: { key: string }[];
        removed: { key: string }[];
        changed: { key: string; before: Record<string, unknown>; after: Record<string, unknown>; changedAttributes: string[] }[];
      }
      interface NamespaceDiff {
        namespace: string;
        name: string;
        presence: string;
        changeCount: number;
        netns: KindDiff;
        links: KindDiff;
        addresses: KindDiff;
        routes: KindDiff;
        neighbors: KindDiff;
        sysctls: KindDiff;
      }
      interface DiffData {
        diff: { mode: string; node: string; otherNode: string; beforeCovered: boolean; afterCovered: boolean; changeCount: number; host: NamespaceDiff; pods: NamespaceDiff[] };
      }
      const KIND = '{ added { key } removed { key } changed { key before after changedAttributes } }';
      const NAMESPACE = `{ namespace name presence changeCount netns ${KIND} links ${KIND} addresses ${KIND} routes ${KIND} neighbors ${KIND} sysctls ${KIND} }`;
      const DIFF = `query($node: String!, $from: DateTime, $to: DateTime, $otherNode: String, $at: DateTime) {
        diff(node: $node, from: $from, to: $to, otherNode: $otherNode, at: $at) {
          mode node otherNode beforeCovered afterCovered changeCount host ${NAMESPACE} pods ${NAMESPACE}
        }
      }`;
      const entries = (ns: NamespaceDiff) =>
        (['netns', 'links', 'addresses', 'routes', 'neighbors', 'sysctls'] as const).flatMap((k) => [
          ...ns[k].added.map((e) => `added ${k} ${ns.namespace} ${e.key}`),
          ...ns[k].removed.map((e) => `removed ${k} ${ns.namespace} ${e.key}`),
          ...ns[k].changed.map((e) => `changed ${k} ${ns.namespace} ${e.key}`),
        ]);
      const SECTION: Record<string, string> = { netns: 'netns', link: 'links', address: 'addresses', route: 'routes', neighbor: 'neighbors', sysctl: 'sysctls' };

      it('between two times equals libs/diff of the two snapshots, per namespace and kind', async () => {
        const { diff } = dataOf(await api.graphql<DiffData>(DIFF, { node: 'node-a', from: at(10 * S), to: at(11 * M) }));
        const expected = diffFacts(snapshotToFacts(a0), snapshotToFacts(a3)).map((c) => `${c.change} ${SECTION[c.kind]} ${c.ns} ${c.key}`);
        expect([diff.host, ...diff.pods].flatMap(entries).sort()).toEqual(expected.sort());
        expect(diff).toMatchObject({ mode: 'TIME', node: 'node-a', otherNode: 'node-a', beforeCovered: true, afterCovered: true, changeCount: expected.length });
        expect(diff.pods.map((p) => [p.name, p.presence])).toEqual([
          ['cni-aaaa', 'BEFORE_ONLY'],
          ['cni-bbbb', 'AFTER_ONLY'],
        ]);
        const gateway = diff.host.routes.changed.find((c) => c.key === 'main|inet|unicast|0.0.0.0/0|0')!;
        expect(gateway.changedAttributes).toEqual(['gateway']);
        expect(diff.host.routes.added.map((r) => r.key)).toContain('main|inet|unicast|172.17.10.0/26|0');
      });

      it('across a gap says that the before state was not observed', async () => {
        const { diff } = dataOf(await api.graphql<DiffData>(DIFF, { node: 'node-a', from: at(5 * M), to: at(11 * M) }));
        expect(diff.beforeCovered).toBe(false);
        expect(diff.afterCovered).toBe(true);
      });

      it('between two nodes compares the hosts fully and lists unmatched pods by presence only', async () => {
        const { diff } = dataOf(await api.graphql<DiffData>(DIFF, { node: 'node-a', otherNode: 'node-b', at: at(30 * S) }));
        expect(diff).toMatchObject({ mode: 'NODES', node: 'node-a', otherNode: 'node-b', beforeCovered: true, afterCovered: true });
        const hostExpected = diffFacts(snapshotToFacts(a0), snapshotToFacts(b0))
          .filter((c) => c.ns === 'host')
          .map((c) => `${c.change} ${SECTION[c.kind]} ${c.ns} ${c.key}`);
        expect(entries(diff.host).sort()).toEqual(hostExpected.sort());
        expect(diff.host.addresses.removed.map((e) => e.key)).toEqual(['eth0|10.0.0.11/24']);
        expect(diff.host.addresses.added.map((e) => e.key)).toEqual(['eth0|10.0.0.12/24']);
        expect(diff.pods.map((p) => [p.name, p.presence, entries(p)])).toEqual([
          ['cni-aaaa', 'BEFORE_ONLY', ['removed netns pod:cni-aaaa cni-aaaa']],
          ['cni-cccc', 'AFTER_ONLY', ['added netns pod:cni-cccc cni-cccc']],
        ]);
        expect(diff.changeCount).toBe(hostExpected.length + 2);
      });
    });

    describe('clusterChanges', () => {
      interface ClusterData {
        clusterChanges: { edges: { cursor: string; node: ExpectedChange }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      }
      // the whole history, nodes' first snapshots included (includeFirstSeen; without it they are left out, see below)
      const CLUSTER = `query($from: DateTime!, $to: DateTime!, $first: Int, $after: String, $firstSeen: Boolean = true) {
        clusterChanges(from: $from, to: $to, first: $first, after: $after, includeFirstSeen: $firstSeen) {
          edges { cursor node { at node namespace kind key change } }
          pageInfo { hasNextPage endCursor }
        }
      }`;
      const expected = [
        ...changesBetween('node-a', undefined, a0),
        ...changesBetween('node-a', a0, a2),
        ...changesBetween('node-a', a2, a3),
        ...changesBetween('node-b', undefined, b0),
        ...changesBetween('node-b', b0, b1),
      ].sort(changeOrder);

      it('orders every change of every node by (at, node, namespace, kind, key)', async () => {
        const { edges, pageInfo } = dataOf(await api.graphql<ClusterData>(CLUSTER, { from: at(-1), to: at(15 * M), first: 1000 })).clusterChanges;
        expect(pageInfo.hasNextPage).toBe(false);
        expect(edges.map((e) => e.node)).toEqual(expected);
      });

      it('leaves nodes’ first snapshots (their first-seen events) out unless includeFirstSeen', async () => {
        const { edges } = dataOf(await api.graphql<ClusterData>(CLUSTER, { from: at(-1), to: at(15 * M), first: 1000, firstSeen: false })).clusterChanges;
        const later = [...changesBetween('node-a', a0, a2), ...changesBetween('node-a', a2, a3), ...changesBetween('node-b', b0, b1)].sort(changeOrder);
        expect(edges.map((e) => e.node)).toEqual(later);
        expect(later.length).toBeLessThan(expected.length);
        const byDefault = dataOf(
          await api.graphql<{ clusterChanges: { edges: unknown[] } }>(`query($from: DateTime!, $to: DateTime!) { clusterChanges(from: $from, to: $to, first: 1000) { edges { cursor } } }`, { from: at(-1), to: at(15 * M) }),
        ).clusterChanges;
        expect(byDefault.edges).toHaveLength(later.length);
      });

      it.each([1, 7, 50])('pages of %i join into the whole timeline, without duplicates or gaps', async (size) => {
        const seen: ExpectedChange[] = [];
        let after: string | null = null;
        let pages = 0;
        for (;;) {
          const page: ClusterData['clusterChanges'] = dataOf(await api.graphql<ClusterData>(CLUSTER, { from: at(-1), to: at(15 * M), first: size, after })).clusterChanges;
          pages++;
          expect(page.edges.length).toBeLessThanOrEqual(size);
          seen.push(...page.edges.map((e) => e.node));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
          if (pages > expected.length + 1) throw new Error('pagination does not end');
        }
        expect(seen).toEqual(expected);
        expect(pages).toBe(Math.max(1, Math.ceil(expected.length / size)));
      });

      it('the window is half-open (from, to]: a change at exactly from is excluded, at exactly to included', async () => {
        const { edges } = dataOf(await api.graphql<ClusterData>(CLUSTER, { from: at(15 * S), to: at(45 * S), first: 1000 })).clusterChanges;
        expect(edges.map((e) => e.node)).toEqual(expected.filter((c) => c.at > at(15 * S) && c.at <= at(45 * S)));
        expect(edges.every((e) => e.node.at === at(45 * S))).toBe(true);
      });

      it('runs one SQL statement per page', async () => {
        api.sql.reset();
        dataOf(await api.graphql<ClusterData>(CLUSTER, { from: at(-1), to: at(15 * M), first: 5 }));
        expect(api.sql.count).toBe(1);
      });
    });

    describe('coverage and gaps', () => {
      interface CoverageData {
        node: { coverage: { start: string; end: string; lastSnapshotAt: string; snapshots: number }[]; gaps: { start: string; end: string }[] };
      }
      const COVERAGE = `query($from: DateTime, $to: DateTime) {
        node(name: "node-a") { coverage(from: $from, to: $to) { start end lastSnapshotAt snapshots } gaps(from: $from, to: $to) { start end } }
      }`;

      it('a collector restart after a silence splits coverage; the silence is a gap, not "no change"', async () => {
        const { coverage, gaps } = dataOf(await api.graphql<CoverageData>(COVERAGE, { from: at(-M), to: at(15 * M) })).node;
        expect(coverage).toEqual([
          { start: at(0), end: at(60 * S + 90 * S), lastSnapshotAt: at(60 * S), snapshots: 3 },
          { start: at(10 * M), end: at(10 * M + 30 * S + 90 * S), lastSnapshotAt: at(10 * M + 30 * S), snapshots: 2 },
        ]);
        expect(gaps).toEqual([
          { start: at(-M), end: at(0) },
          { start: at(150 * S), end: at(10 * M) },
          { start: at(12 * M), end: at(15 * M) },
        ]);
      });

      it('intervals are clipped to the window', async () => {
        const { coverage, gaps } = dataOf(await api.graphql<CoverageData>(COVERAGE, { from: at(30 * S), to: at(10 * M + 10 * S) })).node;
        expect(coverage.map((c) => [c.start, c.end])).toEqual([
          [at(30 * S), at(150 * S)],
          [at(10 * M), at(10 * M + 10 * S)],
        ]);
        expect(gaps).toEqual([{ start: at(150 * S), end: at(10 * M) }]);
      });

      it('defaults to first seen until now', async () => {
        const { coverage, gaps } = dataOf(await api.graphql<CoverageData>(COVERAGE)).node;
        expect(coverage.map((c) => c.start)).toEqual([at(0), at(10 * M)]);
        expect(gaps[0]).toEqual({ start: at(150 * S), end: at(10 * M) });
        expect(gaps[1].start).toBe(at(12 * M));
      });
    });

    describe('nodes', () => {
      interface NodesData {
        nodes: {
          totalCount: number;
          edges: { cursor: string; node: { name: string; status: string; stateVersion: number; reportingIntervalSeconds: number; firstSeenAt: string; lastSeenAt: string; kernel: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }
      const NODES = `query($first: Int, $after: String, $filter: NodeFilter) {
        nodes(first: $first, after: $after, filter: $filter) {
          totalCount
          edges { cursor node { name status stateVersion reportingIntervalSeconds firstSeenAt lastSeenAt kernel } }
          pageInfo { hasNextPage endCursor }
        }
      }`;

      it('pages by name with opaque cursors and counts all matches', async () => {
        const first = dataOf(await api.graphql<NodesData>(NODES, { first: 1 })).nodes;
        expect(first.totalCount).toBe(2);
        expect(first.edges.map((e) => e.node.name)).toEqual(['node-a']);
        expect(first.pageInfo.hasNextPage).toBe(true);
        const second = dataOf(await api.graphql<NodesData>(NODES, { first: 1, after: first.pageInfo.endCursor })).nodes;
        expect(second.edges.map((e) => e.node.name)).toEqual(['node-b']);
        expect(second.pageInfo.hasNextPage).toBe(false);
      });

      it('reports what ingest learnt about each node; both are silent now', async () => {
        const { edges } = dataOf(await api.graphql<NodesData>(NODES)).nodes;
        expect(edges.map((e) => e.node)).toEqual([
          { name: 'node-a', status: 'SILENT', stateVersion: 3, reportingIntervalSeconds: 30, firstSeenAt: at(0), lastSeenAt: at(10 * M + 30 * S), kernel: '6.8.0-test' },
          { name: 'node-b', status: 'SILENT', stateVersion: 2, reportingIntervalSeconds: 30, firstSeenAt: at(15 * S), lastSeenAt: at(45 * S), kernel: '6.8.0-test' },
        ]);
      });

      it('filters by a case-insensitive name fragment and by last seen', async () => {
        expect(dataOf(await api.graphql<NodesData>(NODES, { filter: { nameContains: 'E-B' } })).nodes.edges.map((e) => e.node.name)).toEqual(['node-b']);
        const recent = dataOf(await api.graphql<NodesData>(NODES, { filter: { seenSince: at(5 * M) } })).nodes;
        expect([recent.totalCount, recent.edges.map((e) => e.node.name)]).toEqual([1, ['node-a']]);
      });
    });

    describe('errors', () => {
      it('an unknown node is NOT_FOUND', async () => {
        expect(errorOf(await api.graphql('{ node(name: "nope") { name } }'))).toMatchObject({ code: 'NOT_FOUND', reason: 'NODE_NOT_FOUND', message: expect.stringContaining('"nope"') });
        const other = errorOf(await api.graphql(`{ diff(node: "node-a", otherNode: "nope", at: "${at(0)}") { changeCount } }`));
        expect(other).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('otherNode') });
      });

      it.each([
        ['from after to', `{ node(name: "node-a") { changes(from: "${at(M)}", to: "${at(0)}") { edges { cursor } } } }`, /from .* must be before to/],
        ['a window over 31 days', `{ clusterChanges(from: "${at(0)}", to: "${at(32 * 24 * 60 * M)}") { edges { cursor } } }`, /longer than 31 days/],
        ['first above the maximum', '{ nodes(first: 501) { totalCount } }', /first must be between 1 and 500/],
        ['first of zero', `{ clusterChanges(from: "${at(0)}", to: "${at(M)}", first: 0) { edges { cursor } } }`, /first must be between 1 and 1000/],
        ['a cursor not from this connection', '{ nodes(after: "bm90LWEtY3Vyc29y") { totalCount } }', /after is not a cursor/],
        ['a node cursor given to clusterChanges', `{ clusterChanges(from: "${at(0)}", to: "${at(M)}", after: "bm9kZTpub2RlLWE") { edges { cursor } } }`, /after is not a cursor/],
        ['diff mixing both forms', `{ diff(node: "node-a", from: "${at(0)}", to: "${at(M)}", at: "${at(0)}") { changeCount } }`, /from and to cannot be combined with at/],
        ['diff without a second state', '{ diff(node: "node-a") { changeCount } }', /from is missing/],
        ['coverage with from after to', `{ node(name: "node-a") { coverage(from: "${at(M)}", to: "${at(0)}") { start } } }`, /from .* must be before to/],
      ])('%s is BAD_USER_INPUT naming the argument', async (_label, query, message) => {
        const error = errorOf(await api.graphql(query));
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(message);
      });

      it('a query nested deeper than the limit (12) is rejected before it runs', async () => {
        const nest = (levels: number): string => (levels === 0 ? 'at' : `node { name state(at: "${at(0)}") { ${nest(levels - 1)} } }`);
        // node(1) state(2), then node+state per level: 2 + 2 * 5 + at = 13 levels.
        const deep = `{ node(name: "node-a") { state(at: "${at(0)}") { ${nest(5)} } } }`;
        api.sql.reset();
        const rejected = errorOf(await api.graphql(deep));
        expect(rejected.message).toMatch(/query depth 13 exceeds the limit of 12/);
        expect(api.sql.count).toBe(0);
        const allowed = `{ node(name: "node-a") { state(at: "${at(0)}") { ${nest(4)} } } }`;
        expect(dataOf(await api.graphql(allowed))).toBeTruthy();
      });

      it('every history field needs a token with the read scope', async () => {
        expect(errorOf(await api.graphql('{ nodes { totalCount } }', {}, null))).toMatchObject({ code: 'UNAUTHENTICATED' });
        expect(errorOf(await api.graphql('{ nodes { totalCount } }', {}, api.tokens.ingest))).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' });
        expect(dataOf(await api.graphql<{ nodes: { totalCount: number } }>('{ nodes { totalCount } }', {}, api.tokens.admin)).nodes.totalCount).toBe(2);
      });
    });
  });

  describe(`GraphQL history batching [${kind}]`, () => {
    let api: ApiTestApp;
    const QUERY = `query($from: DateTime!, $to: DateTime!) { nodes(first: 50) { totalCount edges { node {
      name status
      state { covered routes { dst } pods { name hostVeth } }
      coverage { start end }
      gaps { start end }
      changes(from: $from, to: $to) { edges { node { key change } } }
    } } } }`;

    beforeAll(async () => {
      api = await startApiTestApp(kind);
    });

    afterAll(async () => {
      await api?.close();
    });

    async function addNodes(from: number, to: number): Promise<void> {
      for (let i = from; i < to; i++) {
        const name = `batch-${String(i).padStart(2, '0')}`;
        const veth = `cali${String(i).padStart(11, '0')}`;
        const ns = [hostNamespace({ ip: `10.0.0.${20 + i}`, gateway: '10.0.0.1', veths: [[veth, `172.17.8.${10 + i}`]] }), podNamespace(`cni-${i}`, veth, `172.17.8.${10 + i}`)];
        await api.ingest(snapshot({ node: name, takenAt: at(0), seq: 0, namespaces: ns }));
        ns[1] = podNamespace(`cni-${i}`, veth, `172.17.8.${10 + i}`, 'FAILED');
        await api.ingest(snapshot({ node: name, takenAt: at(30 * S), seq: 1, namespaces: ns }));
      }
    }

    async function statementsFor(nodes: number): Promise<number> {
      api.sql.reset();
      const data = dataOf(await api.graphql<{ nodes: { totalCount: number; edges: { node: { state: { routes: unknown[] }; changes: { edges: unknown[] } } }[] } }>(QUERY, { from: at(0), to: at(M) }));
      expect(data.nodes.totalCount).toBe(nodes);
      expect(data.nodes.edges.every((e) => e.node.state.routes.length > 0 && e.node.changes.edges.length === 1)).toBe(true);
      return api.sql.count;
    }

    it('state, coverage, gaps and changes of every node in a list cost the same few statements for 3 nodes as for 12', async () => {
      await addNodes(0, 3);
      const few = await statementsFor(3);
      await addNodes(3, 12);
      const many = await statementsFor(12);
      expect(few).toBeGreaterThan(0);
      expect(many).toBe(few);
      // nodes page + count, facts at now, the attribute values this replica does not hold yet
      // (FactAttrsRepository), coverage at now, coverage for the default window, changes.
      expect(many).toBeLessThanOrEqual(7);
    });
  });
}
