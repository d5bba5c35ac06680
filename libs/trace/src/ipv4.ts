/**
 * IPv4 arithmetic on plain numbers for the walk's hot path (a node has a route per remote block:
 * a thousand prefixes per lookup), with each text parsed once. Nothing here throws.
 */
const ADDRESSES = new Map<string, number | null>();
const PREFIXES = new Map<string, { network: number; length: number } | null>();
const CACHE_LIMIT = 200_000;

function remember<T>(cache: Map<string, T>, text: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, value);
  return value;
}

/** A dotted quad as an unsigned 32-bit number. */
export function ipv4Number(text: string): number | undefined {
  const known = ADDRESSES.get(text);
  if (known !== undefined) return known ?? undefined;
  const parts = text.split('.');
  const valid = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  const value = valid ? ((Number(parts[0]) * 256 + Number(parts[1])) * 256 + Number(parts[2])) * 256 + Number(parts[3]) : null;
  return remember(ADDRESSES, text, value) ?? undefined;
}

/** `10.0.0.0/24`, or a bare address as a /32. */
export function ipv4Prefix(text: string): { network: number; length: number } | undefined {
  const known = PREFIXES.get(text);
  if (known !== undefined) return known ?? undefined;
  const [address, length, extra] = text.split('/');
  const ip = address !== undefined && extra === undefined ? ipv4Number(address) : undefined;
  const bits = length === undefined ? 32 : /^\d{1,2}$/.test(length) ? Number(length) : NaN;
  const value = ip !== undefined && bits >= 0 && bits <= 32 ? { network: ip, length: bits } : null;
  return remember(PREFIXES, text, value) ?? undefined;
}

/** True when the prefix covers the address (both numbers). */
export function prefixCovers(prefix: { network: number; length: number }, ip: number): boolean {
  if (prefix.length === 0) return true;
  const shift = 32 - prefix.length;
  return Math.floor(prefix.network / 2 ** shift) === Math.floor(ip / 2 ** shift);
}
