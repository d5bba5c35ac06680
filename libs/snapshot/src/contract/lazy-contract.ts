import type * as ZodSchemas from './snapshot-schema';
import type * as ZodValidator from './snapshot-validator';
import { fastParseEntry, fastParseSnapshot, type ContractEntries, type ContractEntryKind } from './snapshot-fast-path';
import type { SnapshotValidation } from './validation-issues';

/**
 * Contract checks that load zod only when they need it. Valid input goes through the zod-free
 * mirror (snapshot-fast-path.ts); anything it cannot vouch for goes to the zod schema, which
 * decides and words the issues. The results are those of the zod contract either way; what
 * changes is that a producer of valid data (the collector, the parsers) never evaluates zod.
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

/** Same result as `validateSnapshot` (the zod contract); zod is loaded only for input the fast path cannot vouch for. */
export function validateSnapshotLazily(input: unknown): SnapshotValidation {
  const snapshot = fastParseSnapshot(input);
  if (snapshot !== undefined) return { ok: true, snapshot };
  return validator().validateSnapshot(input);
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
  const s = schemas();
  const schema = { link: s.linkSchema, address: s.addressSchema, route: s.routeSchema, neighbor: s.neighborSchema, sysctl: s.sysctlSchema }[kind];
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data as ContractEntries[K] };
  return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path, message: i.message })) };
}
