// Only snapshot-schema and snapshot-validator import zod; everything else (parsers,
// normalisation, the contract's fast path) runs without it. Their exports are listed by name,
// not with `export *`: the collector's bundle loads those two modules lazily, and a star
// re-export would make every importer of this index evaluate them (and zod) at start-up.
export {
  ADDRESS_FAMILIES,
  IFNAME_MAX_LENGTH,
  IFNAME_PATTERN,
  NODE_NAME_PATTERN,
  SCHEMA_VERSION,
  SNAPSHOT_LIMITS,
  STATE_HASH_VERSION,
  storableText,
  unsafeIdentifierReason,
  unstorableTextReason,
  type AddressFamily,
} from './contract/snapshot-constants';
export { familyOf, isPrefix } from './contract/address-syntax';
export { formatPath, formatValidationIssues, type SnapshotValidation, type ValidationIssue } from './contract/validation-issues';
export { validateHeartbeat, validateSnapshot } from './contract/lazy-contract';
export { heartbeatFor, snapshotStateHash } from './contract/heartbeat';
export {
  addressSchema,
  heartbeatSchema,
  linkSchema,
  namespaceSchema,
  neighborSchema,
  nexthopSchema,
  routeSchema,
  snapshotSchema,
  sysctlSchema,
  warningSchema,
  type Address,
  type Heartbeat,
  type Link,
  type Neighbor,
  type NetworkNamespace,
  type Nexthop,
  type Route,
  type Snapshot,
  type SnapshotWarning,
  type Sysctl,
} from './contract/snapshot-schema';
export * from './facts/fact-normaliser';
export * from './facts/fact-hash';
export * from './facts/namespace-fact-index';
export * from './facts/address-canonical';
export * from './facts/route-lookup';
export * from './parsers/parse-result';
export * from './parsers/ip-json-parser';
export * from './parsers/text';
export * from './assembly/pod-veth-pairing';
export * from './assembly/capture-import';
export * from './evidence/capture-evidence';
