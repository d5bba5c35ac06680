import { render, screen, within } from '@testing-library/react';
import type { StateDiffQuery } from '../lib/generated/graphql';
import { DiffView } from './diff-view';

type StateDiff = StateDiffQuery['diff'];
type NamespaceDiff = StateDiff['host'];
type KindDiff = NamespaceDiff['routes'];

const none = (): KindDiff => ({ added: [], removed: [], changed: [] });

function namespace(namespaceKey: string, parts: Partial<Record<'netns' | 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls', KindDiff>>, presence: NamespaceDiff['presence'] = 'BOTH'): NamespaceDiff {
  const sections = { netns: none(), links: none(), addresses: none(), routes: none(), neighbors: none(), sysctls: none(), ...parts };
  const changeCount = Object.values(sections).reduce((n, k) => n + k.added.length + k.removed.length + k.changed.length, 0);
  return { namespace: namespaceKey, name: namespaceKey.replace(/^pod:/, ''), presence, changeCount, ...sections };
}

function stateDiff(host: NamespaceDiff, pods: NamespaceDiff[] = [], overrides: Partial<StateDiff> = {}): StateDiff {
  return {
    mode: 'TIME',
    node: 'node-a',
    otherNode: 'node-a',
    beforeAt: '2026-01-02T03:00:00.000Z',
    afterAt: '2026-01-02T04:00:00.000Z',
    beforeCovered: true,
    afterCovered: true,
    changeCount: [host, ...pods].reduce((n, ns) => n + ns.changeCount, 0),
    host,
    pods,
    ...overrides,
  };
}

const blockRoute = (gateway: string) => ({ table: 'main', family: 'inet', type: 'unicast', dst: '10.244.3.0/26', metric: 0, gateway, dev: 'tunl0', protocol: 'bird', scope: 'global', flags: ['onlink'] });
const ROUTE_KEY = 'main|inet|unicast|10.244.3.0/26|0';

describe('DiffView', () => {
  it('shows a changed route like git: the old line in red with −, the new line in green with +, the changed gateway marked', () => {
    const diff = stateDiff(namespace('host', { routes: { added: [], removed: [], changed: [{ key: ROUTE_KEY, before: blockRoute('10.0.0.13'), after: blockRoute('10.0.0.23'), changedAttributes: ['gateway'] }] } }));
    render(<DiffView diff={diff} />);

    const entry = document.querySelector(`[data-key="${ROUTE_KEY}"]`) as HTMLElement;
    expect(entry.dataset.change).toBe('changed');
    const removed = within(entry).getByTestId('diff-line-removed');
    const added = within(entry).getByTestId('diff-line-added');
    expect(removed).toHaveProperty('className', 'diff-line diff-removed');
    expect(added).toHaveProperty('className', 'diff-line diff-added');
    expect(removed.textContent).toContain('10.244.3.0/26 via 10.0.0.13 dev tunl0 proto bird onlink');
    expect(added.textContent).toContain('10.244.3.0/26 via 10.0.0.23 dev tunl0 proto bird onlink');
    expect(removed.textContent).toMatch(/^−/);
    expect(added.textContent).toMatch(/^\+/);
    // Only the gateway differs, so only it is highlighted on each side.
    expect([...removed.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['10.0.0.13']);
    expect([...added.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['10.0.0.23']);
    expect(within(entry).getByText('changed: gateway 10.0.0.13 → 10.0.0.23')).toBeTruthy();
    // Screen readers hear "before"/"after" rather than the colour.
    expect(removed.textContent).toContain('before:');
    expect(added.textContent).toContain('after:');
  });

  it('lists added facts in green and removed ones in red, per section, with counts in the section heading', () => {
    const diff = stateDiff(
      namespace('host', {
        sysctls: {
          added: [{ key: 'net/ipv4/conf/cali0000000002/proxy_arp', before: null, after: { value: '1' }, changedAttributes: ['value'] }],
          removed: [{ key: 'net/ipv4/conf/cali0000000001/proxy_arp', before: { value: '1' }, after: null, changedAttributes: ['value'] }],
          changed: [],
        },
      }),
    );
    render(<DiffView diff={diff} />);

    const section = document.querySelector('[data-section="sysctls"]') as HTMLElement;
    expect(within(section).getByRole('heading', { level: 3 }).textContent).toBe('Sysctls+1−1');
    const lines = within(section).getAllByRole('listitem');
    expect(lines.map((li) => li.dataset.change)).toEqual(['removed', 'added']);
    expect(lines[0]?.querySelector('.diff-removed')?.textContent).toContain('net.ipv4.conf.cali0000000001.proxy_arp = 1');
    expect(lines[1]?.querySelector('.diff-added')?.textContent).toContain('net.ipv4.conf.cali0000000002.proxy_arp = 1');
    expect(screen.getByTestId('diff-counts').textContent).toBe('2 differences: 1 added, 1 removed, 0 changed');
  });

  it('groups pod namespaces after the host and says when a pod exists on one side only', () => {
    const netns = { key: 'cni-1234', before: null, after: { kind: 'pod', hostVeth: 'cali1234567890a', captured: ['links'] }, changedAttributes: [] };
    const diff = stateDiff(namespace('host', { links: { added: [{ key: 'cali1234567890a', before: null, after: { kind: 'veth', mtu: 1440, mac: 'ee:ee:ee:ee:ee:ee', flags: ['UP'] }, changedAttributes: [] }], removed: [], changed: [] } }), [
      namespace('pod:cni-1234', { netns: { added: [netns], removed: [], changed: [] } }, 'AFTER_ONLY'),
    ]);
    render(<DiffView diff={diff} />);

    const blocks = [...document.querySelectorAll<HTMLElement>('[data-namespace]')].map((el) => el.dataset.namespace);
    expect(blocks).toEqual(['host', 'pod:cni-1234']);
    const pod = document.querySelector('[data-namespace="pod:cni-1234"]') as HTMLElement;
    expect(within(pod).getByRole('heading', { level: 2 }).textContent).toContain('only in 2026-01-02 04:00:00 UTC');
    expect(pod.querySelector('.diff-added')?.textContent).toContain('netns cni-1234 (pod) host veth cali1234567890a');
  });

  it('says there is no difference rather than showing an empty list', () => {
    render(<DiffView diff={stateDiff(namespace('host', {}))} />);
    expect(screen.getByText('No differences')).toBeTruthy();
    expect(document.querySelectorAll('.diff-line')).toHaveLength(0);
  });

  it('warns when a side comes from a time the node was not reporting', () => {
    render(<DiffView diff={stateDiff(namespace('host', {}), [], { beforeCovered: false })} />);
    expect(screen.getByRole('note').textContent).toContain('node-a was not reporting at 2026-01-02 03:00:00 UTC');
  });

  it('labels the two sides with the node names when comparing two nodes', () => {
    render(<DiffView diff={stateDiff(namespace('host', {}), [], { mode: 'NODES', otherNode: 'node-b', afterAt: '2026-01-02T03:00:00.000Z' })} />);
    const summary = screen.getByRole('list', { name: 'What is compared' });
    expect(summary.textContent).toContain('before: node-a at 2026-01-02 03:00:00 UTC');
    expect(summary.textContent).toContain('after: node-b at 2026-01-02 03:00:00 UTC');
  });
});
