// The findings page shows the API's groups (Query.findingGroups: findings of one rule about one
// kind of subject, `address:10.0.0.5` → address), so 11,000 copies of one finding read as
// "56 addresses × 200 nodes". These helpers only word the API's counts and sort a finding into its group.

/** `veth:cali123` → `veth`; a subject without a kind is its own kind (`node`). */
export function subjectKind(subject: string): string {
  const colon = subject.indexOf(':');
  return colon > 0 ? subject.slice(0, colon) : subject;
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
