import { render, screen, within } from '@testing-library/react';
import { ChangeTimeline } from './change-timeline';

const push = jest.fn();
jest.mock('next/navigation', () => ({ useRouter: () => ({ push, refresh: jest.fn() }), usePathname: () => '/review', useSearchParams: () => new URLSearchParams('from=2026-01-01T00:00:00Z&to=2026-01-01T06:00:00Z') }));

const FROM = '2026-01-02T00:00:00Z';
const TO = '2026-01-02T01:00:00Z';
const size = { width: 600, height: 200 };

function table(): HTMLTableElement {
  return screen.getByRole('table', { name: 'Changes of node-a' });
}

describe('ChangeTimeline', () => {
  it('counts changes per bucket and lists the non-empty buckets in a table, each linking to the diff of that bucket', () => {
    render(
      <ChangeTimeline
        title="Changes of node-a"
        from={FROM}
        to={TO}
        size={size}
        groupNoun="kind"
        linkBase="/nodes/node-a/diff"
        events={[
          { at: '2026-01-02T00:10:30Z', group: 'route' },
          { at: '2026-01-02T00:11:00Z', group: 'route' },
          { at: '2026-01-02T00:11:40Z', group: 'sysctl' },
          { at: '2026-01-02T00:40:00Z', group: 'link' },
        ]}
      />,
    );
    // A one-hour window is cut into 1-minute buckets; a change exactly on a boundary ends the bucket before it.
    const rows = within(table()).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['2026-01-02 00:10', '2', 'route (2)', ''],
      ['2026-01-02 00:11', '1', 'sysctl (1)', ''],
      ['2026-01-02 00:39', '1', 'link (1)', ''],
    ]);
    expect(within(rows[0] as HTMLElement).getByRole('link').getAttribute('href')).toBe('/nodes/node-a/diff?from=2026-01-02T00:10:00Z&to=2026-01-02T00:11:00Z');
    expect(screen.getByTestId('change-timeline').textContent).toContain('4 changes between 2026-01-02T00:00:00Z and 2026-01-02T01:00:00Z in 1 min buckets');
  });

  it('draws first-seen nodes as their own series, named "first seen" in the legend and never counted as changes', () => {
    const { container } = render(
      <ChangeTimeline
        title="Changes of node-a"
        from={FROM}
        to={TO}
        size={size}
        groupNoun="node"
        counts={[
          { start: '2026-01-02T00:00:00Z', end: '2026-01-02T00:30:00Z', count: 1, nodeCount: 1, firstSeen: 0 },
          { start: '2026-01-02T00:30:00Z', end: '2026-01-02T01:00:00Z', count: 0, nodeCount: 0, firstSeen: 3 },
        ]}
      />,
    );
    expect(screen.getByTestId('first-seen-legend').textContent).toContain('nodes first seen (3; not counted as changes)');
    // one bar: the bucket with 3 first-seen nodes (the other has none)
    expect(container.querySelectorAll('path.bar-first-seen')).toHaveLength(1);
    expect(screen.getByTestId('change-timeline').textContent).toContain('1 change between');
    const rows = within(table()).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['2026-01-02 00:00', '1', '1', '0', ''],
      ['2026-01-02 00:30', '0', '0', '3', ''],
    ]);
  });

  it('has no first-seen series or legend when no node was first seen', () => {
    render(<ChangeTimeline title="Changes of node-a" from={FROM} to={TO} size={size} groupNoun="node" counts={[{ start: FROM, end: TO, count: 2, nodeCount: 1, firstSeen: 0 }]} />);
    expect(screen.queryByTestId('first-seen-legend')).toBeNull();
  });

  it('shades coverage gaps, clipped to the window, and names them in the legend and the table', () => {
    const { container } = render(
      <ChangeTimeline
        title="Changes of node-a"
        from={FROM}
        to={TO}
        size={size}
        groupNoun="kind"
        events={[{ at: '2026-01-02T00:50:00Z', group: 'route', afterGap: true }]}
        gaps={[
          { start: '2026-01-01T23:00:00Z', end: '2026-01-02T00:05:00Z' },
          { start: '2026-01-02T00:30:00Z', end: '2026-01-02T00:45:30Z' },
        ]}
      />,
    );
    expect(container.querySelectorAll('.gap-area')).toHaveLength(2);
    expect(screen.getByTestId('gap-legend').textContent).toContain('no data (2 gaps, 20 min)');
    const noData = within(table())
      .getAllByRole('row')
      .slice(1)
      .filter((r) => r.lastElementChild?.textContent !== '');
    expect(noData).toHaveLength(5 + 16);
    expect(screen.getByTestId('change-timeline').textContent).toContain('2 gaps in coverage (20 min without data)');
  });

  it('draws the bars and the "show state at" marker in the chart', () => {
    const { container } = render(
      <ChangeTimeline title="Changes of node-a" from={FROM} to={TO} size={size} groupNoun="kind" events={[{ at: '2026-01-02T00:20:00Z', group: 'route' }]} marker={{ at: '2026-01-02T00:30:00Z', label: 'state shown at 00:30' }} />,
    );
    expect(container.querySelector('svg.recharts-surface')).not.toBeNull();
    expect(container.querySelectorAll('.bar-changes .recharts-bar-rectangle path').length).toBeGreaterThanOrEqual(1);
    expect(container.querySelector('.marker-line')).not.toBeNull();
    expect(screen.getByText('state shown at 00:30')).toBeTruthy();
  });

  it('shows an empty window as zero changes without failing', () => {
    render(<ChangeTimeline title="Changes of node-a" from={FROM} to={TO} size={size} groupNoun="kind" events={[]} />);
    expect(screen.getByTestId('change-timeline').textContent).toContain('0 changes between');
    expect(within(table()).getAllByRole('row')).toHaveLength(1);
  });

  it('draws buckets counted by the API as they come, with the number of nodes that changed in each', () => {
    render(
      <ChangeTimeline
        title="Changes of node-a"
        from="2026-01-02T00:00:00Z"
        to="2026-01-02T00:45:00Z"
        size={size}
        groupNoun="node"
        linkBase="/review"
        counts={[
          { start: '2026-01-02T00:00:00Z', end: '2026-01-02T00:15:00Z', count: 0, nodeCount: 0 },
          { start: '2026-01-02T00:15:00Z', end: '2026-01-02T00:30:00Z', count: 1200, nodeCount: 3 },
          { start: '2026-01-02T00:30:00Z', end: '2026-01-02T00:45:00Z', count: 1, nodeCount: 1 },
        ]}
      />,
    );
    expect(within(table()).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['From (UTC)', 'Changes', 'Nodes with changes', 'No data']);
    const rows = within(table()).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['2026-01-02 00:15', '1200', '3', ''],
      ['2026-01-02 00:30', '1', '1', ''],
    ]);
    expect(within(rows[0] as HTMLElement).getByRole('link').getAttribute('href')).toBe('/review?from=2026-01-02T00:15:00Z&to=2026-01-02T00:30:00Z');
    expect(screen.getByTestId('change-timeline').textContent).toContain('1201 changes between 2026-01-02T00:00:00Z and 2026-01-02T00:45:00Z in 15 min buckets; busiest 2026-01-02T00:15:00Z with 1200');
  });
});

