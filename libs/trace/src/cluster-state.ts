import { indexByNamespace, NamespaceFactIndex, type Fact, type FactKind, type FactValue } from '@routescope/snapshot';
import { ipv4Number, ipv4Prefix, prefixCovers } from './ipv4';
import type { FactRef, TraceNodeState } from './trace-types';

export const HOST_NS = 'host';

/** One network namespace of one node at the instant, indexed for the walk. */
export class NamespaceState extends NamespaceFactIndex {
  constructor(
    readonly node: string,
    ns: string,
  ) {
    super(ns);
  }

  get isHost(): boolean {
    return this.ns === HOST_NS;
  }

  /** `node-a host`, `node-a pod:cni-1234` */
  get label(): string {
    return `${this.node} ${this.ns}`;
  }

  /** True when the section was captured (whole or in part); `whole` also requires it not be partial. */
  captured(section: 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls', whole = false): boolean {
    const captured = strings(this.netns?.attrs.captured);
    if (captured.includes(section)) return true;
    return !whole && strings(this.netns?.attrs.partial).includes(section);
  }

  sysctl(path: string): Fact | undefined {
    return this.sysctls.get(path);
  }

  /** IPv4 addresses of the namespace (any scope but host: 127/8 is the local table's). */
  inetAddresses(): Fact[] {
    return this.addresses.filter((a) => a.attrs.family === 'inet');
  }

  /** The address fact that makes `ip` local here, if any. */
  ownAddress(ip: string): Fact | undefined {
    return this.inetAddresses().find((a) => a.attrs.local === ip);
  }

  ref(fact: Pick<Fact, 'ns' | 'kind' | 'key'>): FactRef {
    return { node: this.node, ns: fact.ns, kind: fact.kind, key: fact.key };
  }

  /** A fact the decision looked for and did not find. */
  absent(kind: FactKind, key: string): FactRef {
    return { node: this.node, ns: this.ns, kind, key };
  }

  /** The fact if present, else its absence: either way what the decision read. */
  refOr(fact: Fact | undefined, kind: FactKind, key: string): FactRef {
    return fact ? this.ref(fact) : this.absent(kind, key);
  }
}

/** Where an address is configured: the namespace and the address fact. */
export interface AddressHolder {
  ns: NamespaceState;
  address: Fact;
}

/**
 * Every namespace of every node in the request, indexed on demand: a trace touches a few nodes
 * of a thousand, so a node's facts are indexed when the walk first enters it, and the
 * cross-node questions (who holds this address, whose VXLAN device has this MAC) share one pass
 * over the address and host link facts.
 */
export class ClusterState {
  /** each node's fact lists as given (not copied: a thousand nodes hold millions of facts) */
  private readonly raw = new Map<string, Array<readonly Fact[]>>();
  private readonly indexed = new Map<string, Map<string, NamespaceState>>();
  private holders?: Map<string, Array<{ node: string; ns: string }>>;
  /** what the walk looked for on other nodes and did not find among the given ones */
  readonly unresolved = { addresses: new Set<string>(), macs: new Set<string>() };
  private macs?: Map<string, string[]>;

  constructor(states: readonly TraceNodeState[]) {
    for (const state of states) {
      const lists = this.raw.get(state.node);
      if (lists) lists.push(state.facts);
      else this.raw.set(state.node, [state.facts]);
    }
  }

  nodeNames(): string[] {
    return [...this.raw.keys()];
  }

  hasNode(node: string): boolean {
    return this.raw.has(node);
  }

  /** The node's namespaces, indexed on first use. */
  namespacesOf(node: string): Map<string, NamespaceState> {
    let namespaces = this.indexed.get(node);
    if (namespaces) return namespaces;
    namespaces = new Map();
    this.indexed.set(node, namespaces);
    indexByNamespace((this.raw.get(node) ?? []).flat(), (ns) => new NamespaceState(node, ns), namespaces);
    return namespaces;
  }

  namespace(node: string, ns: string): NamespaceState | undefined {
    return this.raw.has(node) ? this.namespacesOf(node).get(ns) : undefined;
  }

  host(node: string): NamespaceState | undefined {
    return this.namespace(node, HOST_NS);
  }

  pods(node: string): NamespaceState[] {
    return [...this.namespacesOf(node).values()].filter((ns) => !ns.isHost && ns.netns?.attrs.kind === 'pod');
  }

  /** The pod namespace whose host-side veth is `veth` on `node`. */
  podOfVeth(node: string, veth: string): NamespaceState | undefined {
    return this.pods(node).find((p) => p.netns?.attrs.hostVeth === veth);
  }

  /** Every namespace (of any node) that has the IPv4 address `ip` configured. */
  holdersOf(ip: string): AddressHolder[] {
    this.scan();
    const found: AddressHolder[] = [];
    for (const { node, ns } of this.holders?.get(ip) ?? []) {
      const state = this.namespace(node, ns);
      const address = state?.ownAddress(ip);
      if (state && address) found.push({ ns: state, address });
    }
    return found;
  }

  /** Host namespaces with a link whose MAC is `mac`. */
  hostsWithMac(mac: string): NamespaceState[] {
    this.scan();
    return [...new Set(this.macs?.get(mac) ?? [])].map((node) => this.host(node)).filter((h): h is NamespaceState => h !== undefined);
  }

  private scan(): void {
    if (this.holders && this.macs) return;
    const holders = new Map<string, Array<{ node: string; ns: string }>>();
    const macs = new Map<string, string[]>();
    const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    for (const [node, lists] of this.raw) {
      for (const facts of lists) {
        for (const fact of facts) {
          if (fact.kind === 'address' && fact.attrs.family === 'inet') add(holders, String(fact.attrs.local), { node, ns: fact.ns });
          else if (fact.kind === 'link' && fact.ns === HOST_NS && typeof fact.attrs.mac === 'string') add(macs, fact.attrs.mac, node);
        }
      }
    }
    this.holders = holders;
    this.macs = macs;
  }
}

/** A pod's own end of its veth pair: the link the host veth names by ifindex, else `eth0`. */
export function podDevice(cluster: ClusterState, pod: NamespaceState): string {
  const veth = str(pod.netns?.attrs.hostVeth);
  const peer = veth ? num(cluster.host(pod.node)?.links.get(veth)?.attrs.peerIfindex) : undefined;
  const byIndex = peer !== undefined ? [...pod.links.values()].find((l) => l.attrs.ifindex === peer) : undefined;
  return byIndex?.key ?? 'eth0';
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

/** Devices and gateways of a route: its own, else its first nexthop's (the kernel hashes flows over the others). */
export function routeNexthop(route: Fact): { dev?: string; gateway?: string; multipath: boolean } {
  const hops = Array.isArray(route.attrs.nexthops) ? route.attrs.nexthops : [];
  const first = hops[0];
  const hop = first && typeof first === 'object' && !Array.isArray(first) ? first : {};
  return {
    dev: str(route.attrs.dev) ?? str(hop.dev),
    gateway: str(route.attrs.gateway) ?? str(hop.gateway),
    multipath: hops.length > 1,
  };
}

/** All devices a route may leave by (its own and every nexthop's). */
export function routeDevices(route: Fact): string[] {
  const hops = Array.isArray(route.attrs.nexthops) ? route.attrs.nexthops : [];
  const devs = hops.map((h) => (h && typeof h === 'object' && !Array.isArray(h) ? str(h.dev) : undefined));
  return [str(route.attrs.dev), ...devs].filter((d): d is string => d !== undefined);
}

export function isIpv4(text: string): boolean {
  return ipv4Number(text) !== undefined;
}

/** True when `prefix` (a route destination or address/len) covers the IPv4 address `ip`. */
export function covers(prefix: string, ip: string): boolean {
  const p = ipv4Prefix(prefix === 'default' ? '0.0.0.0/0' : prefix);
  const a = ipv4Number(ip);
  return p !== undefined && a !== undefined && prefixCovers(p, a);
}

export function prefixLength(prefix: string): number {
  return ipv4Prefix(prefix === 'default' ? '0.0.0.0/0' : prefix)?.length ?? -1;
}
