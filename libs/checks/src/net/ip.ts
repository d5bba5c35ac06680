import { canonicalPrefix } from '@routescope/snapshot';

/**
 * Just enough address arithmetic for the rules: parse IPv4/IPv6 addresses and prefixes,
 * containment, and the block an address falls in. Values are bigints so both families share
 * one code path. Nothing here throws: text that is not an address gives `undefined`.
 */
export type Family = 'inet' | 'inet6';

export interface Ip {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** the network address (host bits cleared) */
  network: bigint;
  prefixlen: number;
  /** canonical text, `172.17.8.0/26`, `fd00::/122` */
  text: string;
}

const bits = (family: Family) => (family === 'inet' ? 32 : 128);

/**
 * Parsed addresses and prefixes, by text. The same few thousand texts (block CIDRs, node and pod
 * addresses) come back for every node and every evaluation, so each is parsed once. Results are
 * frozen and shared: callers never modify them. Bounded; simply restarts when full.
 */
const PARSED_IPS = new Map<string, Ip | undefined>();
const PARSED_CIDRS = new Map<string, Cidr | undefined>();
const PARSE_CACHE_LIMIT = 100_000;

function remember<T>(cache: Map<string, T>, text: string, value: T): T {
  if (cache.size >= PARSE_CACHE_LIMIT) cache.clear();
  cache.set(text, value);
  return value;
}

export function parseIp(text: string): Ip | undefined {
  const known = PARSED_IPS.get(text);
  if (known !== undefined || PARSED_IPS.has(text)) return known;
  const ip = parseIpUncached(text);
  return remember(PARSED_IPS, text, ip && Object.freeze(ip));
}

function parseIpUncached(text: string): Ip | undefined {
  if (text.includes(':')) {
    const groups = expandIpv6(text.toLowerCase());
    if (!groups) return undefined;
    return { family: 'inet6', value: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 'inet', value: BigInt(value) };
}

/** Dotted quad → 32-bit number: four groups of 1–3 digits, each ≤ 255 (leading zeros allowed, as before). */
function parseIpv4(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return value * 256 + part;
}

/** `a.b.c.d/n`, `a.b.c.d` (a host route), IPv6 likewise. */
export function parseCidr(text: string): Cidr | undefined {
  const known = PARSED_CIDRS.get(text);
  if (known !== undefined || PARSED_CIDRS.has(text)) return known;
  const cidr = parseCidrUncached(text);
  return remember(PARSED_CIDRS, text, cidr && Object.freeze(cidr));
}

function parseCidrUncached(text: string): Cidr | undefined {
  const [address, length, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const prefixlen = length === undefined ? bits(ip.family) : /^\d{1,3}$/.test(length) ? Number(length) : NaN;
  if (!(prefixlen >= 0 && prefixlen <= bits(ip.family))) return undefined;
  return networkOf(ip, prefixlen);
}

/** The prefix of length `prefixlen` that contains `ip`. */
export function networkOf(ip: Ip, prefixlen: number): Cidr {
  const width = BigInt(bits(ip.family));
  const hostBits = width - BigInt(prefixlen);
  const network = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, network, prefixlen, text: `${formatIp({ family: ip.family, value: network })}/${prefixlen}` };
}

export function formatIp(ip: Ip): string {
  if (ip.family === 'inet') {
    const v = Number(ip.value & 0xffffffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((ip.value >> shift) & 0xffffn).toString(16));
  return canonicalPrefix(groups.join(':'));
}

export function cidrContainsIp(cidr: Cidr, ip: Ip): boolean {
  return cidr.family === ip.family && networkOf(ip, cidr.prefixlen).network === cidr.network;
}

/** True when `outer` contains every address of `inner` (equal prefixes included). */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefixlen <= inner.prefixlen && networkOf({ family: inner.family, value: inner.network }, outer.prefixlen).network === outer.network;
}

/** Host prefix length of a family: 32 or 128. */
export function hostPrefixlen(family: Family): number {
  return bits(family);
}

function expandIpv6(address: string): number[] | undefined {
  let text = address;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const ip = parseIp(v4[1]);
    if (!ip) return undefined;
    tail = [Number(ip.value >> 16n), Number(ip.value & 0xffffn)];
    text = text.slice(0, v4.index);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...rest].some(Number.isNaN)) return undefined;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1) return explicit === 8 ? [...head, ...tail] : undefined;
  if (explicit > 7) return undefined;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
}
