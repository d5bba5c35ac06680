import type { Database } from '@routescope/db';
import type { NetworkNamespace } from '@routescope/snapshot';
import { FindingsEvaluator } from '../checks/findings-evaluator.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';
import { NodeDirectoryService, toNode } from './node-directory.service';
import { NodeRepository } from './store/node.repository';
import { NodeStatus } from './types/node.type';

// What the dashboard overview asks of the API, over HTTP on each database: nodes sorted and
// filtered server-side with stable cursors under every ordering, the per-node change count,
// and the cluster's rate of change as buckets.
//
// Six nodes, relative to NOW (reporting intervals learnt from two consecutive snapshots of one
// boot, 10 min; gap factor 3, so a node is REPORTING for 30 min after its last snapshot):
//   n-alpha    -3 d first state · new boot at -20 min, same state · -10 min: gateway changed   REPORTING
//   n-bravo    -2 h (2 pods) · -110 min unchanged                                              SILENT
//   n-charlie  -3 d · -3 d + 10 min unchanged                                                   SILENT
//   n-delta    -15 min · -5 min: its pod's neighbour FAILED                                     REPORTING
//   n-echo     -2 d · -2 d + 10 min unchanged                                                   SILENT
//   n-foxtrot  -30 min · -20 min unchanged                                                      REPORTING
// Open findings (written directly): charlie 1 critical + 1 warning, alpha 1 critical, echo 1
// error, bravo 2 warnings + 1 info, foxtrot 1 info, delta none (one critical, resolved).
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const NOW = Math.floor(Date.now() / S) * S;
const at = (offset: number) => new Date(NOW + offset).toISOString();
const NAMES = ['n-alpha', 'n-bravo', 'n-charlie', 'n-delta', 'n-echo', 'n-foxtrot'];

/** Node i's host and `pods` pods; `neighbour` is the state of each pod's 169.254.1.1 entry. */
function host(i: number, pods: number, gateway = '10.0.0.1', neighbour = 'REACHABLE'): NetworkNamespace[] {
  const veths = Array.from({ length: pods }, (_, p) => [`cali${String(i * 10 + p).padStart(11, '0')}`, `172.17.${i}.${10 + p}`] as [string, string]);
  return [hostNamespace({ ip: `10.0.0.${20 + i}`, gateway, veths }), ...veths.map(([veth, ip], p) => podNamespace(`cni-${i}-${p}`, veth, ip, neighbour))];
}

/** [node, offset, seq, boot, namespaces] in time order per node. */
const HISTORY: Array<[string, number, number, string, NetworkNamespace[]]> = [
  ['n-alpha', -3 * D, 0, 'boot-1', host(1, 1)],
  ['n-alpha', -20 * M, 0, 'boot-2', host(1, 1)],
  ['n-alpha', -10 * M, 1, 'boot-2', host(1, 1, '10.0.0.254')],
  ['n-bravo', -2 * H, 0, 'boot-1', host(2, 2)],
  ['n-bravo', -110 * M, 1, 'boot-1', host(2, 2)],
  ['n-charlie', -3 * D, 0, 'boot-1', host(3, 1)],
  ['n-charlie', -3 * D + 10 * M, 1, 'boot-1', host(3, 1)],
  ['n-delta', -15 * M, 0, 'boot-1', host(4, 1)],
  ['n-delta', -5 * M, 1, 'boot-1', host(4, 1, '10.0.0.1', 'FAILED')],
  ['n-echo', -2 * D, 0, 'boot-1', host(5, 1)],
  ['n-echo', -2 * D + 10 * M, 1, 'boot-1', host(5, 1)],
  ['n-foxtrot', -30 * M, 0, 'boot-1', host(6, 1)],
  ['n-foxtrot', -20 * M, 1, 'boot-1', host(6, 1)],
];

/** [node, severity, opened offset, resolved offset or null] */
const FINDINGS: Array<[string, string, number, number | null]> = [
  ['n-charlie', 'critical', -3 * D, null],
  ['n-charlie', 'warning', -3 * D, null],
  ['n-alpha', 'critical', -15 * M, null],
  ['n-echo', 'error', -2 * D, null],
  ['n-bravo', 'warning', -2 * H, null],
  ['n-bravo', 'warning', -2 * H, null],
  ['n-bravo', 'info', -2 * H, null],
  ['n-foxtrot', 'info', -25 * M, null],
  ['n-delta', 'critical', -14 * M, -6 * M],
];

interface NodeItem {
  name: string;
  status: string;
  lastSeenAt: string;
  changeCount: number;
}
interface NodesData {
  nodes: { totalCount: number; asOf: string; edges: { cursor: string; node: NodeItem }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
const NODES = `query($first: Int, $after: String, $filter: NodeFilter, $orderBy: NodeOrder, $since: DateTime!) {
  nodes(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount asOf
    edges { cursor node { name status lastSeenAt changeCount(from: $since) } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Bucket {
  start: string;
  end: string;
  count: number;
  nodeCount: number;
  firstSeen: number;
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

function errorOf(response: GraphqlResponse<unknown>): { code?: string; message: string } {
  expect(response.errors?.length).toBeGreaterThan(0);
  const [error] = response.errors!;
  return { code: error.extensions?.code, message: error.message };
}

const ORDERS = [
  ['NAME', 'ASC'],
  ['NAME', 'DESC'],
  ['STATUS', 'ASC'],
  ['STATUS', 'DESC'],
  ['LAST_SEEN', 'ASC'],
  ['LAST_SEEN', 'DESC'],
  ['OPEN_FINDINGS', 'ASC'],
  ['OPEN_FINDINGS', 'DESC'],
  ['CHANGES_24H', 'ASC'],
  ['CHANGES_24H', 'DESC'],
] as const;

for (const kind of testDatabaseKinds()) {
  describe(`nodes ordering, filters, changeCount and clusterChangeRate [${kind}]`, () => {
    let api: ApiTestApp;
    /** changes(from: -24 h) of each node after its first snapshot, counted through the connection. */
    const changes24h = new Map<string, number>();

    const nodes = async (variables: Record<string, unknown>) => dataOf(await api.graphql<NodesData>(NODES, { since: at(-D), first: 500, ...variables })).nodes;
    const names = async (variables: Record<string, unknown>) => (await nodes(variables)).edges.map((e) => e.node.name);

    /** The changes `changes(from, to)` lists over all pages, less those of the node's first snapshot (its first-seen event). */
    async function countChanges(node: string, from: string, to: string): Promise<number> {
      let count = 0;
      let after: string | null = null;
      for (;;) {
        type Page = { edges: Array<{ node: { at: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        const response: GraphqlResponse<{ node: { firstSeenAt: string; changes: Page } }> = await api.graphql<{ node: { firstSeenAt: string; changes: Page } }>(
          `query($node: String!, $from: DateTime!, $to: DateTime!, $after: String) { node(name: $node) { firstSeenAt changes(from: $from, to: $to, first: 1000, after: $after) { edges { node { at } } pageInfo { hasNextPage endCursor } } } }`,
          { node, from, to, after },
        );
        const { firstSeenAt, changes: page }: { firstSeenAt: string; changes: Page } = dataOf(response).node;
        count += page.edges.filter((e) => e.node.at !== firstSeenAt).length;
        if (!page.pageInfo.hasNextPage) return count;
        after = page.pageInfo.endCursor;
      }
    }

    beforeAll(async () => {
      api = await startApiTestApp(kind);
      for (const [node, offset, seq, bootId, namespaces] of HISTORY) await api.ingest(snapshot({ node, takenAt: at(offset), seq, bootId, namespaces }));
      // The findings are this suite's own: whatever the checks made of these states goes.
      await api.app.get(FindingsEvaluator).settled();
      const database = api.app.get<Database>(DATABASE);
      await database.prisma.$executeRaw`DELETE FROM finding`;
      for (const [node, severity, opened, resolved] of FINDINGS) {
        await database.prisma.$executeRaw`
          INSERT INTO finding (node_id, scope, rule, subject, severity, title, message, evidence, opened_at, resolved_at)
          SELECT id, 'node', ${`TEST_${severity.toUpperCase()}`}, ${`subject-${Math.random()}`}, ${severity}, 'test', 'test', '[]'::jsonb,
                 ${new Date(NOW + opened)}::timestamptz, ${resolved === null ? null : new Date(NOW + resolved)}::timestamptz
          FROM node WHERE name = ${node}`;
      }
      for (const name of NAMES) changes24h.set(name, await countChanges(name, at(-D), new Date().toISOString()));
    });

    afterAll(async () => {
      await api?.close();
    });

    describe('orderBy', () => {
      it.each([
        [{ field: 'NAME', direction: 'ASC' }, NAMES],
        [{ field: 'NAME', direction: 'DESC' }, [...NAMES].reverse()],
        [{ field: 'STATUS', direction: 'ASC' }, ['n-bravo', 'n-charlie', 'n-echo', 'n-alpha', 'n-delta', 'n-foxtrot']],
        [{ field: 'STATUS', direction: 'DESC' }, ['n-alpha', 'n-delta', 'n-foxtrot', 'n-bravo', 'n-charlie', 'n-echo']],
        [{ field: 'LAST_SEEN', direction: 'ASC' }, ['n-charlie', 'n-echo', 'n-bravo', 'n-foxtrot', 'n-alpha', 'n-delta']],
        [{ field: 'LAST_SEEN', direction: 'DESC' }, ['n-delta', 'n-alpha', 'n-foxtrot', 'n-bravo', 'n-echo', 'n-charlie']],
        [{ field: 'OPEN_FINDINGS', direction: 'DESC' }, ['n-charlie', 'n-alpha', 'n-echo', 'n-bravo', 'n-foxtrot', 'n-delta']],
        [{ field: 'OPEN_FINDINGS', direction: 'ASC' }, ['n-delta', 'n-foxtrot', 'n-bravo', 'n-echo', 'n-alpha', 'n-charlie']],
      ])('%j lists the nodes in that order, ties by name', async (orderBy, expected) => {
        expect(await names({ orderBy })).toEqual(expected);
      });

      it('defaults to NAME ASC, and each direction defaults to ASC', async () => {
        expect(await names({})).toEqual(NAMES);
        expect(await names({ orderBy: { field: 'LAST_SEEN' } })).toEqual(await names({ orderBy: { field: 'LAST_SEEN', direction: 'ASC' } }));
      });

      it('CHANGES_24H sorts by the count changeCount shows, which is the number of changes the connection lists', async () => {
        const { edges } = await nodes({ orderBy: { field: 'CHANGES_24H', direction: 'DESC' } });
        for (const { node } of edges) expect(node.changeCount).toBe(changes24h.get(node.name));
        const expected = [...changes24h].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
        expect(edges.map((e) => e.node.name)).toEqual(expected);
        // n-charlie and n-echo changed nothing in the last day, n-bravo and n-foxtrot nothing after
        // their first snapshot (first seen, not changes): a tie, by name, last.
        expect(expected.slice(-4)).toEqual(['n-bravo', 'n-charlie', 'n-echo', 'n-foxtrot']);
        const ascending = await names({ orderBy: { field: 'CHANGES_24H', direction: 'ASC' } });
        expect(ascending.slice(0, 4)).toEqual(['n-bravo', 'n-charlie', 'n-echo', 'n-foxtrot']);
      });

      it.each(ORDERS.flatMap(([field, direction]) => [1, 2, 4].map((size) => [field, direction, size] as const)))(
        '%s %s in pages of %i joins into the whole list, without duplicates or gaps',
        async (field, direction, size) => {
          const orderBy = { field, direction };
          const whole = await nodes({ orderBy });
          const seen: string[] = [];
          let after: string | null = null;
          let asOf: string | undefined;
          for (let page = 0; page < 10; page++) {
            const result: NodesData['nodes'] = await nodes({ orderBy, first: size, after });
            expect(result.edges.length).toBeLessThanOrEqual(size);
            expect(result.totalCount).toBe(6);
            expect(result.asOf).toBe(asOf ?? result.asOf);
            asOf = result.asOf;
            seen.push(...result.edges.map((e) => e.node.name));
            if (!result.pageInfo.hasNextPage) break;
            after = result.pageInfo.endCursor;
          }
          expect(seen).toEqual(whole.edges.map((e) => e.node.name));
        },
      );

      it('a cursor belongs to its ordering: another orderBy refuses it naming both', async () => {
        const page = await nodes({ orderBy: { field: 'LAST_SEEN', direction: 'DESC' }, first: 2 });
        const error = errorOf(await api.graphql(NODES, { since: at(-D), after: page.pageInfo.endCursor, orderBy: { field: 'LAST_SEEN', direction: 'ASC' } }));
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(/after belongs to orderBy \{field: LAST_SEEN, direction: DESC\}, not \{field: LAST_SEEN, direction: ASC\}/);
      });

      it('still continues from a name-only cursor of earlier versions', async () => {
        const legacy = Buffer.from('node:n-charlie').toString('base64url');
        expect(await names({ after: legacy })).toEqual(['n-delta', 'n-echo', 'n-foxtrot']);
      });
    });

    describe('filter', () => {
      it('by status: the same rule as Node.status', async () => {
        const reporting = await nodes({ filter: { status: 'REPORTING' } });
        expect(reporting.edges.map((e) => [e.node.name, e.node.status])).toEqual([
          ['n-alpha', 'REPORTING'],
          ['n-delta', 'REPORTING'],
          ['n-foxtrot', 'REPORTING'],
        ]);
        expect(reporting.totalCount).toBe(3);
        const silent = await nodes({ filter: { status: 'SILENT' }, orderBy: { field: 'LAST_SEEN', direction: 'DESC' } });
        expect([silent.totalCount, silent.edges.map((e) => [e.node.name, e.node.status])]).toEqual([
          3,
          [
            ['n-bravo', 'SILENT'],
            ['n-echo', 'SILENT'],
            ['n-charlie', 'SILENT'],
          ],
        ]);
      });

      it('by open findings at the query time (resolved ones do not count)', async () => {
        expect(await names({ filter: { hasOpenFindings: true } })).toEqual(['n-alpha', 'n-bravo', 'n-charlie', 'n-echo', 'n-foxtrot']);
        expect(await names({ filter: { hasOpenFindings: false } })).toEqual(['n-delta']);
      });

      it('filters combine with each other and with any ordering, and pages keep them', async () => {
        const filter = { status: 'SILENT', nameContains: 'o', hasOpenFindings: true };
        expect(await names({ filter, orderBy: { field: 'OPEN_FINDINGS', direction: 'DESC' } })).toEqual(['n-echo', 'n-bravo']);
        const first = await nodes({ filter, orderBy: { field: 'OPEN_FINDINGS', direction: 'DESC' }, first: 1 });
        expect([first.totalCount, first.pageInfo.hasNextPage]).toEqual([2, true]);
        const second = await nodes({ filter, orderBy: { field: 'OPEN_FINDINGS', direction: 'DESC' }, first: 1, after: first.pageInfo.endCursor });
        expect([second.edges.map((e) => e.node.name), second.pageInfo.hasNextPage, second.asOf]).toEqual([['n-bravo'], false, first.asOf]);
      });

      it('the SQL status rule and Node.status flip at the same millisecond', async () => {
        const repository = api.app.get(NodeRepository);
        const directory = api.app.get(NodeDirectoryService);
        const { gapFactor } = api.app.get<ApiConfig>(API_CONFIG);
        const [row] = await repository.nodesByName(['n-foxtrot']);
        const node = toNode(row);
        const threshold = node.lastSeenAt.getTime() + gapFactor * node.intervalMs;
        for (const [asOf, expected] of [
          [threshold - 1, NodeStatus.REPORTING],
          [threshold, NodeStatus.REPORTING],
          [threshold + 1, NodeStatus.SILENT],
        ] as const) {
          const when = new Date(asOf);
          const query = { sort: 'name' as const, descending: false, asOf: when, changesSince: when, gapFactor, limit: 10 };
          const reporting = await repository.listNodes({ ...query, filter: { nameContains: 'n-foxtrot', reporting: true } });
          const silent = await repository.listNodes({ ...query, filter: { nameContains: 'n-foxtrot', reporting: false } });
          expect([directory.status(node, when), reporting.length, silent.length]).toEqual([expected, expected === NodeStatus.REPORTING ? 1 : 0, expected === NodeStatus.SILENT ? 1 : 0]);
        }
      });
    });

    describe('changeCount', () => {
      it('equals the number of changes listed for the same window, and defaults `to` to now', async () => {
        const windows: Array<[string, string]> = [
          [at(-3 * D - M), at(-3 * D + M)],
          [at(-3 * D), at(-10 * M)],
          [at(-40 * M), at(-10 * M)],
          [at(-10 * M), at(0)],
        ];
        for (const [from, to] of windows) {
          const response = await api.graphql<{ nodes: { edges: { node: { name: string; changeCount: number } }[] } }>(
            `query($from: DateTime!, $to: DateTime) { nodes { edges { node { name changeCount(from: $from, to: $to) } } } }`,
            { from, to },
          );
          for (const { node } of dataOf(response).nodes.edges) expect([node.name, from, to, node.changeCount]).toEqual([node.name, from, to, await countChanges(node.name, from, to)]);
        }
        const alpha = dataOf(await api.graphql<{ node: { changeCount: number } }>(`{ node(name: "n-alpha") { changeCount(from: "${at(-11 * M)}") } }`)).node;
        expect(alpha.changeCount).toBeGreaterThan(0);
        expect(alpha.changeCount).toBe(await countChanges('n-alpha', at(-11 * M), new Date().toISOString()));
      });

      it('costs one statement for every node of a page (with the page and its count: three)', async () => {
        api.sql.reset();
        const page = await nodes({});
        expect(page.edges).toHaveLength(6);
        expect(api.sql.count).toBe(3);
      });
    });

    describe('clusterChangeRate', () => {
      const RATE = `query($from: DateTime!, $to: DateTime!, $buckets: Int!) { clusterChangeRate(from: $from, to: $to, buckets: $buckets) { start end count nodeCount firstSeen } }`;
      const rate = async (from: string, to: string, buckets: number) => dataOf(await api.graphql<{ clusterChangeRate: Bucket[] }>(RATE, { from, to, buckets })).clusterChangeRate;

      async function clusterChangeTimes(from: string, to: string, includeFirstSeen?: boolean): Promise<Array<{ at: string; node: string }>> {
        const response = await api.graphql<{ clusterChanges: { edges: { node: { at: string; node: string } }[]; pageInfo: { hasNextPage: boolean } } }>(
          `query($from: DateTime!, $to: DateTime!, $includeFirstSeen: Boolean) { clusterChanges(from: $from, to: $to, first: 1000, includeFirstSeen: $includeFirstSeen) { edges { node { at node } } pageInfo { hasNextPage } } }`,
          { from, to, includeFirstSeen },
        );
        const { edges, pageInfo } = dataOf(response).clusterChanges;
        expect(pageInfo.hasNextPage).toBe(false);
        return edges.map((e) => e.node);
      }

      /** The buckets computed from the individual changes: bucket i is (from + i·w, from + (i+1)·w]. */
      async function expectedBuckets(from: string, to: string, buckets: number): Promise<Bucket[]> {
        const fromMs = Date.parse(from);
        const span = Date.parse(to) - fromMs;
        const out = Array.from({ length: buckets }, (_, i) => ({
          start: new Date(fromMs + Math.floor((span * i) / buckets)).toISOString(),
          end: new Date(fromMs + Math.floor((span * (i + 1)) / buckets)).toISOString(),
          count: 0,
          nodes: new Set<string>(),
          firstSeen: 0,
        }));
        const bucketOf = (instant: string) => out[Math.ceil(((Date.parse(instant) - fromMs) * buckets) / span) - 1];
        for (const change of await clusterChangeTimes(from, to)) {
          const bucket = bucketOf(change.at);
          bucket.count++;
          bucket.nodes.add(change.node);
        }
        for (const name of NAMES) {
          const { firstSeenAt } = dataOf(await api.graphql<{ node: { firstSeenAt: string } }>(`{ node(name: "${name}") { firstSeenAt } }`)).node;
          if (Date.parse(firstSeenAt) > fromMs && Date.parse(firstSeenAt) <= Date.parse(to)) bucketOf(firstSeenAt).firstSeen++;
        }
        return out.map(({ nodes: set, ...b }) => ({ ...b, nodeCount: set.size }));
      }

      it('counts every change in (from, to] per equal bucket; a change on a boundary ends the bucket before it', async () => {
        // Boundaries at -30, -20 and -10 min: foxtrot's first state (-30) ends bucket 0, alpha's change (-10) bucket 2.
        const buckets = await rate(at(-40 * M), at(0), 4);
        expect(buckets).toEqual(await expectedBuckets(at(-40 * M), at(0), 4));
        expect(buckets.map((b) => [b.start, b.end])).toEqual([
          [at(-40 * M), at(-30 * M)],
          [at(-30 * M), at(-20 * M)],
          [at(-20 * M), at(-10 * M)],
          [at(-10 * M), at(0)],
        ]);
        expect(buckets.map((b) => b.nodeCount)).toEqual([0, 0, 1, 1]);
        expect(buckets[1].count).toBe(0);
      });

      it('counts first snapshots as nodes first seen, not as changes: foxtrot (-30 min) and delta (-15 min) add no change', async () => {
        const buckets = await rate(at(-40 * M), at(0), 4);
        expect(buckets.map((b) => b.firstSeen)).toEqual([1, 0, 1, 0]);
        // foxtrot's only other snapshot (-20 min) changed nothing: its first state is no change at all
        expect(buckets[0].count).toBe(0);
        expect(changes24h.get('n-foxtrot')).toBe(0);
        // delta: its pod's neighbour (-5 min) is its one change, its first state (-15 min) is not
        expect(buckets[3].count).toBe(changes24h.get('n-delta'));
        expect(changes24h.get('n-delta')).toBe(1);
        // clusterChanges leaves the first snapshots out by default, and lists them when asked
        const withFirst = await clusterChangeTimes(at(-40 * M), at(0), true);
        const without = await clusterChangeTimes(at(-40 * M), at(0));
        expect(without).toHaveLength(buckets.reduce((sum, b) => sum + b.count, 0));
        expect(withFirst.filter((c) => c.at === at(-30 * M)).map((c) => c.node)).toEqual(expect.arrayContaining(['n-foxtrot']));
        expect(withFirst.filter((c) => !(c.at === at(-30 * M) && c.node === 'n-foxtrot') && !(c.at === at(-15 * M) && c.node === 'n-delta'))).toEqual(without);
        expect(withFirst.length).toBeGreaterThan(without.length);
      });

      it('buckets that do not divide the window evenly still add up to the changes of the window', async () => {
        for (const [from, to, n] of [
          [at(-40 * M), at(0), 7],
          [at(-3 * D - 1), at(0), 31],
          [at(-30 * M), at(-5 * M), 3],
        ] as const) {
          const buckets = await rate(from, to, n);
          expect(buckets).toEqual(await expectedBuckets(from, to, n));
          expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe((await clusterChangeTimes(from, to)).length);
        }
      });

      it('is one SQL statement whatever the number of buckets', async () => {
        api.sql.reset();
        expect(await rate(at(-3 * D - 1), at(0), 1000)).toHaveLength(1000);
        expect(api.sql.count).toBe(1);
      });

      it.each([
        ['no bucket', { from: at(-H), to: at(0), buckets: 0 }, /buckets must be between 1 and 1000, got 0/],
        ['too many buckets', { from: at(-H), to: at(0), buckets: 1001 }, /buckets must be between 1 and 1000, got 1001/],
        ['buckets shorter than a millisecond', { from: at(0), to: new Date(NOW + 5).toISOString(), buckets: 10 }, /buckets \(10\) would be shorter than a millisecond: the window from from to to is 5 ms/],
        ['from after to', { from: at(0), to: at(-H), buckets: 10 }, /from .* must be before to/],
        ['a window over 31 days', { from: at(-32 * D), to: at(0), buckets: 10 }, /longer than 31 days/],
      ])('%s is BAD_USER_INPUT naming the argument', async (_label, variables, message) => {
        const error = errorOf(await api.graphql(RATE, variables));
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(message);
      });
    });

    describe('argument errors', () => {
      it.each([
        ['changeCount from in the future', `{ node(name: "n-alpha") { changeCount(from: "${at(H)}") } }`, /from .* must be before now/],
        ['changeCount from after to', `{ node(name: "n-alpha") { changeCount(from: "${at(0)}", to: "${at(-H)}") } }`, /from .* must be before to/],
        ['changeCount over 31 days', `{ node(name: "n-alpha") { changeCount(from: "${at(-32 * D)}") } }`, /longer than 31 days/],
      ])('%s is BAD_USER_INPUT', async (_label, query, message) => {
        const error = errorOf(await api.graphql(query));
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(message);
      });

      it('an unknown order field is refused by validation, before anything runs', async () => {
        api.sql.reset();
        const error = errorOf(await api.graphql(NODES, { since: at(-D), orderBy: { field: 'SIZE' } }));
        expect(error.message).toMatch(/SIZE/);
        expect(api.sql.count).toBe(0);
      });
    });

    // Last: it records a new change.
    describe('pages of one listing are of one instant', () => {
      it('a change recorded between two pages does not reorder the pages still to come', async () => {
        const orderBy = { field: 'CHANGES_24H', direction: 'DESC' };
        const before = (await nodes({ orderBy })).edges.map((e) => e.node.name);
        const first = await nodes({ orderBy, first: 2 });
        // n-charlie (no change in the last day, last in this order) gains a pod and with it many changes.
        await api.ingest(snapshot({ node: 'n-charlie', takenAt: new Date().toISOString(), seq: 2, namespaces: host(3, 3) }));
        const rest: string[] = [];
        let after = first.pageInfo.endCursor;
        while (after) {
          const page: NodesData['nodes'] = await nodes({ orderBy, first: 2, after });
          expect(page.asOf).toBe(first.asOf);
          rest.push(...page.edges.map((e) => e.node.name));
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        }
        expect([...first.edges.map((e) => e.node.name), ...rest]).toEqual(before);
        // A new listing sees the change.
        expect((await names({ orderBy })).indexOf('n-charlie')).toBeLessThan(before.indexOf('n-charlie'));
      });
    });
  });
}
