import { blockMatrix, clusterView, type BlockMatrix, type ClusterView } from '@routescope/checks';
import fc from 'fast-check';
import { FactStore } from '../history/fact-store.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { BlockMatrixService } from './block-matrix.service';

// blocks(at) reuses cluster views by (node, state version) (FactStore.clusterDerivedAt); here it
// is compared with the plain rebuild (every node's facts at the instant → clusterView →
// blockMatrix) over random histories ingested through the real path, before and after late
// snapshots rewrite the past and after a head reset (versions come back with other facts).

/**
 * The three nodes of one run. Each run's nodes have addresses and blocks of their own: earlier
 * runs' nodes stay in the cluster, and with shared blocks every run's blackholes conflicted with
 * every earlier run's (no block had a single owner after the first run, and the checks' work grew
 * with the square of the runs).
 */
function nodesOf(run: number) {
  const net = run % 250;
  return [
    { ip: `10.${net}.0.11`, block: `172.20.${net}.0/26`, pod: `172.20.${net}.2`, veth: 'calia1b2c3d4e5f' },
    { ip: `10.${net}.0.12`, block: `172.20.${net}.64/26`, pod: `172.20.${net}.66`, veth: 'calib1b2c3d4e5f' },
    { ip: `10.${net}.0.13`, block: `172.20.${net}.128/26`, pod: `172.20.${net}.130`, veth: 'calic1b2c3d4e5f' },
  ];
}
const NODE_COUNT = 3;

/** How a node looks in one snapshot: its own blackhole, its pod, and how it routes each other node's block. */
interface Shape {
  blackhole: boolean;
  pod: boolean;
  /** per node: via its owner, via another node, no route */
  routes: Array<'owner' | 'other' | 'none'>;
  /** a route to a block nobody owns */
  stray: boolean;
}

const shapeArbitrary: fc.Arbitrary<Shape> = fc.record({
  blackhole: fc.boolean(),
  pod: fc.boolean(),
  routes: fc.tuple(...Array.from({ length: NODE_COUNT }, () => fc.constantFrom<'owner' | 'other' | 'none'>('owner', 'owner', 'other', 'none'))),
  stray: fc.boolean(),
});

const historyArbitrary = fc.array(fc.record({ node: fc.integer({ min: 0, max: NODE_COUNT - 1 }), minute: fc.integer({ min: 0, max: 20 }), shape: shapeArbitrary }), { minLength: 3, maxLength: 10 });

function namespacesOf(run: number, i: number, shape: Shape) {
  const nodes = nodesOf(run);
  const self = nodes[i];
  const blocks: Array<[string, string | undefined]> = shape.blackhole ? [[self.block, undefined]] : [];
  nodes.forEach((other, j) => {
    if (j === i || shape.routes[j] === 'none') return;
    blocks.push([other.block, shape.routes[j] === 'owner' ? other.ip : nodes[(j + 1) % nodes.length].ip]);
  });
  if (shape.stray) blocks.push([`172.21.${run % 250}.0/26`, nodes[(i + 1) % nodes.length].ip]);
  const host = hostNamespace({ ip: self.ip, gateway: '10.0.0.1', blocks, veths: shape.pod ? [[self.veth, self.pod]] : [] });
  return [host, ...(shape.pod ? [podNamespace(`cni-${i}`, self.veth, self.pod)] : [])];
}

/** The rebuild blocks(at) did before the views were cached: every node's facts at `at`, viewed afresh. */
async function plainMatrixAt(store: FactStore, at: Date): Promise<BlockMatrix> {
  const views: ClusterView[] = [];
  for await (const chunk of store.clusterStateAt(at)) for (const [node, facts] of chunk) views.push(clusterView({ node, facts }));
  return blockMatrix(views);
}

for (const kind of testDatabaseKinds()) {
  describe(`blocks(at) from cached views = the plain rebuild [${kind}]`, () => {
    let t: ApiTestApp;
    let run = 0;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(() => t.close());

    it('gives the same matrix at every instant over random histories, late snapshots and a head reset', async () => {
      const store = t.app.get(FactStore);
      const service = t.app.get(BlockMatrixService);
      await fc.assert(
        fc.asyncProperty(historyArbitrary, historyArbitrary, async (first, late) => {
          // node names are per run; earlier runs' nodes stay in the cluster (their views come from the cache)
          const thisRun = run++;
          const names = Array.from({ length: NODE_COUNT }, (_, i) => `bm-${kind}-${thisRun}-${i}`);
          const base = Date.parse('2026-11-26T00:00:00.000Z') + thisRun * 3_600_000;
          const seqs = names.map(() => 0);
          const taken = new Set<string>();
          const post = async (steps: typeof first) => {
            for (const step of steps) {
              if (taken.has(`${step.node}@${step.minute}`)) continue;
              taken.add(`${step.node}@${step.minute}`);
              const takenAt = new Date(base + step.minute * 60_000).toISOString();
              await t.ingest(snapshot({ node: names[step.node], takenAt, seq: seqs[step.node]++, namespaces: namespacesOf(thisRun, step.node, step.shape) }));
            }
          };
          let phase = 0;
          // Snapshots are taken on whole minutes: an instant 1–4 ms before one, or 0–3 ms after it,
          // sees the same state whatever the offset, and each phase asks new instants (the service
          // keeps whole matrices by instant; the views below them are what is cached by version).
          // The plain rebuild is the same for both asks of a (minute, side): made once.
          const expectSameMatrices = async () => {
            const expected = new Map<string, BlockMatrix>();
            for (let ask = 0; ask < 2; ask++, phase++) {
              for (let minute = 0; minute <= 21; minute++) {
                for (const [side, at] of [['before', new Date(base + minute * 60_000 - 1 - phase)], ['at', new Date(base + minute * 60_000 + phase)]] as const) {
                  const key = `${minute} ${side}`;
                  if (!expected.has(key)) expected.set(key, await plainMatrixAt(store, at));
                  const matrix = await service.matrix(at);
                  // toEqual walks the whole matrix (a quarter of this suite's time); equal JSON text is the same matrix.
                  if (JSON.stringify(matrix) !== JSON.stringify(expected.get(key))) expect({ at, matrix }).toEqual({ at, matrix: expected.get(key) });
                }
              }
            }
          };
          await post(first);
          await expectSameMatrices();
          await post(late);
          await expectSameMatrices();
          await store.resetNodeHead(names[first[0].node], new Date(base + 8 * 60_000), 'test');
          taken.clear();
          await post(late.map((step) => ({ ...step, shape: { ...step.shape, blackhole: !step.shape.blackhole, stray: !step.shape.stray } })));
          await expectSameMatrices();
        }),
        { numRuns: 6 },
      );
    }, 600_000); // 6 random histories per database through the real ingest, 264 matrices each
  });
}
