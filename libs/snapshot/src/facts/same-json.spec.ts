import fc from 'fast-check';
import { canonicalJson, sameJson } from './fact-hash';
import type { FactValue } from './fact-normaliser';

/** A deep copy with every object's keys in reverse order (as jsonb hands rows back in another order). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reordered((value as Record<string, unknown>)[key])]));
}

/** The same value with one leaf or key changed somewhere (when it has one). */
const mutated = (value: unknown, path: number): unknown => {
  if (Array.isArray(value)) return value.length === 0 ? [0] : value.map((v, i) => (i === path % value.length ? mutated(v, Math.floor(path / 2)) : v));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return { k: 1 };
    const key = keys[path % keys.length];
    return path % 3 === 0 ? { ...value, [`${key}_`]: (value as Record<string, unknown>)[key] } : { ...value, [key]: mutated((value as Record<string, unknown>)[key], Math.floor(path / 3)) };
  }
  return typeof value === 'string' ? `${value}x` : typeof value === 'number' ? value + 1 : value === null ? 0 : !value;
};

const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const same = (a: unknown, b: unknown) => canonicalJson(a as FactValue) === canonicalJson(b as FactValue);

describe('sameJson', () => {
  it('says what comparing canonicalJson says: for reordered copies, changed copies and unrelated values', () => {
    fc.assert(
      fc.property(json, json, fc.nat(), (a, b, path) => {
        for (const [x, y] of [
          [a, reordered(a)],
          [a, mutated(a, path)],
          [reordered(a), mutated(a, path)],
          [a, b],
        ]) {
          expect({ x, y, same: sameJson(x, y) }).toEqual({ x, y, same: same(x, y) });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('treats a key whose value is undefined as absent, as the stored JSON has it', () => {
    expect(sameJson({ dev: 'eth0', via: undefined }, { dev: 'eth0' })).toBe(true);
    expect(sameJson({ dev: 'eth0' }, { dev: 'eth0', via: undefined })).toBe(true);
    expect(sameJson({ dev: 'eth0', via: undefined }, { dev: 'eth0', via: null })).toBe(false);
  });

  it('tells arrays from objects and order within arrays', () => {
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: [{ b: 1, c: 2 }] }, { a: [{ c: 2, b: 1 }] })).toBe(true);
    expect(sameJson(new Date(0), new Date(0))).toBe(true);
    expect(sameJson(new Date(0), new Date(1))).toBe(false);
  });
});
