import { checkCluster, clusterView } from '@routescope/checks';
import type { Database } from '@routescope/db';
import { snapshotToFacts, type Snapshot } from '@routescope/snapshot';
import fc from 'fast-check';
import { DATABASE } from '../database/database.module';
import { IngestService } from '../ingest/ingest.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';

// Findings carry the time of the change that caused them, as a property: three Calico nodes
// with random histories (each owns a block or not, routes to the others' blocks or not), loaded
// node by node, interleaved in time order, and node by node in the other order without waiting
// for the checks (batched, coalesced). Every order gives the same cross-node finding intervals, and they are
// those of evaluating libs/checks at every instant with every node's state as of that instant.

const NODES = [
  { name: 'node-a', ip: '10.0.0.11', block: '172.17.1.0/26', pod: '172.17.1.2', veth: 'calia000000000a' },
  { name: 'node-b', ip: '10.0.0.12', block: '172.17.2.0/26', pod: '172.17.2.2', veth: 'calib000000000b' },
  { name: 'node-c', ip: '10.0.0.13', block: '172.17.3.0/26', pod: '172.17.3.2', veth: 'calic000000000c' },
];

interface Shape {
  ownsBlock: boolean;
  /** a route to each node's block (its own entry unused) */
  routes: boolean[];
}

const shape: fc.Arbitrary<Shape> = fc.record({ ownsBlock: fc.boolean(), routes: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()) });
/** Per node: 1-4 snapshots, 1 s to 2 min apart, from a common start (so instants interleave, and sometimes coincide). */
const histories = fc.tuple(...NODES.map(() => fc.array(fc.record({ waitSeconds: fc.integer({ min: 1, max: 120 }), shape }), { minLength: 1, maxLength: 4 })));

function nodeSnapshot(i: number, takenAt: number, seq: number, s: Shape): Snapshot {
  const node = NODES[i];
  const blocks: Array<[string, string | undefined]> = [];
  NODES.forEach((other, j) => {
    if (j === i) {
      if (s.ownsBlock) blocks.push([node.block, undefined]);
    } else if (s.routes[j]) blocks.push([other.block, other.ip]);
  });
  const host = hostNamespace({ ip: node.ip, gateway: '10.0.0.1', blocks, veths: [[node.veth, node.pod]] });
  return snapshot({ node: node.name, takenAt: new Date(takenAt).toISOString(), seq, namespaces: [host, podNamespace(`cni-${i}`, node.veth, node.pod)] });
}

interface Interval {
  rule: string;
  node: string;
  subject: string;
  openedAt: string;
  resolvedAt: string | null;
}

const order = (rows: Interval[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The oracle: checkCluster at every instant over every node's latest snapshot at or before it. */
function expectedIntervals(all: Snapshot[]): Interval[] {
  const byTime = [...all].sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
  const instants = [...new Set(byTime.map((s) => Date.parse(s.takenAt)))];
  const open = new Map<string, Interval>();
  const done: Interval[] = [];
  for (const instant of instants) {
    const latest = new Map<string, Snapshot>();
    for (const s of byTime) if (Date.parse(s.takenAt) <= instant) latest.set(s.node, s);
    const views = [...latest.values()].map((s) => clusterView({ node: s.node, facts: snapshotToFacts(s) }));
    const now = new Map(checkCluster(views).map((d) => [`${d.rule} ${d.node} ${d.subject}`, d]));
    const at = new Date(instant).toISOString();
    for (const [key, interval] of open) {
      if (!now.has(key)) {
        done.push({ ...interval, resolvedAt: at });
        open.delete(key);
      }
    }
    for (const [key, d] of now) if (!open.has(key)) open.set(key, { rule: d.rule, node: d.node, subject: d.subject, openedAt: at, resolvedAt: null });
  }
  return order([...done, ...open.values()]);
}

for (const kind of testDatabaseKinds()) {
  describe(`finding instants do not depend on arrival order [${kind}]`, () => {
    let run = 0;

    async function load(snapshots: Snapshot[], wait: boolean): Promise<Interval[]> {
      const t: ApiTestApp = await startApiTestApp(kind);
      try {
        const ingest = t.app.get(IngestService);
        for (const s of snapshots) {
          const answer = wait ? await t.ingest(s) : await ingest.ingest(s);
          expect(['created', 'changed', 'unchanged']).toContain(answer.status);
        }
        await t.settled();
        const rows = await t.app.get<Database>(DATABASE).prisma.$queryRaw<Array<{ rule: string; node: string; subject: string; openedAt: Date; resolvedAt: Date | null }>>`
          SELECT f.rule, n.name AS node, f.subject, f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt"
          FROM finding f JOIN node n ON n.id = f.node_id WHERE f.scope = 'cluster'`;
        return order(rows.map((r) => ({ rule: r.rule, node: r.node, subject: r.subject, openedAt: r.openedAt.toISOString(), resolvedAt: r.resolvedAt?.toISOString() ?? null })));
      } finally {
        await t.close();
      }
    }

    it('node by node, interleaved, or batched: the same cross-node finding intervals, at the instants of the changes that caused them', async () => {
      await fc.assert(
        fc.asyncProperty(histories, async (steps) => {
          const start = Date.parse('2026-11-26T00:00:00.000Z') + run++ * 3_600_000;
          const perNode = steps.map((nodeSteps, i) => {
            let clock = start;
            return nodeSteps.map((step, seq) => nodeSnapshot(i, (clock += step.waitSeconds * 1000), seq, step.shape));
          });
          const nodeByNode = perNode.flat();
          const interleaved = [...nodeByNode].sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
          const expected = expectedIntervals(nodeByNode);
          expect({ order: 'node by node', intervals: await load(nodeByNode, true) }).toEqual({ order: 'node by node', intervals: expected });
          expect({ order: 'interleaved', intervals: await load(interleaved, true) }).toEqual({ order: 'interleaved', intervals: expected });
          expect({ order: 'node by node, batched', intervals: await load([...perNode].reverse().flat(), false) }).toEqual({ order: 'node by node, batched', intervals: expected });
        }),
        // Three apps (databases) per run: PGlite's start-up makes each run several times dearer there.
        { numRuns: kind === 'pglite' ? 3 : 6 },
      );
    }, 900000);
  });
}
