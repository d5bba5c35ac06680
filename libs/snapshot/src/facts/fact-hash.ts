import { createHash } from 'node:crypto';
import type { Fact, FactValue } from './fact-normaliser';

/**
 * JSON with object keys sorted, so equal values always serialise to equal text. Hot on every
 * ingest (hashFacts calls it ~1,400 times a snapshot): keys are sorted only when they are not
 * already in order, and strings go through JSON.stringify directly. Same output as before.
 */
export function canonicalJson(value: FactValue | Fact | Fact[]): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i] as FactValue);
    return `${out}]`;
  }
  const record = value as Record<string, FactValue>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      break;
    }
  }
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:${canonicalJson(record[keys[i]])}`;
  return `${out}}`;
}

/**
 * Whether two values are the same JSON: what `canonicalJson(a) === canonicalJson(b)` says for
 * JSON values (object key order ignored), without writing either out. Comparing rows read back
 * from the database (jsonb reorders keys) with fresh values is hot in the checks' reconcile, where
 * serialising both sides was ~9% of the API's CPU. JSON's own rules apply: an object key whose
 * value is undefined is absent, as JSON.stringify (and so the stored row) has it.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (typeof (a as { toJSON?: unknown }).toJSON === 'function' || typeof (b as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], other[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.prototype.hasOwnProperty.call(x, key) || x[key] === undefined) continue;
    count++;
    if (!Object.prototype.hasOwnProperty.call(y, key) || !sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.prototype.hasOwnProperty.call(y, key) && y[key] !== undefined) count--;
  return count === 0;
}

/**
 * sha256 of the sorted facts: equal hashes mean "nothing changed" for the node. The text hashed
 * is canonicalJson(fact) per fact, one per line.
 */
export function hashFacts(sortedFacts: readonly Fact[]): string {
  return canonicaliseFacts(sortedFacts).hash;
}

/** A snapshot's facts with each one's attributes as canonical text, and the state hash built from that same text. */
export interface CanonicalFacts {
  facts: readonly Fact[];
  /** canonicalJson(facts[i].attrs) */
  attrs: string[];
  hash: string;
}

/**
 * Canonicalises each fact's attributes once, for both the state hash and the diff against the
 * node's open facts (libs/diff diffAgainstCanonical takes `attrs`): ingest serialised every fact
 * twice before (17–24% of its CPU, docs/scaling.md). The line hashed per fact is
 * canonicalJson(fact) written out: its keys sorted are attrs, key, kind, ns.
 */
export function canonicaliseFacts(sortedFacts: readonly Fact[]): CanonicalFacts {
  const attrs = new Array<string>(sortedFacts.length);
  // One update per snapshot instead of two per fact: the digest is of the same bytes.
  let text = '';
  for (let i = 0; i < sortedFacts.length; i++) {
    const fact = sortedFacts[i];
    attrs[i] = canonicalJson(fact.attrs);
    text += `{"attrs":${attrs[i]},"key":${JSON.stringify(fact.key)},"kind":${JSON.stringify(fact.kind)},"ns":${JSON.stringify(fact.ns)}}\n`;
  }
  return { facts: sortedFacts, attrs, hash: createHash('sha256').update(text).digest('hex') };
}

export function hashAttributes(attrs: Fact['attrs']): string {
  return createHash('sha256').update(canonicalJson(attrs)).digest('hex');
}
