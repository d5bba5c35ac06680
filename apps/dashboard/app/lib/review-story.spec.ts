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

  it('tells the probes asked for in the window at the instant they were requested, with their verdict or state', () => {
    const probe = { node: 'node-a', pod: 'cni-a2', kind: 'PROXY_ARP' as const, target: null };
    const story = reviewStory({
      from: new Date('2026-12-06T10:00:00Z'),
      to: new Date('2026-12-06T11:00:00Z'),
      changes: [{ at: '2026-12-06T10:14:00Z', node: 'node-a', text: 'sysctl proxy_arp 1 → 0' }],
      findings: [],
      silent: [],
      probes: [
        { ...probe, id: 'p2', requestedAt: '2026-12-06T10:15:00Z', state: 'DONE', verdict: 'NO_ARP_REPLY' },
        { ...probe, id: 'p1', requestedAt: '2026-12-06T10:05:00Z', state: 'DONE', verdict: 'VERIFIED' },
        { ...probe, id: 'p3', kind: 'PATH', target: '10.0.0.9', requestedAt: '2026-12-06T10:14:00Z', state: 'QUEUED', verdict: null },
        { ...probe, id: 'p0', requestedAt: '2026-12-06T09:59:00Z', state: 'DONE', verdict: 'VERIFIED' },
      ],
    });
    expect(story.map((e) => [e.at.slice(11, 16), e.kind, e.kind === 'probe' ? `${e.id} ${e.probe} ${e.verdict ?? e.state}` : ''])).toEqual([
      ['10:05', 'probe', 'p1 PROXY_ARP VERIFIED'],
      ['10:14', 'changes', ''],
      ['10:14', 'probe', 'p3 PATH QUEUED'],
      ['10:15', 'probe', 'p2 PROXY_ARP NO_ARP_REPLY'],
    ]);
    expect(story[2]).toMatchObject({ pod: 'cni-a2', target: '10.0.0.9' });
  });
});
