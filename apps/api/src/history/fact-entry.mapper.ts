import type { Fact, FactAttributes } from '@routescope/snapshot';
import { Address, Link, Neighbor, Nexthop, Pod, Route, Sysctl, VxlanInfo } from './types/fact-entries.type';

/**
 * GraphQL types from facts as the fact store returns them (decoded in history/store/fact-rows.ts):
 * this file only maps.
 */

/** A fact as read back from history: the libs/snapshot shape, so libs/diff can compare states. */
export type StoredFact = Fact;

export function podNetnsName(namespace: string): string | undefined {
  return namespace.startsWith('pod:') ? namespace.slice('pod:'.length) : undefined;
}

export function toLink(fact: StoredFact): Link {
  const a = fact.attrs;
  const vxlan = objectOf(a.vxlan);
  return {
    namespace: fact.ns,
    name: fact.key,
    ifindex: intOf(a.ifindex),
    kind: stringOf(a.kind),
    mac: stringOf(a.mac),
    mtu: intOf(a.mtu),
    operState: stringOf(a.operState),
    flags: stringsOf(a.flags),
    master: stringOf(a.master),
    peerIfindex: intOf(a.peerIfindex),
    peerName: stringOf(a.peerName),
    peerInOtherNetns: a.peerInOtherNetns === true,
    vxlan: vxlan ? toVxlan(vxlan) : null,
    redacted: stringsOf(a.redacted),
  };
}

function toVxlan(a: FactAttributes): VxlanInfo {
  return { id: intOf(a.id), local: stringOf(a.local), dev: stringOf(a.dev), port: intOf(a.port), learning: typeof a.learning === 'boolean' ? a.learning : null };
}

export function toAddress(fact: StoredFact): Address {
  const a = fact.attrs;
  const [dev, prefix = ''] = fact.key.split('|');
  const [local, prefixlen] = prefix.split('/');
  return {
    namespace: fact.ns,
    key: fact.key,
    dev: stringOf(a.dev) ?? dev,
    family: stringOf(a.family) ?? '',
    local: stringOf(a.local) ?? local,
    prefixlen: intOf(a.prefixlen) ?? Number(prefixlen ?? 0),
    scope: stringOf(a.scope) ?? 'global',
    broadcast: stringOf(a.broadcast),
    peer: stringOf(a.peer),
    label: stringOf(a.label),
    flags: stringsOf(a.flags),
    redacted: stringsOf(a.redacted),
  };
}

export function toRoute(fact: StoredFact): Route {
  const a = fact.attrs;
  const [table = '', family = '', type = '', dst = '', metric = '0'] = fact.key.split('|');
  return {
    namespace: fact.ns,
    key: fact.key,
    table: stringOf(a.table) ?? table,
    family: stringOf(a.family) ?? family,
    type: stringOf(a.type) ?? type,
    dst: stringOf(a.dst) ?? dst,
    metric: numberOf(a.metric) ?? Number(metric),
    gateway: stringOf(a.gateway),
    dev: stringOf(a.dev),
    protocol: stringOf(a.protocol) ?? 'boot',
    scope: stringOf(a.scope) ?? 'global',
    prefsrc: stringOf(a.prefsrc),
    tos: stringOf(a.tos),
    flags: stringsOf(a.flags),
    pref: stringOf(a.pref),
    mtu: intOf(a.mtu),
    nexthops: Array.isArray(a.nexthops) ? a.nexthops.flatMap((hop) => (objectOf(hop) ? [toNexthop(hop as FactAttributes)] : [])) : [],
    redacted: stringsOf(a.redacted),
  };
}

function toNexthop(a: FactAttributes): Nexthop {
  return { gateway: stringOf(a.gateway), dev: stringOf(a.dev), weight: intOf(a.weight) ?? 1, flags: stringsOf(a.flags) };
}

export function toNeighbor(fact: StoredFact): Neighbor {
  const a = fact.attrs;
  const parts = fact.key.split('|');
  return {
    namespace: fact.ns,
    key: fact.key,
    family: stringOf(a.family) ?? '',
    dst: stringOf(a.dst) ?? parts[parts.length - 1],
    dev: stringOf(a.dev) ?? parts[parts.length - 2] ?? '',
    lladdr: stringOf(a.lladdr),
    state: stringOf(a.state),
    router: a.router === true,
    proxy: a.proxy === true,
    redacted: stringsOf(a.redacted),
  };
}

export function toSysctl(fact: StoredFact): Sysctl {
  return { namespace: fact.ns, path: fact.key, value: stringOf(fact.attrs.value) ?? '' };
}

/** One Pod per pod namespace present in `facts` (known by its netns fact), in namespace order. */
export function toPods(facts: readonly StoredFact[]): Pod[] {
  const pods = new Map<string, Pod>();
  const podOf = (ns: string): Pod | undefined => {
    const name = podNetnsName(ns);
    if (name === undefined) return undefined;
    let pod = pods.get(ns);
    if (!pod) {
      pod = { name, namespace: ns, hostVeth: null, captured: [], links: [], addresses: [], routes: [], neighbors: [], sysctls: [] };
      pods.set(ns, pod);
    }
    return pod;
  };
  for (const fact of facts) {
    const pod = podOf(fact.ns);
    if (!pod) continue;
    switch (fact.kind) {
      case 'netns':
        pod.name = fact.key;
        pod.hostVeth = stringOf(fact.attrs.hostVeth);
        pod.captured = stringsOf(fact.attrs.captured);
        break;
      case 'link':
        pod.links.push(toLink(fact));
        break;
      case 'address':
        pod.addresses.push(toAddress(fact));
        break;
      case 'route':
        pod.routes.push(toRoute(fact));
        break;
      case 'neighbor':
        pod.neighbors.push(toNeighbor(fact));
        break;
      case 'sysctl':
        pod.sysctls.push(toSysctl(fact));
        break;
      default:
        exhaustive(fact.kind);
    }
  }
  return [...pods.values()];
}

function exhaustive(kind: never): never {
  throw new Error(`unknown fact kind ${String(kind)}`);
}

function stringOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** GraphQL Int is 32-bit: anything outside it (or not an integer) reads as unknown rather than failing the list. */
function intOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? value : null;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function objectOf(value: unknown): FactAttributes | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as FactAttributes) : undefined;
}
