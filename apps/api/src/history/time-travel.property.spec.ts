import { diffFacts } from '@routescope/diff';
import { canonicalJson, snapshotToFacts, type Fact, type NetworkNamespace, type Snapshot } from '@routescope/snapshot';
import fc from 'fast-check';
import { hostNamespace, podNamespace, nodeAddresses, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';
import { IngestService } from '../ingest/ingest.service';

// Time travel, as a property: for random sequences of snapshots with random churn, ingested
// through the real path, `state(T)` over GraphQL equals the last snapshot at or before T, and
// `diff(T1, T2)` equals libs/diff applied to those two snapshots.
//
// Cost: the histories share one app and database per kind, each on a node of its own. A
// history's snapshots go through the real ingest path one after another, and the checks (which
// this property does not read) are waited for once per history rather than after each snapshot:
// their cluster evaluation covers every node so far, and settling per snapshot made it run once
// per snapshot (the larger share of the app's CPU in a profile). The expected facts of each
// snapshot are computed once, not once per probe.

interface NodeShape {
  gateway: string;
  ipForward: string;
  proxyArpOff: boolean;
  pods: boolean[];
  neighborState: string;
  extraBlock: boolean;
}

const PODS: Array<[string, string, number]> = [
  ['cni-aaaa', 'calia000000000a', 2],
  ['cni-bbbb', 'calib000000000b', 3],
  ['cni-cccc', 'calic000000000c', 4],
];

const shapeArbitrary: fc.Arbitrary<NodeShape> = fc.record({
  gateway: fc.constantFrom('10.0.0.1', '10.0.0.254'),
  ipForward: fc.constantFrom('1', '0'),
  proxyArpOff: fc.boolean(),
  pods: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
  // STALE and REACHABLE normalise to one fact; FAILED is a real change.
  neighborState: fc.constantFrom('REACHABLE', 'STALE', 'FAILED'),
  extraBlock: fc.boolean(),
});

/** Each step waits 1 s to 3 min (sometimes longer than the gap threshold) and then reports a shape. */
const historyArbitrary = fc.array(fc.record({ waitSeconds: fc.integer({ min: 1, max: 240 }), shape: shapeArbitrary }), { minLength: 2, maxLength: 7 });

/** A history's snapshots, on addresses of its own (nodeAddresses): each history is a node. */
function namespacesOf(shape: NodeShape, history: number): NetworkNamespace[] {
  const own = nodeAddresses(history);
  const present = PODS.filter((_, i) => shape.pods[i]);
  const host = hostNamespace({
    ip: own.ip,
    gateway: shape.gateway,
    ipForward: shape.ipForward,
    blocks: [[own.block, undefined], ...(shape.extraBlock ? [[own.remoteBlock, own.remoteVia] as [string, string]] : [])],
    veths: present.map(([, veth, host]) => [veth, own.pod(host)]),
  });
  if (shape.proxyArpOff) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: '0' } : s));
  return [host, ...present.map(([netns, veth, host]) => podNamespace(netns, veth, own.pod(host), shape.neighborState))];
}

const line = (f: Pick<Fact, 'ns' | 'kind' | 'key' | 'attrs'>) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`;

interface StateResponse {
  node: { state: { facts: Array<{ namespace: string; kind: string; key: string; attrs: Fact['attrs'] }> } };
}

interface DiffEntry {
  key: string;
}
type KindDiff = Record<'added' | 'removed' | 'changed', DiffEntry[]>;
type NamespaceDiff = { namespace: string } & Record<'netns' | 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls', KindDiff>;
interface DiffResponse {
  diff: { host: NamespaceDiff; pods: NamespaceDiff[] };
}

const KIND_OF_SECTION = { netns: 'netns', links: 'link', addresses: 'address', routes: 'route', neighbors: 'neighbor', sysctls: 'sysctl' } as const;

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}

for (const kind of testDatabaseKinds()) {
  describe(`time travel [${kind}]`, () => {
    let t: ApiTestApp;
    let run = 0;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(() => t.close());

    async function stateAt(node: string, at: Date): Promise<string[]> {
      const response = await t.graphql<StateResponse>('query($n: String!, $at: DateTime) { node(name: $n) { state(at: $at) { facts { namespace kind key attrs } } } }', { n: node, at: at.toISOString() });
      return dataOf(response).node.state.facts.map((f) => line({ ns: f.namespace, kind: f.kind.toLowerCase() as Fact['kind'], key: f.key, attrs: f.attrs })).sort();
    }

    async function diffBetween(node: string, from: Date, to: Date): Promise<string[]> {
      const kinds = 'added { key } removed { key } changed { key }';
      const section = Object.keys(KIND_OF_SECTION).map((s) => `${s} { ${kinds} }`).join(' ');
      const response = await t.graphql<DiffResponse>(`query($n: String!, $f: DateTime, $t: DateTime) { diff(node: $n, from: $f, to: $t) { host { namespace ${section} } pods { namespace ${section} } } }`, {
        n: node,
        f: from.toISOString(),
        t: to.toISOString(),
      });
      const diff = dataOf(response).diff;
      const out: string[] = [];
      for (const ns of [diff.host, ...diff.pods]) {
        for (const [section, factKind] of Object.entries(KIND_OF_SECTION)) {
          const kd = ns[section as keyof typeof KIND_OF_SECTION];
          for (const change of ['added', 'removed', 'changed'] as const) for (const e of kd[change]) out.push(`${change} ${ns.namespace} ${factKind} ${e.key}`);
        }
      }
      return out.sort();
    }

    it('state(T) is the last snapshot at or before T, and diff(T1, T2) is libs/diff of those snapshots', async () => {
      await fc.assert(
        fc.asyncProperty(historyArbitrary, async (steps) => {
          const history = run++;
          const node = `tt-${kind}-${history}`;
          let clock = Date.parse('2026-11-26T00:00:00.000Z');
          const posted: Snapshot[] = [];
          for (const [seq, step] of steps.entries()) {
            clock += step.waitSeconds * 1000;
            const s = snapshot({ node, takenAt: new Date(clock).toISOString(), seq, namespaces: namespacesOf(step.shape, history) });
            await t.app.get(IngestService).ingest(s);
            posted.push(s);
          }
          await t.settled(); // no background evaluation races the reads below
          const times = posted.map((s) => Date.parse(s.takenAt));
          const factsOf = posted.map((s) => snapshotToFacts(s));
          const linesOf = factsOf.map((facts) => facts.map(line).sort());
          // Each snapshot's instant, a moment just before it, and a moment between it and the next.
          const probes = times.flatMap((time, i) => [time - 1, time, i + 1 < times.length ? Math.floor((time + times[i + 1]) / 2) : time + 3600000]);
          /** index of the last snapshot at or before `time`, -1 before the first */
          const lastAt = (time: number) => times.findLastIndex((taken) => taken <= time);
          const expectedAt = (time: number) => factsOf[lastAt(time)] ?? [];
          for (const probe of probes) {
            expect({ probe, facts: await stateAt(node, new Date(probe)) }).toEqual({ probe, facts: linesOf[lastAt(probe)] ?? [] });
          }
          for (let i = 0; i + 1 < probes.length; i += 2) {
            const [from, to] = [probes[i], probes[Math.min(probes.length - 1, i + 3)]];
            const expected = diffFacts(expectedAt(from), expectedAt(to)).map((c) => `${c.change} ${c.ns} ${c.kind} ${c.key}`).sort();
            expect({ from, to, diff: await diffBetween(node, new Date(from), new Date(to)) }).toEqual({ from, to, diff: expected });
          }
        }),
        { numRuns: 20 },
      );
    }, 600_000); // 20 random histories per database, each through the real ingest and GraphQL: minutes on a busy 2-core CI machine
  });
}
