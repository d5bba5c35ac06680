import type { Link, Neighbor, NetworkNamespace, Route, Sysctl } from '@routescope/snapshot';

/**
 * What Calico (VXLAN, proxy ARP) programs on a node and in a pod, as the collector would
 * report it (DESIGN.md, "The model it checks"). Pure builders from a few numbers to contract
 * entries; the cluster model decides which ones exist.
 */

export const VXLAN_DEVICE = 'vxlan.calico';
export const PROXY_ARP_GATEWAY = '169.254.1.1';
export const CALICO_VETH_MAC = 'ee:ee:ee:ee:ee:ee';
export const UNDERLAY_GATEWAY = '10.0.0.1';

export interface SynthPod {
  /** netns name, `cni-<uuid>` */
  netns: string;
  /** host-side veth, `cali` + 11 hex digits */
  veth: string;
  ip: string;
  mac: string;
  /** ifindex of the host-side veth */
  hostIfindex: number;
  /** block the IP was allocated from, and the offset in it */
  block: number;
  offset: number;
  /** MTU of the veth pair, fixed when the pod was created */
  mtu: number;
}

export function ipv4ToString(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

export function ipv4FromString(text: string): number {
  const [a, b, c, d] = text.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function macFromNumber(prefix: number, value: number): string {
  const bytes = [prefix, (value / 2 ** 32) & 255, (value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The host's own links that are not pods' veths. */
export function hostBaseLinks(nodeIp: string, underlayMac: string, vtepMac: string, vxlanMtu: number, vni: number): Link[] {
  return [
    { ifindex: 1, name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] },
    { ifindex: 2, name: 'eth0', kind: 'veth', mac: underlayMac, mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] },
    {
      ifindex: 3,
      name: VXLAN_DEVICE,
      kind: 'vxlan',
      mac: vtepMac,
      mtu: vxlanMtu,
      operState: 'UNKNOWN',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      vxlan: { id: vni, local: nodeIp, dev: 'eth0', port: 4789, learning: false },
    },
  ];
}

export function hostVethLink(pod: SynthPod): Link {
  return {
    ifindex: pod.hostIfindex,
    name: pod.veth,
    kind: 'veth',
    mac: CALICO_VETH_MAC,
    mtu: pod.mtu,
    operState: 'UP',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    peerIfindex: 2,
    linkNetnsId: pod.hostIfindex - 4,
  };
}

/** `<pod ip> dev caliX scope link`, as felix programs it. */
export function podRoute(pod: SynthPod): Route {
  return { family: 'inet', table: 'main', type: 'unicast', dst: pod.ip, dev: pod.veth, scope: 'link', flags: [] };
}

/** The host's ARP entry for the pod, on its veth (resolved after the first packet). */
export function podNeighbor(pod: SynthPod): Neighbor {
  return { family: 'inet', dst: pod.ip, dev: pod.veth, lladdr: pod.mac, state: ['REACHABLE'] };
}

export function podSysctls(pod: SynthPod): Sysctl[] {
  return [
    { path: `net/ipv4/conf/${pod.veth}/proxy_arp`, value: '1' },
    { path: `net/ipv4/neigh/${pod.veth}/proxy_delay`, value: '0' },
  ];
}

export function hostSysctls(): Sysctl[] {
  return [
    { path: 'net/ipv4/ip_forward', value: '1' },
    { path: 'net/ipv4/conf/all/rp_filter', value: '0' },
    { path: 'net/ipv4/conf/eth0/rp_filter', value: '0' },
    { path: `net/ipv4/conf/${VXLAN_DEVICE}/rp_filter`, value: '0' },
  ];
}

export function hostBaseRoutes(nodeIp: string, underlayCidr: string): Route[] {
  return [
    { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: UNDERLAY_GATEWAY, dev: 'eth0', flags: [] },
    { family: 'inet', table: 'main', type: 'unicast', dst: underlayCidr, dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: nodeIp, flags: [] },
  ];
}

/** A block this node owns: `blackhole <block> proto bird`. */
export function blackholeRoute(blockCidr: string): Route {
  return { family: 'inet', table: 'main', type: 'blackhole', dst: blockCidr, protocol: 'bird', flags: [] };
}

/** A block another node owns, through that node's VTEP: `<block> via <vtep> dev vxlan.calico proto 80 onlink`. */
export function vxlanBlockRoute(blockCidr: string, vtepIp: string): Route {
  return { family: 'inet', table: 'main', type: 'unicast', dst: blockCidr, gateway: vtepIp, dev: VXLAN_DEVICE, protocol: '80', flags: ['onlink'] };
}

/** A pod address borrowed from another node's block, routed to the node that hosts the pod: `<ip> via <its vtep> dev vxlan.calico proto 80 onlink`. */
export function vxlanBorrowedRoute(podIp: string, vtepIp: string): Route {
  return { family: 'inet', table: 'main', type: 'unicast', dst: podIp, gateway: vtepIp, dev: VXLAN_DEVICE, protocol: '80', flags: ['onlink'] };
}

export function underlayNeighbor(ip: string, mac: string): Neighbor {
  return { family: 'inet', dst: ip, dev: 'eth0', lladdr: mac, state: ['REACHABLE'] };
}

/** felix's permanent ARP entry for another node's VTEP (only with `vtepNeighbors`). */
export function vtepNeighbor(vtepIp: string, vtepMac: string): Neighbor {
  return { family: 'inet', dst: vtepIp, dev: VXLAN_DEVICE, lladdr: vtepMac, state: ['PERMANENT'] };
}

/** A Calico pod: lo, eth0 with a /32, default via 169.254.1.1, the proxy-ARP neighbour. */
export function podNamespace(pod: SynthPod): NetworkNamespace {
  return {
    kind: 'pod',
    name: pod.netns,
    hostVeth: pod.veth,
    netnsId: pod.hostIfindex - 4,
    links: [
      { ifindex: 1, name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] },
      { ifindex: 2, name: 'eth0', kind: 'veth', mac: pod.mac, mtu: pod.mtu, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], peerIfindex: pod.hostIfindex, linkNetnsId: 0 },
    ],
    addresses: [
      { dev: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', flags: [] },
      { dev: 'eth0', family: 'inet', local: pod.ip, prefixlen: 32, scope: 'global', flags: [] },
    ],
    routes: [
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: PROXY_ARP_GATEWAY, dev: 'eth0', flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: PROXY_ARP_GATEWAY, dev: 'eth0', scope: 'link', flags: [] },
    ],
    neighbors: [{ family: 'inet', dst: PROXY_ARP_GATEWAY, dev: 'eth0', lladdr: CALICO_VETH_MAC, state: ['REACHABLE'] }],
    sysctls: [],
  };
}
