import { canonicalJson, compareFacts, factIdentity, type Fact, type FactAttributes } from '@routescope/snapshot';

export type FactChange =
  | { change: 'added'; ns: string; kind: Fact['kind']; key: string; after: FactAttributes }
  | { change: 'removed'; ns: string; kind: Fact['kind']; key: string; before: FactAttributes }
  | { change: 'changed'; ns: string; kind: Fact['kind']; key: string; before: FactAttributes; after: FactAttributes };

/**
 * What changed between two states of a node: facts whose key appeared, disappeared, or
 * kept its key with different attributes. Ordered like facts (namespace, kind, key).
 */
export function diffFacts(before: readonly Fact[], after: readonly Fact[]): FactChange[] {
  const previous = new Map(before.map((f) => [factIdentity(f), f]));
  const changes: FactChange[] = [];
  for (const fact of after) {
    const id = factIdentity(fact);
    const old = previous.get(id);
    previous.delete(id);
    if (!old) changes.push({ change: 'added', ns: fact.ns, kind: fact.kind, key: fact.key, after: fact.attrs });
    else if (canonicalJson(old.attrs) !== canonicalJson(fact.attrs)) {
      changes.push({ change: 'changed', ns: fact.ns, kind: fact.kind, key: fact.key, before: old.attrs, after: fact.attrs });
    }
  }
  for (const old of previous.values()) changes.push({ change: 'removed', ns: old.ns, kind: old.kind, key: old.key, before: old.attrs });
  return changes.sort(compareFacts);
}
