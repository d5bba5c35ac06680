import { canonicalJson, compareFacts, factIdentity, type Fact, type FactAttributes } from '@routescope/snapshot';

/**
 * Where a snapshot is diffed: here, and only here. Both sides of the product compare two states
 * of a node through `compareStates` below, so "what changed" means the same thing everywhere:
 *
 * - the write path (apps/api ingest, and the bench's history generator, which writes the rows
 *   ingest would have written) calls `diffAgainstCanonical`: the open facts it holds, keyed by
 *   `factIdentity` with their attributes as canonical JSON text, against a snapshot's facts →
 *   the rows to close, the facts to open, and the change count stored with the snapshot;
 * - the read side (GraphQL/REST diffs, the checks' history rules, the e2e suites) calls
 *   `diffFacts`: two fact lists → added / removed / changed, with before and after.
 *
 * A fact is identified by (namespace, kind, key); it is unchanged when its attributes have the
 * same canonical JSON (attribute order never counts). A state holds each identity once.
 */

export type FactChange =
  | { change: 'added'; ns: string; kind: Fact['kind']; key: string; after: FactAttributes }
  | { change: 'removed'; ns: string; kind: Fact['kind']; key: string; before: FactAttributes }
  | { change: 'changed'; ns: string; kind: Fact['kind']; key: string; before: FactAttributes; after: FactAttributes };

/** An open fact as the write path holds it: its row id and canonicalJson(attrs). */
export interface CanonicalFact<Id = bigint> {
  id: Id;
  attrs: string;
}

/** What one snapshot does to a node's open facts. */
export interface CanonicalDelta<Id = bigint> {
  /** rows that end at the snapshot: their fact vanished or its attributes changed */
  close: Id[];
  /** facts that begin at the snapshot: new, or a changed fact's new value */
  open: Fact[];
  /** canonicalJson(attrs) of each opened fact, in `open` order */
  openAttrs: string[];
  /**
   * facts added, removed or changed. Netted per fact: a changed fact closes one row and opens
   * another but is one change; a fact whose value did not change is none.
   */
  changes: number;
}

interface StateComparison<Row> {
  added(fact: Fact, attrs: string): void;
  changed(row: Row, fact: Fact, attrs: string): void;
  removed(row: Row): void;
}

/**
 * The one comparison of two states: `current` keyed by factIdentity, `next` as a fact list
 * (with canonicalJson of each one's attributes when the caller already has it).
 */
function compareStates<Row extends { attrs: string }>(current: ReadonlyMap<string, Row>, next: readonly Fact[], visit: StateComparison<Row>, nextAttrs?: readonly string[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < next.length; i++) {
    const fact = next[i];
    const id = factIdentity(fact);
    seen.add(id);
    const row = current.get(id);
    const attrs = nextAttrs ? nextAttrs[i] : canonicalJson(fact.attrs);
    if (!row) visit.added(fact, attrs);
    else if (row.attrs !== attrs) visit.changed(row, fact, attrs);
  }
  for (const [id, row] of current) if (!seen.has(id)) visit.removed(row);
}

/**
 * The write path's delta: a node's open facts (by factIdentity, attributes as canonical text,
 * which is what the API's state cache holds) against the facts of its next snapshot. `nextAttrs`
 * (canonicalJson of each next fact's attributes, as @routescope/snapshot canonicaliseFacts gives
 * them with the state hash) saves serialising the snapshot a second time.
 */
export function diffAgainstCanonical<Id = bigint>(current: ReadonlyMap<string, CanonicalFact<Id>>, next: readonly Fact[], nextAttrs?: readonly string[]): CanonicalDelta<Id> {
  if (nextAttrs && nextAttrs.length !== next.length) throw new Error(`diffAgainstCanonical: ${nextAttrs.length} canonical attributes for ${next.length} facts`);
  const delta: CanonicalDelta<Id> = { close: [], open: [], openAttrs: [], changes: 0 };
  compareStates(current, next, {
    added(fact, attrs) {
      delta.open.push(fact);
      delta.openAttrs.push(attrs);
      delta.changes++;
    },
    changed(row, fact, attrs) {
      delta.close.push(row.id);
      delta.open.push(fact);
      delta.openAttrs.push(attrs);
      delta.changes++;
    },
    removed(row) {
      delta.close.push(row.id);
      delta.changes++;
    },
  }, nextAttrs);
  return delta;
}

/**
 * What changed between two states of a node: facts whose key appeared, disappeared, or
 * kept its key with different attributes. Ordered like facts (namespace, kind, key).
 */
export function diffFacts(before: readonly Fact[], after: readonly Fact[]): FactChange[] {
  const previous = new Map(before.map((fact) => [factIdentity(fact), { fact, attrs: canonicalJson(fact.attrs) }]));
  const changes: FactChange[] = [];
  compareStates(previous, after, {
    added: (fact) => changes.push({ change: 'added', ns: fact.ns, kind: fact.kind, key: fact.key, after: fact.attrs }),
    changed: (old, fact) => changes.push({ change: 'changed', ns: fact.ns, kind: fact.kind, key: fact.key, before: old.fact.attrs, after: fact.attrs }),
    removed: ({ fact }) => changes.push({ change: 'removed', ns: fact.ns, kind: fact.kind, key: fact.key, before: fact.attrs }),
  });
  return changes.sort(compareFacts);
}
