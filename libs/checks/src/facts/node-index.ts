import { indexByNamespace, NamespaceFactIndex, type Fact, type FactAttributes, type FactKind, type FactValue } from '@routescope/snapshot';
import type { EvidenceFact, NodeFacts } from '../check-types';
import { parseCidr, parseIp, type Cidr, type Ip } from '../net/ip';

/** Sections a namespace may have captured (the `netns` fact's attrs.captured). */
export type Section = 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls';

export const HOST_NS = 'host';
export const LINK_LOCAL_GATEWAY = '169.254.1.1';
export const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';

/** Calico's host-side veths: `cali` + 11 hex characters for Kubernetes pods; any `cali*` veth counts. */
export function isCaliVeth(name: string): boolean {
  return /^cali(?!co)/.test(name);
}

/** One namespace's facts, indexed (libs/snapshot's NamespaceFactIndex), with the rules' questions. */
export class NamespaceFacts extends NamespaceFactIndex {
  /**
   * True when the section was captured whole (present, possibly empty; not partial). A missing
   * netns fact means nothing was. A host main table with routes but none to a directly reached
   * destination is an excerpt (a few lines quoted from a longer table): every node with an
   * address has one.
   */
  captured(section: Section): boolean {
    const captured = this.netns?.attrs.captured;
    if (!Array.isArray(captured) || !captured.includes(section)) return false;
    if (section !== 'routes' || this.kind !== 'host') return true;
    const main = this.mainRoutes();
    return main.length === 0 || main.some(isConnectedRoute);
  }

  get kind(): 'host' | 'pod' {
    return this.ns === HOST_NS ? 'host' : 'pod';
  }

  private mainCache = new Map<string, Fact[]>();

  /** Routes of the main table (cached: the index is built once and never changes). */
  mainRoutes(family?: 'inet' | 'inet6'): Fact[] {
    const key = family ?? 'all';
    let routes = this.mainCache.get(key);
    if (!routes) {
      routes = this.routes.filter((r) => r.attrs.table === 'main' && (family === undefined || r.attrs.family === family));
      this.mainCache.set(key, routes);
    }
    return routes;
  }
}

/**
 * A route to something the namespace reaches directly: unicast, no gateway, not to a cali veth
 * — a connected subnet, or the on-link /32 of the gateway where the node's own address is a /32
 * (GCE: `10.128.0.1 dev ens4 scope link`).
 */
function isConnectedRoute(route: Fact): boolean {
  if (route.attrs.type !== 'unicast' || route.attrs.gateway !== undefined || Array.isArray(route.attrs.nexthops)) return false;
  const dev = typeof route.attrs.dev === 'string' ? route.attrs.dev : undefined;
  return dev !== undefined && !isCaliVeth(dev);
}

/** A pod namespace as the rules see it. */
export interface PodFacts {
  /** `pod:<netns>` */
  ns: string;
  /** the netns name */
  name: string;
  facts: NamespaceFacts;
  hostVeth?: string;
  /** the host link named by hostVeth, when host links were captured and it exists */
  hostVethLink?: Fact;
  /** the pod side of the veth: the link the host veth names by ifindex, else `eth0` */
  device: string;
  deviceLink?: Fact;
  /** global-scope addresses on the pod device */
  addresses: Fact[];
  /** Calico wires it: a cali host veth, or (no veth known) a route or neighbour for 169.254.1.1 */
  calico: boolean;
}

/** Facts of one node, indexed by namespace, with the accessors the rules share. */
export class NodeIndex {
  readonly node: string;
  readonly namespaces = new Map<string, NamespaceFacts>();
  private podCache?: PodFacts[];

  constructor(nodeFacts: NodeFacts) {
    this.node = nodeFacts.node;
    indexByNamespace(nodeFacts.facts, (ns) => new NamespaceFacts(ns), this.namespaces);
  }

  get host(): NamespaceFacts | undefined {
    return this.namespaces.get(HOST_NS);
  }

  /** The host namespace if it captured every listed section. */
  hostWith(...sections: Section[]): NamespaceFacts | undefined {
    const host = this.host;
    return host && sections.every((s) => host.captured(s)) ? host : undefined;
  }

  pods(): PodFacts[] {
    if (this.podCache) return this.podCache;
    const host = this.host;
    // Host links count wherever they were read (a partial `ip a | grep` too): a veth that is
    // present is positive evidence; rules that conclude a veth is missing check captured('links').
    const hostLinks = host?.links;
    const pods: PodFacts[] = [];
    for (const ns of this.namespaces.values()) {
      if (ns.kind !== 'pod' || !ns.netns || ns.netns.attrs.kind !== 'pod') continue;
      const hostVeth = str(ns.netns.attrs.hostVeth);
      const hostVethLink = hostVeth ? hostLinks?.get(hostVeth) : undefined;
      const peer = num(hostVethLink?.attrs.peerIfindex);
      const deviceLink = (peer !== undefined ? [...ns.links.values()].find((l) => l.attrs.ifindex === peer) : undefined) ?? ns.links.get('eth0');
      const device = deviceLink?.key ?? 'eth0';
      const addresses = ns.addresses.filter((a) => a.attrs.dev === device && a.attrs.scope === 'global');
      const gatewayEvidence =
        ns.routes.some((r) => r.attrs.gateway === LINK_LOCAL_GATEWAY || r.attrs.dst === `${LINK_LOCAL_GATEWAY}/32`) ||
        [...ns.neighbors.values()].some((n) => n.attrs.dst === LINK_LOCAL_GATEWAY);
      const calico = hostVeth ? isCaliVeth(hostVeth) : gatewayEvidence;
      pods.push({ ns: ns.ns, name: ns.netns.key, facts: ns, hostVeth, hostVethLink, device, deviceLink, addresses, calico });
    }
    this.podCache = pods.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.podCache;
  }

  /** Host links that are cali veths, from complete or partial link sections alike. */
  caliLinks(): Fact[] {
    const host = this.host;
    return host ? [...host.links.values()].filter((l) => isCaliVeth(l.key) && (l.attrs.kind === undefined || l.attrs.kind === 'veth')) : [];
  }

  evidence(fact: Pick<Fact, 'ns' | 'kind' | 'key' | 'attrs'>): EvidenceFact {
    return evidenceOf(this.node, fact);
  }

  absent(ns: string, kind: FactKind, key: string): EvidenceFact {
    return { node: this.node, ns, kind, key, attrs: null };
  }
}

export function evidenceOf(node: string, fact: Pick<Fact, 'ns' | 'kind' | 'key' | 'attrs'>): EvidenceFact {
  return { node, ns: fact.ns, kind: fact.kind, key: fact.key, attrs: fact.attrs };
}

/** The route key the snapshot library gives a main-table route with metric 0. */
export function mainRouteKey(family: string, type: string, dst: string): string {
  return `main|${family}|${type}|${dst}|0`;
}

export function str(value: FactValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: FactValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

export function strings(value: FactValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Parsed destinations by attrs object: the rules ask for a route's destination several times,
 * and facts read from history share one attrs object per distinct content across nodes. Facts
 * are never modified, so an entry never goes stale; it goes away with its attrs.
 */
const ROUTE_DSTS = new WeakMap<object, Cidr | null>();

export function routeDst(route: Pick<Fact, 'attrs'>): Cidr | undefined {
  let dst = ROUTE_DSTS.get(route.attrs);
  if (dst === undefined) {
    const text = str(route.attrs.dst);
    dst = (text ? parseCidr(text) : undefined) ?? null;
    ROUTE_DSTS.set(route.attrs, dst);
  }
  return dst ?? undefined;
}

export function addressIp(address: Pick<Fact, 'attrs'>): Ip | undefined {
  const local = str(address.attrs.local);
  return local ? parseIp(local) : undefined;
}

/** Gateways of a route: its own, or those of its nexthops. */
export function routeGateways(route: Pick<Fact, 'attrs'>): string[] {
  const own = str(route.attrs.gateway);
  const hops = nexthops(route.attrs).map((h) => h.gateway).filter((g): g is string => g !== undefined);
  return own ? [own, ...hops] : hops;
}

/** Devices a route leaves by: its own, or those of its nexthops. */
export function routeDevices(route: Pick<Fact, 'attrs'>): string[] {
  const own = str(route.attrs.dev);
  const hops = nexthops(route.attrs).map((h) => h.dev).filter((d): d is string => d !== undefined);
  return own ? [own, ...hops] : hops;
}

export function nexthops(attrs: FactAttributes): Array<{ gateway?: string; dev?: string }> {
  const hops = attrs.nexthops;
  if (!Array.isArray(hops)) return [];
  return hops.map((h) => (h && typeof h === 'object' && !Array.isArray(h) ? { gateway: str(h.gateway), dev: str(h.dev) } : {}));
}

/** Lowest-metric first. */
export function byMetric(a: Pick<Fact, 'attrs'>, b: Pick<Fact, 'attrs'>): number {
  return (num(a.attrs.metric) ?? 0) - (num(b.attrs.metric) ?? 0);
}
