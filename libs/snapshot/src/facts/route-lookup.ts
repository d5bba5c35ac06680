import { expandIpv6 } from './address-canonical';

/**
 * Address order and "which route does this address take?" over route facts, for people reading
 * a node's state (the dashboard): numbers, not text, so 172.16.0.64 sorts before 172.16.0.128.
 * Nothing here throws: text that is not an address gives `undefined` (and sorts last).
 */

export interface AddressValue {
  family: 'inet' | 'inet6';
  value: bigint;
}

/** An IPv4 or IPv6 address (no prefix) as a number; undefined when it is not one. */
export function addressValue(text: string): AddressValue | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const groups = expandIpv6(trimmed.toLowerCase());
    return groups ? { family: 'inet6', value: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) } : undefined;
  }
  const parts = trimmed.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return { family: 'inet', value: parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n) };
}

interface Prefix extends AddressValue {
  prefixlen: number;
}

const familyBits = (family: AddressValue['family']) => (family === 'inet' ? 32 : 128);

/** `10.0.0.0/24`, `10.0.0.5` (a host), `fd00::/64`; `default` needs the family to know its size. */
export function prefixValue(text: string, family?: AddressValue['family']): Prefix | undefined {
  if (text === 'default') return family ? { family, value: 0n, prefixlen: 0 } : undefined;
  const [address, length, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const ip = addressValue(address);
  if (!ip) return undefined;
  const prefixlen = length === undefined ? familyBits(ip.family) : /^\d{1,3}$/.test(length) ? Number(length) : NaN;
  if (!(prefixlen >= 0 && prefixlen <= familyBits(ip.family))) return undefined;
  return { ...ip, prefixlen };
}

function covers(prefix: Prefix, ip: AddressValue): boolean {
  if (prefix.family !== ip.family) return false;
  const shift = BigInt(familyBits(ip.family) - prefix.prefixlen);
  return prefix.value >> shift === ip.value >> shift;
}

/**
 * Compares two address or prefix texts numerically: IPv4 before IPv6, then by address, then
 * shorter prefix first; `default` first; text that is neither sorts last, as text.
 */
export function compareAddressText(a: string, b: string): number {
  const pa = a === 'default' ? { family: 'inet' as const, value: -1n, prefixlen: 0 } : prefixValue(a);
  const pb = b === 'default' ? { family: 'inet' as const, value: -1n, prefixlen: 0 } : prefixValue(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a.localeCompare(b);
  if (pa.family !== pb.family) return pa.family === 'inet' ? -1 : 1;
  if (pa.value !== pb.value) return pa.value < pb.value ? -1 : 1;
  return pa.prefixlen - pb.prefixlen;
}

/** What a route lookup needs of a route fact. */
export interface RouteLike {
  dst: string;
  family: string;
  table: string;
  type: string;
  metric?: number | null;
}

export type RouteLookup<R extends RouteLike> =
  | { ok: true; route: R; prefixlen: number; table: string }
  | { ok: false; reason: 'not-an-address' | 'no-route' };

/** Tables in the order the kernel's default policy rules consult them (`ip rule`: local, main, default). */
const TABLE_ORDER = ['local', 'main', 'default'];

/**
 * The route the kernel picks for `address` among one namespace's routes under the default policy
 * rules: the first table (local, main, default) with a covering route, in it the longest prefix,
 * then the lowest metric. Routes of other tables (custom policy routing) are not consulted.
 */
export function lookupRoute<R extends RouteLike>(routes: readonly R[], address: string): RouteLookup<R> {
  const ip = addressValue(address);
  if (!ip) return { ok: false, reason: 'not-an-address' };
  for (const table of TABLE_ORDER) {
    let best: { route: R; prefixlen: number } | undefined;
    for (const route of routes) {
      if (route.table !== table) continue;
      const prefix = prefixValue(route.dst, route.family === 'inet6' ? 'inet6' : 'inet');
      if (!prefix || !covers(prefix, ip)) continue;
      if (!best || prefix.prefixlen > best.prefixlen || (prefix.prefixlen === best.prefixlen && (route.metric ?? 0) < (best.route.metric ?? 0))) best = { route, prefixlen: prefix.prefixlen };
    }
    if (best) return { ok: true, route: best.route, prefixlen: best.prefixlen, table };
  }
  return { ok: false, reason: 'no-route' };
}
