import { createHash } from 'node:crypto';
import type { Fact, FactValue } from './fact-normaliser';

/** JSON with object keys sorted, so equal values always serialise to equal text. */
export function canonicalJson(value: FactValue | Fact | Fact[]): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, FactValue>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 of the sorted facts: equal hashes mean "nothing changed" for the node. */
export function hashFacts(sortedFacts: readonly Fact[]): string {
  const hash = createHash('sha256');
  for (const fact of sortedFacts) hash.update(canonicalJson(fact)).update('\n');
  return hash.digest('hex');
}

export function hashAttributes(attrs: Fact['attrs']): string {
  return createHash('sha256').update(canonicalJson(attrs)).digest('hex');
}
