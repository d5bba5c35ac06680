import type * as ZodSchemas from './snapshot-schema';
import type * as ZodValidator from './snapshot-validator';
import { fastParseEntry, fastParseSnapshot, type ContractEntries, type ContractEntryKind } from './snapshot-fast-path';
import type { SnapshotValidation } from './validation-issues';

/**
 * The contract checks everyone calls, which load zod only when they need it. Valid input is
 * accepted by the fast path generated from the zod schema (snapshot-fast-path.ts), which accepts
 * exactly what the schema accepts; rejected input goes to the zod schema, which words the
 * issues. The results are those of the zod contract either way; what changes is that a producer
 * of valid data (the collector, the parsers) never evaluates zod, and that the API's ingest
 * checks a valid snapshot several times faster than zod's parse.
 *
 * The schema modules are required on first use rather than imported: in the collector's
 * bundle esbuild turns that into a lazily initialised module, and everywhere else (ts-jest,
 * the API's webpack build) it is an ordinary CommonJS require.
 */

let zodSchemas: typeof ZodSchemas | undefined;
let zodValidator: typeof ZodValidator | undefined;

function schemas(): typeof ZodSchemas {
  return (zodSchemas ??= require('./snapshot-schema') as typeof ZodSchemas);
}

function validator(): typeof ZodValidator {
  return (zodValidator ??= require('./snapshot-validator') as typeof ZodValidator);
}

/** Validates an untrusted document against the v1 contract; never throws. zod is loaded only to word what is wrong. */
export function validateSnapshot(input: unknown): SnapshotValidation {
  const snapshot = fastParseSnapshot(input);
  if (snapshot !== undefined) return { ok: true, snapshot };
  return validator().validateSnapshotWithZod(input);
}

/** Validates an untrusted heartbeat (contract v1.1); never throws. Loads zod (the API's use only). */
export function validateHeartbeat(input: unknown): ReturnType<typeof ZodValidator.validateHeartbeatWithZod> {
  return validator().validateHeartbeatWithZod(input);
}

export interface EntryIssue {
  path: readonly PropertyKey[];
  message: string;
}

export type EntryCheck<T> = { ok: true; value: T } | { ok: false; issues: EntryIssue[] };

/** One entry (a link, an address, ...) against its contract schema, as `schema.safeParse` would judge it. */
export function checkContractEntry<K extends ContractEntryKind>(kind: K, value: unknown): EntryCheck<ContractEntries[K]> {
  const fast = fastParseEntry(kind, value);
  if (fast !== undefined) return { ok: true, value: fast };
  // Rejected: zod words why (both accept exactly the same values; the spec holds them to it).
  const s = schemas();
  const schema = { link: s.linkSchema, address: s.addressSchema, route: s.routeSchema, neighbor: s.neighborSchema, sysctl: s.sysctlSchema }[kind];
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data as ContractEntries[K] };
  return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path, message: i.message })) };
}
