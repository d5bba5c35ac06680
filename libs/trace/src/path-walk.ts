import type { Fact } from '@routescope/snapshot';
import { num, podDevice, routeNexthop, str, type ClusterState, type NamespaceState } from './cluster-state';
import { forwarding, linkState, lookupRoute, sourceAddress, validateSource } from './kernel-decisions';
import { resolveNeighbour } from './neighbour-resolution';
import { encapsulate, tunnelKind } from './tunnel-encapsulation';
import type { FactRef, TraceHop, TraceStep, TraceStop, TraceStopReason } from './trace-types';
import type { Arrival, LegEnd, Packet, Stopped, WalkContext } from './walk-context';

/** Linux's initial TTL; each forwarding namespace takes one. */
const INITIAL_TTL = 64;
/** Encapsulation inside encapsulation deeper than this is a loop in the facts, not a network. */
const MAX_TUNNEL_DEPTH = 3;

/**
 * Walks packets through the namespaces as the kernel would: receive (link, rp_filter), route
 * lookup, local delivery or forwarding (forwarding sysctl, TTL), output (link, MTU), then the
 * next hop's link layer (neighbour, proxy ARP) or a tunnel, into the next namespace.
 */
export class PathWalk implements WalkContext {
  readonly hops: TraceHop[] = [];

  constructor(readonly cluster: ClusterState) {}

  hop(at: NamespaceState, step: TraceStep, detail: string, evidence: FactRef[]): void {
    this.hops.push({ node: at.node, ns: at.ns, step, detail, evidence: dedupe(evidence) });
  }

  stop(reason: TraceStopReason, at: NamespaceState, detail: string, evidence: FactRef[]): Stopped {
    return { delivered: false, stop: { reason, node: at.node, ns: at.ns, detail, evidence: dedupe(evidence) } };
  }

  /** The packet from `start` (sent there, or received there on `inDev`) until it is delivered or stops. */
  walk(start: NamespaceState, sent: Packet, inDev?: string, depth = 0): LegEnd {
    const packet = { ...sent };
    let here = start;
    let dev = inDev;
    let ttl = INITIAL_TTL;
    for (;;) {
      if (dev !== undefined) {
        const link = linkState(here, dev);
        if (!link.up) return this.stop('link-down', here, `received on ${dev}, which is down: ${link.detail}`, link.evidence);
      }
      const decision = lookupRoute(here, packet.dst);
      if (dev !== undefined && packet.src !== undefined) {
        const source = validateSource(here, dev, packet.src);
        if (!source.ok) return this.stop(source.reason, here, source.detail, source.evidence);
        if (source.detail) this.hop(here, 'rp_filter', source.detail, source.evidence);
      }
      switch (decision.kind) {
        case 'local': {
          const src = packet.src ?? packet.dst;
          const how = dev === undefined ? 'sent to itself' : `received on ${dev}`;
          this.hop(here, 'deliver', `${packet.dst} is local to ${here.label}: ${how}, delivered`, decision.evidence);
          return { delivered: true, at: here, src };
        }
        case 'no-route':
          return this.stop('no-route', here, `${here.label} has no route for ${packet.dst}`, decision.evidence);
        case 'not-captured':
          return this.stop('not-captured', here, decision.detail, decision.evidence);
        case 'blackhole':
        case 'unreachable':
        case 'prohibit':
          return this.stop(decision.kind, here, `${packet.dst} matches the ${decision.kind} route ${str(decision.route.attrs.dst)} in ${here.label}`, decision.evidence);
        case 'unicast':
          break;
      }
      const route = decision.route;
      const { dev: out, gateway, multipath } = routeNexthop(route);
      if (out === undefined) return this.stop('not-captured', here, `the route ${str(route.attrs.dst)} names no device`, decision.evidence);
      if (packet.src === undefined) {
        packet.src = sourceAddress(here, route, out);
        if (packet.src === undefined) return this.stop('not-captured', here, `${here.label} has no IPv4 address to send from`, decision.evidence);
      }
      const via = `${gateway ? `via ${gateway} ` : ''}dev ${out}${multipath ? ' (first of several nexthops)' : ''}`;
      if (dev !== undefined) {
        const fwd = forwarding(here, dev);
        if (fwd.on !== true) {
          const reason = fwd.on === false ? 'forwarding-off' : 'not-captured';
          return this.stop(reason, here, `${packet.dst} is not local to ${here.label}, which would forward it ${via}, but ${fwd.text}`, [...fwd.evidence, ...decision.evidence]);
        }
        ttl -= 1;
        if (ttl <= 0) return this.stop('ttl', here, `the TTL ran out in ${here.label}: the routes loop`, decision.evidence);
        this.hop(here, 'forward', `forwarded ${packet.dst} from ${dev} ${via} (route ${str(route.attrs.dst)}; ${fwd.text})`, [...decision.evidence, ...fwd.evidence]);
      } else {
        this.hop(here, 'route', `sends ${packet.dst} from ${packet.src} ${via} (route ${str(route.attrs.dst)})`, decision.evidence);
      }
      const link = linkState(here, out, route);
      if (!link.up) return this.stop('link-down', here, `cannot send ${via}: ${link.detail}`, link.evidence);
      const mtu = num(route.attrs.mtu) ?? link.mtu;
      if (mtu !== undefined && packet.size > mtu) {
        const evidence = [...(link.link ? [here.ref(link.link)] : []), here.ref(route)];
        if (packet.dontFragment) {
          const what = dev === undefined ? 'the sender refuses it (EMSGSIZE, "message too long")' : 'it is dropped and "fragmentation needed" goes back to the sender';
          return this.stop('mtu', here, `a ${packet.size}-byte packet with DF set exceeds the MTU ${mtu} of ${out}: ${what}`, evidence);
        }
        this.hop(here, 'mtu', `${packet.size} bytes exceed the MTU ${mtu} of ${out}: sent as fragments of at most ${mtu} bytes`, evidence);
        packet.size = mtu;
      }
      let next: Arrival | { stop: TraceStop };
      if (tunnelKind(here, out) !== undefined) {
        if (depth >= MAX_TUNNEL_DEPTH) return this.stop('ttl', here, `tunnels nest deeper than ${MAX_TUNNEL_DEPTH} at ${out}: the routes loop`, decision.evidence);
        next = encapsulate(this, here, out, gateway, { ...packet, src: packet.src }, route, depth);
      } else {
        next = this.linkLayer(here, out, gateway ?? packet.dst, packet.src, route);
      }
      if ('stop' in next) return { delivered: false, stop: next.stop };
      const limit = receiveLimit(next.ns, next.dev);
      if (limit !== undefined && packet.size > limit.bytes) {
        return this.stop('mtu', next.ns, `a ${packet.size}-byte packet arriving on ${next.dev} exceeds its MTU ${limit.mtu}: the device drops it, and no ICMP tells the sender`, [next.ns.ref(limit.link)]);
      }
      here = next.ns;
      dev = next.dev;
    }
  }

  /** The next hop on an ordinary device: who is on the other end, and does it answer ARP. */
  private linkLayer(here: NamespaceState, out: string, nexthop: string, src: string, route: Fact): Arrival | { stop: TraceStop } {
    const peer = this.peerOf(here, out, nexthop, route);
    if ('stop' in peer) return peer;
    // arp_solicit: the request's sender address is the packet's source when it is local here, else one of ours.
    const sender = here.ownAddress(src) ? src : (sourceAddress(here, undefined, out) ?? src);
    const resolved = resolveNeighbour(this, here, out, nexthop, sender, peer, route);
    return resolved ?? peer;
  }

  /** The namespace and device at the other end of `out` that owns (or answers for) `nexthop`. */
  private peerOf(here: NamespaceState, out: string, nexthop: string, route: Fact): Arrival | { stop: TraceStop } {
    const cluster = this.cluster;
    if (!here.isHost) {
      const veth = str(here.netns?.attrs.hostVeth);
      const host = cluster.host(here.node);
      if (veth && host && out === podDevice(cluster, here)) return { ns: host, dev: veth };
      return this.stop('not-captured', here, `what is at the other end of ${out} in ${here.label} was not captured (no host veth pairs with it)`, here.netns ? [here.ref(here.netns)] : []);
    }
    const pod = cluster.podOfVeth(here.node, out);
    if (pod) return { ns: pod, dev: podDevice(cluster, pod) };
    const link = here.links.get(out);
    // A pod's host veth (Calico names them cali*) whose namespace was not read; other veths (a
    // lab's underlay) lead to a shared segment like any NIC.
    if (/^cali/.test(out) && (link === undefined || link.attrs.kind === 'veth')) {
      return this.stop('not-captured', here, `${out} is a veth whose other end (a pod's namespace) was not captured`, [here.refOr(link, 'link', out)]);
    }
    // A shared segment (the underlay): the traced node that owns the next hop's address.
    const holders = cluster.holdersOf(nexthop).filter((h) => h.ns !== here);
    const host = holders.find((h) => h.ns.isHost);
    if (host) return { ns: host.ns, dev: String(host.address.attrs.dev) };
    const podHolder = holders[0];
    if (podHolder) {
      return this.stop('unknown-next-hop-node', here, `${nexthop} (the next hop on ${out}) is the address of ${podHolder.ns.label}, which is not on ${out}'s segment`, [here.ref(route), podHolder.ns.ref(podHolder.address)]);
    }
    cluster.unresolved.addresses.add(nexthop);
    return this.stop('unknown-next-hop-node', here, `no traced node owns ${nexthop}, the next hop on ${out}: the packet leaves the traced nodes there`, [here.ref(route)]);
  }
}

/**
 * The largest IP packet a device accepts: a veth drops frames over MTU + the Ethernet header +
 * a VLAN tag (is_skb_forwardable), so IP packets up to MTU + 4 pass; other devices take MTU.
 */
function receiveLimit(ns: NamespaceState, dev: string): { bytes: number; mtu: number; link: Fact } | undefined {
  const link = ns.links.get(dev);
  const mtu = num(link?.attrs.mtu);
  if (!link || mtu === undefined || tunnelKind(ns, dev) !== undefined) return undefined;
  return { bytes: link.attrs.kind === 'veth' ? mtu + 4 : mtu, mtu, link };
}

function dedupe(evidence: FactRef[]): FactRef[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const id = `${e.node}\u0000${e.ns}\u0000${e.kind}\u0000${e.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
