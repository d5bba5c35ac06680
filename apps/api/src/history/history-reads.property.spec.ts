import type { Database } from '@routescope/db';
import { canonicalJson, type Fact, type NetworkNamespace } from '@routescope/snapshot';
import fc from 'fast-check';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, nodeAddresses, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { FactStore } from './fact-store.service';
import { NodeStateReader } from './node-state-reader';
import { FactChangeRepository, type ChangeRow } from './store/fact-change.repository';
import { FactStateRepository } from './store/fact-state.repository';

// The fast read paths against the plain computations, over random histories ingested through
// the real path, snapshots out of order (late ones rewrite the past) and a head reset:
// - state(at) through the cache of past states (NodeStateReader) = the facts valid at `at` read
//   straight from the table, before and after the history changes under the cache;
// - clusterChanges (two index-ordered scans cut to a page) paged through = one UNION of every
//   change of the window sorted (the statement it replaced, kept here as the reference).

const PODS: Array<[string, string, string]> = [
  ['cni-aaaa', 'calia000000000a', '2'],
  ['cni-bbbb', 'calib000000000b', '3'],
];

interface Shape {
  gateway: string;
  pods: boolean[];
  extraBlock: boolean;
}

const shapeArbitrary: fc.Arbitrary<Shape> = fc.record({
  gateway: fc.constantFrom('10.0.0.1', '10.0.0.254'),
  pods: fc.tuple(fc.boolean(), fc.boolean()),
  extraBlock: fc.boolean(),
});

/** Posts of 2 nodes: each a node, a minute offset (several posts can share an instant across nodes) and a shape. */
const historyArbitrary = fc.array(fc.record({ node: fc.integer({ min: 0, max: 1 }), minute: fc.integer({ min: 0, max: 30 }), shape: shapeArbitrary }), { minLength: 3, maxLength: 9 });

/** One node's snapshot, on addresses of its own (nodeAddresses). */
function namespacesOf(shape: Shape, node: number): NetworkNamespace[] {
  const own = nodeAddresses(node);
  const present = PODS.filter((_, i) => shape.pods[i]);
  const host = hostNamespace({
    ip: own.ip,
    gateway: shape.gateway,
    blocks: [[own.block, undefined], ...(shape.extraBlock ? [[own.remoteBlock, own.remoteVia] as [string, string]] : [])],
    veths: present.map(([, veth, host]) => [veth, own.pod(host)]),
  });
  return [host, ...present.map(([netns, veth, host]) => podNamespace(netns, veth, own.pod(host)))];
}

const line = (f: Fact) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`;
const changeLine = (c: ChangeRow) =>
  `${c.at.toISOString()} ${c.node} ${c.ns} ${c.kind} ${c.key} ${c.before ? canonicalJson(c.before) : '-'} ${c.after ? canonicalJson(c.after) : '-'} ${c.afterGap}`;

/** The clusterChanges statement before the rewrite: every change of the window, sorted. */
async function referenceClusterChanges(database: Database, from: Date, to: Date, includeFirstSeen: boolean): Promise<string[]> {
  const rows = await database.prisma.$queryRaw<Array<ChangeRow & { before: unknown; after: unknown }>>`
    SELECT n.id AS "nodeId", n.name AS node, e.at, e.ns, e.kind, e.key,
      (SELECT v.attrs FROM fact b JOIN fact_attrs v ON v.id = b.attrs_id WHERE b.node_id = e.node_id AND b.ns = e.ns AND b.kind = e.kind AND b.key = e.key AND b.valid_to = e.at LIMIT 1) AS before,
      (SELECT v.attrs FROM fact a JOIN fact_attrs v ON v.id = a.attrs_id WHERE a.node_id = e.node_id AND a.ns = e.ns AND a.kind = e.kind AND a.key = e.key AND a.valid_from = e.at LIMIT 1) AS after,
      EXISTS (SELECT 1 FROM coverage cv WHERE cv.node_id = e.node_id AND cv.start_at = e.at) AS "afterGap"
    FROM (
      SELECT node_id, ns, kind, key, valid_from AS at FROM fact WHERE valid_from > ${from}::timestamptz AND valid_from <= ${to}::timestamptz
      UNION
      SELECT node_id, ns, kind, key, valid_to AS at FROM fact WHERE valid_to > ${from}::timestamptz AND valid_to <= ${to}::timestamptz
    ) e
    JOIN node n ON n.id = e.node_id
    WHERE ${includeFirstSeen}::boolean OR e.at > n.first_seen_at
    ORDER BY e.at, n.name COLLATE "C", e.ns COLLATE "C", e.kind COLLATE "C", e.key COLLATE "C"`;
  return rows.map((row) => changeLine({ ...row, before: row.before as ChangeRow['before'], after: row.after as ChangeRow['after'] }));
}

for (const kind of testDatabaseKinds()) {
  describe(`fast history reads = plain reads [${kind}]`, () => {
    let t: ApiTestApp;
    let run = 0;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(() => t.close());

    it('cached states and paged cluster changes equal the uncached reads over random, rewritten histories', async () => {
      const reader = t.app.get(NodeStateReader);
      const states = t.app.get(FactStateRepository);
      const changes = t.app.get(FactChangeRepository);
      const store = t.app.get(FactStore);
      const database = t.app.get<Database>(DATABASE);
      await fc.assert(
        fc.asyncProperty(historyArbitrary, historyArbitrary, fc.integer({ min: 1, max: 4 }), async (first, late, pageSize) => {
          const thisRun = run++;
          const names = [`hr-${kind}-${thisRun}-a`, `hr-${kind}-${thisRun}-b`];
          // every run has its own hour: the cluster-wide reads see only this run's changes
          const base = Date.parse('2026-11-26T00:00:00.000Z') + thisRun * 3_600_000;
          const seqs = [0, 0];
          const taken = new Set<string>();
          const post = async (steps: typeof first) => {
            for (const step of steps) {
              // one snapshot per node and instant (another at the same instant is a different question: idempotency)
              if (taken.has(`${step.node}@${step.minute}`)) continue;
              taken.add(`${step.node}@${step.minute}`);
              const takenAt = new Date(base + step.minute * 60_000).toISOString();
              await t.ingest(snapshot({ node: names[step.node], takenAt, seq: seqs[step.node]++, namespaces: namespacesOf(step.shape, thisRun * 2 + step.node) }));
            }
          };
          const instants = Array.from({ length: 33 }, (_, i) => new Date(base + i * 60_000 - 1 + (i % 3)));
          const ids = () => store.nodeIds(names).then((m) => [...m.values()]);
          const expectSameStates = async () => {
            const nodeIds = await ids();
            for (const at of instants) {
              const plain = (await states.factsAt(nodeIds, at)).map((s) => ({ nodeId: s.nodeId, facts: s.facts.map(line) }));
              for (let read = 0; read < 2; read++) {
                const cached = (await reader.factsAt(nodeIds, at)).map((s) => ({ nodeId: s.nodeId, facts: s.facts.map(line) }));
                expect({ at, read, states: sortByNode(cached) }).toEqual({ at, read, states: sortByNode(plain) });
              }
            }
          };
          const expectSameChanges = async () => {
            const from = new Date(base - 1);
            const to = new Date(base + 31 * 60_000);
            for (const includeFirstSeen of [false, true]) {
              const paged: string[] = [];
              let after: ChangeRow | undefined;
              for (;;) {
                const page = await changes.clusterChanges(from, to, after, pageSize, includeFirstSeen);
                paged.push(...page.map(changeLine));
                if (page.length < pageSize) break;
                after = page[page.length - 1];
              }
              expect({ includeFirstSeen, paged }).toEqual({ includeFirstSeen, paged: await referenceClusterChanges(database, from, to, includeFirstSeen) });
            }
          };
          await post(first);
          await expectSameStates();
          await expectSameChanges();
          // late snapshots rewrite the past under the cached states
          await post(late);
          await expectSameStates();
          await expectSameChanges();
          // a reset cuts a node's history back: versions after it can come back with other facts
          await store.resetNodeHead(names[first[0].node], new Date(base + 10 * 60_000), 'test');
          taken.clear();
          await post(late.map((step) => ({ ...step, shape: { ...step.shape, extraBlock: !step.shape.extraBlock } })));
          await expectSameStates();
          await expectSameChanges();
        }),
        { numRuns: 8 },
      );
    }, 600_000); // 8 random histories per database, each through the real ingest: minutes on a busy 2-core machine
  });
}

function sortByNode<T extends { nodeId: number }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.nodeId - b.nodeId);
}
