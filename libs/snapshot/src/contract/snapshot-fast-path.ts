import { isIpAddress, isPrefix } from './address-syntax';
import {
  ADDRESS_FAMILIES,
  HW_ADDRESS_PATTERN,
  IFNAME_MAX_LENGTH,
  IFNAME_PATTERN,
  MAX_REPORTED_CLOCK_SKEW_MS,
  NODE_NAME_PATTERN,
  ROUTE_DESTINATION_MAX_LENGTH,
  SCHEMA_VERSION,
  SNAPSHOT_LIMITS as L,
  SYSCTL_PATH_PATTERN,
  WARNING_CODE_MAX_LENGTH,
  WARNING_CODE_PATTERN,
} from './snapshot-constants';
import type { Address, Link, Neighbor, Route, Snapshot, Sysctl } from './snapshot-schema';

/**
 * The v1 contract (snapshot-schema.ts) without zod, for code that validates what it produces
 * itself: the parsers and the collector, which would otherwise pay for loading zod on every
 * run. `fastParse*` returns what the zod schema's parse returns (the same value, keys in
 * schema order; the input itself when it is already in that form) when it can vouch that the
 * schema accepts the value, and `undefined` otherwise — for invalid input, and also for
 * anything merely unusual. Callers then ask the zod schema (lazy-contract.ts), so zod stays
 * the authority on every rejection and every error message; this mirror only has to be
 * sound: never accept what the schema rejects.
 * snapshot-fast-path.spec.ts holds it to that, and fingerprints the schema so that a change
 * to the contract fails until this file is reviewed with it.
 */

const FAIL: unique symbol = Symbol('fail');
type Check = (value: unknown) => unknown;

interface Field {
  key: string;
  check: Check;
  optional: boolean;
}

const required = (key: string, check: Check): Field => ({ key, check, optional: false });
const optional = (key: string, check: Check): Field => ({ key, check, optional: true });

function string(min: number, max: number, pattern?: RegExp): Check {
  return (v) => (typeof v === 'string' && v.length >= min && v.length <= max && (pattern === undefined || pattern.test(v)) ? v : FAIL);
}

/** `z.number().int().min(0).max(max)`: a safe integer in [0, max]. */
function uint(max: number = Number.MAX_SAFE_INTEGER): Check {
  return (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : FAIL);
}

function oneOf(values: readonly unknown[]): Check {
  return (v) => (values.includes(v) ? v : FAIL);
}

/** `z.number().int().min(min).max(max)` for a range inside the safe integers. */
function int(min: number, max: number): Check {
  return (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : FAIL);
}

const boolean: Check = (v) => (typeof v === 'boolean' ? v : FAIL);

/** The array itself when every item came back unchanged, else a copy, as zod's would be. */
function array(item: Check, min: number, max: number): Check {
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
function strictObject(fields: Field[]): Check {
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

const shortString = string(1, L.shortStringLength);
const name = string(1, L.nameLength);
const ifname = string(1, IFNAME_MAX_LENGTH, IFNAME_PATTERN);
const flags = array(shortString, 0, L.flagsPerEntry);
const ipAddress: Check = (v) => (typeof v === 'string' && isIpAddress(v) ? v : FAIL);
const hwAddress = string(0, Infinity, HW_ADDRESS_PATTERN);
const routeDestination: Check = (v) =>
  typeof v === 'string' && v.length <= ROUTE_DESTINATION_MAX_LENGTH && (v === 'default' || isPrefix(v)) ? v : FAIL;
const redacted = optional('redacted', array(shortString, 0, 16));
const family = oneOf(ADDRESS_FAMILIES);

const link = strictObject([
  required('ifindex', uint(2 ** 31)),
  required('name', ifname),
  optional('kind', shortString),
  optional('mac', hwAddress),
  optional('mtu', uint(65536 * 4)),
  optional('operState', shortString),
  required('flags', flags),
  optional('master', ifname),
  optional('peerIfindex', uint(2 ** 31)),
  optional('peerName', ifname),
  optional('linkNetnsId', uint(2 ** 31)),
  optional('linkNetns', name),
  optional(
    'vxlan',
    strictObject([
      optional('id', uint(2 ** 24)),
      optional('local', ipAddress),
      optional('dev', ifname),
      optional('port', uint(65535)),
      optional('learning', boolean),
    ]),
  ),
  redacted,
]);

const address = strictObject([
  required('dev', ifname),
  required('family', family),
  required('local', ipAddress),
  required('prefixlen', uint(128)),
  optional('scope', shortString),
  optional('broadcast', ipAddress),
  optional('peer', ipAddress),
  optional('label', shortString),
  required('flags', flags),
  optional('validLifetime', uint()),
  optional('preferredLifetime', uint()),
  redacted,
]);

const nexthop = strictObject([optional('gateway', ipAddress), optional('dev', ifname), optional('weight', uint(256)), required('flags', flags)]);

const route = strictObject([
  required('family', family),
  required('table', shortString),
  required('type', shortString),
  required('dst', routeDestination),
  optional('gateway', ipAddress),
  optional('dev', ifname),
  optional('protocol', shortString),
  optional('scope', shortString),
  optional('prefsrc', ipAddress),
  optional('metric', uint(2 ** 32)),
  optional('tos', shortString),
  required('flags', flags),
  optional('pref', shortString),
  optional('mtu', uint(65536 * 4)),
  optional('nexthops', array(nexthop, 0, 64)),
  optional('expires', uint()),
  redacted,
]);

const neighbor = strictObject([
  required('family', family),
  required('dst', ipAddress),
  required('dev', ifname),
  optional('lladdr', hwAddress),
  required('state', flags),
  optional('router', boolean),
  optional('proxy', boolean),
  redacted,
]);

const sysctl = strictObject([required('path', string(1, L.nameLength, SYSCTL_PATH_PATTERN)), required('value', string(0, L.shortStringLength))]);

const warning = strictObject([
  required('code', string(0, WARNING_CODE_MAX_LENGTH, WARNING_CODE_PATTERN)),
  required('message', string(1, L.messageLength)),
  optional('namespace', name),
  optional('line', uint()),
]);

const section = (entry: Check) => array(entry, 0, L.entriesPerSection);

const namespace = strictObject([
  required('kind', oneOf(['host', 'pod'])),
  required('name', name),
  optional('hostVeth', ifname),
  optional('netnsId', uint(2 ** 31)),
  optional('links', section(link)),
  optional('addresses', section(address)),
  optional('routes', section(route)),
  optional('neighbors', section(neighbor)),
  optional('sysctls', section(sysctl)),
]);

/**
 * A subset of what `z.uuid()` accepts (RFC 9562 versions 1-8, variant 10xx), and of what
 * `z.iso.datetime({ offset: true })` accepts: the canonical UTC form Date#toISOString prints.
 * Anything else (the nil UUID, an offset like +02:00) is left to zod.
 */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const uuid = string(0, Infinity, UUID);
const takenAt: Check = (v) => (typeof v === 'string' && ISO_UTC.test(v) && isCanonicalDate(v) ? v : FAIL);

function isCanonicalDate(text: string): boolean {
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text;
}

const snapshotObject = strictObject([
  required('schemaVersion', oneOf([SCHEMA_VERSION])),
  required('snapshotId', uuid),
  required('node', string(1, L.nameLength, NODE_NAME_PATTERN)),
  required(
    'collector',
    strictObject([
      required('version', shortString),
      required('bootId', shortString),
      required('seq', uint(Number.MAX_SAFE_INTEGER)),
      required('source', oneOf(['collect', 'import'])),
      optional('clockSkewMs', int(-MAX_REPORTED_CLOCK_SKEW_MS, MAX_REPORTED_CLOCK_SKEW_MS)),
    ]),
  ),
  required('takenAt', takenAt),
  optional('kernel', shortString),
  optional('iproute2', shortString),
  required('namespaces', array(namespace, 1, L.namespacesPerSnapshot)),
  required('warnings', array(warning, 0, L.warningsPerSnapshot)),
]);

/**
 * The cross-field rules of the schema's superRefine, all of which must hold. They run on a
 * document whose fields already passed, so every address and every route destination other
 * than `default` is valid, and its family is told by a colon (what familyOf would say).
 */
function crossFieldRulesHold(snapshot: Snapshot): boolean {
  const familyOfValid = (address: string) => (address.includes(':') ? 'inet6' : 'inet');
  let hosts = 0;
  const names = new Set<string>();
  for (const ns of snapshot.namespaces) {
    if (ns.kind === 'host') hosts++;
    if (names.has(ns.name)) return false;
    names.add(ns.name);
    if ((ns.kind === 'host') !== (ns.name === 'host')) return false;
    for (const a of ns.addresses ?? []) {
      if (familyOfValid(a.local) !== a.family) return false;
      if (a.prefixlen > (a.family === 'inet' ? 32 : 128)) return false;
    }
    for (const r of ns.routes ?? []) {
      if (r.dst !== 'default' && familyOfValid(r.dst) !== r.family) return false;
    }
    for (const n of ns.neighbors ?? []) {
      if (familyOfValid(n.dst) !== n.family) return false;
    }
  }
  return hosts === 1;
}

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

/** The entry schema's parse result when this mirror can vouch for `value`; undefined means "ask zod". */
export function fastParseEntry<K extends ContractEntryKind>(kind: K, value: unknown): ContractEntries[K] | undefined {
  const r = entries[kind](value);
  return r === FAIL ? undefined : (r as ContractEntries[K]);
}

/** `snapshotSchema`'s parse result when this mirror can vouch for `value`; undefined means "ask zod". */
export function fastParseSnapshot(value: unknown): Snapshot | undefined {
  const r = snapshotObject(value);
  if (r === FAIL) return undefined;
  const snapshot = r as Snapshot;
  return crossFieldRulesHold(snapshot) ? snapshot : undefined;
}
