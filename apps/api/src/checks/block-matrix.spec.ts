import { compareFacts, type Fact } from '@routescope/snapshot';
import { FactStore } from '../history/fact-store.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';

// The block × node matrix over GraphQL, on each database: now (the checks' in-memory views) and
// at a past instant (rebuilt from history), paged by block, sparse (only the cells that need
// attention are listed), with the counts of the whole matrix.

const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

const NODES = [
  { name: 'node-a', ip: '10.0.0.11', block: '172.17.8.0/26', pod: '172.17.8.2', veth: 'calia1b2c3d4e5f' },
  { name: 'node-b', ip: '10.0.0.12', block: '172.17.8.64/26', pod: '172.17.8.66', veth: 'calib1b2c3d4e5f' },
  { name: 'node-c', ip: '10.0.0.13', block: '172.17.8.128/26', pod: '172.17.8.130', veth: 'calic1b2c3d4e5f' },
];

/** A node that routes every other node's block via its owner, unless `via` says otherwise (null: no route). */
function nodeSnapshot(i: number, seconds: number, seq: number, via: Record<string, string | null> = {}, extraPods: string[] = []) {
  const self = NODES[i];
  const blocks: Array<[string, string | undefined]> = [[self.block, undefined]];
  for (const other of NODES) {
    if (other === self) continue;
    const gateway = other.block in via ? via[other.block] : other.ip;
    if (gateway) blocks.push([other.block, gateway]);
  }
  const host = hostNamespace({ ip: self.ip, gateway: '10.0.0.1', blocks, veths: [[self.veth, self.pod]] });
  const pods = [podNamespace(`cni-${self.name}`, self.veth, self.pod), ...extraPods.map((netns) => podNamespace(netns, self.veth, self.pod))];
  return snapshot({ node: self.name, takenAt: at(seconds), seq, namespaces: [host, ...pods] });
}

interface Cell {
  node: string;
  status: string;
  detail: string | null;
  evidence: Array<{ node: string; kind: string; key: string; attrs: Record<string, unknown> | null }>;
}
interface Counts {
  owner: number;
  ok: number;
  missing: number;
  wrongNode: number;
  split: number;
  stale: number;
  problems: number;
}
interface Matrix {
  at: string;
  nodes: string[];
  nodeCount: number;
  blockCount: number;
  problemBlockCount: number;
  counts: Counts;
  totalCount: number;
  blocks: Array<{ cidr: string; owner: string; ownerSource: string; ownerEvidence: unknown[]; counts: Counts; problems: Cell[] }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const MATRIX = `
  query($at: DateTime, $first: Int, $after: String, $filter: BlockFilter) {
    blocks(at: $at, first: $first, after: $after, filter: $filter) {
      at nodes nodeCount blockCount problemBlockCount totalCount
      counts { owner ok missing wrongNode split stale problems }
      blocks { cidr owner ownerSource ownerEvidence counts { owner ok missing wrongNode split stale problems } problems { node status detail evidence } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const ZERO: Counts = { owner: 0, ok: 0, missing: 0, wrongNode: 0, split: 0, stale: 0, problems: 0 };

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}

for (const kind of testDatabaseKinds()) {
  describe(`block matrix [${kind}]`, () => {
    let t: ApiTestApp;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
      // t=0..2: a healthy cluster. t=60: node-a lost its route to node-c's block, node-b sends
      // node-a's block to node-c.
      for (let i = 0; i < NODES.length; i++) await t.ingest(nodeSnapshot(i, i, 0));
      await t.ingest(nodeSnapshot(0, 60, 1, { '172.17.8.128/26': null }));
      await t.ingest(nodeSnapshot(1, 61, 1, { '172.17.8.0/26': '10.0.0.13' }));
    });
    afterAll(() => t.close());

    const matrix = async (variables: Record<string, unknown> = {}) => dataOf(await t.graphql<{ blocks: Matrix }>(MATRIX, variables)).blocks;
    const errorOf = async (variables: Record<string, unknown>) => (await t.graphql(MATRIX, variables)).errors?.[0];

    it('now: every block with its owner, only the cells that need attention, and the counts of the whole matrix', async () => {
      const m = await matrix();
      expect(m).toMatchObject({ nodes: ['node-a', 'node-b', 'node-c'], nodeCount: 3, blockCount: 3, problemBlockCount: 2, totalCount: 3 });
      expect(m.counts).toEqual({ ...ZERO, owner: 3, ok: 4, missing: 1, wrongNode: 1, problems: 2 });
      expect(m.blocks.map((b) => [b.cidr, b.owner, b.ownerSource, b.problems.map((c) => `${c.node}:${c.status}`)])).toEqual([
        ['172.17.8.0/26', 'node-a', 'BLACKHOLE', ['node-b:WRONG_NODE']],
        ['172.17.8.64/26', 'node-b', 'BLACKHOLE', []],
        ['172.17.8.128/26', 'node-c', 'BLACKHOLE', ['node-a:MISSING']],
      ]);
      expect(m.blocks[1].counts).toEqual({ ...ZERO, owner: 1, ok: 2 });
      expect(m.blocks[0].ownerEvidence).toEqual([expect.objectContaining({ node: 'node-a', kind: 'route', key: 'main|inet|blackhole|172.17.8.0/26|0' })]);
      const missing = m.blocks[2].problems[0];
      expect(missing.detail).toContain('has no route to block 172.17.8.128/26');
      expect(missing.evidence).toContainEqual({ node: 'node-a', ns: 'host', kind: 'route', key: 'main|inet|unicast|172.17.8.128/26|0', attrs: null });
      const wrong = m.blocks[0].problems[0];
      expect(wrong.evidence[0]).toMatchObject({ node: 'node-b', kind: 'route', attrs: { gateway: '10.0.0.13' } });
      expect(m.pageInfo.hasNextPage).toBe(false);
    });

    it('pages through the blocks in address order with first/after, and filters to the blocks with problems or to given blocks', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page++) {
        const m: Matrix = await matrix({ first: 1, after });
        expect(m.totalCount).toBe(3);
        expect(m.blocks).toHaveLength(1);
        seen.push(m.blocks[0].cidr);
        // The counts are the whole matrix's on every page.
        expect(m.counts.problems).toBe(2);
        if (!m.pageInfo.hasNextPage) break;
        after = m.pageInfo.endCursor;
      }
      expect(seen).toEqual(['172.17.8.0/26', '172.17.8.64/26', '172.17.8.128/26']);

      const problems = await matrix({ filter: { problemsOnly: true }, first: 1 });
      expect(problems).toMatchObject({ totalCount: 2, blockCount: 3, pageInfo: { hasNextPage: true } });
      const rest = await matrix({ filter: { problemsOnly: true }, after: problems.pageInfo.endCursor });
      expect(rest.blocks.map((b) => b.cidr)).toEqual(['172.17.8.128/26']);

      // One block by any address of it (the dashboard's evidence panel), canonicalised.
      const one = await matrix({ filter: { cidrs: ['172.17.8.130/26'] } });
      expect(one.blocks.map((b) => b.cidr)).toEqual(['172.17.8.128/26']);
      expect(one.totalCount).toBe(1);
    });

    it('rejects a bad page size, cursor or block with BAD_USER_INPUT', async () => {
      for (const variables of [{ first: 0 }, { first: 1001 }, { after: 'not-a-cursor' }, { after: Buffer.from('["n","x"]').toString('base64url') }, { filter: { cidrs: ['172.17.8.999/26'] } }]) {
        expect({ variables, code: (await errorOf(variables))?.extensions?.code }).toEqual({ variables, code: 'BAD_USER_INPUT' });
      }
    });

    it('at: rebuilds the matrix of an earlier instant from history', async () => {
      const before = await matrix({ at: at(30) });
      expect(before).toMatchObject({ at: at(30), nodes: ['node-a', 'node-b', 'node-c'], blockCount: 3, problemBlockCount: 0 });
      expect(before.counts).toEqual({ ...ZERO, owner: 3, ok: 6 });
      // Before node-b and node-c had reported.
      const first = await matrix({ at: at(0) });
      expect(first.nodes).toEqual(['node-a']);
      expect(first.blocks.map((b) => b.cidr)).toEqual(['172.17.8.0/26']);
      // Before anything.
      expect(await matrix({ at: at(-60) })).toMatchObject({ nodes: [], blockCount: 0, totalCount: 0, blocks: [] });
    });

    it('at: an instant after the last change gives the matrix "now" gives (history and the in-memory views agree)', async () => {
      const { at: _now, ...now } = await matrix();
      const { at: _past, ...past } = await matrix({ at: at(120) });
      expect(past).toEqual(now);
      // Paged the same way too.
      const page = await matrix({ at: at(120), first: 2, filter: { problemsOnly: true } });
      expect(page.blocks.map((b) => b.cidr)).toEqual(['172.17.8.0/26', '172.17.8.128/26']);
    });
  });

  describe(`clusterStateAt [${kind}]`, () => {
    let t: ApiTestApp;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(() => t.close());

    it('reads what cluster views need at an instant (no sysctls, no host neighbours), in canonical order, whatever the names', async () => {
      // Netns names may hold quotes, backslashes, the separators and text JavaScript and "C" order differently
      // (control characters are refused by the contract).
      const odd = ['cni-"quoted"\\back', 'cni-|;,', 'cni-\uFFFD', 'cni-😀', 'cni-é'];
      await t.ingest(nodeSnapshot(0, 0, 0, {}, odd));
      await t.ingest(nodeSnapshot(1, 1, 0));
      await t.ingest(nodeSnapshot(0, 60, 1, { '172.17.8.64/26': '10.0.0.99' }, odd.slice(1)));
      const store = t.app.get(FactStore);
      const factsAt = async (instant: Date, chunkSize?: number) => {
        const out = new Map<string, Fact[]>();
        for await (const chunk of store.clusterStateAt(instant, chunkSize)) for (const [node, facts] of chunk) out.set(node, facts);
        return out;
      };
      const ids = await store.nodeIds(['node-a', 'node-b']);
      for (const instant of [at(30), at(90)]) {
        const facts = await factsAt(new Date(instant));
        // Chunked the same, one node at a time.
        expect(await factsAt(new Date(instant), 1)).toEqual(facts);
        expect([...facts.keys()].sort()).toEqual(['node-a', 'node-b']);
        for (const [name, id] of ids) {
          const expected = (await store.stateAt(id, new Date(instant)))
            .filter((f) => f.kind !== 'sysctl' && !(f.ns === 'host' && f.kind === 'neighbor'))
            .sort(compareFacts);
          expect(facts.get(name)).toEqual(expected);
        }
      }
      const nsAt30 = new Set((await factsAt(new Date(at(30)))).get('node-a')?.map((f) => f.ns));
      expect([...nsAt30].filter((ns) => ns.startsWith('pod:')).sort()).toEqual(['pod:cni-node-a', ...odd.map((n) => `pod:${n}`)].sort());
      expect((await factsAt(new Date(at(-1)))).size).toBe(0);
    });
  });
}
