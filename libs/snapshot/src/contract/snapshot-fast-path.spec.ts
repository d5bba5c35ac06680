import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { calicoSnapshot } from '../../test/calico-snapshot';
import { parseIpJsonAddresses, parseIpJsonLinks, parseIpJsonNeighbors, parseIpJsonRoutes } from '../parsers/ip-json-parser';
import { parseSysctlText } from '../parsers/text';
import { familyOf, isIpv4Address, isIpv6Address, isPrefix } from './address-syntax';
import { GENERATED_FILE, UPDATE_COMMAND, generateFastPath } from './fast-path-generator';
import { checkContractEntry, validateSnapshot } from './lazy-contract';
import { fastParseEntry, fastParseSnapshot, type ContractEntryKind } from './snapshot-fast-path';
import { addressSchema, linkSchema, neighborSchema, routeSchema, snapshotSchema, sysctlSchema, type NetworkNamespace, type Snapshot } from './snapshot-schema';
import { validateSnapshotWithZod } from './snapshot-validator';
import { SNAPSHOT_LIMITS } from './snapshot-constants';

/**
 * The zod-free fast path is generated from the zod schema: it must accept exactly what the zod
 * contract accepts, and return exactly what zod's parse returns (same values, same key order).
 */

const json = (base: string) => readFileSync(join(__dirname, '../../test/fixtures/json', `${base}.json`), 'utf8');
const text = (base: string) => readFileSync(join(__dirname, '../../test/fixtures/text', `${base}.txt`), 'utf8');

function namespaceFromFixtures(base: string, kind: 'host' | 'pod', name: string): NetworkNamespace {
  return {
    kind,
    name,
    links: parseIpJsonLinks(json(`${base}.link`)).entries,
    addresses: parseIpJsonAddresses(json(`${base}.addr`)).entries,
    routes: [...parseIpJsonRoutes(json(`${base}.route`), 'inet').entries, ...parseIpJsonRoutes(json(`${base}.route6`), 'inet6').entries],
    neighbors: parseIpJsonNeighbors(json(`${base}.neigh`)).entries,
    sysctls: kind === 'host' ? parseSysctlText(text(`${base}.sysctl-a`)).entries : [],
  };
}

/** A real node and two pods, from the captured fixtures, plus a warning. */
function labSnapshot(): Snapshot {
  return calicoSnapshot({
    namespaces: [namespaceFromFixtures('lab-node', 'host', 'host'), namespaceFromFixtures('lab-pod', 'pod', 'cni-1'), namespaceFromFixtures('lab-pod2', 'pod', 'cni-2')],
    warnings: [{ code: 'parse_warning', namespace: 'cni-1', message: 'ip neigh: something odd', line: 3 }],
    collector: { version: 'test', bootId: 'boot-1', seq: 0, source: 'collect', clockSkewMs: -1500 },
  });
}

/** zod's verdict and output next to the fast path's, for one document. */
function compare(input: unknown): { zodOk: boolean; fastOk: boolean; sameOutput: boolean } {
  const zod = snapshotSchema.safeParse(input);
  const fast = fastParseSnapshot(input);
  return { zodOk: zod.success, fastOk: fast !== undefined, sameOutput: fast === undefined || (zod.success && JSON.stringify(fast) === JSON.stringify(zod.data)) };
}

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  undefined, null, true, false, 0, -1, 1.5, 2 ** 24, 2 ** 24 + 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 32 + 1, 65535, 65536, 256, 257, 128, 129, 33,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, -0, '', 'x', 'X'.repeat(15), 'y'.repeat(16), 'z'.repeat(128), 'w'.repeat(129),
  'v'.repeat(253), 'u'.repeat(254), 'e'.repeat(2048), 'e'.repeat(2049), 'eth 0', 'eth/0', 'eth:0', 'default', 'host', 'pod', 'inet', 'inet6', 'collect', 'import',
  '10.0.0.1', '10.0.0.256', '010.0.0.1', '10.0.0.0/8', '10.0.0.0/33', '::', '::1', 'fe80::1', 'fe80::1%eth0', '::ffff:10.0.0.1', 'fd00::/64', 'fd00::/129',
  '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', ':::', 'g::1', '[::1]', 'ee:ee:ee:ee:ee:ee', 'EE:EE:EE:EE:EE:EE', 'ee:ee', 'e:ee:ee:ee:ee:ee', '10.99.0.11',
  'net/ipv4/ip_forward', 'net', 'kernel/panic', 'net//x', 'lower_snake', 'Upper', '2026-11-26T03:12:00.000Z', '2026-11-26T03:12:00Z', '2026-02-30T03:12:00.000Z',
  '2026-11-26T03:12:00.000+01:00', '6f1c1d8e-3c2a-4f51-9a53-0c1f3f7d2b10', '00000000-0000-0000-0000-000000000000', '6f1c1d8e-3c2a-0f51-9a53-0c1f3f7d2b10',
  SNAPSHOT_LIMITS.clockSkewMs, SNAPSHOT_LIMITS.clockSkewMs + 1, -SNAPSHOT_LIMITS.clockSkewMs, -SNAPSHOT_LIMITS.clockSkewMs - 1, -1500.5,
  [], ['a'], [1], Array.from({ length: 33 }, () => 'f'), {}, { extra: 1 }, 1,
  // Strings PostgreSQL cannot store, invisible characters, and sysctl paths that climb out.
  'a\u0000b', '\u0000', 'x\ud800', '\udc00y', '\ud83d\ude00', 'eth\u200b0', 'eth\u202e0', 'tab\there', 'é', '.', '..', 'net/ipv4/../x', 'net/./x', 'net/ipv4/conf/vxlan.calico/rp_filter',
  'net/ipv4/conf/eth#1/rp_filter', 'net/..', -(10 * 365 * 86_400_000), 10 * 365 * 86_400_000 + 1, '2026-11-26T03:12:00.0000000000000000000000000000000Z',
];

type Path = (string | number)[];

/** Paths to every value in a document (objects and arrays included). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

const pathCache = new WeakMap<object, Path[]>();

/** One random change somewhere in a copy of `doc`: a value replaced by an odd one, a key deleted or added. */
function mutate(doc: object, next: () => number, times = 1): unknown {
  let paths = pathCache.get(doc);
  if (!paths) pathCache.set(doc, (paths = pathsOf(doc).filter((p) => p.length > 0)));
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  for (let n = 0; n < times; n++) mutateAt(copy, paths[Math.floor(next() * paths.length)], next);
  return copy;
}

function mutateAt(copy: Record<string | number, unknown>, path: Path, next: () => number): void {
  let parent = copy;
  for (const k of path.slice(0, -1)) {
    const child = parent[k];
    if (child === null || typeof child !== 'object') return; // an earlier change removed the way there
    parent = child as Record<string | number, unknown>;
  }
  const key = path[path.length - 1];
  const roll = next();
  if (roll < 0.1 && !Array.isArray(parent)) delete parent[key];
  else if (roll < 0.2 && !Array.isArray(parent)) parent[['extra', 'via', '__proto__', 'name', 'kind', 'family'][Math.floor(next() * 6)]] = 'x';
  else parent[key] = structuredClone(ODD_VALUES[Math.floor(next() * ODD_VALUES.length)]);
}

describe('the contract fast path', () => {
  it(`is generated from the current schema (after a contract change run: ${UPDATE_COMMAND})`, () => {
    const file = join(__dirname, GENERATED_FILE);
    const generated = generateFastPath();
    if (process.env.ROUTESCOPE_UPDATE_CONTRACT === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });

  it.each([
    ['the hand-written Calico node', () => calicoSnapshot()],
    ['a host whose sections were not captured', () => calicoSnapshot({ namespaces: [{ kind: 'host', name: 'host' }] })],
    ['the captured lab node with two pods', labSnapshot],
    ['a host whose routes were pasted through grep (partial)', () => calicoSnapshot({ namespaces: [{ kind: 'host', name: 'host', routes: [], partial: ['routes', 'links'] }] })],
  ])('accepts %s and returns exactly what zod returns', (_label, make) => {
    const input = make();
    expect(compare(input)).toEqual({ zodOk: true, fastOk: true, sameOutput: true });
    // Keys in schema order, whatever the input's order: the output is byte-identical to zod's.
    const shuffled = JSON.parse(JSON.stringify(input, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));
    expect(JSON.stringify(fastParseSnapshot(shuffled))).toBe(JSON.stringify(snapshotSchema.parse(shuffled)));
  });

  it.each<[string, z.ZodType, RegExp]>([
    ['a refinement that is not a named rule of contract-rules.ts', z.strictObject({ a: z.string().refine((v) => v !== 'x') }), /link\.a: a refinement that is not a named rule/],
    ['a transform', z.strictObject({ a: z.string().transform((v) => v.trim()) }), /link\.a: zod type "pipe"/],
    ['an object that keeps unknown keys', z.object({ a: z.string() }), /link: an object that is not strict/],
    ['a string format it does not know', z.strictObject({ a: z.email() }), /link\.a: string format "email"/],
  ])('refuses to generate from %s rather than guess', (_label, schema, message) => {
    expect(() => generateFastPath({ link: schema })).toThrow(message);
  });

  it('keeps an optional key that is present but undefined, as zod does', () => {
    const input = calicoSnapshot({ kernel: undefined });
    expect('kernel' in (fastParseSnapshot(input) as object)).toBe(true);
    expect('kernel' in snapshotSchema.parse(input)).toBe(true);
  });

  it.each([
    ['the hand-written node', 3000, () => calicoSnapshot()],
    ['the captured lab node', 100, labSnapshot],
  ])('accepts exactly what zod accepts: %s, %i random mutations', (_label, runs, make) => {
    const base = make();
    const next = random(runs);
    const disagreements: unknown[] = [];
    let zodAccepted = 0;
    for (let i = 0; i < runs; i++) {
      const doc = mutate(base, next, i % 3 === 2 ? 2 : 1);
      const result = compare(doc);
      if (result.zodOk) zodAccepted++;
      if (result.fastOk !== result.zodOk || !result.sameOutput) disagreements.push(doc);
    }
    expect(disagreements.slice(0, 3)).toEqual([]);
    // Both verdicts occur, so the agreement is not that of two validators rejecting everything.
    expect(zodAccepted).toBeGreaterThan(runs / 20);
    expect(zodAccepted).toBeLessThan(runs);
  });

  it('enforces the cross-field rules', () => {
    const cases: Array<(s: Snapshot) => void> = [
      (s) => (s.namespaces[1].kind = 'host'),
      (s) => (s.namespaces[1].name = 'host'),
      (s) => (s.namespaces[0].name = 'node'),
      (s) => (s.namespaces[1].name = s.namespaces[0].name),
      (s) => (s.namespaces = [s.namespaces[1]]),
      (s) => (s.namespaces[1].addresses![0].family = 'inet6'),
      (s) => (s.namespaces[1].addresses![0].prefixlen = 33),
      (s) => (s.namespaces[0].routes![1].dst = 'fd00::/64'),
      (s) => (s.namespaces[0].neighbors![0].family = 'inet6'),
      (s) => (s.namespaces[0].partial = ['routes', 'rules' as 'routes']),
    ];
    for (const change of cases) {
      const doc = calicoSnapshot();
      change(doc);
      expect(compare(doc)).toEqual({ zodOk: false, fastOk: false, sameOutput: true });
    }
  });

  it('agrees with zod on every entry the parsers produce from the captured fixtures', () => {
    const schemas: Record<ContractEntryKind, z.ZodType> = { link: linkSchema, address: addressSchema, route: routeSchema, neighbor: neighborSchema, sysctl: sysctlSchema };
    const lab = labSnapshot();
    const entries: Array<[ContractEntryKind, unknown]> = lab.namespaces.flatMap((ns) => [
      ...(ns.links ?? []).map((e) => ['link', e] as [ContractEntryKind, unknown]),
      ...(ns.addresses ?? []).map((e) => ['address', e] as [ContractEntryKind, unknown]),
      ...(ns.routes ?? []).map((e) => ['route', e] as [ContractEntryKind, unknown]),
      ...(ns.neighbors ?? []).map((e) => ['neighbor', e] as [ContractEntryKind, unknown]),
      ...(ns.sysctls ?? []).map((e) => ['sysctl', e] as [ContractEntryKind, unknown]),
    ]);
    expect(entries.length).toBeGreaterThan(100);
    for (const [kind, entry] of entries) {
      expect({ kind, fast: JSON.stringify(fastParseEntry(kind, entry)) }).toEqual({ kind, fast: JSON.stringify(schemas[kind].parse(entry)) });
    }
  });

  it('leaves the wording of a rejected entry to zod, with zod’s issues', () => {
    const bad = { ifindex: 1, name: 'a-very-long-ifname', flags: [] };
    expect(fastParseEntry('link', bad)).toBeUndefined();
    const checked = checkContractEntry('link', bad);
    const zod = linkSchema.safeParse(bad);
    expect(checked).toEqual({ ok: false, issues: zod.error!.issues.map((i) => ({ path: i.path, message: i.message })) });
  });

  it.each([
    ['the nil UUID', { snapshotId: '00000000-0000-0000-0000-000000000000' }],
    ['a takenAt with an offset and nanoseconds', { takenAt: '2026-11-26T05:12:00.123456789+02:00' }],
    ['a takenAt without fractions', { takenAt: '2026-11-26T03:12:00Z' }],
  ])('accepts valid but unusual input as zod does: %s', (_label, change) => {
    expect(compare(calicoSnapshot(change))).toEqual({ zodOk: true, fastOk: true, sameOutput: true });
  });

  it('validateSnapshot (what the API and the collector call) answers as the zod schema does, issues included, on 1000 random documents', () => {
    const next = random(7);
    const [small, lab] = [calicoSnapshot(), labSnapshot()];
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const doc = mutate(i % 20 === 0 ? lab : small, next, 1 + (i % 3));
      const answer = validateSnapshot(doc);
      if (!answer.ok) rejected++;
      expect(answer).toEqual(validateSnapshotWithZod(doc));
    }
    expect(rejected).toBeGreaterThan(100);
    expect(rejected).toBeLessThan(1000);
  });
});

describe('address syntax without zod', () => {
  const next = random(42);
  const alphabet = '0123456789abcdefABCDEFgx:.%/ [@\\\t';
  const generated = Array.from({ length: 3000 }, () => Array.from({ length: 1 + Math.floor(next() * 24) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
  const corpus = [
    ...ODD_VALUES.filter((v): v is string => typeof v === 'string'),
    ...generated,
    '0.0.0.0', '255.255.255.255', '256.0.0.0', '1.2.3', '1.2.3.4.5', '1.2.3.04', ' 1.2.3.4', '1.2.3.4 ', '::ffff:1.2.3.4', '::1.2.3.4', '1::', '1::2::3', 'fe80::',
    '2001:db8::', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0:0:0:2:1', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1\n', '::@1', ':', '::ffff:256.1.1.1',
  ];

  it('accepts exactly what z.ipv4() and z.ipv6() accept', () => {
    const ipv4 = z.ipv4();
    const ipv6 = z.ipv6();
    const disagreements = corpus.filter((v) => isIpv4Address(v) !== ipv4.safeParse(v).success || isIpv6Address(v) !== ipv6.safeParse(v).success);
    expect(disagreements).toEqual([]);
  });

  it('classifies families and prefixes as before (z.ipv6() for anything with a colon)', () => {
    const ipv6 = z.ipv6();
    const before = (v: string) => (isIpv4Address(v) ? 'inet' : v.includes(':') && ipv6.safeParse(v).success ? 'inet6' : undefined);
    expect(corpus.filter((v) => familyOf(v) !== before(v))).toEqual([]);
    expect(['10.0.0.0/8', '10.0.0.1', 'fd00::/64', '::/0', '0.0.0.0/0'].every(isPrefix)).toBe(true);
    expect(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', 'default', '10.0.0.0/', '10.0.0.0/0x1'].some(isPrefix)).toBe(false);
  });
});
