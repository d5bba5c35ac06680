/**
 * The parts of the v1 wire contract that are plain values: the version, the size caps and the
 * string patterns. This module does not import zod, so the parsers and the collector's fast
 * path can use them without evaluating the schema library; `snapshot-schema.ts` builds the zod
 * contract from these same values.
 */
export const SCHEMA_VERSION = 1 as const;

/**
 * Contract v1.1: the version of the fact normalisation and state hash (facts/fact-normaliser.ts,
 * facts/fact-hash.ts) that a heartbeat's `stateHash` was computed with. Bump it with any change
 * that can change a state's hash: the API then answers a heartbeat of another version `resend`,
 * so a collector and an API of different normalisations never agree on a hash by accident.
 */
export const STATE_HASH_VERSION = 1 as const;

/** Caps that keep one snapshot bounded in memory and in the database. */
export const SNAPSHOT_LIMITS = {
  /** pods per node is ~110 by default and 250 at most in kubelet; leave headroom. */
  namespacesPerSnapshot: 1024,
  /** a 10,000-node cluster puts ~10,000 block routes on every node, in two families. */
  entriesPerSection: 65536,
  warningsPerSnapshot: 1000,
  nameLength: 253,
  shortStringLength: 128,
  messageLength: 2048,
  flagsPerEntry: 32,
  /** `takenAt`: an ISO-8601 date-time with nanoseconds and an offset is 35 characters. */
  dateTimeLength: 40,
  /** `collector.clockSkewMs`: ten years either way; anything larger is a broken clock, not a skew. */
  clockSkewMs: 10 * 365 * 86_400_000,
} as const;

export const ADDRESS_FAMILIES = ['inet', 'inet6'] as const;
export type AddressFamily = (typeof ADDRESS_FAMILIES)[number];

/** The namespace sections a capture can hold only in part (NetworkNamespace.partial). */
export const PARTIAL_SECTIONS = ['links', 'addresses', 'routes', 'neighbors', 'sysctls'] as const;
export type PartialSection = (typeof PARTIAL_SECTIONS)[number];

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1) and contain no '/' or whitespace. */
export const IFNAME_MAX_LENGTH = 15;
export const IFNAME_PATTERN = /^[^\s/:]+$/;
/** Link-layer address: a MAC (or longer hardware address), or an IPv4 address for ipip/sit tunnels. */
export const HW_ADDRESS_PATTERN = /^([0-9a-fA-F]{2})(:[0-9a-fA-F]{2}){0,31}$|^(\d{1,3}\.){3}\d{1,3}$/;
/**
 * A sysctl path below /proc/sys/net: `net` and one or more `/`-separated segments (slashes keep
 * dotted interface names such as vxlan.calico whole). A segment is letters, digits and
 * `_ . @ + -`, never empty, never `.` or `..`: a path names one file below /proc/sys/net.
 */
export const SYSCTL_PATH_PATTERN = /^net(\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.@+-]+)+$/;
export const WARNING_CODE_PATTERN = /^[a-z][a-z0-9_]*$/;
export const WARNING_CODE_MAX_LENGTH = 64;
/** A Kubernetes node name. */
export const NODE_NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** Longest route destination text (an IPv6 address with a prefix length fits with room to spare). */
export const ROUTE_DESTINATION_MAX_LENGTH = 64;

/**
 * Why PostgreSQL could not store this string (text or jsonb), or undefined when it can. NUL is
 * refused by both; an unpaired UTF-16 surrogate has no UTF-8 form (jsonb refuses its \u escape,
 * text would get U+FFFD instead of what was sent). Every string of the contract passes this.
 */
export function unstorableTextReason(value: string): string | undefined {
  if (isPrintableAscii(value)) return undefined;
  const nul = value.indexOf('\u0000');
  if (nul >= 0) return `contains a NUL character (\\u0000) at index ${nul}, which PostgreSQL cannot store`;
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) return `contains an unpaired UTF-16 surrogate (\\u${surrogate[0].charCodeAt(0).toString(16)}) at index ${surrogate.index}, which is not valid Unicode`;
  return undefined;
}

/**
 * `value` made storable and at most `max` code units: NUL and unpaired surrogates (what a paste of
 * binary output holds) become U+FFFD, and a cut never splits a surrogate pair. For text that is
 * quoted from input into a snapshot, such as import warnings.
 */
export function storableText(value: string, max: number): string {
  let text = unstorableTextReason(value) === undefined ? value : value.split('\u0000').join('\uFFFD').replace(LONE_SURROGATE_GLOBAL, '\uFFFD');
  if (text.length > max) text = text.slice(0, /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max);
  return text;
}

/**
 * Why this string is not a plain identifier (an interface, namespace, flag or version name), or
 * undefined when it is: on top of being storable, it holds no control character and no
 * invisible format character (zero-width spaces, bidirectional overrides), which would make two
 * different names print the same.
 */
export function unsafeIdentifierReason(value: string): string | undefined {
  if (isPrintableAscii(value)) return undefined;
  const unstorable = unstorableTextReason(value);
  if (unstorable) return unstorable;
  const hidden = HIDDEN_CHARACTER.exec(value);
  if (hidden) return `contains the invisible or control character U+${(hidden[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at index ${hidden.index}`;
  return undefined;
}

/**
 * Nearly every string of a snapshot is printable ASCII, which passes both checks: a loop over
 * the code units settles those several times faster than the regular expressions below.
 */
function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, 'g');
/** Unicode controls (Cc) and format characters (Cf: zero-width, bidi controls, soft hyphen). */
const HIDDEN_CHARACTER = /[\p{Cc}\p{Cf}]/u;
