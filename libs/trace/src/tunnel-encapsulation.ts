import type { Fact, FactAttributes } from '@routescope/snapshot';
import { num, str, type NamespaceState } from './cluster-state';
import type { FactRef } from './trace-types';
import type { Arrival, Packet, Stopped, WalkContext } from './walk-context';

export type TunnelKind = 'vxlan' | 'ipip' | 'wireguard';

/** Bytes each encapsulation adds to an IPv4 packet: VXLAN 20 IP + 8 UDP + 8 VXLAN + 14 inner Ethernet; IPIP 20; WireGuard 20 + 8 UDP + 32. */
export const TUNNEL_OVERHEAD: Record<TunnelKind, number> = { vxlan: 50, ipip: 20, wireguard: 60 };

/** The tunnel a device is, by its link kind (or, where kinds were not captured, Calico's device names). */
export function tunnelKind(ns: NamespaceState, dev: string): TunnelKind | undefined {
  const kind = str(ns.links.get(dev)?.attrs.kind);
  if (kind === 'vxlan' || kind === 'ipip' || kind === 'wireguard') return kind;
  if (kind !== undefined) return undefined;
  if (/^vxlan/.test(dev)) return 'vxlan';
  if (dev === 'tunl0') return 'ipip';
  if (/^(wireguard|wg)/.test(dev)) return 'wireguard';
  return undefined;
}

/** The far end of a tunnel: the node that decapsulates, on which device, and the outer addresses. */
interface TunnelPeer {
  remote: NamespaceState;
  remoteDev: string;
  outerDst: string;
  outerSrc?: string;
  detail: string;
  evidence: FactRef[];
}

/**
 * Sends `packet` into the tunnel device `out`: finds the node at the far end from the stored
 * facts, walks the outer packet (size + overhead, DF copied from the inner one) over the
 * underlay to that node, and returns the inner packet's arrival on its tunnel device.
 */
export function encapsulate(walk: WalkContext, here: NamespaceState, out: string, gateway: string | undefined, packet: Packet & { src: string }, route: Fact, depth: number): Arrival | Stopped {
  const kind = tunnelKind(here, out) as TunnelKind;
  const peer = kind === 'vxlan' ? vxlanPeer(walk, here, out, gateway ?? packet.dst, route) : kind === 'ipip' ? ipipPeer(walk, here, out, gateway, route) : wireguardPeer(walk, here, out, packet.dst, route);
  if ('stop' in peer) return peer;
  const outer: Packet = { src: peer.outerSrc, dst: peer.outerDst, size: packet.size + TUNNEL_OVERHEAD[kind], dontFragment: packet.dontFragment };
  walk.hop(
    here,
    'encapsulate',
    `${kind.toUpperCase()} on ${out}: the ${packet.size}-byte packet travels as a ${outer.size}-byte packet to ${peer.outerDst} (${peer.remote.node}); ${peer.detail}`,
    peer.evidence,
  );
  const leg = walk.walk(here, outer, undefined, depth + 1);
  if (!leg.delivered) return leg;
  if (leg.at !== peer.remote) {
    return walk.stop('misdelivered', leg.at, `the ${kind} packet for ${peer.outerDst} was delivered to ${leg.at.label}, not to ${peer.remote.label} whose tunnel it was meant for`, []);
  }
  const remoteLink = peer.remote.links.get(peer.remoteDev);
  walk.hop(peer.remote, 'decapsulate', `${peer.remote.label} takes the ${kind} packet off ${peer.remoteDev} and receives the inner packet for ${packet.dst} on it`, remoteLink ? [peer.remote.ref(remoteLink)] : []);
  return { ns: peer.remote, dev: peer.remoteDev };
}

function vxlanAttrs(link: Fact | undefined): FactAttributes | undefined {
  const vxlan = link?.attrs.vxlan;
  return vxlan && typeof vxlan === 'object' && !Array.isArray(vxlan) ? vxlan : undefined;
}

/**
 * VXLAN (felix: nolearning): the route's gateway resolves through a programmed neighbour entry
 * to the remote VTEP's MAC; the FDB maps that MAC to the remote node's underlay address. The FDB
 * is not among the stored facts, so the node is the one whose VXLAN device has that MAC, and the
 * outer destination is its VXLAN device's local address.
 */
function vxlanPeer(walk: WalkContext, here: NamespaceState, out: string, nexthop: string, route: Fact): TunnelPeer | Stopped {
  const link = here.links.get(out);
  const own = vxlanAttrs(link);
  const neighbour = here.neighbors.get(`${out}|${nexthop}`);
  const mac = str(neighbour?.attrs.lladdr);
  const neighbourRef = here.refOr(neighbour, 'neighbor', `${out}|${nexthop}`);
  if (!neighbour && !here.captured('neighbors', true)) {
    return walk.stop('not-captured', here, `the neighbour entry for ${nexthop} on ${out} (the remote VTEP's MAC) is not among the facts: the neighbours of ${here.label} were not captured whole`, [neighbourRef, here.ref(route)]);
  }
  if (!neighbour || !mac || ['failed', 'incomplete'].includes(String(neighbour.attrs.state))) {
    return walk.stop('no-arp-reply', here, `${out} has no usable neighbour entry for ${nexthop}: a VXLAN device without learning knows remote VTEPs only from the entries the CNI programs`, [neighbourRef, here.ref(route)]);
  }
  for (const host of walk.cluster.hostsWithMac(mac)) {
    if (host === here) continue;
    for (const candidate of host.links.values()) {
      if (tunnelKind(host, candidate.key) !== 'vxlan' || str(candidate.attrs.mac) !== mac) continue;
      const theirs = vxlanAttrs(candidate);
      const evidence = [here.ref(route), neighbourRef, ...(link ? [here.ref(link)] : []), host.ref(candidate)];
      const vni = num(own?.id);
      const remoteVni = num(theirs?.id);
      if (vni !== undefined && remoteVni !== undefined && vni !== remoteVni) {
        return walk.stop('unknown-next-hop-node', here, `${nexthop} resolves to ${mac}, ${host.node}'s ${candidate.key}, but that device has VNI ${remoteVni}, not ${vni}: it ignores the packets`, evidence);
      }
      const port = num(own?.port);
      const remotePort = num(theirs?.port);
      if (port !== undefined && remotePort !== undefined && port !== remotePort) {
        return walk.stop('unknown-next-hop-node', here, `${host.node}'s ${candidate.key} listens on UDP ${remotePort}, but ${out} sends to ${port}`, evidence);
      }
      const outerDst = str(theirs?.local) ?? underlayAddress(host);
      if (!outerDst) return walk.stop('not-captured', here, `${host.node}'s VXLAN device ${candidate.key} has no local address in the facts, so the outer destination is unknown`, evidence);
      const gatewayOwner = host.ownAddress(nexthop);
      const ownerNote = gatewayOwner ? `${host.node} owns the gateway ${nexthop} (on ${str(gatewayOwner.attrs.dev)})` : `no address ${nexthop} on ${host.node}, but VXLAN delivers by MAC`;
      return {
        remote: host,
        remoteDev: candidate.key,
        outerDst,
        outerSrc: str(own?.local),
        detail: `${nexthop} is ${mac} (${neighbour.attrs.state}), the MAC of ${host.node}'s ${candidate.key}; ${ownerNote}; the FDB entry was not captured: its VTEP address ${outerDst} is assumed`,
        evidence: [...evidence, ...(gatewayOwner ? [host.ref(gatewayOwner)] : [])],
      };
    }
  }
  walk.cluster.unresolved.macs.add(mac);
  return walk.stop('unknown-next-hop-node', here, `${nexthop} on ${out} resolves to ${mac}, which is the VXLAN device of no traced node`, [neighbourRef, here.ref(route)]);
}

/** IPIP (Calico's tunl0, `via <node address> dev tunl0 onlink`): the gateway is the outer destination. */
function ipipPeer(walk: WalkContext, here: NamespaceState, out: string, gateway: string | undefined, route: Fact): TunnelPeer | Stopped {
  if (!gateway) return walk.stop('not-captured', here, `the route by ${out} has no gateway: the outer destination would be the device's fixed remote, which is not among the facts`, [here.ref(route)]);
  for (const { ns: host, address: owned } of walk.cluster.holdersOf(gateway)) {
    if (host === here || !host.isHost) continue;
    const tunnel = [...host.links.values()].find((l) => tunnelKind(host, l.key) === 'ipip');
    if (!tunnel) return walk.stop('unknown-next-hop-node', here, `${host.node} owns ${gateway} but has no IPIP device to take the packet off`, [here.ref(route), host.ref(owned)]);
    return { remote: host, remoteDev: tunnel.key, outerDst: gateway, detail: `${host.node} owns ${gateway} (on ${str(owned.attrs.dev)})`, evidence: [here.ref(route), host.ref(owned), host.ref(tunnel)] };
  }
  walk.cluster.unresolved.addresses.add(gateway);
  return walk.stop('unknown-next-hop-node', here, `no traced node owns ${gateway}, the IPIP gateway of the route by ${out}`, [here.ref(route)]);
}

/**
 * WireGuard picks the peer by its allowed IPs, which are not among the stored facts: the peer is
 * taken to be the node whose pod or host holds the destination, reached at its underlay address.
 */
function wireguardPeer(walk: WalkContext, here: NamespaceState, out: string, dst: string, route: Fact): TunnelPeer | Stopped {
  for (const { ns: holder, address } of walk.cluster.holdersOf(dst)) {
    const node = holder.node;
    const host = walk.cluster.host(node);
    if (node === here.node || !host) continue;
    const tunnel = [...host.links.values()].find((l) => tunnelKind(host, l.key) === 'wireguard');
    const outerDst = underlayAddress(host);
    if (!tunnel || !outerDst) return walk.stop('not-captured', here, `${node} holds ${dst} but its WireGuard device or underlay address is not among the facts`, [here.ref(route)]);
    return {
      remote: host,
      remoteDev: tunnel.key,
      outerDst,
      detail: `allowed IPs were not captured: the peer is taken to be ${node}, which holds ${dst}`,
      evidence: [here.ref(route), host.ref(tunnel), holder.ref(address)],
    };
  }
  walk.cluster.unresolved.addresses.add(dst);
  return walk.stop('not-captured', here, `WireGuard on ${out} picks the peer for ${dst} by allowed IPs, which were not captured, and no collected node holds ${dst}`, [here.ref(route)]);
}

/** A node's address on the underlay: a global IPv4 address on a device that is no tunnel, veth to a pod, or loopback. */
function underlayAddress(host: NamespaceState): string | undefined {
  const address = host.inetAddresses().find((a) => {
    const dev = String(a.attrs.dev);
    return a.attrs.scope === 'global' && dev !== 'lo' && tunnelKind(host, dev) === undefined && !/^cali/.test(dev);
  });
  return str(address?.attrs.local);
}
