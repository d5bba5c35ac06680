import type { z } from 'zod';
import { snapshotSchema, type Snapshot } from './snapshot-schema';

export interface ValidationIssue {
  /** JSONPath-like location of the bad field, e.g. `namespaces[1].routes[3].dst`. */
  path: string;
  message: string;
}

export type SnapshotValidation = { ok: true; snapshot: Snapshot } | { ok: false; issues: ValidationIssue[] };

/** Validates an untrusted document against the v1 contract; never throws. */
export function validateSnapshot(input: unknown): SnapshotValidation {
  const result = snapshotSchema.safeParse(input);
  if (result.success) return { ok: true, snapshot: result.data };
  return { ok: false, issues: result.error.issues.map(toValidationIssue) };
}

/** One line per issue: `namespaces[1].routes[3].dst: must be "default", an address, or address/prefixlen`. */
export function formatValidationIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('\n');
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

function toValidationIssue(issue: z.core.$ZodIssue): ValidationIssue {
  if (issue.code === 'unrecognized_keys') {
    return { path: formatPath(issue.path), message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return { path: formatPath(issue.path), message: `is required (${issue.expected})` };
  }
  return { path: formatPath(issue.path), message: issue.message };
}
