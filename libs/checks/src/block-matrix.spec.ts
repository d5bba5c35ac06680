import { blockCell, blockCells, blockMatrix, compareBlocks, type BlockMatrix } from './block-matrix';
import { labFacts, labScenarios } from '../test/fixtures';
import type { ClusterContext, EvidenceFact } from './check-types';
import { checkCluster } from './cluster-rules';
import { clusterView, type ClusterView, type ViewFact } from './cluster-view';

const cellsOf = (matrix: BlockMatrix, cidr: string) => {
  const row = matrix.blocks.find((b) => b.cidr === cidr);
  return row ? blockCells(matrix, row) : [];
};

describe('block matrix', () => {
  it('shows each node as owner of its block and OK for the other node’s, in the healthy lab', () => {
    const matrix = blockMatrix(labFacts('healthy'));
    expect(matrix.nodes).toEqual(['rk-node-a', 'rk-node-b']);
    expect(matrix.blocks.map((b) => [b.cidr, b.owner, blockCells(matrix, b).map((c) => `${c.node}:${c.status}`)])).toEqual([
      ['172.17.8.0/26', 'rk-node-a', ['rk-node-a:OWNER', 'rk-node-b:OK']],
      ['172.17.8.64/26', 'rk-node-b', ['rk-node-a:OK', 'rk-node-b:OWNER']],
    ]);
    // Sparse: nothing is listed when every node routes every block to its owner.
    expect(matrix.blocks.map((b) => b.problems)).toEqual([[], []]);
    expect(matrix.counts).toEqual({ OWNER: 2, OK: 2, MISSING: 0, WRONG_NODE: 0, SPLIT: 0, STALE: 0 });
    expect(matrix.problemBlocks).toBe(0);
  });

  it('marks the cell MISSING when a node lost its route to the other node’s block', () => {
    const matrix = blockMatrix(labFacts('remote-block-route-missing'));
    const cell = cellsOf(matrix, '172.17.8.64/26').find((c) => c.node === 'rk-node-a');
    expect(cell).toMatchObject({ status: 'MISSING', detail: expect.stringContaining('172.17.8.64/26') });
    const row = matrix.blocks.find((b) => b.cidr === '172.17.8.64/26')!;
    expect(row.problems).toEqual([cell]);
    expect(row.counts).toMatchObject({ OWNER: 1, OK: 0, MISSING: 1 });
    expect(matrix.counts).toMatchObject({ OWNER: 2, OK: 1, MISSING: 1 });
    expect(matrix.problemBlocks).toBe(1);
  });

  it('marks the cell WRONG_NODE when the route goes via a node that does not own it', () => {
    const matrix = blockMatrix(labFacts('remote-block-wrong-node'));
    const cell = cellsOf(matrix, '172.17.8.64/26').find((c) => c.node === 'rk-node-a');
    expect(cell?.status).toBe('WRONG_NODE');
    expect(cell?.evidence.length).toBeGreaterThan(0);
    expect(blockCell(matrix, matrix.blocks.find((b) => b.cidr === '172.17.8.64/26')!, 'rk-node-a')).toEqual(cell);
  });

  it('gives the owner cell the ownership evidence, OK cells none, and no cell to a node that is not a column', () => {
    const matrix = blockMatrix(labFacts('healthy'));
    const row = matrix.blocks[0];
    expect(row.ownerSource).toBe('blackhole');
    expect(blockCell(matrix, row, 'rk-node-a')).toEqual({ node: 'rk-node-a', status: 'OWNER', evidence: row.ownerEvidence });
    expect(row.ownerEvidence).toContainEqual(expect.objectContaining({ node: 'rk-node-a', kind: 'route', key: 'main|inet|blackhole|172.17.8.0/26|0' }));
    expect(blockCell(matrix, row, 'rk-node-b')).toEqual({ node: 'rk-node-b', status: 'OK', evidence: [] });
    expect(blockCell(matrix, row, 'rk-node-z')).toBeUndefined();
  });

  it.each(labScenarios())('agrees with checkCluster’s block findings cell by cell (%s)', (scenario) => {
    const nodes = labFacts(scenario);
    const matrix = blockMatrix(nodes);
    const statusOf: Record<string, string> = { CALICO_BLOCK_ROUTE_MISSING: 'MISSING', CALICO_BLOCK_ROUTE_WRONG_NODE: 'WRONG_NODE', CALICO_BLOCK_ROUTE_SPLIT: 'SPLIT' };
    const owned = new Set(matrix.blocks.map((b) => b.cidr));
    const fromFindings = checkCluster(nodes)
      .filter((f) => statusOf[f.rule] && owned.has(f.subject.slice('block:'.length)))
      .map((f) => `${f.subject.slice('block:'.length)} ${f.node} ${statusOf[f.rule]} ${f.message}`)
      .sort();
    const fromMatrix = matrix.blocks.flatMap((b) => b.problems.map((c) => `${b.cidr} ${c.node} ${c.status} ${c.detail}`)).sort();
    expect(fromMatrix).toEqual(fromFindings);
    for (const row of matrix.blocks) {
      expect(Object.values(row.counts).reduce((a, b) => a + b, 0)).toBe(matrix.nodes.length);
    }
  });
});

describe('block matrix at cluster scale (generated views)', () => {
  // A generated Calico cluster: node i owns block i and routes every other block via its owner's
  // VXLAN address; the faults below break a few cells.
  const N = 60;
  const name = (i: number) => `node-${String(i).padStart(3, '0')}`;
  const block = (i: number) => `10.${64 + Math.floor(i / 4)}.0.${(i % 4) * 64}/26`;
  const vtep = (i: number) => block(i).replace(/\/26$/, '');
  const underlay = (i: number) => `192.168.0.${10 + i}`;
  const route = (dst: string, attrs: Record<string, unknown>): ViewFact => ({
    ns: 'host',
    kind: 'route',
    key: `main|inet|${String(attrs.type ?? 'unicast')}|${dst}|0`,
    attrs: { table: 'main', family: 'inet', type: 'unicast', dst, ...attrs },
  });
  const fact = (kind: ViewFact['kind'], key: string, attrs: Record<string, unknown>): ViewFact => ({ ns: 'host', kind, key, attrs } as ViewFact);

  function view(i: number, fault?: (routes: ViewFact[]) => ViewFact[]): ClusterView {
    const blackhole = route(block(i), { type: 'blackhole', protocol: '80' });
    let routes = [blackhole];
    for (let j = 0; j < N; j++) if (j !== i) routes.push(route(block(j), { gateway: vtep(j), dev: 'vxlan.calico', protocol: '80', flags: ['onlink'] }));
    if (fault) routes = fault(routes);
    return {
      node: name(i),
      cni: 'calico',
      mode: 'vxlan',
      captured: { links: true, addresses: true, routes: true },
      addresses: [
        { ip: underlay(i), dev: 'eth0', tunnel: false, fact: fact('address', `eth0|${underlay(i)}/24`, { local: underlay(i) }) },
        { ip: vtep(i), dev: 'vxlan.calico', tunnel: true, fact: fact('address', `vxlan.calico|${vtep(i)}/32`, { local: vtep(i) }) },
      ],
      pods: [],
      routes,
      blocks: [{ cidr: block(i), source: 'blackhole', evidence: [{ node: name(i), ...blackhole } as EvidenceFact] }],
      tunnels: [],
    };
  }

  const faults = new Map<number, (routes: ViewFact[]) => ViewFact[]>([
    // node 3: no route to block 5
    [3, (routes) => routes.filter((r) => r.attrs.dst !== block(5))],
    // node 4: block 6 via node 7's VTEP
    [4, (routes) => routes.map((r) => (r.attrs.dst === block(6) ? route(block(6), { gateway: vtep(7), dev: 'vxlan.calico', protocol: '80' }) : r))],
    // node 8: block 9 split over its owner and node 10
    [8, (routes) => routes.map((r) => (r.attrs.dst === block(9) ? route(block(9), { protocol: '80', nexthops: [{ gateway: vtep(9), dev: 'vxlan.calico' }, { gateway: vtep(10), dev: 'vxlan.calico' }] }) : r))],
    // node 11: no route to block 12, but an aggregate /24 towards its owner covers it (fine)
    [11, (routes) => [...routes.filter((r) => r.attrs.dst !== block(12)), route(block(12).replace(/\.\d+\/26$/, '.0/24'), { gateway: vtep(12), dev: 'vxlan.calico', protocol: '80' })]],
    // node 13: a lower-metric route wins; the worse one behind it does not matter
    [13, (routes) => [...routes, { ...route(block(14), { gateway: vtep(20), dev: 'vxlan.calico', protocol: '80', metric: 100 }), key: `main|inet|unicast|${block(14)}|100` }]],
  ]);
  const views = Array.from({ length: N }, (_, i) => view(i, faults.get(i)));

  it('lists exactly the broken cells, in address order, with the counts of the whole matrix', () => {
    const matrix = blockMatrix(views);
    expect(matrix.nodes).toEqual(views.map((v) => v.node));
    expect(matrix.blocks.map((b) => b.cidr)).toEqual(views.map((_, i) => block(i)).sort(compareBlocks));
    const problems = matrix.blocks.flatMap((b) => b.problems.map((c) => `${b.cidr} ${c.node} ${c.status}`));
    expect(problems.sort()).toEqual([`${block(5)} ${name(3)} MISSING`, `${block(6)} ${name(4)} WRONG_NODE`, `${block(9)} ${name(8)} SPLIT`].sort());
    expect(matrix.counts).toEqual({ OWNER: N, OK: N * N - N - 3, MISSING: 1, WRONG_NODE: 1, SPLIT: 1, STALE: 0 });
    expect(matrix.problemBlocks).toBe(3);
    const wrong = matrix.blocks.find((b) => b.cidr === block(6))!.problems[0];
    expect(wrong.evidence[0]).toMatchObject({ node: name(4), kind: 'route', attrs: { gateway: vtep(7) } });
    expect(wrong.detail).toContain(`${vtep(7)} (node ${name(7)})`);
  });

  it('gives the findings checkCluster gives, whatever order the views come in and whether they are reused', () => {
    const expected = checkCluster(views);
    expect(checkCluster([...views].reverse())).toEqual(expected);
    // Same views again: the per-view indexes are reused, the answer is the same.
    expect(checkCluster(views)).toEqual(expected);
    // One view replaced by an equal copy (a new object): same answer.
    const copy = views.map((v, i) => (i === 4 ? (JSON.parse(JSON.stringify(v)) as ClusterView) : v));
    expect(checkCluster(copy)).toEqual(expected);
  });

  it('uses the block affinities of the cluster context for ownership', () => {
    const context: ClusterContext = { blockAffinities: views.map((_, i) => ({ cidr: block(i), node: name(i === 2 ? 1 : i) })) };
    const matrix = blockMatrix(views, context);
    const row = matrix.blocks.find((b) => b.cidr === block(2))!;
    expect(row).toMatchObject({ owner: name(1), ownerSource: 'affinity' });
    // Every node but the owner (and node 2, which claims it with a blackhole: a conflict, not a route) routes it elsewhere.
    expect(row.problems.map((c) => c.status)).toEqual(new Array(N - 2).fill('WRONG_NODE'));
  });

  it('converts node facts to views itself', () => {
    expect(blockMatrix(labFacts('healthy').map((n) => clusterView(n)))).toEqual(blockMatrix(labFacts('healthy')));
  });
});

describe('compareBlocks', () => {
  it('orders by family, address and prefix length, text that is no prefix last', () => {
    const sorted = ['fd00::/122', '172.17.10.0/26', 'junk', '172.17.8.64/26', '172.17.8.0/24', '172.17.8.0/26', '9.0.0.0/8'].sort(compareBlocks);
    expect(sorted).toEqual(['9.0.0.0/8', '172.17.8.0/24', '172.17.8.0/26', '172.17.8.64/26', '172.17.10.0/26', 'fd00::/122', 'junk']);
  });
});
