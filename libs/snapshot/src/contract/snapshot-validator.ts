import type { z } from 'zod';
import { heartbeatSchema, snapshotSchema, type Heartbeat } from './snapshot-schema';
import { formatPath, type SnapshotValidation, type ValidationIssue } from './validation-issues';

export { formatPath, formatValidationIssues, type SnapshotValidation, type ValidationIssue } from './validation-issues';

/**
 * The zod schema's verdict and issues, as the API answers them. Callers use `validateSnapshot`
 * (lazy-contract.ts), which asks this only for what the generated fast path rejects.
 */
export function validateSnapshotWithZod(input: unknown): SnapshotValidation {
  const result = snapshotSchema.safeParse(input);
  if (result.success) return { ok: true, snapshot: result.data };
  return { ok: false, issues: result.error.issues.map(toValidationIssue) };
}

/** A heartbeat (contract v1.1) against its schema: small, so zod checks it directly. */
export function validateHeartbeatWithZod(input: unknown): { ok: true; heartbeat: Heartbeat } | { ok: false; issues: ValidationIssue[] } {
  const result = heartbeatSchema.safeParse(input);
  if (result.success) return { ok: true, heartbeat: result.data };
  return { ok: false, issues: result.error.issues.map(toValidationIssue) };
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
