import type { Fact } from '@routescope/snapshot';
import type { CniDetection, CniMode, EvidenceFact, NodeFacts } from './check-types';
import { CALICO_MAC, LINK_LOCAL_GATEWAY, NodeIndex, isCaliVeth, routeDevices, str, strings } from './facts/node-index';

/** Tunnel devices and their encapsulation overhead in bytes (outer headers). */
export const TUNNEL_DEVICES: Record<string, { mode: CniMode; overhead: number; cni: 'calico' | 'flannel' }> = {
  tunl0: { mode: 'ipip', overhead: 20, cni: 'calico' },
  'vxlan.calico': { mode: 'vxlan', overhead: 50, cni: 'calico' },
  'vxlan-v6.calico': { mode: 'vxlan', overhead: 70, cni: 'calico' },
  'wireguard.cali': { mode: 'wireguard', overhead: 60, cni: 'calico' },
  'wg-v6.cali': { mode: 'wireguard', overhead: 80, cni: 'calico' },
  'flannel.1': { mode: 'vxlan', overhead: 50, cni: 'flannel' },
  'flannel-wg': { mode: 'wireguard', overhead: 60, cni: 'flannel' },
};

const FELIX_PROTOCOL = '80';
const BIRD_PROTOCOL = 'bird';

/**
 * A tunnel the node uses: the link is up with an address on it, or carries a main-table route.
 * (tunl0 exists on any host with the ipip module loaded; that alone says nothing.) Links and
 * addresses count wherever they were read, partial sections too: their presence is positive
 * evidence; only absence needs a complete section.
 */
export function activeTunnels(index: NodeIndex): Fact[] {
  let tunnels = ACTIVE_TUNNELS.get(index);
  if (!tunnels) {
    tunnels = findActiveTunnels(index);
    ACTIVE_TUNNELS.set(index, tunnels);
  }
  return tunnels;
}

/** Per index (which never changes): detection and the cluster view both ask. Do not modify the array. */
const ACTIVE_TUNNELS = new WeakMap<NodeIndex, Fact[]>();

function findActiveTunnels(index: NodeIndex): Fact[] {
  const host = index.host;
  if (!host) return [];
  const present = Object.keys(TUNNEL_DEVICES)
    .map((name) => host.links.get(name))
    .filter((l): l is Fact => l !== undefined);
  if (present.length === 0) return [];
  const wanted = new Set(present.map((l) => l.key));
  const used = new Set<string>();
  for (const a of host.addresses) {
    const dev = String(a.attrs.dev);
    if (!wanted.has(dev) || !isUsableAddress(a)) continue;
    const flags = strings(host.links.get(dev)?.attrs.flags);
    // ifconfig/grep'd output may carry no flags: an address is enough then.
    if (flags.length === 0 || flags.includes('UP')) used.add(dev);
  }
  for (const r of host.mainRoutes()) {
    if (used.size === wanted.size) break;
    for (const dev of routeDevices(r)) if (wanted.has(dev)) used.add(dev);
  }
  return present.filter((l) => used.has(l.key));
}

/** A global address (or one whose scope was not printed, as by ifconfig) that is not link-local. */
function isUsableAddress(address: Fact): boolean {
  const scope = address.attrs.scope;
  if (scope !== undefined && scope !== 'global') return false;
  const local = str(address.attrs.local) ?? '';
  return !/^169\.254\./.test(local) && !/^fe80:/i.test(local);
}

/** Calico's eBPF dataplane devices (bpfnatin/bpfnatout before 3.26, bpfin.cali/bpfout.cali after). */
const CALICO_EBPF_DEVICE = /^bpf(natin|natout|in\.cali|out\.cali)$/;

export function detectCni(node: NodeFacts): CniDetection {
  return detectFromIndex(new NodeIndex(node));
}

export function detectFromIndex(index: NodeIndex): CniDetection {
  const host = index.host;
  const evidence: EvidenceFact[] = [];
  const note = (fact: Fact | undefined) => {
    if (fact) evidence.push(index.evidence(fact));
    return fact !== undefined;
  };

  // Calico: cali veths (ee:ee:ee:ee:ee:ee), its tunnels, felix/BIRD routes, pods using 169.254.1.1.
  const caliVeths = index.caliLinks();
  const calicoVeth = note(caliVeths.find((l) => l.attrs.mac === CALICO_MAC) ?? caliVeths[0]);
  const tunnels = activeTunnels(index);
  const calicoTunnels = tunnels.filter((t) => TUNNEL_DEVICES[t.key].cni === 'calico');
  for (const t of calicoTunnels) note(t);
  // vxlan.calico / wireguard.cali are Calico's names: present at all is evidence (tunl0 is not).
  const namedTunnel = calicoTunnels.length === 0 && host ? [...host.links.values()].find((l) => TUNNEL_DEVICES[l.key]?.cni === 'calico' && l.key !== 'tunl0') : undefined;
  note(namedTunnel);
  const ebpfDevice = host ? [...host.links.values()].find((l) => CALICO_EBPF_DEVICE.test(l.key)) : undefined;
  note(ebpfDevice);
  const mainRoutes = host?.mainRoutes() ?? [];
  const felixRoute = mainRoutes.find((r) => r.attrs.protocol === FELIX_PROTOCOL);
  const birdBlackhole = mainRoutes.find((r) => r.attrs.protocol === BIRD_PROTOCOL && r.attrs.type === 'blackhole');
  // Any BIRD route: a BGP-only node without pods yet has no blackhole, only the routes it learnt.
  const birdRoute = mainRoutes.find((r) => r.attrs.protocol === BIRD_PROTOCOL);
  // A route to a cali veth: Calico's per-pod route, also in a pasted route table without links.
  const caliRoute = caliVeths.length === 0 ? mainRoutes.find((r) => routeDevices(r).some((d) => isCaliVeth(d))) : undefined;
  const calicoRoutes = note(felixRoute ?? birdBlackhole ?? birdRoute ?? caliRoute);
  // A neighbour table pasted alone (ip neigh, arp -n, ip monitor) still names the devices:
  // entries on cali veths or on vxlan.calico (felix's permanent VTEP entries).
  const isCalicoDevice = (dev: string) => isCaliVeth(dev) || (TUNNEL_DEVICES[dev]?.cni === 'calico' && dev !== 'tunl0');
  const calicoNeighbor =
    calicoVeth || calicoTunnels.length > 0 || namedTunnel || calicoRoutes || !host ? undefined : [...host.neighbors.values()].find((n) => isCalicoDevice(String(n.attrs.dev)));
  note(calicoNeighbor);
  const calicoPod = index.pods().find((p) => p.calico);
  const podGateway =
    calicoPod &&
    (calicoPod.facts.routes.find((r) => r.attrs.gateway === LINK_LOCAL_GATEWAY) ??
      [...calicoPod.facts.neighbors.values()].find((n) => n.attrs.dst === LINK_LOCAL_GATEWAY));
  const calicoPods = note(podGateway);
  const calico = calicoVeth || calicoTunnels.length > 0 || namedTunnel !== undefined || ebpfDevice !== undefined || calicoRoutes || calicoNeighbor !== undefined || calicoPods;

  // Flannel: flannel.1 / flannel-wg, or a cni0 bridge with veths.
  const flannelTunnel = tunnels.find((t) => TUNNEL_DEVICES[t.key].cni === 'flannel') ?? host?.links.get('flannel.1');
  // Without a link list, the route table still names the devices (flannel.1, cilium_host, lxc*).
  const flannelRoute = flannelTunnel ? undefined : mainRoutes.find((r) => routeDevices(r).some((d) => TUNNEL_DEVICES[d]?.cni === 'flannel'));
  const flannelMode = flannelTunnel
    ? (TUNNEL_DEVICES[flannelTunnel.key]?.mode ?? 'vxlan')
    : flannelRoute && routeDevices(flannelRoute).map((d) => TUNNEL_DEVICES[d]).find((t) => t?.cni === 'flannel')?.mode;
  const cni0 = host?.links.get('cni0');
  const cni0Ports = cni0 ? [...(host?.links.values() ?? [])].filter((l) => l.attrs.master === 'cni0') : [];
  // Cilium: cilium_host / cilium_net / lxc* endpoints.
  const isCiliumDevice = (name: string) => /^(cilium_host|cilium_net|cilium_vxlan)$/.test(name) || /^lxc/.test(name);
  const ciliumLink = host ? ([...host.links.values()].find((l) => isCiliumDevice(l.key)) ?? mainRoutes.find((r) => routeDevices(r).some(isCiliumDevice))) : undefined;

  if (calico) {
    if (flannelTunnel || flannelRoute) {
      note(flannelTunnel ?? flannelRoute);
      return { cni: 'canal', mode: flannelMode ?? 'vxlan', evidence };
    }
    const neighborTunnel = calicoNeighbor && TUNNEL_DEVICES[String(calicoNeighbor.attrs.dev)] ? TUNNEL_DEVICES[String(calicoNeighbor.attrs.dev)].mode : undefined;
    return { cni: 'calico', mode: ebpfDevice ? 'ebpf' : (calicoMode(namedTunnel ? [...calicoTunnels, namedTunnel] : calicoTunnels, mainRoutes) ?? neighborTunnel), evidence };
  }
  if (ciliumLink) {
    note(ciliumLink);
    return { cni: 'cilium', evidence };
  }
  if (flannelTunnel || flannelRoute || cni0Ports.length > 0) {
    note(flannelTunnel ?? flannelRoute ?? cni0);
    return { cni: 'flannel', ...(flannelMode ? { mode: flannelMode } : {}), evidence };
  }
  return { cni: 'unknown', evidence };
}

function routeGatewaysOf(route: Fact): boolean {
  return Array.isArray(route.attrs.nexthops) && route.attrs.nexthops.length > 0;
}

function calicoMode(tunnels: Fact[], mainRoutes: Fact[]): CniMode | undefined {
  const names = new Set(tunnels.map((t) => t.key));
  if (names.has('wireguard.cali') || names.has('wg-v6.cali')) return 'wireguard';
  if (names.has('vxlan.calico') || names.has('vxlan-v6.calico')) return 'vxlan';
  if (names.has('tunl0')) return 'ipip';
  // Links not captured (a pasted route table): the devices the routes name still tell.
  const routeDevs = new Set(mainRoutes.flatMap((r) => routeDevices(r)));
  for (const [dev, tunnel] of Object.entries(TUNNEL_DEVICES)) if (tunnel.cni === 'calico' && routeDevs.has(dev)) return tunnel.mode;
  // BIRD routes to other nodes' blocks with no tunnel: BGP-only (routes straight over the underlay).
  if (mainRoutes.some((r) => r.attrs.protocol === BIRD_PROTOCOL && r.attrs.type === 'unicast' && (str(r.attrs.gateway) || routeGatewaysOf(r)))) return 'bgp';
  return undefined;
}

/** Calico-style networking on the node's pods (Calico proper, or Canal: Calico veths over flannel). */
export function wiresPodsLikeCalico(detection: CniDetection): boolean {
  return detection.cni === 'calico' || detection.cni === 'canal';
}

export { isCaliVeth };
