import { formatFact, KIND_LABELS, namespaceLabel } from './fact-format';
import { changeDiffHref, nodeHref, reviewHref } from './links';
import { probeLabel, probeOutcome, type ProbeSummary } from './probe-format';
import { formatUtc } from './time';

// The incident review of a window as Markdown for a postmortem: what changed (per node, each
// change with its diff permalink), what findings opened or resolved, and the live probes asked
// for (verdict and link), with absolute links.

export interface MarkdownChange {
  at: string;
  node: string;
  namespace: string;
  kind: keyof typeof KIND_LABELS;
  key: string;
  change: 'ADDED' | 'REMOVED' | 'CHANGED';
  before: unknown;
  after: unknown;
}

export interface MarkdownFinding {
  node: string;
  rule: string;
  severity: string;
  title: string;
  subject: string;
  openedAt: string;
  resolvedAt: string | null;
}

export interface ReviewMarkdownInput {
  from: Date;
  to: Date;
  /** the dashboard's origin, e.g. `https://routescope.example` */
  origin: string;
  changes: readonly MarkdownChange[];
  /** the window held more changes than exported */
  truncated: boolean;
  totalChanges?: number;
  findings: readonly MarkdownFinding[];
  /** probes requested in the window */
  probes?: ReadonlyArray<ProbeSummary & { id: string; node: string; pod: string; requestedAt: string; requestedBy: string }>;
  /** the window held more probes than listed */
  moreProbes?: boolean;
}

const escape = (text: string) => text.replace(/([\\`*_[\]|<>])/g, '\\$1');

export function reviewMarkdown({ from, to, origin, changes, truncated, totalChanges, findings, probes = [], moreProbes = false }: ReviewMarkdownInput): string {
  const link = (path: string) => `${origin}${path}`;
  const inWindow = (at: string | null) => at !== null && Date.parse(at) > from.getTime() && Date.parse(at) <= to.getTime();
  const opened = findings.filter((f) => inWindow(f.openedAt)).sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  const resolved = findings.filter((f) => inWindow(f.resolvedAt)).sort((a, b) => (a.resolvedAt ?? '').localeCompare(b.resolvedAt ?? ''));
  const openBefore = findings.filter((f) => !inWindow(f.openedAt));
  const byNode = new Map<string, MarkdownChange[]>();
  for (const c of changes) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c]);
  const lines = [
    `# Incident review ${formatUtc(from)} – ${formatUtc(to)}`,
    '',
    `[Open in Routescope](${link(reviewHref(from, to))})`,
    '',
    `## What changed (${totalChanges ?? changes.length} change${(totalChanges ?? changes.length) === 1 ? '' : 's'} on ${byNode.size} node${byNode.size === 1 ? '' : 's'}${truncated ? `; the first ${changes.length} listed` : ''})`,
    '',
  ];
  if (changes.length === 0) lines.push('No node recorded a change in this window.', '');
  for (const [node, list] of byNode) {
    lines.push(`### [${escape(node)}](${link(nodeHref(node, { at: list[list.length - 1]?.at }))}) — ${list.length} change${list.length === 1 ? '' : 's'}`, '');
    for (const c of list) {
      const fact = formatFact(c.kind, c.key, c.change === 'REMOVED' ? c.before : c.after);
      lines.push(`- ${formatUtc(c.at)} ${c.change.toLowerCase()} ${KIND_LABELS[c.kind]} \`${fact.replace(/`/g, "'")}\`${c.namespace === 'host' ? '' : ` in ${escape(namespaceLabel(c.namespace))}`} ([diff](${link(changeDiffHref(node, c.at))}))`);
    }
    lines.push('');
  }
  const findingLine = (f: MarkdownFinding, when: string) => `- ${when} **${f.severity}** ${escape(f.title)} (\`${f.rule}\`) on [${escape(f.node)}](${link(nodeHref(f.node, { at: f.openedAt }))}) — ${escape(f.subject)}`;
  lines.push(`## What opened (${opened.length})`, '');
  lines.push(...(opened.length ? opened.map((f) => findingLine(f, formatUtc(f.openedAt))) : ['No finding opened in this window.']), '');
  lines.push(`## What resolved (${resolved.length})`, '');
  lines.push(...(resolved.length ? resolved.map((f) => findingLine(f, formatUtc(f.resolvedAt ?? f.openedAt))) : ['No finding resolved in this window.']), '');
  if (openBefore.length) lines.push(`## Open before the window and still open during it (${openBefore.length})`, '', ...openBefore.map((f) => findingLine(f, `since ${formatUtc(f.openedAt)}`)), '');
  const asked = probes.filter((p) => inWindow(p.requestedAt)).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  lines.push(`## Live probes (${asked.length}${moreProbes ? `; the newest ${asked.length} listed` : ''})`, '');
  lines.push(
    ...(asked.length
      ? asked.map((p) => `- ${formatUtc(p.requestedAt)} [${escape(probeLabel(p))}](${link(`/probes/${p.id}`)}) of pod \`${p.pod}\` on [${escape(p.node)}](${link(nodeHref(p.node, { at: p.requestedAt }))}): **${probeOutcome(p)}** (asked by ${escape(p.requestedBy)})`)
      : ['No probe was asked for in this window.']),
    '',
  );
  return lines.join('\n');
}
