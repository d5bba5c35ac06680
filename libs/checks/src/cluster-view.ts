import type { FactAttributes, FactKind } from '@routescope/snapshot';
import type { ClusterContext, CniMode, CniName, EvidenceFact, NodeFacts } from './check-types';
import { TUNNEL_DEVICES, activeTunnels } from './cni-detection';
import { isCaliVeth, num, routeDst, str } from './facts/node-index';
import { formatIp, hostPrefixlen } from './net/ip';
import { NodeCheck, localPodAddresses, ownedBlocks } from './node-rules';

/** A fact as a view keeps it; the node is the view's. */
export interface ViewFact {
  ns: string;
  kind: FactKind;
  key: string;
  attrs: FactAttributes;
}

/**
 * What the cross-node rules need from one node, and nothing else: the API keeps one per node
 * in memory. Size grows with the node's pods and with the number of block routes (one per
 * other node's block), not with its sysctls, neighbours or links. Plain JSON; treat it as
 * immutable (route facts are shared between views).
 */
export interface ClusterView {
  node: string;
  cni: CniName;
  mode?: CniMode;
  /** host sections that were captured; a rule that needs one that was not stays silent for this node */
  captured: { links: boolean; addresses: boolean; routes: boolean };
  /** the node's own global addresses (underlay, tunnel devices): a route "to this node" has one as gateway */
  addresses: Array<{ ip: string; dev: string; tunnel: boolean; fact: ViewFact }>;
  /** addresses of the node's Calico pods (pod eth0, or a /32 route to a cali veth when the pod was not captured) */
  pods: Array<{ ip: string; pod?: string; veth?: string; fact: ViewFact }>;
  /**
   * main-table routes except the default route, the kernel's own (proto kernel: connected subnets) and
   * local pod /32s: blackholes, routes to other nodes' blocks, borrowed /32s, stray statics
   */
  routes: ViewFact[];
  /** blocks the node owns by its own facts: blackhole routes, else inferred (CALICO_BLACKHOLE's explanation) */
  blocks: Array<{ cidr: string; source: 'blackhole' | 'inferred'; evidence: EvidenceFact[] }>;
  /** Calico (and flannel, for Canal) tunnel devices in use */
  tunnels: Array<{ dev: string; mtu: number; fact: ViewFact }>;
  /** the interface of the IPv4 default route */
  underlay?: { dev: string; mtu: number; fact: ViewFact };
  /** the most common MTU of the node's cali veths (the pod MTU), with one such veth */
  podMtu?: { mtu: number; veths: number; fact: ViewFact };
}

/**
 * Reduces a node's facts to its ClusterView. `context` may give IP pools (block size for the
 * ownership inference); block affinities are not folded in: checkCluster applies them.
 */
export function clusterView(node: NodeFacts, context?: ClusterContext): ClusterView {
  const check = new NodeCheck(node, context ? { ...context, blockAffinities: undefined } : {});
  const host = check.index.host;
  const captured = { links: !!host?.captured('links'), addresses: !!host?.captured('addresses'), routes: !!host?.captured('routes') };
  const view: ClusterView = {
    node: node.node,
    cni: check.detection.cni,
    ...(check.detection.mode ? { mode: check.detection.mode } : {}),
    captured,
    addresses: [],
    pods: [],
    routes: [],
    blocks: [],
    tunnels: [],
  };
  if (!host || (check.detection.cni !== 'calico' && check.detection.cni !== 'canal')) return view;

  const pods = localPodAddresses(check, host);
  const podIps = new Set(pods.map((p) => formatIp(p.ip)));
  view.pods = pods.map((p) => ({ ip: formatIp(p.ip), ...(p.pod ? { pod: p.pod.name } : {}), ...(p.veth ? { veth: p.veth } : {}), fact: viewFact(p.fact) }));

  if (captured.addresses) {
    for (const a of host.addresses) {
      const dev = str(a.attrs.dev) ?? '';
      const local = str(a.attrs.local);
      if (a.attrs.scope !== 'global' || !local || dev === 'lo' || isCaliVeth(dev) || podIps.has(local)) continue;
      const kind = host.links.get(dev)?.attrs.kind;
      if (kind === 'bridge' || kind === 'dummy') continue;
      view.addresses.push({ ip: local, dev, tunnel: TUNNEL_DEVICES[dev] !== undefined, fact: a });
    }
  }
  if (captured.routes) {
    view.routes = host
      .mainRoutes()
      .filter((r) => {
      const dst = routeDst(r);
      if (!dst || dst.prefixlen === 0) return false;
      // connected subnets and IPv6 link-local routes: the kernel's own, never a block route
      if (r.attrs.protocol === 'kernel') return false;
      const dev = str(r.attrs.dev);
      return !(dev && isCaliVeth(dev) && dst.prefixlen === hostPrefixlen(dst.family) && r.attrs.type === 'unicast');
      })
      .map(compactRoute);
    view.blocks = ownedBlocks(check)
      .filter((b): b is typeof b & { source: 'blackhole' | 'inferred' } => b.source !== 'affinity')
      .map((b) => ({ cidr: b.cidr.text, source: b.source, evidence: b.evidence }));
  }
  if (captured.links) {
    for (const link of activeTunnels(check.index)) {
      const mtu = num(link.attrs.mtu);
      if (mtu !== undefined) view.tunnels.push({ dev: link.key, mtu, fact: link });
    }
    if (captured.routes) {
      const defaultRoute = host.mainRoutes('inet').find((r) => r.attrs.dst === '0.0.0.0/0' && r.attrs.type === 'unicast');
      const dev = str(defaultRoute?.attrs.dev);
      const link = dev ? host.links.get(dev) : undefined;
      const mtu = num(link?.attrs.mtu);
      if (link && mtu !== undefined) view.underlay = { dev: link.key, mtu, fact: link };
    }
    const veths = check.index.caliLinks().filter((l) => num(l.attrs.mtu) !== undefined);
    const counts = new Map<number, number>();
    for (const l of veths) counts.set(num(l.attrs.mtu) as number, (counts.get(num(l.attrs.mtu) as number) ?? 0) + 1);
    const [mtu, count] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [];
    if (mtu !== undefined) view.podMtu = { mtu, veths: count, fact: veths.find((l) => l.attrs.mtu === mtu) as ViewFact };
  }
  return view;
}

/**
 * Views share identical route facts. Every node routes every other node's block, so the
 * same `172.17.8.64/26 via 172.17.8.64 dev vxlan.calico proto 80 onlink` appears in (almost)
 * every view: sharing one frozen object makes a view's route list cost a pointer per route
 * instead of a fact per route (the O(nodes²) part of the cluster's memory), and lets the rules
 * remember what they work out about a route once for every node that has it (view-index.ts).
 * Content is unchanged, so evidence stays verbatim. The cache is bounded and simply restarts
 * when full. Its key is the route's key and attrs as JSON: attrs with the same content but
 * another key order (from another source) only share less, never wrongly.
 */
const SHARED_ROUTES = new Map<string, ViewFact>();
const SHARED_ROUTES_LIMIT = 200_000;
/** attrs objects already seen (the history reader hands out one object per distinct attrs text) */
const SHARED_BY_ATTRS = new WeakMap<FactAttributes, ViewFact>();

function compactRoute(route: ViewFact): ViewFact {
  const byAttrs = SHARED_BY_ATTRS.get(route.attrs);
  if (byAttrs && byAttrs.key === route.key && byAttrs.ns === route.ns && byAttrs.kind === route.kind) return byAttrs;
  const id = `${route.key}\u0000${JSON.stringify(route.attrs)}`;
  let shared = SHARED_ROUTES.get(id);
  if (!shared) {
    if (SHARED_ROUTES.size >= SHARED_ROUTES_LIMIT) SHARED_ROUTES.clear();
    shared = Object.freeze({ ns: route.ns, kind: route.kind, key: route.key, attrs: route.attrs });
    SHARED_ROUTES.set(id, shared);
  }
  SHARED_BY_ATTRS.set(route.attrs, shared);
  return shared;
}

/**
 * The view with its routes shared again. A view that crossed a thread boundary (structured
 * clone) holds its own copy of every route: 1,000 nodes' views then cost a route object per
 * node and block instead of a pointer, and the cross-node rules' per-route memo (keyed by the
 * shared object) never hits. The checks thread passes every view it receives through this.
 */
export function withSharedRoutes(view: ClusterView): ClusterView {
  let changed = false;
  const routes = view.routes.map((route) => {
    const shared = compactRoute(route);
    if (shared !== route) changed = true;
    return shared;
  });
  return changed ? { ...view, routes } : view;
}

function viewFact(fact: ViewFact): ViewFact {
  return { ns: fact.ns, kind: fact.kind, key: fact.key, attrs: fact.attrs };
}

export function isClusterView(value: NodeFacts | ClusterView): value is ClusterView {
  return !('facts' in value);
}
