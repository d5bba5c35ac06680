import type { AddressFamily } from './snapshot-constants';

/**
 * Address syntax as the contract defines it, without zod. `isIpv4Address` and `isIpv6Address`
 * accept exactly what zod's `z.ipv4()` and `z.ipv6()` accept (snapshot-fast-path.spec.ts
 * compares them), so the contract and its fast path agree on every address.
 */

const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Only hex digits, colons and dots: the URL parser below would otherwise accept authority syntax (`@`, `\`) and drop tabs and newlines. */
const IPV6_ALPHABET = /^[0-9a-fA-F:.]+$/;

export function isIpv4Address(value: string): boolean {
  return IPV4_PATTERN.test(value);
}

/** An IPv6 address (compressed forms and a trailing dotted IPv4 included), as the WHATWG URL parser reads a `[host]`. */
export function isIpv6Address(value: string): boolean {
  return IPV6_ALPHABET.test(value) && canParseUrl(`http://[${value}]`);
}

export function isIpAddress(value: string): boolean {
  return isIpv4Address(value) || isIpv6Address(value);
}

/** `inet` for an IPv4 address, `inet6` for anything containing ':'; undefined otherwise. */
export function familyOf(address: string): AddressFamily | undefined {
  if (IPV4_PATTERN.test(address)) return 'inet';
  if (address.includes(':') && isIpv6Address(address)) return 'inet6';
  return undefined;
}

/** True for `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or IPv6/n with a prefix length that fits. */
export function isPrefix(value: string): boolean {
  return prefixFamily(value) !== undefined;
}

/** The family of a prefix (what `isPrefix` accepts), undefined for anything else. Every route destination is checked with it: no split, no array. */
export function prefixFamily(value: string): AddressFamily | undefined {
  const slash = value.indexOf('/');
  const family = familyOf(slash < 0 ? value : value.slice(0, slash));
  if (family === undefined || slash < 0) return family;
  // One to three digits and nothing else: a second '/' fails here too.
  const length = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(length)) return undefined;
  return Number(length) <= (family === 'inet' ? 32 : 128) ? family : undefined;
}

function canParseUrl(input: string): boolean {
  if (typeof URL.canParse === 'function') return URL.canParse(input);
  try {
    new URL(input);
    return true;
  } catch {
    return false;
  }
}
