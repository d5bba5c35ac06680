import { FAIL, type Check } from './fast-path-runtime';
import { address, link, neighbor, route, snapshot, sysctl } from './snapshot-fast-path.generated';
import type { Address, Link, Neighbor, Route, Snapshot, Sysctl } from './snapshot-schema';

/**
 * The v1 contract without zod, for code that should not pay for loading zod: the parsers and
 * the collector check what they produce with it, and validateSnapshot tries it before zod.
 * The checks are generated from snapshot-schema.ts (snapshot-fast-path.generated.ts), so they
 * accept exactly what the zod schema accepts and return what its parse returns (the same
 * value, keys in schema order; the input itself when it is already in that form). They do not
 * word issues: on `undefined`, callers ask the zod schema (lazy-contract.ts) what is wrong.
 */

/** The contract's entry types, by the name the parsers use for them. */
export interface ContractEntries {
  link: Link;
  address: Address;
  route: Route;
  neighbor: Neighbor;
  sysctl: Sysctl;
}
export type ContractEntryKind = keyof ContractEntries;

const entries: Record<ContractEntryKind, Check> = { link, address, route, neighbor, sysctl };

/** The entry schema's parse result, or undefined when the schema rejects `value`. */
export function fastParseEntry<K extends ContractEntryKind>(kind: K, value: unknown): ContractEntries[K] | undefined {
  const r = entries[kind](value);
  return r === FAIL ? undefined : (r as ContractEntries[K]);
}

/** `snapshotSchema`'s parse result, or undefined when the schema rejects `value`. */
export function fastParseSnapshot(value: unknown): Snapshot | undefined {
  const r = snapshot(value);
  return r === FAIL ? undefined : (r as Snapshot);
}
