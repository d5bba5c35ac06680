import { blockMatrix } from './block-matrix';
import { labFacts } from '../test/fixtures';

describe('block matrix', () => {
  it('shows each node as owner of its block and OK for the other node’s, in the healthy lab', () => {
    const matrix = blockMatrix(labFacts('healthy'));
    expect(matrix.nodes).toEqual(['rk-node-a', 'rk-node-b']);
    expect(matrix.blocks.map((b) => [b.cidr, b.owner, b.cells.map((c) => `${c.node}:${c.status}`)])).toEqual([
      ['172.17.8.0/26', 'rk-node-a', ['rk-node-a:OWNER', 'rk-node-b:OK']],
      ['172.17.8.64/26', 'rk-node-b', ['rk-node-a:OK', 'rk-node-b:OWNER']],
    ]);
  });

  it('marks the cell MISSING when a node lost its route to the other node’s block', () => {
    const cell = blockMatrix(labFacts('remote-block-route-missing')).blocks.find((b) => b.cidr === '172.17.8.64/26')?.cells.find((c) => c.node === 'rk-node-a');
    expect(cell).toMatchObject({ status: 'MISSING', detail: expect.stringContaining('172.17.8.64/26') });
  });

  it('marks the cell WRONG_NODE when the route goes via a node that does not own the block', () => {
    const cell = blockMatrix(labFacts('remote-block-wrong-node')).blocks.find((b) => b.cidr === '172.17.8.64/26')?.cells.find((c) => c.node === 'rk-node-a');
    expect(cell?.status).toBe('WRONG_NODE');
    expect(cell?.evidence.length).toBeGreaterThan(0);
  });
});
