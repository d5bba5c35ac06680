import type { Address, Link, Neighbor, NetworkNamespace, Route, Snapshot, Sysctl } from '../contract/snapshot-schema';
import { PARTIAL_SECTIONS } from '../contract/snapshot-constants';
import { canonicalPrefix } from './address-canonical';

/**
 * Normalisation turns a snapshot into keyed facts: the unit of history. A fact's key is
 * stable for as long as the thing exists; its attributes hold only what is worth a change
 * record. Volatile fields (lifetimes, expiry timers, NUD states that flip on their own) are
 * dropped or coarsened here, so that an idle node produces identical facts post after post.
 * The key and attribute layouts are documented in libs/snapshot/README.md.
 */
export const FACT_KINDS = ['netns', 'link', 'address', 'route', 'neighbor', 'sysctl'] as const;
export type FactKind = (typeof FACT_KINDS)[number];

export type FactValue = string | number | boolean | null | FactValue[] | { [key: string]: FactValue };
export type FactAttributes = { [key: string]: FactValue };

export interface Fact {
  /** `host`, or `pod:<netns name>`. */
  ns: string;
  kind: FactKind;
  key: string;
  attrs: FactAttributes;
}

export const HOST_NAMESPACE_KEY = 'host';

export function namespaceKey(ns: Pick<NetworkNamespace, 'kind' | 'name'>): string {
  return ns.kind === 'host' ? HOST_NAMESPACE_KEY : `pod:${ns.name}`;
}

/** Neighbour states that mean "the link-layer address is known", whatever the kernel's timer says. */
const RESOLVED_NUD_STATES = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE']);

/** Address flags that follow lifetimes rather than configuration. */
const VOLATILE_ADDRESS_FLAGS = new Set(['deprecated', 'tentative']);

/** Route protocol numbers ip(8) prints by name (from iproute2's rt_protos), so old pastes and JSON agree. */
const ROUTE_PROTOCOL_NAMES: Record<string, string> = {
  '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static', '8': 'gated', '9': 'ra',
  '10': 'mrt', '11': 'zebra', '12': 'bird', '13': 'dnrouted', '14': 'xorp', '15': 'ntk', '16': 'dhcp',
  '17': 'keepalived', '18': 'babel', '42': 'openr', '186': 'bgp', '187': 'isis', '188': 'ospf', '189': 'rip', '192': 'eigrp',
};

export function normaliseRouteProtocol(protocol: string | undefined): string {
  if (protocol === undefined) return 'boot';
  return ROUTE_PROTOCOL_NAMES[protocol] ?? protocol;
}

/** Collapses a NUD state list into resolved / permanent / noarp / incomplete / failed / none. */
export function normaliseNeighborState(state: readonly string[]): string {
  const upper = state.map((s) => s.toUpperCase());
  for (const decisive of ['FAILED', 'INCOMPLETE', 'PERMANENT', 'NOARP']) {
    if (upper.includes(decisive)) return decisive.toLowerCase();
  }
  if (upper.some((s) => RESOLVED_NUD_STATES.has(s))) return 'resolved';
  return upper.length === 0 ? 'none' : upper.join(',').toLowerCase();
}

export function snapshotToFacts(snapshot: Pick<Snapshot, 'namespaces'>): Fact[] {
  const facts: Fact[] = [];
  for (const ns of snapshot.namespaces) facts.push(...namespaceToFacts(ns));
  return sortFacts(dedupeFacts(facts));
}

export function namespaceToFacts(ns: NetworkNamespace): Fact[] {
  const nsKey = namespaceKey(ns);
  const facts: Fact[] = [
    {
      ns: nsKey,
      kind: 'netns',
      key: ns.name,
      attrs: compact({
        kind: ns.kind,
        hostVeth: ns.hostVeth,
        // Rules conclude "missing" only from captured sections, so a partial one (a pasted
        // `ip route | grep …`) is not listed as captured; its entries are facts all the same.
        captured: PARTIAL_SECTIONS.filter((s) => ns[s] !== undefined && !ns.partial?.includes(s)),
        partial: partialSections(ns),
      }),
    },
  ];
  for (const link of ns.links ?? []) facts.push(linkFact(nsKey, link));
  for (const address of ns.addresses ?? []) facts.push(addressFact(nsKey, address));
  for (const route of ns.routes ?? []) {
    const fact = routeFact(nsKey, route);
    if (fact) facts.push(fact);
  }
  for (const neighbor of ns.neighbors ?? []) facts.push(neighborFact(nsKey, neighbor));
  for (const sysctl of ns.sysctls ?? []) facts.push(sysctlFact(nsKey, sysctl));
  return facts;
}

function partialSections(ns: NetworkNamespace): string[] | undefined {
  const partial = PARTIAL_SECTIONS.filter((s) => ns[s] !== undefined && ns.partial?.includes(s));
  return partial.length > 0 ? partial : undefined;
}

export function linkFact(ns: string, link: Link): Fact {
  return {
    ns,
    kind: 'link',
    key: link.name,
    attrs: compact({
      // 0 is no kernel ifindex: it is how an import says ifconfig printed none.
      ifindex: link.ifindex === 0 ? undefined : link.ifindex,
      kind: link.kind,
      mac: link.mac?.toLowerCase(),
      mtu: link.mtu,
      operState: link.operState,
      flags: sortedUnique(link.flags),
      master: link.master,
      peerIfindex: link.peerIfindex,
      peerName: link.peerName,
      // nsids are numbers each namespace assigns lazily, and text output may print a name
      // instead; what is worth recording is that the peer lives in another namespace.
      peerInOtherNetns: hasPeerInOtherNetns(link) ? true : undefined,
      vxlan: link.vxlan ? compact({ ...link.vxlan }) : undefined,
      redacted: link.redacted?.length ? sortedUnique(link.redacted) : undefined,
    }),
  };
}

export function hasPeerInOtherNetns(link: Pick<Link, 'linkNetnsId' | 'linkNetns'>): boolean {
  return link.linkNetnsId !== undefined || link.linkNetns !== undefined;
}

export function addressFact(ns: string, address: Address): Fact {
  const prefix = `${canonicalPrefix(address.local)}/${address.prefixlen}`;
  return {
    ns,
    kind: 'address',
    key: `${address.dev}|${prefix}`,
    attrs: compact({
      dev: address.dev,
      family: address.family,
      local: canonicalPrefix(address.local),
      prefixlen: address.prefixlen,
      scope: address.scope ?? 'global',
      broadcast: address.broadcast,
      peer: address.peer,
      // ip(8) prints the label only when it differs from the device name.
      label: address.label && address.label !== address.dev ? address.label : undefined,
      flags: sortedUnique(address.flags.filter((f) => !VOLATILE_ADDRESS_FLAGS.has(f))),
      redacted: address.redacted?.length ? sortedUnique(address.redacted) : undefined,
    }),
  };
}

/** The route's identity in the kernel's FIB: table, family, type, destination, metric (and TOS). */
export function routeKey(route: Pick<Route, 'table' | 'family' | 'type' | 'dst' | 'metric' | 'tos'>): string {
  const parts = [route.table, route.family, route.type, canonicalRouteDestination(route.dst, route.family), String(route.metric ?? 0)];
  if (route.tos !== undefined) parts.push(`tos=${route.tos}`);
  return parts.join('|');
}

export function canonicalRouteDestination(dst: string, family: Route['family']): string {
  if (dst === 'default') return family === 'inet' ? '0.0.0.0/0' : '::/0';
  const [address, length] = dst.split('/');
  const canonical = canonicalPrefix(address);
  return `${canonical}/${length ?? (family === 'inet' ? '32' : '128')}`;
}

export function routeFact(ns: string, route: Route): Fact | undefined {
  // Route cache entries come and go with traffic; they are not configuration.
  if (route.flags.includes('cache')) return undefined;
  return {
    ns,
    kind: 'route',
    key: routeKey(route),
    attrs: compact({
      table: route.table,
      family: route.family,
      type: route.type,
      dst: canonicalRouteDestination(route.dst, route.family),
      metric: route.metric ?? 0,
      gateway: route.gateway ? canonicalPrefix(route.gateway) : undefined,
      dev: route.dev,
      protocol: normaliseRouteProtocol(route.protocol),
      scope: route.scope ?? 'global',
      prefsrc: route.prefsrc ? canonicalPrefix(route.prefsrc) : undefined,
      tos: route.tos,
      flags: sortedUnique(route.flags),
      pref: route.pref,
      mtu: route.mtu,
      nexthops: route.nexthops?.map((hop) =>
        compact({
          gateway: hop.gateway ? canonicalPrefix(hop.gateway) : undefined,
          dev: hop.dev,
          weight: hop.weight ?? 1,
          flags: sortedUnique(hop.flags),
        }),
      ),
      redacted: route.redacted?.length ? sortedUnique(route.redacted) : undefined,
    }),
  };
}

export function neighborFact(ns: string, neighbor: Neighbor): Fact {
  const dst = canonicalPrefix(neighbor.dst);
  return {
    ns,
    kind: 'neighbor',
    key: neighbor.proxy ? `proxy|${neighbor.dev}|${dst}` : `${neighbor.dev}|${dst}`,
    attrs: compact({
      family: neighbor.family,
      dst,
      dev: neighbor.dev,
      proxy: neighbor.proxy ? true : undefined,
      lladdr: neighbor.lladdr?.toLowerCase(),
      state: neighbor.proxy ? undefined : normaliseNeighborState(neighbor.state),
      router: neighbor.router ? true : undefined,
      redacted: neighbor.redacted?.length ? sortedUnique(neighbor.redacted) : undefined,
    }),
  };
}

export function sysctlFact(ns: string, sysctl: Sysctl): Fact {
  return { ns, kind: 'sysctl', key: sysctl.path, attrs: { value: sysctl.value.trim().replace(/\s+/g, ' ') } };
}

/** Total order used everywhere facts are listed or hashed: namespace, kind, key. */
export function compareFacts(a: Pick<Fact, 'ns' | 'kind' | 'key'>, b: Pick<Fact, 'ns' | 'kind' | 'key'>): number {
  return compareStrings(a.ns, b.ns) || FACT_KINDS.indexOf(a.kind) - FACT_KINDS.indexOf(b.kind) || compareStrings(a.key, b.key);
}

export function factIdentity(fact: Pick<Fact, 'ns' | 'kind' | 'key'>): string {
  return `${fact.ns}\u0000${fact.kind}\u0000${fact.key}`;
}

function sortFacts(facts: Fact[]): Fact[] {
  return facts.sort(compareFacts);
}

/** Two entries with one key (ip(8) listed the same route twice) collapse into the last one. */
function dedupeFacts(facts: Fact[]): Fact[] {
  const byIdentity = new Map<string, Fact>();
  for (const fact of facts) byIdentity.set(factIdentity(fact), fact);
  return [...byIdentity.values()];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Drops undefined members so that "absent" is represented one way only. */
function compact(record: { [key: string]: FactValue | undefined }): FactAttributes {
  const out: FactAttributes = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}
