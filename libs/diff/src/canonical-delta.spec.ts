import fc from 'fast-check';
import { canonicaliseFacts, canonicalJson, factIdentity, type Fact, type FactAttributes } from '@routescope/snapshot';
import { diffAgainstCanonical, diffFacts, type CanonicalDelta, type CanonicalFact } from './fact-diff';

const route = (key: string, attrs: FactAttributes): Fact => ({ ns: 'host', kind: 'route', key, attrs });

/** A state as the write path holds it; each row's id is its identity, so closes are readable. */
function held(facts: readonly Fact[]): Map<string, CanonicalFact<string>> {
  return new Map(facts.map((fact) => [factIdentity(fact), { id: factIdentity(fact), attrs: canonicalJson(fact.attrs) }]));
}

/** What the store does with a delta: end the closed rows, begin the opened facts. */
function apply(state: ReadonlyMap<string, CanonicalFact<string>>, delta: CanonicalDelta<string>): Map<string, string> {
  const closed = new Set(delta.close);
  const next = new Map<string, string>();
  for (const [id, row] of state) if (!closed.has(row.id)) next.set(id, row.attrs);
  delta.open.forEach((fact, i) => next.set(factIdentity(fact), delta.openAttrs[i]));
  return next;
}

const valueOf = (facts: readonly Fact[]) => new Map(facts.map((fact) => [factIdentity(fact), canonicalJson(fact.attrs)]));

// Few namespaces, kinds, keys and values, so that random pairs share many facts, change some
// attributes and reorder others (attribute order must never count as a change).
const attrs = fc
  .uniqueArray(fc.tuple(fc.constantFrom('dev', 'scope', 'mtu', 'lladdr'), fc.oneof(fc.constantFrom('eth0', 'eth1', 'link'), fc.constantFrom(1440, 1500), fc.boolean())), {
    selector: ([name]) => name,
    maxLength: 3,
  })
  .map((entries) => Object.fromEntries(entries) as FactAttributes);
const fact = fc.record({ ns: fc.constantFrom('host', 'pod:a', 'pod:b'), kind: fc.constantFrom('link', 'route', 'neighbor' as const), key: fc.constantFrom('a', 'b', 'c', 'd'), attrs });
const state = fc.uniqueArray(fact, { selector: factIdentity, maxLength: 24 }) as fc.Arbitrary<Fact[]>;
/** b derived from a: some facts kept (attributes reordered), some changed, some dropped, some new. */
const pair = fc.tuple(state, state, fc.array(fc.constantFrom('keep', 'reorder', 'drop'), { maxLength: 24 })).map(([a, extra, fates]) => {
  const b: Fact[] = [];
  a.forEach((f, i) => {
    const fate = fates[i] ?? 'keep';
    if (fate === 'keep') b.push(f);
    if (fate === 'reorder') b.push({ ...f, attrs: Object.fromEntries(Object.entries(f.attrs).reverse()) });
  });
  const taken = new Set(b.map(factIdentity));
  for (const f of extra) if (!taken.has(factIdentity(f))) b.push(f);
  return [a, b] as const;
});

describe('the write path delta (diffAgainstCanonical)', () => {
  it('closes changed and vanished facts, opens changed and new ones, and counts each change once', () => {
    const current = new Map<string, CanonicalFact>([
      [factIdentity(route('same', {})), { id: 1n, attrs: canonicalJson({ dev: 'eth0' }) }],
      [factIdentity(route('changed', {})), { id: 2n, attrs: canonicalJson({ dev: 'eth0' }) }],
      [factIdentity(route('gone', {})), { id: 3n, attrs: canonicalJson({ dev: 'eth0' }) }],
    ]);
    const delta = diffAgainstCanonical(current, [route('same', { dev: 'eth0' }), route('changed', { dev: 'eth1' }), route('new', { dev: 'eth0' })]);
    expect(delta.close).toEqual([2n, 3n]);
    expect(delta.open.map((f) => f.key)).toEqual(['changed', 'new']);
    expect(delta.openAttrs).toEqual(['{"dev":"eth1"}', '{"dev":"eth0"}']);
    expect(delta.changes).toBe(3);
  });

  it('sees the same attributes in another key order as unchanged', () => {
    const delta = diffAgainstCanonical(held([route('a', { scope: 'link', dev: 'eth0' })]), [route('a', { dev: 'eth0', scope: 'link' })]);
    expect(delta).toEqual({ close: [], open: [], openAttrs: [], changes: 0 });
  });

  it('opens every fact of a node seen for the first time', () => {
    const delta = diffAgainstCanonical(new Map(), [route('a', { dev: 'eth0' }), route('b', { dev: 'eth1' })]);
    expect({ close: delta.close, open: delta.open.length, changes: delta.changes }).toEqual({ close: [], open: 2, changes: 2 });
  });

  it('applied to a state, gives the next state', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(apply(held(a), diffAgainstCanonical(held(a), b))).toEqual(valueOf(b));
      }),
    );
  });

  it('nets per fact without losing a change: every differing fact is counted once and touched, no equal fact is touched', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const before = valueOf(a);
        const after = valueOf(b);
        const differing = [...new Set([...before.keys(), ...after.keys()])].filter((id) => before.get(id) !== after.get(id)).sort();
        const delta = diffAgainstCanonical(held(a), b);
        const opened = delta.open.map(factIdentity);
        expect(new Set(delta.close).size).toBe(delta.close.length);
        expect(new Set(opened).size).toBe(opened.length);
        expect([...new Set([...delta.close, ...opened])].sort()).toEqual(differing);
        expect(delta.changes).toBe(differing.length);
      }),
    );
  });

  it('gives the same delta with the canonical attributes canonicaliseFacts already made', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(diffAgainstCanonical(held(a), b, canonicaliseFacts(b).attrs)).toEqual(diffAgainstCanonical(held(a), b));
      }),
    );
  });

  it('agrees with diffFacts on every pair: added opens, removed closes, changed does both', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const delta = diffAgainstCanonical(held(a), b);
        const changes = diffFacts(a, b);
        const ids = (kinds: string[]) =>
          changes
            .filter((c) => kinds.includes(c.change))
            .map((c) => factIdentity(c))
            .sort();
        expect([...delta.close].sort()).toEqual(ids(['removed', 'changed']));
        expect(delta.open.map(factIdentity).sort()).toEqual(ids(['added', 'changed']));
        expect(delta.changes).toBe(changes.length);
      }),
    );
  });
});

describe('the read side diff (diffFacts) on random pairs', () => {
  it('finds nothing between a state and itself, and the mirror image between b and a', () => {
    const mirror = { added: 'removed', removed: 'added', changed: 'changed' } as const;
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(diffFacts(a, a)).toEqual([]);
        const forward = diffFacts(a, b).map((c) => `${mirror[c.change]} ${factIdentity(c)}`);
        expect(diffFacts(b, a).map((c) => `${c.change} ${factIdentity(c)}`)).toEqual(forward);
      }),
    );
  });
});
