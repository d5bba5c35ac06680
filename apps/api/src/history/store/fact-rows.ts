import { Prisma } from '@routescope/db';
import { compareFacts, FACT_KINDS, type Fact, type FactAttributes, type FactKind } from '@routescope/snapshot';

/**
 * Row decoding of the fact store: what the repositories turn database rows into before anything
 * outside history/store sees them. Callers get libs/snapshot facts (canonical order) and typed
 * attributes, never raw jsonb.
 */

/** A fact row as the reads select it (attrs is jsonb, parsed or not by the driver). */
export interface FactRow {
  ns: string;
  kind: string;
  key: string;
  attrs: unknown;
}

const KINDS = new Set<string>(FACT_KINDS);

/** Rows → facts in the canonical (namespace, kind, key) order; rows of an unknown kind are skipped. */
export function toStoredFacts(rows: readonly FactRow[]): Fact[] {
  const facts: Fact[] = [];
  for (const row of rows) {
    const fact = toFact(row);
    if (fact) facts.push(fact);
  }
  return facts.sort(compareFacts);
}

/** One row → a fact; undefined for a kind this version does not know. */
export function toFact(row: FactRow): Fact | undefined {
  if (!KINDS.has(row.kind)) return undefined;
  return { ns: row.ns, kind: row.kind as FactKind, key: row.key, attrs: toAttributes(row.attrs) };
}

/** jsonb comes back parsed from both drivers; a string is tolerated in case an adapter leaves it as text. */
export function toAttributes(value: unknown): FactAttributes {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as FactAttributes) : {};
}

/** A fact value on one side of a change: null when the key did not exist on that side. */
export function toAttributesOrNull(value: unknown): FactAttributes | null {
  return value === null || value === undefined ? null : toAttributes(value);
}

/**
 * One node's facts as clusterFactsAt aggregates them: `"ns"␟kind␟"key"␟attrs` records separated
 * by ␞ (U+001E). ns and key are JSON strings and attrs is jsonb text, in which both separators
 * can only appear escaped. Identical attrs texts give one shared object.
 */
export function parseAggregatedFacts(text: string, attrsByText: Map<string, FactAttributes>): Fact[] {
  return parseRecords(text, (attrsText) => {
    let attrs = attrsByText.get(attrsText);
    if (!attrs) {
      attrs = toAttributes(JSON.parse(attrsText));
      attrsByText.set(attrsText, attrs);
    }
    return attrs;
  });
}

/**
 * parseAggregatedFacts for records whose last field is the fact's `attrs_id` (fact_attrs is
 * content-addressed: an id always names the same attributes), resolved through `attrsById`.
 */
export function parseAggregatedFactRefs(text: string, attrsById: ReadonlyMap<string, FactAttributes>): Fact[] {
  return parseRecords(text, (id) => {
    const attrs = attrsById.get(id);
    if (!attrs) throw new Error(`fact_attrs ${id} was not read`);
    return attrs;
  });
}

/** The attrs ids (last field) of aggregated records, as parseAggregatedFactRefs reads them. */
export function aggregatedAttrsIds(text: string, into: Set<string>): void {
  for (const record of text.split('\u001e')) into.add(record.slice(record.lastIndexOf('\u001f') + 1));
}

function parseRecords(text: string, attrsOf: (field: string) => FactAttributes): Fact[] {
  const facts: Fact[] = [];
  let sorted = true;
  for (const record of text.split('\u001e')) {
    const a = record.indexOf('\u001f');
    const b = record.indexOf('\u001f', a + 1);
    const c = record.indexOf('\u001f', b + 1);
    const kind = record.slice(a + 1, b);
    if (a < 0 || b < 0 || c < 0 || !KINDS.has(kind)) continue;
    const attrs = attrsOf(record.slice(c + 1));
    const fact: Fact = { ns: jsonString(record.slice(0, a)), kind: kind as FactKind, key: jsonString(record.slice(b + 1, c)), attrs };
    if (sorted && facts.length > 0 && compareFacts(facts[facts.length - 1], fact) > 0) sorted = false;
    facts.push(fact);
  }
  // Canonical order, as ingest and toStoredFacts give it. Sorted here rather than by the SQL
  // (ORDER BY in string_agg doubled the statement's cost): rows come in index order, runs of
  // facts recorded together that are already in order, which V8's merge sort takes as they are.
  return sorted ? facts : facts.sort(compareFacts);
}

function jsonString(text: string): string {
  return text.includes('\\') ? (JSON.parse(text) as string) : text.slice(1, -1);
}

/**
 * A group's facts as one text of `"ns"␟kind␟"key"␟attrs_id` records separated by ␞
 * (parseAggregatedFactRefs reads it; the attributes come from FactAttrsRepository).
 */
export const AGGREGATED_FACT_REFS = Prisma.sql`string_agg(to_json(f.ns)::text || chr(31) || f.kind || chr(31) || to_json(f.key)::text || chr(31) || f.attrs_id::text, chr(30))`;

/** The attrs ids of aggregated texts (null: a node with no facts). */
export function attrsIdsOf(texts: ReadonlyArray<string | null>): Set<string> {
  const ids = new Set<string>();
  for (const text of texts) if (text) aggregatedAttrsIds(text, ids);
  return ids;
}
