import type { ClusterView, ViewFact } from './cluster-view';
import { byMetric, nexthops, routeDst, routeGateways, str } from './facts/node-index';
import { cidrCovers, type Cidr } from './net/ip';

/**
 * What the cross-node rules look up in one view, computed once per view object and kept beside
 * it (a view stays plain JSON; the API keeps its views for as long as the node's state holds, so
 * an evaluation after one node changed rebuilds only that node's index). Views are immutable, so
 * the index never goes stale; it goes away with its view.
 */
export interface ViewIndex {
  /** unicast routes by destination text (as stored, not re-canonicalised), lowest metric first */
  unicastByDst: Map<string, ViewFact[]>;
  /** blocks the node claims with a blackhole route */
  blackholes: Set<string>;
  /** unicast routes with a non-default destination, longest prefix first (ties in route order); built on first use */
  byLength?: Array<{ route: ViewFact; cidr: Cidr }>;
}

const INDEXES = new WeakMap<ClusterView, ViewIndex>();

export function viewIndex(view: ClusterView): ViewIndex {
  let index = INDEXES.get(view);
  if (!index) {
    index = buildIndex(view);
    INDEXES.set(view, index);
  }
  return index;
}

function buildIndex(view: ClusterView): ViewIndex {
  const unicastByDst = new Map<string, ViewFact[]>();
  for (const route of view.routes) {
    if (route.attrs.type !== 'unicast') continue;
    const key = String(route.attrs.dst);
    const list = unicastByDst.get(key);
    if (list) list.push(route);
    else unicastByDst.set(key, [route]);
  }
  // A stable sort: routes of equal metric keep the order of view.routes.
  for (const list of unicastByDst.values()) if (list.length > 1) list.sort(byMetric);
  const blackholes = new Set(view.blocks.filter((b) => b.source === 'blackhole').map((b) => b.cidr));
  return { unicastByDst, blackholes };
}

const NO_ROUTES: readonly ViewFact[] = Object.freeze([]);

/** A view's unicast routes to exactly `dst` (its text), lowest metric first. */
export function unicastRoutesTo(view: ClusterView, dst: string): readonly ViewFact[] {
  return viewIndex(view).unicastByDst.get(dst) ?? NO_ROUTES;
}

/** The most specific unicast route of the view whose destination covers `prefix` (equal included). */
export function coveringRoute(view: ClusterView, prefix: Cidr): { route: ViewFact; cidr: Cidr } | undefined {
  const index = viewIndex(view);
  if (!index.byLength) {
    const byLength: Array<{ route: ViewFact; cidr: Cidr }> = [];
    for (const route of view.routes) {
      if (route.attrs.type !== 'unicast') continue;
      const cidr = routeDst(route);
      if (cidr && cidr.prefixlen > 0) byLength.push({ route, cidr });
    }
    // Stable: routes of equal length keep the order of view.routes.
    index.byLength = byLength.sort((a, b) => b.cidr.prefixlen - a.cidr.prefixlen);
  }
  return index.byLength.find((x) => cidrCovers(x.cidr, prefix));
}

// Per route fact: views share their route objects (cluster-view's compactRoute), so these are
// computed once per distinct route in the cluster, not once per node that has it.
const GATEWAYS = new WeakMap<ViewFact, string[]>();
const CALICO_ROUTES = new WeakMap<ViewFact, boolean>();

/** routeGateways, remembered per route object (do not modify the array). */
export function gatewaysOf(route: ViewFact): string[] {
  let gateways = GATEWAYS.get(route);
  if (!gateways) {
    gateways = routeGateways(route);
    GATEWAYS.set(route, gateways);
  }
  return gateways;
}

/** A route Calico (BIRD or felix) installed, or one through a Calico tunnel device. */
export function isCalicoRoute(route: ViewFact): boolean {
  let calico = CALICO_ROUTES.get(route);
  if (calico === undefined) {
    const protocol = String(route.attrs.protocol);
    const devs = [str(route.attrs.dev), ...nexthops(route.attrs).map((h) => h.dev)];
    calico = protocol === 'bird' || protocol === '80' || devs.some((d) => d === 'tunl0' || d === 'vxlan.calico' || d === 'vxlan-v6.calico' || d === 'wireguard.cali');
    CALICO_ROUTES.set(route, calico);
  }
  return calico;
}
