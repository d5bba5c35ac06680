import { reviewMarkdown } from './review-markdown';

describe('the incident review as Markdown', () => {
  const base = { from: new Date('2026-12-06T10:00:00Z'), to: new Date('2026-12-06T11:00:00Z'), origin: 'https://rs.example', changes: [], truncated: false, findings: [] };

  it('lists the probes asked for in the window in time order, each with its verdict or state and a link to its page', () => {
    const probe = { node: 'node-a', pod: 'cni-a2', requestedBy: 'oncall', target: null };
    const text = reviewMarkdown({
      ...base,
      probes: [
        { ...probe, id: 'p2', kind: 'PATH', target: '172.17.8.66', requestedAt: '2026-12-06T10:20:00Z', state: 'DONE', verdict: 'NOT_ANSWERED' },
        { ...probe, id: 'p1', kind: 'PROXY_ARP', requestedAt: '2026-12-06T10:05:00Z', state: 'DONE', verdict: 'VERIFIED' },
        { ...probe, id: 'p0', kind: 'PROXY_ARP', requestedAt: '2026-12-06T09:05:00Z', state: 'DONE', verdict: 'VERIFIED' },
      ],
    });
    const section = text.slice(text.indexOf('## Live probes'));
    expect(section.split('\n').filter((l) => l.startsWith('- ') || l.startsWith('##'))).toEqual([
      '## Live probes (2)',
      expect.stringMatching(/^- 2026-12-06 10:05:00.* \[proxy ARP\]\(https:\/\/rs\.example\/probes\/p1\) of pod `cni-a2` on \[node-a\]\(https:\/\/rs\.example\/nodes\/node-a\?at=.*\): \*\*verified\*\* \(asked by oncall\)$/),
      expect.stringMatching(/^- 2026-12-06 10:20:00.* \[path to 172\.17\.8\.66\]\(https:\/\/rs\.example\/probes\/p2\) .*: \*\*not-answered\*\*/),
    ]);
  });

  it('says so when no probe was asked for', () => {
    expect(reviewMarkdown(base)).toContain('## Live probes (0)\n\nNo probe was asked for in this window.');
  });
});
