// The "story" of an incident window: its events in one timeline — snapshots that changed
// something (per node and instant), findings that opened or resolved, nodes that went silent,
// live probes asked for (when requested, with their verdict).

import type { ProbeSummary } from './probe-format';

export type StoryEvent =
  | { kind: 'changes'; at: string; node: string; count: number; summary: string[] }
  | { kind: 'finding-opened' | 'finding-resolved'; at: string; node: string; rule: string; title: string; severity: string; subject: string }
  | { kind: 'went-silent'; at: string; node: string }
  | ({ kind: 'probe'; at: string; node: string; id: string; pod: string } & Omit<ProbeSummary, 'kind'> & { probe: ProbeSummary['kind'] });

export interface StoryInput {
  from: Date;
  to: Date;
  changes: ReadonlyArray<{ at: string; node: string; text: string }>;
  findings: ReadonlyArray<{ node: string; rule: string; title: string; severity: string; subject: string; openedAt: string; resolvedAt: string | null }>;
  /** silent nodes with their last snapshot: they went silent after it */
  silent: ReadonlyArray<{ name: string; lastSeenAt: string }>;
  /** probes requested in the window (any state) */
  probes?: ReadonlyArray<ProbeSummary & { id: string; node: string; pod: string; requestedAt: string }>;
}

const SUMMARY_LINES = 3;

export function reviewStory({ from, to, changes, findings, silent, probes = [] }: StoryInput): StoryEvent[] {
  const inWindow = (at: string | null): at is string => at !== null && Date.parse(at) > from.getTime() && Date.parse(at) <= to.getTime();
  const events: StoryEvent[] = [];
  const snapshots = new Map<string, Extract<StoryEvent, { kind: 'changes' }>>();
  for (const c of changes) {
    const key = `${c.at}|${c.node}`;
    const event = snapshots.get(key) ?? { kind: 'changes' as const, at: c.at, node: c.node, count: 0, summary: [] };
    event.count++;
    if (event.summary.length < SUMMARY_LINES) event.summary.push(c.text);
    snapshots.set(key, event);
  }
  events.push(...snapshots.values());
  for (const f of findings) {
    const base = { node: f.node, rule: f.rule, title: f.title, severity: f.severity, subject: f.subject };
    if (inWindow(f.openedAt)) events.push({ kind: 'finding-opened', at: f.openedAt, ...base });
    if (inWindow(f.resolvedAt)) events.push({ kind: 'finding-resolved', at: f.resolvedAt, ...base });
  }
  for (const s of silent) if (inWindow(s.lastSeenAt)) events.push({ kind: 'went-silent', at: s.lastSeenAt, node: s.name });
  for (const p of probes) {
    if (inWindow(p.requestedAt)) events.push({ kind: 'probe', at: p.requestedAt, node: p.node, id: p.id, pod: p.pod, probe: p.kind, target: p.target, state: p.state, verdict: p.verdict });
  }
  // Same instant: the change first, then the findings it opened or resolved.
  const order = { changes: 0, 'finding-opened': 1, 'finding-resolved': 1, 'went-silent': 2, probe: 3 } as const;
  return events.sort((a, b) => a.at.localeCompare(b.at) || order[a.kind] - order[b.kind] || a.node.localeCompare(b.node));
}
