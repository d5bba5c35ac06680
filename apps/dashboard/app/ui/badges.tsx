import type { NodeStatus } from '../lib/generated/graphql';

export function StatusBadge({ status }: { status: NodeStatus }) {
  return status === 'REPORTING' ? <span className="badge ok">Reporting</span> : <span className="badge warn">Silent</span>;
}

export type SeverityName = 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO';
export const SEVERITY_ORDER: readonly SeverityName[] = ['CRITICAL', 'ERROR', 'WARNING', 'INFO'];
const SEVERITY_CLASS: Record<SeverityName, string> = { CRITICAL: 'bad', ERROR: 'bad', WARNING: 'warn', INFO: 'info' };

export function SeverityBadge({ severity, count }: { severity: SeverityName; count?: number }) {
  const label = severity.charAt(0) + severity.slice(1).toLowerCase();
  const plural = count !== undefined && count !== 1 && (severity === 'ERROR' || severity === 'WARNING') ? 's' : '';
  return <span className={`badge ${SEVERITY_CLASS[severity]}`}>{count === undefined ? label : `${count} ${label.toLowerCase()}${plural}`}</span>;
}
