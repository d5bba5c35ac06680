import { z } from 'zod';
import { SNAPSHOT_RULES, STRING_RULES, type SnapshotRuleName, type StringRuleName } from './contract-rules';
import {
  ADDRESS_FAMILIES,
  HW_ADDRESS_PATTERN,
  IFNAME_MAX_LENGTH,
  IFNAME_PATTERN,
  NODE_NAME_PATTERN,
  PARTIAL_SECTIONS,
  ROUTE_DESTINATION_MAX_LENGTH,
  SCHEMA_VERSION,
  SNAPSHOT_LIMITS,
  STATE_HASH_VERSION,
  SYSCTL_PATH_PATTERN,
  WARNING_CODE_MAX_LENGTH,
  WARNING_CODE_PATTERN,
} from './snapshot-constants';

/**
 * Wire contract, version 1: one JSON document describes one node's network at one moment.
 * Everything the API stores passes through `snapshotSchema` first, so every field is
 * bounded and objects are strict (an unknown key is an error, not silently kept).
 *
 * The constants, patterns, address syntax and coded rules live in zod-free modules
 * (snapshot-constants.ts, address-syntax.ts, contract-rules.ts) so that parsers can be loaded
 * without zod; they are re-exported here. This schema is the one source of the contract: the
 * zod-free fast path (snapshot-fast-path.generated.ts) is generated from it by
 * fast-path-generator.ts, and its spec fails until the generated file is regenerated.
 */
export { ADDRESS_FAMILIES, SCHEMA_VERSION, SNAPSHOT_LIMITS, type AddressFamily } from './snapshot-constants';
export { familyOf, isPrefix } from './address-syntax';

const L = SNAPSHOT_LIMITS;

/** Which contract rule each custom check applies: what the fast-path generator reads (zod keeps no name on a check). */
export const CONTRACT_RULE_OF_CHECK = new WeakMap<object, { kind: 'string'; name: StringRuleName } | { kind: 'snapshot'; name: SnapshotRuleName }>();

/** A named string rule of contract-rules.ts as a zod check, with the rule's own message. */
function stringRule(name: StringRuleName) {
  const reasonOf = STRING_RULES[name];
  const check = z.superRefine<string>((value, ctx) => {
    const reason = reasonOf(value);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });
  CONTRACT_RULE_OF_CHECK.set(check, { kind: 'string', name });
  return check;
}

/** A named snapshot rule of contract-rules.ts as a zod check. */
function snapshotRule(name: SnapshotRuleName) {
  const issuesOf = SNAPSHOT_RULES[name];
  const check = z.superRefine<Snapshot>((snapshot, ctx) => {
    for (const issue of issuesOf(snapshot)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
  CONTRACT_RULE_OF_CHECK.set(check, { kind: 'snapshot', name });
  return check;
}

/** A custom message for a bad value that still says "is required" for a missing one. */
const unlessMissing = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);

/** Free text (messages, sysctl values): bounded, and storable by PostgreSQL (no NUL, no lone surrogate). */
const text = (min: number, max: number) => z.string().min(min).max(max).check(stringRule('storableText'));
/** A name (interface, namespace, flag, version): bounded, storable, and without control or invisible characters. */
const identifier = (max: number) => z.string().min(1).max(max).check(stringRule('identifier'));
const shortString = identifier(L.shortStringLength);
const name = identifier(L.nameLength);
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1), contain no '/' or whitespace, and are never "." or "..". */
const ifname = identifier(IFNAME_MAX_LENGTH)
  .regex(IFNAME_PATTERN, 'must be an interface name (no spaces, "/" or ":")')
  .check(stringRule('notDotOrDotDot'));
const flags = z.array(shortString).max(L.flagsPerEntry);
const uint = z.number().int().min(0);
const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: unlessMissing('must be an IPv4 or IPv6 address') });
/** Link-layer address: a MAC (or longer hardware address), or an IPv4 address for ipip/sit tunnels. */
const hwAddress = z
  .string()
  .regex(HW_ADDRESS_PATTERN, 'must be a link-layer address such as ee:ee:ee:ee:ee:ee');
/** `default`, a bare address (a host route) or address/prefix. */
const routeDestination = z.string().max(ROUTE_DESTINATION_MAX_LENGTH).check(stringRule('routeDestination'));
/** Names of fields whose value was masked in a pasted capture (x.x.0.1): present but unknown. */
const redacted = z.array(shortString).max(16).optional();

export const linkSchema = z.strictObject({
  ifindex: uint.max(2 ** 31),
  name: ifname,
  /** rtnl link kind from `ip -d link` (veth, vxlan, bridge, ...); absent when not captured. */
  kind: shortString.optional(),
  mac: hwAddress.optional(),
  mtu: uint.max(65536 * 4).optional(),
  operState: shortString.optional(),
  flags,
  master: ifname.optional(),
  /** `@ifNN`: the peer's ifindex (a veth peer living in another namespace). */
  peerIfindex: uint.max(2 ** 31).optional(),
  /** `@eth0`: the peer's name when it lives in the same namespace. */
  peerName: ifname.optional(),
  /** `link-netnsid`: the namespace id, as this namespace sees it, where the peer lives. */
  linkNetnsId: uint.max(2 ** 31).optional(),
  /** `link-netns NAME`: text output names the peer's namespace instead of its nsid when it can. */
  linkNetns: name.optional(),
  vxlan: z
    .strictObject({
      id: uint.max(2 ** 24).optional(),
      local: ipAddress.optional(),
      dev: ifname.optional(),
      port: uint.max(65535).optional(),
      learning: z.boolean().optional(),
    })
    .optional(),
  redacted,
});

export const addressSchema = z.strictObject({
  dev: ifname,
  family: z.enum(ADDRESS_FAMILIES),
  local: ipAddress,
  prefixlen: uint.max(128),
  scope: shortString.optional(),
  broadcast: ipAddress.optional(),
  peer: ipAddress.optional(),
  label: shortString.optional(),
  flags,
  /** seconds, or absent for `forever`; volatile, dropped by normalisation. */
  validLifetime: uint.optional(),
  preferredLifetime: uint.optional(),
  redacted,
});

export const nexthopSchema = z.strictObject({
  gateway: ipAddress.optional(),
  dev: ifname.optional(),
  weight: uint.max(256).optional(),
  flags,
});

export const routeSchema = z.strictObject({
  family: z.enum(ADDRESS_FAMILIES),
  /** routing table name or number; `main` when ip(8) printed none. */
  table: shortString,
  /** unicast, local, broadcast, blackhole, unreachable, prohibit, throw, multicast, anycast, ... */
  type: shortString,
  dst: routeDestination,
  gateway: ipAddress.optional(),
  dev: ifname.optional(),
  protocol: shortString.optional(),
  scope: shortString.optional(),
  prefsrc: ipAddress.optional(),
  metric: uint.max(2 ** 32).optional(),
  tos: shortString.optional(),
  flags,
  pref: shortString.optional(),
  mtu: uint.max(65536 * 4).optional(),
  nexthops: z.array(nexthopSchema).max(64).optional(),
  /** seconds until expiry; volatile, dropped by normalisation. */
  expires: uint.optional(),
  redacted,
});

export const neighborSchema = z.strictObject({
  family: z.enum(ADDRESS_FAMILIES),
  dst: ipAddress,
  dev: ifname,
  lladdr: hwAddress.optional(),
  /** NUD states as the kernel reports them, e.g. ["REACHABLE"] or ["STALE"]. */
  state: flags,
  router: z.boolean().optional(),
  /** a proxy entry (`ip neigh show proxy`), not a cache entry. */
  proxy: z.boolean().optional(),
  redacted,
});

export const sysctlSchema = z.strictObject({
  /** path below /proc/sys, e.g. net/ipv4/conf/vxlan.calico/rp_filter (slashes keep dotted names unambiguous). */
  path: z
    .string()
    .min(1)
    .max(L.nameLength)
    .regex(SYSCTL_PATH_PATTERN, 'must be a path below /proc/sys/net such as net/ipv4/ip_forward (segments of letters, digits, "_.@+-", never empty, "." or "..")'),
  value: text(0, L.shortStringLength),
});

export const warningSchema = z.strictObject({
  code: z.string().regex(WARNING_CODE_PATTERN, 'must be a lower_snake_case code').max(WARNING_CODE_MAX_LENGTH),
  message: text(1, L.messageLength),
  /** namespace name the warning is about, if any. */
  namespace: name.optional(),
  /** 1-based line in the pasted capture, for imports. */
  line: uint.optional(),
});

const section = <T extends z.ZodType>(entry: T) => z.array(entry).max(L.entriesPerSection).optional();

export const namespaceSchema = z.strictObject({
  kind: z.enum(['host', 'pod']),
  /** `host` for the node itself; the netns name (`cni-<uuid>`) or `pid:<pid>` for a pod. */
  name,
  /** pods: the host-side veth the pod's eth0 is paired with. */
  hostVeth: ifname.optional(),
  /** pods: the nsid the host gave this namespace (`link-netnsid` on the host veth). */
  netnsId: uint.max(2 ** 31).optional(),
  // An absent section was not captured; an empty one was captured and is empty.
  links: section(linkSchema),
  addresses: section(addressSchema),
  routes: section(routeSchema),
  neighbors: section(neighborSchema),
  sysctls: section(sysctlSchema),
  /**
   * Sections present but not whole (a pasted `ip route | grep cali`, a truncated or fleet-tool
   * prefixed output): their entries are facts, but nothing may be concluded from an absence.
   */
  partial: z.array(z.enum(PARTIAL_SECTIONS)).max(PARTIAL_SECTIONS.length).optional(),
});

export const snapshotSchema = z
  .strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION, { error: unlessMissing(`must be ${SCHEMA_VERSION}`) }),
    snapshotId: z.uuid({ error: unlessMissing('must be a UUID') }),
    node: z
      .string()
      .min(1)
      .max(L.nameLength)
      .regex(NODE_NAME_PATTERN, 'must be a Kubernetes node name (lowercase letters, digits, "-" and ".")'),
    collector: z.strictObject({
      version: shortString,
      /** changes on every collector start, so a restarted sequence is not mistaken for a replay. */
      bootId: shortString,
      seq: uint.max(Number.MAX_SAFE_INTEGER),
      source: z.enum(['collect', 'import']),
      /** the collector's clock minus the API's (its `Date` header), in ms: positive = the collector is ahead. */
      clockSkewMs: z
        .number()
        .int('must be a whole number of milliseconds')
        .min(-L.clockSkewMs, 'must be at most ten years (in milliseconds)')
        .max(L.clockSkewMs, 'must be at most ten years (in milliseconds)')
        .optional(),
    }),
    takenAt: z.iso.datetime({ offset: true, error: unlessMissing('must be an ISO-8601 date-time with a time zone') }).max(L.dateTimeLength),
    kernel: shortString.optional(),
    iproute2: shortString.optional(),
    namespaces: z.array(namespaceSchema).min(1).max(L.namespacesPerSnapshot),
    warnings: z.array(warningSchema).max(L.warningsPerSnapshot),
  })
  .check(snapshotRule('crossField'));

/**
 * Contract v1.1: instead of a snapshot whose facts hash to the state the API acknowledged last,
 * a collector may post this heartbeat (POST /api/v1/heartbeats). It names the snapshot it stands
 * for (id, instant, collector) and the hash of its facts; the API extends the node's coverage when
 * that is still the node's stored state, and otherwise answers `resend` (post the full snapshot).
 */
export const heartbeatSchema = z.strictObject({
  /** the fact normalisation and hash the collector used (STATE_HASH_VERSION). */
  hashVersion: z.literal(STATE_HASH_VERSION, { error: unlessMissing(`must be ${STATE_HASH_VERSION}`) }),
  snapshotId: snapshotSchema.shape.snapshotId,
  node: snapshotSchema.shape.node,
  collector: snapshotSchema.shape.collector.omit({ source: true }),
  takenAt: snapshotSchema.shape.takenAt,
  /** hashFacts(snapshotToFacts(snapshot)): sha256 as 64 lowercase hex digits. */
  stateHash: z.string({ error: unlessMissing('must be a string') }).regex(/^[0-9a-f]{64}$/, 'must be a sha256 as 64 lowercase hex digits'),
});

export type Snapshot = z.infer<typeof snapshotSchema>;
export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type NetworkNamespace = z.infer<typeof namespaceSchema>;
export type Link = z.infer<typeof linkSchema>;
export type Address = z.infer<typeof addressSchema>;
export type Route = z.infer<typeof routeSchema>;
export type Nexthop = z.infer<typeof nexthopSchema>;
export type Neighbor = z.infer<typeof neighborSchema>;
export type Sysctl = z.infer<typeof sysctlSchema>;
export type SnapshotWarning = z.infer<typeof warningSchema>;
