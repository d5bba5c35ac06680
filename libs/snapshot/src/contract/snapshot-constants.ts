/**
 * The parts of the v1 wire contract that are plain values: the version, the size caps and the
 * string patterns. This module does not import zod, so the parsers and the collector's fast
 * path can use them without evaluating the schema library; `snapshot-schema.ts` builds the zod
 * contract from these same values.
 */
export const SCHEMA_VERSION = 1 as const;

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
} as const;

export const ADDRESS_FAMILIES = ['inet', 'inet6'] as const;
export type AddressFamily = (typeof ADDRESS_FAMILIES)[number];

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1) and contain no '/' or whitespace. */
export const IFNAME_MAX_LENGTH = 15;
export const IFNAME_PATTERN = /^[^\s/:]+$/;
/** Link-layer address: a MAC (or longer hardware address), or an IPv4 address for ipip/sit tunnels. */
export const HW_ADDRESS_PATTERN = /^([0-9a-fA-F]{2})(:[0-9a-fA-F]{2}){0,31}$|^(\d{1,3}\.){3}\d{1,3}$/;
/** A sysctl path below /proc/sys/net, slashes between the parts (dotted interface names stay whole). */
export const SYSCTL_PATH_PATTERN = /^net(\/[^/\s]+)+$/;
export const WARNING_CODE_PATTERN = /^[a-z][a-z0-9_]*$/;
export const WARNING_CODE_MAX_LENGTH = 64;
/** A Kubernetes node name. */
export const NODE_NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** Longest route destination text (an IPv6 address with a prefix length fits with room to spare). */
export const ROUTE_DESTINATION_MAX_LENGTH = 64;

/**
 * Bound of collector.clockSkewMs (the collector's clock minus the API's, in ms): ten years.
 * A larger skew is a broken clock, not a measurement.
 */
export const MAX_REPORTED_CLOCK_SKEW_MS = 10 * 365 * 86_400_000;
