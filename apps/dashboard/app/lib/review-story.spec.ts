import { reviewStory } from './review-story';

describe('the story of an incident window', () => {
  it('orders changes, findings opened and resolved, and silent nodes as one timeline, the change before the finding it opened', () => {
    const story = reviewStory({
      from: new Date('2026-12-06T10:00:00Z'),
      to: new Date('2026-12-06T11:00:00Z'),
      changes: [
        { at: '2026-12-06T10:30:00Z', node: 'node-a', text: 'sysctl proxy_arp 1 → 0' },
        { at: '2026-12-06T10:10:00Z', node: 'node-a', text: 'route changed' },
        { at: '2026-12-06T10:10:00Z', node: 'node-a', text: 'neighbour added' },
      ],
      findings: [
        { node: 'node-a', rule: 'CALICO_PROXY_ARP', title: 'Proxy ARP is off', severity: 'ERROR', subject: 'veth:cali1', openedAt: '2026-12-06T10:30:00Z', resolvedAt: null },
        { node: 'node-b', rule: 'CALICO_PROXY_DELAY', title: 'delay', severity: 'WARNING', subject: 'veth:cali2', openedAt: '2026-12-06T09:00:00Z', resolvedAt: '2026-12-06T10:20:00Z' },
      ],
      silent: [
        { name: 'node-c', lastSeenAt: '2026-12-06T10:40:00Z' },
        { name: 'node-d', lastSeenAt: '2026-12-06T08:00:00Z' },
      ],
    });
    expect(story.map((e) => [e.at.slice(11, 16), e.kind, e.node])).toEqual([
      ['10:10', 'changes', 'node-a'],
      ['10:20', 'finding-resolved', 'node-b'],
      ['10:30', 'changes', 'node-a'],
      ['10:30', 'finding-opened', 'node-a'],
      ['10:40', 'went-silent', 'node-c'],
    ]);
    expect(story[0]).toMatchObject({ count: 2, summary: ['route changed', 'neighbour added'] });
  });
});
