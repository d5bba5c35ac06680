import type { ClusterContext, EvidenceFact, Finding, NodeFacts } from './check-types';
import { clusterView, isClusterView, type ClusterView, type ViewFact } from './cluster-view';
import { evidenceOf, mainRouteKey, nexthops, routeDst, str } from './facts/node-index';
import { cidrCovers, hostPrefixlen, networkOf, parseCidr, parseIp, type Cidr } from './net/ip';
import { RULES } from './rules/catalogue';
import { makeFinding, sortFindings } from './rules/finding';
import { coveringRoute, gatewaysOf, isCalicoRoute, unicastRoutesTo, viewIndex } from './view-index';

const RULE_ORDER = RULES.map((r) => r.id);

interface Owner {
  node: string;
  cidr: Cidr;
  source: 'affinity' | 'blackhole' | 'inferred';
  evidence: EvidenceFact[];
}

/**
 * Cross-node rules over the current state of every node. Accepts full node facts or the
 * compact views `clusterView()` makes (what the API keeps in memory), mixed as convenient.
 * Nodes where Calico is not detected take no part.
 */
export function checkCluster(nodes: ReadonlyArray<NodeFacts | ClusterView>, context: ClusterContext = {}): Finding[] {
  const calico = calicoViews(nodes, context);
  const cluster = new Cluster(calico, context);
  const findings = [...cluster.blockRules(), ...duplicates(cluster), ...borrowed(cluster), ...mtuConsistency(calico)];
  return sortFindings(findings, RULE_ORDER);
}

/** The nodes where Calico (or Canal) is detected, as views, in node-name order. */
function calicoViews(nodes: ReadonlyArray<NodeFacts | ClusterView>, context: ClusterContext): ClusterView[] {
  return nodes
    .map((n) => (isClusterView(n) ? n : clusterView(n, context)))
    .filter((v) => v.cni === 'calico' || v.cni === 'canal')
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

export interface BlockOwner {
  cidr: string;
  owner: string;
  source: Owner['source'];
  evidence: EvidenceFact[];
}

/** Every block with a single known owner, as cross-node rules see ownership (ordered by block text). */
export function blockOwners(nodes: ReadonlyArray<NodeFacts | ClusterView>, context: ClusterContext = {}): BlockOwner[] {
  return new Cluster(calicoViews(nodes, context), context).blockOwners();
}

/**
 * The block part of checkCluster, for the block matrix: the Calico nodes, every block with a
 * single owner, and exactly the findings checkCluster gives for the block rules
 * (CALICO_BLOCK_CONFLICT, CALICO_BLOCK_ROUTE_MISSING / _WRONG_NODE / _SPLIT / _STALE), in its order.
 */
export function blockRouting(nodes: ReadonlyArray<NodeFacts | ClusterView>, context: ClusterContext = {}): { nodes: string[]; owners: BlockOwner[]; findings: Finding[] } {
  const views = calicoViews(nodes, context);
  const cluster = new Cluster(views, context);
  return { nodes: views.map((v) => v.node), owners: cluster.blockOwners(), findings: sortFindings(cluster.blockRules(), RULE_ORDER) };
}

class Cluster {
  /** address → nodes that have it as a node address (views, and context.nodes InternalIPs) */
  readonly nodesByAddress = new Map<string, Set<string>>();
  /** block text → its owners */
  readonly owners = new Map<string, Owner[]>();
  readonly byNode = new Map<string, ClusterView>();
  private readonly addressesByNode = new Map<string, Set<string>>();
  /** `family/prefixlen` → network text → owner, for address → block lookups */
  private ownerIndex?: Map<string, Map<string, Cidr>>;

  constructor(
    readonly views: ClusterView[],
    readonly context: ClusterContext,
  ) {
    for (const view of views) {
      this.byNode.set(view.node, view);
      for (const a of view.addresses) this.addAddress(a.ip, view.node);
    }
    for (const n of context.nodes ?? []) for (const ip of n.internalIPs) this.addAddress(ip, n.name);
    if (context.blockAffinities) {
      for (const affinity of context.blockAffinities) {
        const cidr = parseCidr(affinity.cidr);
        if (!cidr) continue;
        const own = this.byNode.get(affinity.node)?.blocks.find((b) => b.cidr === cidr.text);
        this.addOwner({ node: affinity.node, cidr, source: 'affinity', evidence: own?.evidence ?? [] });
      }
    } else {
      for (const view of views) {
        if (view.cni !== 'calico') continue;
        for (const block of view.blocks) {
          const cidr = parseCidr(block.cidr);
          if (cidr) this.addOwner({ node: view.node, cidr, source: block.source, evidence: block.evidence });
        }
      }
    }
  }

  private addAddress(ip: string, node: string): void {
    const set = this.nodesByAddress.get(ip) ?? new Set<string>();
    set.add(node);
    this.nodesByAddress.set(ip, set);
    const own = this.addressesByNode.get(node) ?? new Set<string>();
    own.add(ip);
    this.addressesByNode.set(node, own);
  }

  private addOwner(owner: Owner): void {
    this.owners.set(owner.cidr.text, [...(this.owners.get(owner.cidr.text) ?? []), owner]);
  }

  addressesOf(node: string): Set<string> {
    return this.addressesByNode.get(node) ?? new Set<string>();
  }

  blockOwners(): BlockOwner[] {
    const out: BlockOwner[] = [];
    for (const block of this.owners.keys()) {
      const owner = this.ownerOf(block);
      if (owner) out.push({ cidr: block, owner: owner.node, source: owner.source, evidence: owner.evidence });
    }
    return out.sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
  }

  /** The one node a block belongs to: the affinity; else its only blackhole; else its only inferred owner. */
  ownerOf(block: string): Owner | undefined {
    const owners = this.owners.get(block) ?? [];
    const decisive = owners.filter((o) => o.source !== 'inferred');
    const pool = decisive.length > 0 ? decisive : owners;
    return new Set(pool.map((o) => o.node)).size === 1 ? pool[0] : undefined;
  }

  /** Blocks with owners, bucketed by family and prefix length, for prefix → block lookups. */
  private buckets(): Map<string, Map<string, Cidr>> {
    if (!this.ownerIndex) {
      this.ownerIndex = new Map();
      for (const owners of this.owners.values()) {
        const cidr = owners[0].cidr;
        const bucket = `${cidr.family}/${cidr.prefixlen}`;
        const map = this.ownerIndex.get(bucket) ?? new Map<string, Cidr>();
        map.set(cidr.text, cidr);
        this.ownerIndex.set(bucket, map);
      }
    }
    return this.ownerIndex;
  }

  private readonly overlapping = new Map<string, Cidr[]>();

  /** Owned blocks that overlap `prefix` (contain it, or lie inside it). Remembered per prefix: do not modify the array. */
  ownedOverlapping(prefix: Cidr): Cidr[] {
    let known = this.overlapping.get(prefix.text);
    if (!known) {
      known = this.findOverlapping(prefix);
      this.overlapping.set(prefix.text, known);
    }
    return known;
  }

  private findOverlapping(prefix: Cidr): Cidr[] {
    const out: Cidr[] = [];
    for (const [bucket, map] of this.buckets()) {
      const [family, length] = bucket.split('/');
      if (family !== prefix.family) continue;
      if (Number(length) <= prefix.prefixlen) {
        const block = map.get(networkOf({ family: prefix.family, value: prefix.network }, Number(length)).text);
        if (block) out.push(block);
      } else {
        for (const block of map.values()) if (cidrCovers(prefix, block)) out.push(block);
      }
    }
    return out;
  }

  /** The single owner of the block that contains `ip`. */
  ownerContaining(ip: string): Owner | undefined {
    const parsed = parseIp(ip);
    if (!parsed) return undefined;
    for (const block of this.ownedOverlapping(networkOf(parsed, hostPrefixlen(parsed.family)))) {
      const owner = this.ownerOf(block.text);
      if (owner) return owner;
    }
    return undefined;
  }

  describeGateway(gateway: string): string {
    const nodes = [...(this.nodesByAddress.get(gateway) ?? [])];
    return nodes.length > 0 ? `${gateway} (node ${nodes.join(', ')})` : `${gateway} (no known node's address)`;
  }

  knownNode(gateway: string): boolean {
    return this.nodesByAddress.has(gateway);
  }

  blockRules(): Finding[] {
    const findings: Finding[] = [...this.conflicts()];
    const blocks: Array<{ block: string; owner: Owner; addresses: Set<string>; note: () => string }> = [];
    for (const block of [...this.owners.keys()].sort()) {
      const owner = this.ownerOf(block);
      if (!owner) continue;
      const addresses = this.addressesOf(owner.node);
      let note: string | undefined;
      blocks.push({ block, owner, addresses, note: () => (note ??= `node ${owner.node}${addresses.size ? ` (${[...addresses].sort().join(', ')})` : ''}`) });
    }
    const position = new Map(blocks.map((b, i) => [b.block, i]));
    // Node by node (each view's routes stay in cache), block by block: nodes × blocks cells, so each
    // must be cheap. Views share route objects: whether a block's route leads to its owner is
    // worked out once per distinct route. The findings are sorted afterwards (checkCluster), so the
    // order they are found in does not matter.
    const toOwner = new Map<ViewFact, boolean>();
    const exactOf = new Array<ViewFact[] | undefined>(blocks.length);
    for (const view of this.views) {
      // The nodes whose block routes are judged: Calico proper (not Canal) with routes captured.
      if (view.cni !== 'calico' || !view.captured.routes) continue;
      const index = viewIndex(view);
      exactOf.fill(undefined);
      index.unicastByDst.forEach((routes, dst) => {
        const i = position.get(dst);
        if (i !== undefined) exactOf[i] = routes;
      });
      for (let i = 0; i < blocks.length; i++) {
        const { block, owner, addresses, note } = blocks[i];
        if (view.node === owner.node) continue;
        // A node that claims the block itself is CALICO_BLOCK_CONFLICT's business.
        if (index.blackholes.size > 0 && index.blackholes.has(block)) continue;
        const exact = exactOf[i];
        if (exact) {
          let fine = toOwner.get(exact[0]);
          if (fine === undefined) {
            const gateways = gatewaysOf(exact[0]);
            fine = gateways.length === 0 || gateways.every((g) => addresses.has(g));
            toOwner.set(exact[0], fine);
          }
          if (fine) continue;
        }
        const finding = this.blockRoute(view, owner, addresses, note, exact ?? []);
        if (finding) findings.push(finding);
      }
    }
    findings.push(...this.staleRoutes());
    return findings;
  }

  /** How `view` routes the owner's block (`exact`: its unicast routes to the block, lowest metric first): undefined when to its owner. */
  private blockRoute(view: ClusterView, owner: Owner, ownerAddresses: Set<string>, ownerNote: () => string, exact: readonly ViewFact[]): Finding | undefined {
    const block = owner.cidr.text;
    const ev = (f: ViewFact) => evidenceOf(view.node, f);
    if (exact.length === 0) {
      // An aggregate that leads to the owner is as good as the block route.
      const covering = coveringRoute(view, owner.cidr);
      if (covering && gatewaysOf(covering.route).length > 0 && gatewaysOf(covering.route).every((g) => ownerAddresses.has(g))) return undefined;
      return makeFinding(
        'CALICO_BLOCK_ROUTE_MISSING',
        view.node,
        `block:${block}`,
        `Node ${view.node} has no route to block ${block}, owned by ${ownerNote()}, so its traffic to the pods there follows the default route.`,
        [{ node: view.node, ns: 'host', kind: 'route', key: mainRouteKey(owner.cidr.family, 'unicast', block), attrs: null }, ...owner.evidence],
      );
    }
    const route = exact[0];
    const gateways = gatewaysOf(route);
    if (gateways.length === 0 || gateways.every((g) => ownerAddresses.has(g))) return undefined;
    // "Not the owner" needs the owner's own addresses; without them only another node's address is proof.
    const ownerKnown = this.byNode.get(owner.node)?.captured.addresses === true;
    const elsewhere = gateways.some((g) => [...(this.nodesByAddress.get(g) ?? [])].some((n) => n !== owner.node));
    if (!ownerKnown && !elsewhere) return undefined;
    if (nexthops(route.attrs).length > 1) {
      return makeFinding(
        'CALICO_BLOCK_ROUTE_SPLIT',
        view.node,
        `block:${block}`,
        `Node ${view.node} splits block ${block}, owned by ${ownerNote()}, over next hops ${gateways.map((g) => this.describeGateway(g)).join(' and ')}.`,
        [ev(route), ...owner.evidence],
      );
    }
    return makeFinding(
      'CALICO_BLOCK_ROUTE_WRONG_NODE',
      view.node,
      `block:${block}`,
      `Node ${view.node} routes block ${block} via ${gateways.map((g) => this.describeGateway(g)).join(', ')} instead of its owner ${ownerNote()}.`,
      [ev(route), ...owner.evidence],
    );
  }

  /** Two nodes with a blackhole for one block, or a blackhole for a block the affinities give to another node. */
  private conflicts(): Finding[] {
    const findings: Finding[] = [];
    const claims = new Map<string, Array<{ view: ClusterView; evidence: EvidenceFact[] }>>();
    for (const view of this.views) {
      if (view.cni !== 'calico') continue;
      for (const b of view.blocks) {
        if (b.source !== 'blackhole') continue;
        const list = claims.get(b.cidr);
        if (list) list.push({ view, evidence: b.evidence });
        else claims.set(b.cidr, [{ view, evidence: b.evidence }]);
      }
    }
    for (const [block, claimants] of [...claims].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const affinity = this.context.blockAffinities ? this.owners.get(block)?.[0] : undefined;
      const wrong = affinity ? claimants.filter((c) => c.view.node !== affinity.node) : claimants.length > 1 ? claimants : [];
      for (const claimant of wrong) {
        const others = affinity ? `the block affinity gives it to node ${affinity.node}` : `node${claimants.length > 2 ? 's' : ''} ${claimants.filter((c) => c !== claimant).map((c) => c.view.node).join(', ')} also ${claimants.length > 2 ? 'have' : 'has'} a blackhole for it`;
        findings.push(
          makeFinding(
            'CALICO_BLOCK_CONFLICT',
            claimant.view.node,
            `block:${block}`,
            `Node ${claimant.view.node} has a blackhole for block ${block}, but ${others}.`,
            claimants.flatMap((c) => c.evidence),
          ),
        );
      }
    }
    return findings;
  }

  /** Block routes towards no known node for blocks nobody owns — decided only with cluster context. */
  private staleRoutes(): Finding[] {
    if (!this.context.blockAffinities && !this.context.nodes) return [];
    const pools = (this.context.ipPools ?? []).map((p) => parseCidr(p.cidr)).filter((c): c is Cidr => c !== undefined);
    const blockSizes = new Set([...this.owners.values()].flat().map((o) => o.cidr.prefixlen));
    const podAddresses = new Set(this.views.flatMap((v) => v.pods.map((p) => p.ip)));
    // Whether a route is stale depends on the route and the cluster, not on the node that has
    // it: decided once per distinct route (views share route objects), then looked up.
    const staleGateways = new Map<ViewFact, { dst: Cidr; gateways: string[] } | null>();
    const judge = (route: ViewFact): { dst: Cidr; gateways: string[] } | null => {
      const dst = routeDst(route);
      if (!dst || route.attrs.type !== 'unicast' || !isCalicoRoute(route)) return null;
      const plausible = pools.some((p) => cidrCovers(p, dst)) || blockSizes.has(dst.prefixlen);
      if (!plausible) return null;
      if (this.ownedOverlapping(dst).length > 0) return null;
      if (dst.prefixlen === hostPrefixlen(dst.family) && podAddresses.has(str(route.attrs.dst)?.split('/')[0] ?? '')) return null;
      const gateways = gatewaysOf(route);
      if (gateways.length === 0 || gateways.some((g) => this.knownNode(g))) return null;
      return { dst, gateways };
    };
    const findings: Finding[] = [];
    for (const view of this.views) {
      if (view.cni !== 'calico' || !view.captured.routes) continue;
      for (const route of view.routes) {
        let stale = staleGateways.get(route);
        if (stale === undefined) {
          stale = judge(route);
          staleGateways.set(route, stale);
        }
        if (!stale) continue;
        const { dst, gateways } = stale;
        const why = this.context.blockAffinities ? 'no block affinity covers it' : 'no node claims it';
        findings.push(
          makeFinding(
            'CALICO_BLOCK_ROUTE_STALE',
            view.node,
            `block:${dst.text}`,
            `Node ${view.node} still routes ${dst.text} via ${gateways.join(', ')}, which is no known node's address, and ${why}.`,
            [evidenceOf(view.node, route)],
          ),
        );
      }
    }
    return findings;
  }
}

interface AddressUse {
  node: string;
  what: string;
  fact: ViewFact;
}

function addressUses(cluster: Cluster): Map<string, AddressUse[]> {
  const uses = new Map<string, AddressUse[]>();
  const add = (ip: string, use: AddressUse) => {
    const list = uses.get(ip) ?? [];
    if (!list.some((u) => u.node === use.node && u.what === use.what)) list.push(use);
    uses.set(ip, list);
  };
  for (const view of cluster.views) {
    for (const p of view.pods) add(p.ip, { node: view.node, what: p.pod ? `pod ${p.pod}` : `veth ${p.veth}`, fact: p.fact });
    for (const a of view.addresses) if (a.tunnel) add(a.ip, { node: view.node, what: `tunnel ${a.dev}`, fact: a.fact });
  }
  return uses;
}

const DUPLICATES = new WeakMap<Cluster, Map<string, AddressUse[]>>();

/** Addresses used more than once (worked out once per evaluation: two rules ask). */
function duplicateAddresses(cluster: Cluster): Map<string, AddressUse[]> {
  let duplicated = DUPLICATES.get(cluster);
  if (!duplicated) {
    duplicated = new Map([...addressUses(cluster)].filter(([, list]) => list.length > 1));
    DUPLICATES.set(cluster, duplicated);
  }
  return duplicated;
}

function duplicates(cluster: Cluster): Finding[] {
  const findings: Finding[] = [];
  for (const [ip, list] of [...duplicateAddresses(cluster)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const text = list.map((u) => `${u.what} on node ${u.node}`).join(' and by ');
    for (const node of new Set(list.map((u) => u.node))) {
      findings.push(
        makeFinding('CALICO_DUPLICATE_ADDRESS', node, `address:${ip}`, `Address ${ip} is used by ${text}.`, list.map((u) => evidenceOf(u.node, u.fact))),
      );
    }
  }
  return findings;
}

/**
 * An address of node B's pod inside a block owned by node A is borrowed: every other node
 * (the owner A above all, whose blackhole covers it) needs a /32 route to it via B.
 */
function borrowed(cluster: Cluster): Finding[] {
  const duplicated = duplicateAddresses(cluster);
  const findings: Finding[] = [];
  for (const host of cluster.views) {
    if (host.cni !== 'calico' || !host.captured.addresses) continue;
    const hostAddresses = cluster.addressesOf(host.node);
    if (hostAddresses.size === 0) continue;
    for (const pod of host.pods) {
      if (duplicated.has(pod.ip)) continue;
      const owner = cluster.ownerContaining(pod.ip);
      if (!owner || owner.node === host.node) continue;
      const ip = parseIp(pod.ip);
      if (!ip) continue;
      const dst = `${pod.ip}/${hostPrefixlen(ip.family)}`;
      for (const view of cluster.views) {
        if (view.node === host.node || view.cni !== 'calico' || !view.captured.routes) continue;
        const routes = unicastRoutesTo(view, dst);
        if (routes.some((r) => gatewaysOf(r).some((g) => hostAddresses.has(g)))) continue;
        const who = pod.pod ? `pod ${pod.pod}` : `the pod behind ${pod.veth}`;
        const consequence =
          view.node === owner.node ? `its blackhole for block ${owner.cidr.text} drops that pod's traffic` : `its traffic goes to the block owner ${owner.node}, which does not host it`;
        const what = routes.length === 0 ? `has no /32 route for ${pod.ip}` : `routes ${pod.ip} via ${gatewaysOf(routes[0]).map((g) => cluster.describeGateway(g)).join(', ')}`;
        findings.push(
          makeFinding(
            'CALICO_BORROWED_ADDRESS_ROUTE',
            view.node,
            `address:${pod.ip}`,
            `Node ${view.node} ${what}, which ${who} on node ${host.node} borrowed from block ${owner.cidr.text} of node ${owner.node}: ${consequence}.`,
            [
              ...(routes.length === 0 ? [{ node: view.node, ns: 'host', kind: 'route' as const, key: mainRouteKey(ip.family, 'unicast', dst), attrs: null }] : routes.map((r) => evidenceOf(view.node, r))),
              evidenceOf(host.node, pod.fact),
              ...owner.evidence,
            ],
          ),
        );
      }
    }
  }
  return findings;
}

function mtuConsistency(views: ClusterView[]): Finding[] {
  const findings: Finding[] = [];
  const groups = new Map<string, Array<{ node: string; mtu: number; fact: ViewFact }>>();
  const add = (what: string, member: { node: string; mtu: number; fact: ViewFact }) => {
    const list = groups.get(what);
    if (list) list.push(member);
    else groups.set(what, [member]);
  };
  for (const view of views) {
    for (const t of view.tunnels) add(t.dev, { node: view.node, mtu: t.mtu, fact: t.fact });
    if (view.podMtu) add('pods', { node: view.node, mtu: view.podMtu.mtu, fact: view.podMtu.fact });
  }
  for (const [what, members] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const counts = new Map<number, number>();
    for (const m of members) counts.set(m.mtu, (counts.get(m.mtu) ?? 0) + 1);
    if (counts.size < 2) continue;
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    const majority = ranked[0][1] > ranked[1][1] ? ranked[0][0] : undefined;
    const label = what === 'pods' ? 'pod (cali veth) MTU' : `${what} MTU`;
    for (const m of members) {
      if (majority !== undefined && m.mtu === majority) continue;
      const others = members.filter((o) => o.mtu !== m.mtu).map((o) => `${o.node} ${o.mtu}`);
      findings.push(
        makeFinding(
          'CALICO_MTU_INCONSISTENT',
          m.node,
          `mtu:${what}`,
          `Node ${m.node} has ${label} ${m.mtu} while ${majority !== undefined ? `most nodes have ${majority}` : `other nodes differ`} (${others.join(', ')}).`,
          members.map((o) => evidenceOf(o.node, o.fact)),
        ),
      );
    }
  }
  return findings;
}
