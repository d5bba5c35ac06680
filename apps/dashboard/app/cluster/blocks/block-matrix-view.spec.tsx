import { render, screen, within } from '@testing-library/react';
import { BlockMatrixView, cellOf, GRID_MAX_NODES, LISTED_PROBLEMS, type MatrixRow } from './block-matrix-view';

const hrefOf = (cidr: string, node?: string) => `/cluster/blocks?block=${encodeURIComponent(cidr)}${node ? `&node=${node}` : ''}#evidence`;

const nodes = ['node-a', 'node-b', 'node-c'];

function rowOf(table: HTMLElement, cidr: string): HTMLElement {
  const row = table.querySelector<HTMLElement>(`tr[data-block="${cidr}"]`);
  if (!row) throw new Error(`no row for ${cidr}`);
  return row;
}
const rows: MatrixRow[] = [
  { cidr: '10.244.1.0/26', owner: 'node-a', counts: { ok: 2, problems: 0 }, problems: [] },
  { cidr: '10.244.3.0/26', owner: 'node-c', counts: { ok: 1, problems: 1 }, problems: [{ node: 'node-a', status: 'WRONG_NODE', detail: 'Node node-a routes block 10.244.3.0/26 via 10.0.0.23.' }] },
];

describe('BlockMatrixView', () => {
  it('draws the full grid for a small cluster: the owner, the listed problems, and OK for every other node, each cell a link to its evidence', () => {
    render(<BlockMatrixView nodes={nodes} rows={rows} hrefOf={hrefOf} selected={{ block: '10.244.3.0/26', node: 'node-a' }} />);
    const table = screen.getByTestId('block-matrix');
    expect(table.dataset.layout).toBe('grid');
    const row = rowOf(table, '10.244.3.0/26');
    expect([...row.querySelectorAll<HTMLElement>('td')].map((td) => `${td.dataset.node}:${td.dataset.status}:${td.textContent}`)).toEqual([
      'node-a:WRONG_NODE:wrong node',
      'node-b:OK:ok',
      'node-c:OWNER:owner',
    ]);
    const wrong = within(row).getByRole('link', { name: '10.244.3.0/26 on node-a: wrong node. Show evidence' });
    expect(wrong.getAttribute('href')).toBe('/cluster/blocks?block=10.244.3.0%2F26&node=node-a#evidence');
    expect(wrong.getAttribute('aria-current')).toBe('true');
    expect(wrong.getAttribute('title')).toContain('via 10.0.0.23');
    expect(within(row).getByRole('link', { name: /Block 10\.244\.3\.0\/26, owned by node-c/ }).getAttribute('href')).toBe('/cluster/blocks?block=10.244.3.0%2F26#evidence');
  });

  it('lists only the nodes that need attention per block for a large cluster, capped, with the rest behind the block’s link', () => {
    const many = Array.from({ length: GRID_MAX_NODES + 10 }, (_, i) => `node-${String(i).padStart(3, '0')}`);
    const broken: MatrixRow = {
      cidr: '10.244.9.0/26',
      owner: many[0],
      counts: { ok: 10, problems: many.length - 11 },
      problems: many.slice(11).map((node) => ({ node, status: 'MISSING' as const, detail: null })),
    };
    render(<BlockMatrixView nodes={many} rows={[{ ...rows[0], owner: many[1] }, broken]} hrefOf={hrefOf} />);
    const table = screen.getByTestId('block-matrix');
    expect(table.dataset.layout).toBe('list');
    // No column per node.
    expect(table.querySelectorAll('thead th')).toHaveLength(4);
    const healthy = rowOf(table, '10.244.1.0/26');
    expect(healthy.textContent).toContain('none');
    const row = rowOf(table, '10.244.9.0/26');
    const items = within(row).getByRole('list', { name: 'Nodes that need attention for 10.244.9.0/26' });
    const links = within(items).getAllByRole('link');
    expect(links).toHaveLength(LISTED_PROBLEMS + 1);
    expect(links[0].textContent).toBe('node-011: missing');
    expect(links[0].getAttribute('href')).toBe('/cluster/blocks?block=10.244.9.0%2F26&node=node-011#evidence');
    expect(links[LISTED_PROBLEMS].textContent).toBe(`and ${broken.problems.length - LISTED_PROBLEMS} more`);
    expect(within(row).getByRole('link', { name: `10.244.9.0/26 is owned by ${many[0]}. Show evidence` })).toBeTruthy();
  });

  it('reads a cell from the sparse row: the owner, a listed problem, else OK', () => {
    expect(cellOf(rows[1], 'node-c').status).toBe('OWNER');
    expect(cellOf(rows[1], 'node-a').status).toBe('WRONG_NODE');
    expect(cellOf(rows[1], 'node-b')).toEqual({ status: 'OK', detail: null });
  });
});
