import { blockMatrix, clusterView, type BlockMatrix, type ClusterView } from '@routescope/checks';
import fc from 'fast-check';
import { FactStore } from '../history/fact-store.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { BlockMatrixService } from './block-matrix.service';

// blocks(at) reuses cluster views by (node, state version) (FactStore.clusterDerivedAt); here it
// is compared with the plain rebuild (every node's facts at the instant → clusterView →
// blockMatrix) over random histories ingested through the real path, before and after late
// snapshots rewrite the past and after a head reset (versions come back with other facts).

const NODES = [
  { ip: '10.0.0.11', block: '172.17.8.0/26', pod: '172.17.8.2', veth: 'calia1b2c3d4e5f' },
  { ip: '10.0.0.12', block: '172.17.8.64/26', pod: '172.17.8.66', veth: 'calib1b2c3d4e5f' },
  { ip: '10.0.0.13', block: '172.17.8.128/26', pod: '172.17.8.130', veth: 'calic1b2c3d4e5f' },
];

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
  routes: fc.tuple(...NODES.map(() => fc.constantFrom<'owner' | 'other' | 'none'>('owner', 'owner', 'other', 'none'))),
  stray: fc.boolean(),
});

const historyArbitrary = fc.array(fc.record({ node: fc.integer({ min: 0, max: NODES.length - 1 }), minute: fc.integer({ min: 0, max: 20 }), shape: shapeArbitrary }), { minLength: 3, maxLength: 10 });

function namespacesOf(i: number, shape: Shape) {
  const self = NODES[i];
  const blocks: Array<[string, string | undefined]> = shape.blackhole ? [[self.block, undefined]] : [];
  NODES.forEach((other, j) => {
    if (j === i || shape.routes[j] === 'none') return;
    blocks.push([other.block, shape.routes[j] === 'owner' ? other.ip : NODES[(j + 1) % NODES.length].ip]);
  });
  if (shape.stray) blocks.push(['172.17.9.0/26', NODES[(i + 1) % NODES.length].ip]);
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
          const names = NODES.map((_, i) => `bm-${kind}-${run}-${i}`);
          const base = Date.parse('2026-11-26T00:00:00.000Z') + run++ * 3_600_000;
          const seqs = NODES.map(() => 0);
          const taken = new Set<string>();
          const post = async (steps: typeof first) => {
            for (const step of steps) {
              if (taken.has(`${step.node}@${step.minute}`)) continue;
              taken.add(`${step.node}@${step.minute}`);
              const takenAt = new Date(base + step.minute * 60_000).toISOString();
              await t.ingest(snapshot({ node: names[step.node], takenAt, seq: seqs[step.node]++, namespaces: namespacesOf(step.node, step.shape) }));
            }
          };
          let phase = 0;
          // Snapshots are taken on whole minutes: an instant 1–4 ms before one, or 0–3 ms after it,
          // sees the same state whatever the offset, and each phase asks new instants (the service
          // keeps whole matrices by instant; the views below them are what is cached by version).
          const expectSameMatrices = async () => {
            for (let ask = 0; ask < 2; ask++, phase++) {
              for (let minute = 0; minute <= 21; minute++) {
                for (const at of [new Date(base + minute * 60_000 - 1 - phase), new Date(base + minute * 60_000 + phase)]) {
                  expect({ at, matrix: await service.matrix(at) }).toEqual({ at, matrix: await plainMatrixAt(store, at) });
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
