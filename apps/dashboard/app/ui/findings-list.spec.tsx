import { render, screen, within } from '@testing-library/react';
import type { Finding } from '../lib/data';
import { FindingsList } from './findings-list';

const base: Finding = {
  id: '1',
  node: 'node-a',
  rule: 'CALICO_PROXY_ARP',
  severity: 'ERROR',
  title: 'Proxy ARP is off on a pod’s host veth',
  message: 'Proxy ARP is off (0) on host veth cali1.',
  subject: 'veth:cali1',
  openedAt: '2026-01-02T03:00:00.000Z',
  resolvedAt: null,
  open: true,
};
const now = new Date('2026-01-02T03:30:00Z');

describe('FindingsList', () => {
  it('shows when an open finding opened and for how long, and links to what changed just before', () => {
    render(<FindingsList findings={[base]} showNode emptyTitle="none" emptyText="none" now={now} />);
    const item = screen.getByRole('listitem');
    expect(item.textContent).toContain('opened 2026-01-02 03:00:00 UTC · open for 30 min');
    expect(within(item).getByRole('link', { name: 'node-a' }).getAttribute('href')).toBe('/nodes/node-a');
    expect(within(item).getByRole('link', { name: 'what changed before it opened' }).getAttribute('href')).toBe('/nodes/node-a/diff?from=2026-01-02T02:45:00Z&to=2026-01-02T03:00:00Z');
  });

  it('shows when a resolved finding opened and resolved', () => {
    render(<FindingsList findings={[{ ...base, open: false, resolvedAt: '2026-01-02T03:20:00.000Z' }]} showNode={false} emptyTitle="none" emptyText="none" now={now} />);
    const item = screen.getByRole('listitem');
    expect(item.textContent).toContain('opened 2026-01-02 03:00:00 UTC · resolved 2026-01-02 03:20:00 UTC (after 20 min)');
    expect(within(item).getByText('resolved')).toBeTruthy();
    expect(within(item).queryByRole('link', { name: 'node-a' })).toBeNull();
  });

  it('offers the page’s pod action beside an open finding about a pod, and not beside a resolved one or one about no pod', () => {
    const asked: string[] = [];
    const podAction = (f: Finding, pod: string) => {
      asked.push(`${f.id} ${pod}`);
      return <button type="button">Verify {pod}</button>;
    };
    const findings = [
      { ...base, id: 'a', subject: 'pod:cni-a2' },
      { ...base, id: 'b', subject: 'neighbor:pod:cni-b1|eth0|169.254.1.1' },
      { ...base, id: 'c', subject: 'pod:cni-c3', open: false, resolvedAt: '2026-01-02T03:20:00.000Z' },
      { ...base, id: 'd' },
    ];
    render(<FindingsList findings={findings} showNode emptyTitle="none" emptyText="none" now={now} podAction={podAction} />);
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Verify cni-a2', 'Verify cni-b1']);
    expect(asked).toEqual(['a cni-a2', 'b cni-b1']);
  });

  it('says so when there is nothing to show', () => {
    render(<FindingsList findings={[]} showNode emptyTitle="Nothing is wrong" emptyText="No finding is open on any node." now={now} />);
    expect(screen.getByRole('status').textContent).toBe('Nothing is wrongNo finding is open on any node.');
  });
});
