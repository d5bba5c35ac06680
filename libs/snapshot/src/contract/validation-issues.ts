import type { Snapshot } from './snapshot-schema';

/** What validation reports, and how issues are printed. No zod here: parsers and the collector use it too. */

export interface ValidationIssue {
  /** JSONPath-like location of the bad field, e.g. `namespaces[1].routes[3].dst`. */
  path: string;
  message: string;
}

export type SnapshotValidation = { ok: true; snapshot: Snapshot } | { ok: false; issues: ValidationIssue[] };

/** One line per issue: `namespaces[1].routes[3].dst: must be "default", an address, or address/prefixlen`. */
export function formatValidationIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('\n');
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}
