import type { Snapshot } from '@routescope/snapshot';

/** A few human lines about a snapshot: per namespace, how many of each kind of fact. */
export function formatSnapshotSummary(snapshot: Snapshot): string {
  const lines = [
    `node ${snapshot.node} at ${snapshot.takenAt} (kernel ${snapshot.kernel ?? 'unknown'}, iproute2 ${snapshot.iproute2 ?? 'unknown'})`,
  ];
  for (const ns of snapshot.namespaces) {
    const counts = (['links', 'addresses', 'routes', 'neighbors', 'sysctls'] as const)
      .map((section) => `${ns[section]?.length ?? '-'} ${section}`)
      .join(', ');
    const label = ns.kind === 'host' ? 'host' : `pod ${ns.name}${ns.hostVeth ? ` via ${ns.hostVeth}` : ''}`;
    lines.push(`  ${label}: ${counts}`);
  }
  const pods = snapshot.namespaces.length - 1;
  lines.push(`${pods} pod namespace${pods === 1 ? '' : 's'}, ${snapshot.warnings.length} warning${snapshot.warnings.length === 1 ? '' : 's'}`);
  for (const w of snapshot.warnings.slice(0, 20)) {
    lines.push(`  warning ${w.code}${w.namespace ? ` [${w.namespace}]` : ''}${w.line ? ` line ${w.line}` : ''}: ${w.message}`);
  }
  if (snapshot.warnings.length > 20) lines.push(`  ... ${snapshot.warnings.length - 20} more`);
  return lines.join('\n') + '\n';
}
