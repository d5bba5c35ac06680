// The findings page groups findings by rule and by the kind of subject they are about
// (`address:10.0.0.5` → address), so 11,000 copies of one finding read as "56 addresses × 200
// nodes". Grouping only counts what the API returned; it judges nothing.

export interface GroupableFinding {
  id: string;
  rule: string;
  title: string;
  severity: 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO';
  subject: string;
  node: string;
}

export interface FindingGroup<F extends GroupableFinding> {
  /** `RULE|kind`, also the anchor of the group */
  key: string;
  rule: string;
  title: string;
  severity: F['severity'];
  subjectKind: string;
  findings: F[];
  nodeCount: number;
  subjectCount: number;
}

/** `veth:cali123` → `veth`; a subject without a kind is its own kind (`node`). */
export function subjectKind(subject: string): string {
  const colon = subject.indexOf(':');
  return colon > 0 ? subject.slice(0, colon) : subject;
}

const SEVERITY_RANK = { CRITICAL: 0, ERROR: 1, WARNING: 2, INFO: 3 } as const;

export function groupFindings<F extends GroupableFinding>(findings: readonly F[]): FindingGroup<F>[] {
  const groups = new Map<string, FindingGroup<F>>();
  for (const f of findings) {
    const kind = subjectKind(f.subject);
    const key = `${f.rule}|${kind}`;
    const group: FindingGroup<F> = groups.get(key) ?? { key, rule: f.rule, title: f.title, severity: f.severity, subjectKind: kind, findings: [] as F[], nodeCount: 0, subjectCount: 0 };
    group.findings.push(f);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    group.nodeCount = new Set(group.findings.map((f) => f.node)).size;
    group.subjectCount = new Set(group.findings.map((f) => f.subject)).size;
  }
  return [...groups.values()].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.findings.length - a.findings.length || a.key.localeCompare(b.key));
}

const PLURALS: Record<string, string> = { address: 'addresses', node: 'nodes' };

export function plural(noun: string, count: number): string {
  return count === 1 ? noun : (PLURALS[noun] ?? `${noun}s`);
}

/** "56 addresses × 200 nodes", "1 veth on 1 node" */
export function groupCountText(group: { subjectKind: string; subjectCount: number; nodeCount: number }): string {
  if (group.subjectKind === 'node') return `${group.nodeCount} ${plural('node', group.nodeCount)}`;
  const subjects = `${group.subjectCount} ${plural(group.subjectKind, group.subjectCount)}`;
  return group.subjectCount > 1 && group.nodeCount > 1 ? `${subjects} × ${group.nodeCount} ${plural('node', group.nodeCount)}` : `${subjects} on ${group.nodeCount} ${plural('node', group.nodeCount)}`;
}
