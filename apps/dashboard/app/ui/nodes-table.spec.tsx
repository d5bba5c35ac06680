import { render, screen, within } from '@testing-library/react';
import type { NodeRow } from '../lib/data';
import { hrefWith } from '../lib/links';
import { parseOverviewParams, type OverviewParams } from '../lib/search-params';
import { NodesTable } from './nodes-table';

const now = new Date('2026-01-02T12:00:00Z');
const rows: NodeRow[] = [
  { name: 'node-b', status: 'SILENT', lastSeenAt: '2026-01-02T10:00:00Z', reportingIntervalSeconds: 30, gapCount: 1, gapMs: 7_200_000, changes: 0, findings: { CRITICAL: 1, WARNING: 2 } },
  { name: 'node-a', status: 'REPORTING', lastSeenAt: '2026-01-02T11:59:30Z', reportingIntervalSeconds: 30, gapCount: 0, gapMs: 0, changes: 42, findings: {} },
];

/** The page's href builder, simplified: the current parameters with a patch applied (undefined drops one). */
function hrefFor(params: OverviewParams) {
  return (patch: Partial<Record<string, string | undefined>>) => hrefWith('/', { sort: params.sort, dir: params.dir, after: params.after, offset: params.offset || undefined, ...patch });
}

function renderTable(raw: Record<string, string>) {
  const { params } = parseOverviewParams(raw);
  render(<NodesTable rows={rows} params={params} hrefFor={hrefFor(params)} now={now} />);
  return screen.getByTestId('nodes-table');
}

describe('NodesTable', () => {
  it('shows the rows in the order the API returned them, with status, findings by severity and 24 h changes', () => {
    const table = renderTable({ sort: 'findings', dir: 'desc' });
    const body = within(table).getAllByRole('row').slice(1);
    expect(body.map((r) => r.getAttribute('data-node'))).toEqual(['node-b', 'node-a']);
    expect(body[0]?.textContent).toContain('Silent');
    expect(body[0]?.textContent).toContain('1 critical');
    expect(body[0]?.textContent).toContain('2 warnings');
    expect(body[0]?.textContent).toContain('1 · 2 h');
    expect(body[1]?.lastElementChild?.textContent).toBe('42');
  });

  it('marks the sorted column with aria-sort and names the order in the caption', () => {
    const table = renderTable({ sort: 'lastSeen', dir: 'desc' });
    const sorted = table.querySelectorAll('th[aria-sort]');
    expect(sorted).toHaveLength(1);
    expect(sorted[0]?.getAttribute('aria-sort')).toBe('descending');
    expect(sorted[0]?.textContent).toContain('Last seen');
    expect(table.querySelector('caption')?.textContent).toBe('Nodes, sorted by Last seen (descending, newest first)');
  });

  it('sorts through links that keep the view a permalink and start again at the first page', () => {
    const table = renderTable({ sort: 'lastSeen', dir: 'asc', after: 'eyJjdXJzb3IiOjF9', offset: '50' });
    const link = (name: RegExp) => within(table).getByRole('link', { name });
    // The active column flips its direction; the cursor belonged to the old order, so it goes.
    expect(link(/^Last seen/).getAttribute('href')).toBe('/?sort=lastSeen&dir=desc');
    expect(link(/^Last seen/).textContent).toContain('sort descending (newest first)');
    // Another column starts in its natural direction: names A to Z, counts largest first.
    expect(link(/^Node/).getAttribute('href')).toBe('/?sort=name&dir=asc');
    expect(link(/^Open findings/).getAttribute('href')).toBe('/?sort=findings&dir=desc');
    expect(link(/^Changes \(24 h\)/).getAttribute('href')).toBe('/?sort=changes&dir=desc');
    expect(link(/^Status/).getAttribute('href')).toBe('/?sort=status&dir=asc');
  });

  it('does not offer to sort by data gaps, which the API cannot order by', () => {
    const table = renderTable({});
    const header = within(table).getByRole('columnheader', { name: 'Data gaps (24 h)' });
    expect(within(header).queryByRole('link')).toBeNull();
    expect(header.getAttribute('aria-sort')).toBeNull();
    expect(within(table).getAllByRole('columnheader').filter((h) => h.querySelector('a.sort'))).toHaveLength(5);
  });
});
