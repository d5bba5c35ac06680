import { addressValue, prefixValue, type Fact, type FactKind, type FactValue } from '@routescope/snapshot';
import type { FactRef, TraceNodeState } from './trace-types';

export const HOST_NS = 'host';

/** One network namespace of one node at the instant, indexed for the walk. */
export class NamespaceState {
  netns?: Fact;
  readonly links = new Map<string, Fact>();
  readonly addresses: Fact[] = [];
  readonly routes: Fact[] = [];
  readonly neighbors = new Map<string, Fact>();
  readonly sysctls = new Map<string, Fact>();

  constructor(
    readonly node: string,
    readonly ns: string,
  ) {}

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

/** Every namespace of every node in the request. */
export class ClusterState {
  readonly nodes = new Map<string, Map<string, NamespaceState>>();

  constructor(states: readonly TraceNodeState[]) {
    for (const state of states) {
      let namespaces = this.nodes.get(state.node);
      if (!namespaces) this.nodes.set(state.node, (namespaces = new Map()));
      for (const fact of state.facts) {
        let ns = namespaces.get(fact.ns);
        if (!ns) namespaces.set(fact.ns, (ns = new NamespaceState(state.node, fact.ns)));
        switch (fact.kind) {
          case 'netns':
            ns.netns = fact;
            break;
          case 'link':
            ns.links.set(fact.key, fact);
            break;
          case 'address':
            ns.addresses.push(fact);
            break;
          case 'route':
            ns.routes.push(fact);
            break;
          case 'neighbor':
            ns.neighbors.set(fact.key, fact);
            break;
          case 'sysctl':
            ns.sysctls.set(fact.key, fact);
            break;
        }
      }
    }
  }

  namespace(node: string, ns: string): NamespaceState | undefined {
    return this.nodes.get(node)?.get(ns);
  }

  host(node: string): NamespaceState | undefined {
    return this.namespace(node, HOST_NS);
  }

  hosts(): NamespaceState[] {
    return [...this.nodes.keys()].map((n) => this.host(n)).filter((h): h is NamespaceState => h !== undefined);
  }

  pods(node: string): NamespaceState[] {
    return [...(this.nodes.get(node)?.values() ?? [])].filter((ns) => !ns.isHost && ns.netns?.attrs.kind === 'pod');
  }

  /** The pod namespace whose host-side veth is `veth` on `node`. */
  podOfVeth(node: string, veth: string): NamespaceState | undefined {
    return this.pods(node).find((p) => p.netns?.attrs.hostVeth === veth);
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
  return addressValue(text)?.family === 'inet';
}

/** True when `prefix` (a route destination or address/len) covers `ip`. */
export function covers(prefix: string, ip: string): boolean {
  const p = prefixValue(prefix, 'inet');
  const a = addressValue(ip);
  if (!p || !a || p.family !== a.family) return false;
  const shift = BigInt(32 - p.prefixlen);
  return p.value >> shift === a.value >> shift;
}

export function prefixLength(prefix: string): number {
  return prefixValue(prefix, 'inet')?.prefixlen ?? -1;
}
