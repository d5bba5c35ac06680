import { isIpv6Address } from './address-syntax';
import { SNAPSHOT_RULES, STRING_RULES, type SnapshotRuleName, type StringRuleName } from './contract-rules';
import type { Snapshot } from './snapshot-schema';

/**
 * The building blocks of the generated fast path (snapshot-fast-path.generated.ts): each one
 * does what the zod construct of the same name does to a value, without zod, and without
 * wording issues. A check returns what zod's parse would return (the same value, object keys in
 * schema order; the input itself when it is already in that form), or FAIL where zod would
 * report any issue. fast-path-generator.ts knows which zod construct maps to which block.
 */

export const FAIL: unique symbol = Symbol('fail');
export type Check = (value: unknown) => unknown;
type StringTest = (value: string) => boolean;

export interface Field {
  key: string;
  check: Check;
  optional: boolean;
}

export const required = (key: string, check: Check): Field => ({ key, check, optional: false });
export const optional = (key: string, check: Check): Field => ({ key, check, optional: true });

/** A `string_format` check's pattern (zod resets lastIndex first; none of the contract's patterns is global). */
export const matches = (pattern: RegExp): StringTest => (value) => pattern.test(value);
/** A named rule of contract-rules.ts. */
export const rule = (name: StringRuleName): StringTest => {
  const reasonOf = STRING_RULES[name];
  return (value) => reasonOf(value) === undefined;
};
/** zod's `ipv6` format, which is a URL parse rather than a pattern. */
export const ipv6Syntax: StringTest = isIpv6Address;

/** `z.string()` with min/max length and its other checks. */
export function string(min: number, max: number, tests: readonly StringTest[]): Check {
  return (v) => {
    if (typeof v !== 'string' || v.length < min || v.length > max) return FAIL;
    for (const test of tests) if (!test(v)) return FAIL;
    return v;
  };
}

export type Bound = readonly ['>=' | '>' | '<=' | '<', number];

/** `z.number()` (finite), `.int()` (a safe integer) and its bounds. */
export function number(safeInteger: boolean, bounds: readonly Bound[]): Check {
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (safeInteger && !Number.isSafeInteger(v))) return FAIL;
    for (const [op, limit] of bounds) {
      if (op === '>=' ? v < limit : op === '>' ? v <= limit : op === '<=' ? v > limit : v >= limit) return FAIL;
    }
    return v;
  };
}

/** `z.literal(...)` and `z.enum(...)`. */
export function oneOf(values: readonly unknown[]): Check {
  return (v) => (values.includes(v) ? v : FAIL);
}

export const boolean: Check = (v) => (typeof v === 'boolean' ? v : FAIL);

/** `z.union(...)`: the first option that accepts. */
export function union(options: readonly Check[]): Check {
  return (v) => {
    for (const option of options) {
      const r = option(v);
      if (r !== FAIL) return r;
    }
    return FAIL;
  };
}

/** `.optional()` outside an object (inside one, the field is marked optional instead). */
export function optionalValue(check: Check): Check {
  return (v) => (v === undefined ? v : check(v));
}

/** `z.array(item)` with min/max length: the array itself when every item came back unchanged, else a copy, as zod's would be. */
export function array(item: Check, min: number, max: number): Check {
  return (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return FAIL;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const r = item(v[i]);
      if (r === FAIL) return FAIL;
      if (r !== v[i]) out ??= v.slice(0, i);
      out?.push(r);
    }
    return out ?? v;
  };
}

/** An object literal or JSON.parse result (of any realm): nothing inherited but Object.prototype. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * `z.strictObject(shape)`: no unknown key, every field valid. zod's output has the keys in
 * shape order; an input that already has them in that order (and values that came back
 * unchanged) is returned as it is, anything else as a copy in shape order. Only the keys
 * present are visited, which is what keeps this cheap for the sparse entries ip(8) gives.
 */
export function strictObject(fields: readonly Field[]): Check {
  const byKey = new Map(fields.map((field, index) => [field.key, { ...field, index }]));
  const requiredCount = fields.filter((f) => !f.optional).length;
  return (v) => {
    if (!isPlainObject(v)) return FAIL;
    let required = 0;
    let last = -1;
    let asIs = true;
    let changed: Record<string, unknown> | undefined;
    for (const key in v) {
      const field = byKey.get(key);
      if (field === undefined) return FAIL;
      const value = v[key];
      if (value === undefined) {
        // zod keeps an optional key that is present with the value undefined.
        if (!field.optional) return FAIL;
      } else {
        const r = field.check(value);
        if (r === FAIL) return FAIL;
        if (r !== value) (changed ??= {})[key] = r;
        if (!field.optional) required++;
      }
      if (field.index < last) asIs = false;
      last = field.index;
    }
    if (required !== requiredCount) return FAIL;
    if (asIs && changed === undefined) return v;
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (!(field.key in v)) continue;
      out[field.key] = changed !== undefined && field.key in changed ? changed[field.key] : v[field.key];
    }
    return out;
  };
}

/** A snapshot rule of contract-rules.ts, on a document whose fields passed. */
export function withSnapshotRule(check: Check, name: SnapshotRuleName): Check {
  const issuesOf = SNAPSHOT_RULES[name];
  return (v) => {
    const r = check(v);
    return r === FAIL || issuesOf(r as Snapshot).length > 0 ? FAIL : r;
  };
}
