import fc from 'fast-check';
import { diffAgainstCanonical } from '@routescope/diff';
import { canonicalJson, factIdentity, type Fact } from '@routescope/snapshot';
import { snapshotDelta, type OpenRow } from './history-generator';

const neighbor = (key: string, state: string): Fact => ({ ns: 'host', kind: 'neighbor', key, attrs: { dev: 'eth0', state } });
const rows = (facts: readonly Fact[]): Map<string, OpenRow> => new Map(facts.map((fact) => [factIdentity(fact), { id: factIdentity(fact), attrs: canonicalJson(fact.attrs), validFrom: 0, fact }]));

/** The churn model's deltas within one snapshot interval, folded as the generator's sink folds them. */
function fold(deltas: ReadonlyArray<{ closed: readonly Fact[]; opened: readonly Fact[] }>): Map<string, Fact | undefined> {
  const touched = new Map<string, Fact | undefined>();
  for (const delta of deltas) {
    for (const fact of delta.closed) touched.set(factIdentity(fact), undefined);
    for (const fact of delta.opened) touched.set(factIdentity(fact), fact);
  }
  return touched;
}

describe("the history generator's per-snapshot delta", () => {
  it('writes nothing for a fact closed and reopened with the same value within one snapshot, and one change for another value', () => {
    const open = rows([neighbor('a', 'reachable'), neighbor('b', 'reachable')]);
    const delta = snapshotDelta(open, fold([{ closed: [neighbor('a', 'reachable'), neighbor('b', 'reachable')], opened: [] }, { closed: [], opened: [neighbor('a', 'reachable'), neighbor('b', 'failed')] }]));
    expect({ close: delta.close, open: delta.open.map((f) => f.key), changes: delta.changes }).toEqual({ close: [factIdentity(neighbor('b', ''))], open: ['b'], changes: 1 });
  });

  it("is ingest's delta of the whole state, for any churn within a snapshot", () => {
    const fact = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.constantFrom('reachable', 'stale', 'failed')).map(([key, state]) => neighbor(key, state));
    const state = fc.uniqueArray(fact, { selector: factIdentity, maxLength: 5 });
    const churn = fc.array(fc.record({ closed: fc.array(fact, { maxLength: 3 }), opened: fc.uniqueArray(fact, { selector: factIdentity, maxLength: 3 }) }), { maxLength: 4 });
    fc.assert(
      fc.property(state, churn, (facts, deltas) => {
        const open = rows(facts);
        const touched = fold(deltas);
        const whole = new Map(facts.map((f) => [factIdentity(f), f as Fact | undefined]));
        for (const [id, f] of touched) whole.set(id, f);
        const expected = diffAgainstCanonical(open, [...whole.values()].filter((f): f is Fact => f !== undefined));
        const delta = snapshotDelta(open, touched);
        expect({ close: [...delta.close].sort(), open: delta.open.map(factIdentity).sort(), changes: delta.changes }).toEqual({
          close: [...expected.close].sort(),
          open: expected.open.map(factIdentity).sort(),
          changes: expected.changes,
        });
      }),
    );
  });
});
