import type { Link, NetworkNamespace, Route, Sysctl } from '@routescope/snapshot';

// Test support for the trace suites (not a spec): two Calico VXLAN nodes as the collector
// captures them (links with kinds, every sysctl it reads), so a pod on one reaches a pod on the other.

export interface VxlanNode {
  ip: string;
  /** the node's VTEP address on vxlan.calico (its block's first address) */
  vtep: string;
  vtepMac: string;
  block: string;
  pods: Array<{ netns: string; veth: string; ip: string; mac: string }>;
  /** the other nodes: VTEP, its MAC, underlay IP, block */
  peers: Array<{ vtep: string; vtepMac: string; ip: string; block: string }>;
  /** veths whose proxy_arp is off */
  proxyArpOff?: string[];
}

const up = (ifindex: number, name: string, extra: Partial<Link> = {}): Link => ({ ifindex, name, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], ...extra });

function interfaceSysctls(names: readonly string[], value: (name: string, key: string) => string): Sysctl[] {
  const sysctls: Sysctl[] = [];
  for (const name of ['all', 'default', ...names]) for (const key of ['proxy_arp', 'forwarding', 'rp_filter']) sysctls.push({ path: `net/ipv4/conf/${name}/${key}`, value: value(name, key) });
  return sysctls;
}

export function vxlanHost(node: VxlanNode): NetworkNamespace {
  const veths = node.pods.map((p) => p.veth);
  const route = (r: Omit<Route, 'family' | 'table' | 'flags'> & { table?: string; flags?: string[] }): Route => ({ family: 'inet', table: 'main', flags: [], ...r });
  return {
    kind: 'host',
    name: 'host',
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] },
      up(2, 'eth0', { kind: 'veth', mac: '52:54:00:00:00:01', mtu: 1500 }),
      up(3, 'vxlan.calico', { kind: 'vxlan', mac: node.vtepMac, mtu: 1450, operState: 'UNKNOWN', vxlan: { id: 4096, local: node.ip, dev: 'eth0', port: 4789, learning: false } }),
      ...node.pods.map((p, i) => up(10 + i, p.veth, { kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1450, peerIfindex: 2, linkNetnsId: i })),
    ],
    addresses: [
      { dev: 'eth0', family: 'inet', local: node.ip, prefixlen: 24, scope: 'global', flags: [] },
      { dev: 'vxlan.calico', family: 'inet', local: node.vtep, prefixlen: 32, scope: 'global', flags: [] },
    ],
    routes: [
      route({ type: 'unicast', dst: 'default', gateway: '10.0.0.1', dev: 'eth0' }),
      route({ type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', scope: 'link', protocol: 'kernel', prefsrc: node.ip }),
      route({ type: 'blackhole', dst: node.block, protocol: 'bird' }),
      ...node.peers.map((peer) => route({ type: 'unicast', dst: peer.block, gateway: peer.vtep, dev: 'vxlan.calico', protocol: 'static', flags: ['onlink'] })),
      ...node.pods.map((p) => route({ type: 'unicast', dst: p.ip, dev: p.veth, scope: 'link' })),
      route({ table: 'local', type: 'local', dst: node.ip, dev: 'eth0', scope: 'host', protocol: 'kernel', prefsrc: node.ip }),
      route({ table: 'local', type: 'local', dst: node.vtep, dev: 'vxlan.calico', scope: 'host', protocol: 'kernel', prefsrc: node.vtep }),
    ],
    neighbors: [
      { family: 'inet', dst: '10.0.0.1', dev: 'eth0', lladdr: '52:54:00:00:00:fe', state: ['REACHABLE'] },
      ...node.peers.flatMap((peer) => [
        { family: 'inet' as const, dst: peer.vtep, dev: 'vxlan.calico', lladdr: peer.vtepMac, state: ['PERMANENT'] },
        { family: 'inet' as const, dst: peer.ip, dev: 'eth0', lladdr: '52:54:00:00:00:02', state: ['REACHABLE'] },
      ]),
      ...node.pods.map((p) => ({ family: 'inet' as const, dst: p.ip, dev: p.veth, lladdr: p.mac, state: ['REACHABLE'] })),
    ],
    sysctls: [
      { path: 'net/ipv4/ip_forward', value: '1' },
      ...interfaceSysctls(['lo', 'eth0', 'vxlan.calico', ...veths], (name, key) =>
        key === 'forwarding' ? '1' : key === 'proxy_arp' ? (veths.includes(name) && !node.proxyArpOff?.includes(name) ? '1' : '0') : '0',
      ),
      ...veths.map((veth) => ({ path: `net/ipv4/neigh/${veth}/proxy_delay`, value: '0' })),
    ],
  };
}

export function vxlanPod(pod: VxlanNode['pods'][number]): NetworkNamespace {
  return {
    kind: 'pod',
    name: pod.netns,
    hostVeth: pod.veth,
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] },
      up(2, 'eth0', { kind: 'veth', mac: pod.mac, mtu: 1450, peerIfindex: 10, linkNetnsId: 0 }),
    ],
    addresses: [{ dev: 'eth0', family: 'inet', local: pod.ip, prefixlen: 32, scope: 'global', flags: [] }],
    routes: [
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
      { family: 'inet', table: 'local', type: 'local', dst: pod.ip, dev: 'eth0', scope: 'host', protocol: 'kernel', prefsrc: pod.ip, flags: [] },
    ],
    neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['REACHABLE'] }],
    sysctls: [{ path: 'net/ipv4/ip_forward', value: '0' }, ...interfaceSysctls(['lo', 'eth0'], () => '0')],
  };
}

export const nodeA: VxlanNode = {
  ip: '10.0.0.11',
  vtep: '172.17.8.0',
  vtepMac: '66:00:00:00:00:0a',
  block: '172.17.8.0/26',
  pods: [{ netns: 'cni-aaaa', veth: 'cali1111111111a', ip: '172.17.8.2', mac: '0a:58:00:00:08:02' }],
  peers: [{ vtep: '172.17.9.0', vtepMac: '66:00:00:00:00:0b', ip: '10.0.0.12', block: '172.17.9.0/26' }],
};

export const nodeB: VxlanNode = {
  ip: '10.0.0.12',
  vtep: '172.17.9.0',
  vtepMac: '66:00:00:00:00:0b',
  block: '172.17.9.0/26',
  pods: [{ netns: 'cni-bbbb', veth: 'cali2222222222b', ip: '172.17.9.2', mac: '0a:58:00:00:09:02' }],
  peers: [{ vtep: '172.17.8.0', vtepMac: '66:00:00:00:00:0a', ip: '10.0.0.11', block: '172.17.8.0/26' }],
};

export const namespacesOf = (node: VxlanNode): NetworkNamespace[] => [vxlanHost(node), ...node.pods.map(vxlanPod)];
