import type { Database } from '@routescope/db';
import { canonicalJson, snapshotToFacts, type Fact, type NetworkNamespace, type Snapshot } from '@routescope/snapshot';
import fc from 'fast-check';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, nodeAddresses, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';
import { IngestService, type IngestStatus } from './ingest.service';

// Delivery order, as a property: ten snapshots of one node, taken with random spacing (gaps
// included) and random churn, delivered in random order, some twice at once. Every one is
// accounted for exactly once (applied, or kept as a late record), and wherever history was
// applied, state(T) over GraphQL is what in-order delivery would have given.

interface Shape {
  gateway: string;
  proxyArpOff: boolean;
  pods: boolean[];
  extraBlock: boolean;
}

const PODS: Array<[string, string, string]> = [
  ['cni-aaaa', 'calia000000000a', '2'],
  ['cni-bbbb', 'calib000000000b', '3'],
];

const shapeArbitrary: fc.Arbitrary<Shape> = fc.record({
  gateway: fc.constantFrom('10.0.0.1', '10.0.0.254'),
  proxyArpOff: fc.boolean(),
  pods: fc.tuple(fc.boolean(), fc.boolean()),
  extraBlock: fc.boolean(),
});

const SNAPSHOTS = 10;

/** Ten steps: a wait of 10 s to 5 min (a gap beyond three 30 s intervals is common), a shape, and whether it is delivered twice at once. */
const deliveryArbitrary = fc
  .array(fc.record({ waitSeconds: fc.integer({ min: 10, max: 300 }), shape: shapeArbitrary, twice: fc.boolean() }), { minLength: SNAPSHOTS, maxLength: SNAPSHOTS })
  .chain((steps) => fc.record({ steps: fc.constant(steps), order: fc.shuffledSubarray([...steps.keys()], { minLength: SNAPSHOTS, maxLength: SNAPSHOTS }) }));

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
  if (shape.proxyArpOff) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: '0' } : s));
  return [host, ...present.map(([netns, veth, host]) => podNamespace(netns, veth, own.pod(host)))];
}

const line = (f: Pick<Fact, 'ns' | 'kind' | 'key' | 'attrs'>) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`;

interface StateResponse {
  node: { state: { facts: Array<{ namespace: string; kind: string; key: string; attrs: Fact['attrs'] }> } };
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}

for (const kind of testDatabaseKinds()) {
  describe(`late delivery [${kind}]`, () => {
    let t: ApiTestApp;
    let database: Database;
    let ingest: IngestService;
    let run = 0;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
      database = t.app.get<Database>(DATABASE);
      ingest = t.app.get(IngestService);
    });
    afterAll(() => t.close());

    async function stateAt(node: string, at: number): Promise<string[]> {
      const response = await t.graphql<StateResponse>('query($n: String!, $at: DateTime) { node(name: $n) { state(at: $at) { facts { namespace kind key attrs } } } }', { n: node, at: new Date(at).toISOString() });
      return dataOf(response).node.state.facts.map((f) => line({ ns: f.namespace, kind: f.kind.toLowerCase() as Fact['kind'], key: f.key, attrs: f.attrs })).sort();
    }

    it('out of 10 snapshots delivered in random order (some twice at once), 10 are accounted for, once; applied history is what in-order delivery gives', async () => {
      await fc.assert(
        fc.asyncProperty(deliveryArbitrary, async ({ steps, order }) => {
          const node = `late-${kind}-${run++}`;
          // Each run in its own hour: the cross-node checks recompute what a late snapshot touches, not earlier runs' nodes.
          let clock = Date.parse('2026-11-26T00:00:00.000Z') + run * 3_600_000;
          const taken: Snapshot[] = steps.map((step, seq) => {
            clock += step.waitSeconds * 1000;
            return snapshot({ node, takenAt: new Date(clock).toISOString(), seq, namespaces: namespacesOf(step.shape, run) });
          });
          const statusOf = new Map<string, IngestStatus>();
          for (const i of order) {
            const s = taken[i];
            const answers = await Promise.all(steps[i].twice ? [ingest.ingest(s), ingest.ingest(s)] : [ingest.ingest(s)]);
            const first = answers.filter((a) => a.status !== 'duplicate');
            // One delivery decides; a concurrent twin is a duplicate, except when nothing was stored to find (agreeing, unchanged).
            expect(first.length === 1 || first.every((a) => a.status === 'unchanged')).toBe(true);
            statusOf.set(s.snapshotId, first[0].status);
          }
          await t.settled();

          // Accounted for: a record of its own (changed, backfilled, late) or, unchanged, its state stored at its instant.
          const rows = await database.prisma.$queryRaw<Array<{ id: string; arrival: string }>>`
            SELECT s.id::text AS id, s.arrival FROM snapshot s JOIN node n ON n.id = s.node_id WHERE n.name = ${node}`;
          const recorded = new Map(rows.map((r) => [r.id, r.arrival]));
          let accounted = 0;
          for (const s of taken) {
            const status = statusOf.get(s.snapshotId)!;
            if (status === 'late') expect(recorded.get(s.snapshotId)).toBe('late');
            else if (status === 'backfilled') expect(recorded.get(s.snapshotId)).toBe('backfilled');
            else if (status === 'created' || status === 'changed') expect(recorded.get(s.snapshotId)).toBe('in_order');
            else expect({ status, recorded: recorded.has(s.snapshotId) }).toEqual({ status: 'unchanged', recorded: false });
            accounted++;
          }
          expect({ accounted, records: rows.length <= SNAPSHOTS }).toEqual({ accounted: SNAPSHOTS, records: true });

          // Wherever history was applied, it is what in-order delivery gives: at each applied
          // snapshot's instant its own state, and up to the next snapshot too when no late record lies between.
          const times = taken.map((s) => Date.parse(s.takenAt));
          for (let i = 0; i < SNAPSHOTS; i++) {
            if (statusOf.get(taken[i].snapshotId) === 'late') continue;
            const expected = snapshotToFacts(taken[i]).map(line).sort();
            expect({ i, at: taken[i].takenAt, state: await stateAt(node, times[i]) }).toEqual({ i, at: taken[i].takenAt, state: expected });
            const next = i + 1 < SNAPSHOTS ? times[i + 1] : times[i] + 3_600_000;
            if (i + 1 >= SNAPSHOTS || statusOf.get(taken[i + 1].snapshotId) !== 'late') {
              expect({ i, between: true, state: await stateAt(node, next - 1) }).toEqual({ i, between: true, state: expected });
            }
          }
          // The node's head is the newest snapshot, and what is true now is its state.
          const [head] = await database.prisma.$queryRaw<Array<{ at: Date }>>`SELECT last_seen_at AS at FROM node WHERE name = ${node}`;
          expect(head.at).toEqual(new Date(times[SNAPSHOTS - 1]));
          // Coverage intervals of a node never overlap.
          const overlaps = await database.prisma.$queryRaw<Array<{ n: number }>>`
            SELECT count(*)::int AS n FROM coverage a JOIN coverage b ON a.node_id = b.node_id AND a.id < b.id AND a.start_at <= b.end_at AND b.start_at <= a.end_at
            JOIN node n ON n.id = a.node_id WHERE n.name = ${node}`;
          expect(overlaps[0].n).toBe(0);
        }),
        { numRuns: 15 },
      );
    }, 600000);
  });
}
