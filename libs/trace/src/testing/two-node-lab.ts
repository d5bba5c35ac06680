import { snapshotToFacts, type Fact, type NetworkNamespace, type Route, type Sysctl } from '@routescope/snapshot';
import type { TraceNodeState } from '../trace-types';

/**
 * The netlab topology (tools/netlab) as stored facts: two nodes on 10.99.0.0/24, VXLAN between
 * them, two Calico pods each. `edit` changes a namespace before it becomes facts, the way a
 * netlab fault changes the kernel.
 */
export interface LabPodSpec {
  node: 'node-a' | 'node-b';
  netns: string;
  ip: string;
  veth: string;
}

export const LAB_PODS: LabPodSpec[] = [
  { node: 'node-a', netns: 'pod-a1', ip: '172.17.8.2', veth: 'calidd33ceb84a6' },
  { node: 'node-a', netns: 'pod-a2', ip: '172.17.8.3', veth: 'calif55e0ab04de' },
  { node: 'node-b', netns: 'pod-b1', ip: '172.17.8.66', veth: 'cali86a12876b92' },
  { node: 'node-b', netns: 'pod-b2', ip: '172.17.8.67', veth: 'cali36e184374a9' },
];

const NODES = {
  'node-a': { underlay: '10.99.0.11', mac: '02:99:00:00:00:11', vtep: '172.17.8.0', vtepMac: '66:c1:a0:00:00:0a', block: '172.17.8.0/26' },
  'node-b': { underlay: '10.99.0.12', mac: '02:99:00:00:00:12', vtep: '172.17.8.64', vtepMac: '66:c1:a0:00:00:0b', block: '172.17.8.64/26' },
} as const;

const UP = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'];

function route(dst: string, extra: Partial<Route> = {}): Route {
  return { family: 'inet', table: 'main', type: 'unicast', dst, flags: [], ...extra };
}

function sysctls(values: Record<string, string>): Sysctl[] {
  return Object.entries(values).map(([path, value]) => ({ path: `net/ipv4/${path}`, value }));
}

function hostNamespace(node: 'node-a' | 'node-b'): NetworkNamespace {
  const me = NODES[node];
  const other = NODES[node === 'node-a' ? 'node-b' : 'node-a'];
  const pods = LAB_PODS.filter((p) => p.node === node);
  const devices = ['eth0', 'vxlan.calico', ...pods.map((p) => p.veth)];
  return {
    kind: 'host',
    name: 'host',
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] },
      { ifindex: 2, name: 'eth0', kind: 'veth', mac: me.mac, mtu: 1500, operState: 'UP', flags: UP, peerIfindex: 3, linkNetnsId: 0 },
      { ifindex: 3, name: 'vxlan.calico', kind: 'vxlan', mac: me.vtepMac, mtu: 1450, operState: 'UNKNOWN', flags: UP, vxlan: { id: 4096, local: me.underlay, dev: 'eth0', port: 4789, learning: false } },
      ...pods.map((p, i) => ({ ifindex: 4 + i, name: p.veth, kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1450, operState: 'UP', flags: UP, peerIfindex: 2, linkNetnsId: 1 + i })),
    ],
    addresses: [
      { dev: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', flags: [] },
      { dev: 'eth0', family: 'inet', local: me.underlay, prefixlen: 24, scope: 'global', flags: [] },
      { dev: 'vxlan.calico', family: 'inet', local: me.vtep, prefixlen: 32, scope: 'global', flags: [] },
    ],
    routes: [
      route('default', { gateway: '10.99.0.1', dev: 'eth0' }),
      route('10.99.0.0/24', { dev: 'eth0', scope: 'link', prefsrc: me.underlay, protocol: 'kernel' }),
      route(me.block, { type: 'blackhole', protocol: 'bird' }),
      ...pods.map((p) => route(p.ip, { dev: p.veth, scope: 'link' })),
      route(other.block, { gateway: other.vtep, dev: 'vxlan.calico', protocol: '80', flags: ['onlink'] }),
      route(me.underlay, { table: 'local', type: 'local', dev: 'eth0', scope: 'host', prefsrc: me.underlay }),
      route(me.vtep, { table: 'local', type: 'local', dev: 'vxlan.calico', scope: 'host', prefsrc: me.vtep }),
    ],
    neighbors: [{ family: 'inet', dst: other.vtep, dev: 'vxlan.calico', lladdr: other.vtepMac, state: ['PERMANENT'] }],
    sysctls: sysctls({
      ip_forward: '1',
      'conf/all/proxy_arp': '0',
      'conf/all/forwarding': '1',
      'conf/all/rp_filter': '0',
      ...Object.fromEntries(devices.flatMap((d) => [[`conf/${d}/forwarding`, '1'], [`conf/${d}/rp_filter`, '0'], [`conf/${d}/proxy_arp`, d.startsWith('cali') ? '1' : '0']])),
      ...Object.fromEntries(devices.map((d) => [`neigh/${d}/proxy_delay`, d.startsWith('cali') ? '0' : '80'])),
    }),
  };
}

function podNamespace(pod: LabPodSpec): NetworkNamespace {
  return {
    kind: 'pod',
    name: pod.netns,
    hostVeth: pod.veth,
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] },
      { ifindex: 2, name: 'eth0', kind: 'veth', mac: `0a:58:ac:11:08:0${pod.ip.endsWith('.2') ? 2 : 3}`, mtu: 1450, operState: 'UP', flags: UP, peerIfindex: 4, linkNetnsId: 0 },
    ],
    addresses: [
      { dev: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', flags: [] },
      { dev: 'eth0', family: 'inet', local: pod.ip, prefixlen: 32, scope: 'global', flags: [] },
    ],
    routes: [
      route('default', { gateway: '169.254.1.1', dev: 'eth0' }),
      route('169.254.1.1', { dev: 'eth0', scope: 'link' }),
      route(pod.ip, { table: 'local', type: 'local', dev: 'eth0', scope: 'host', prefsrc: pod.ip }),
    ],
    neighbors: [],
    sysctls: sysctls({ ip_forward: '0', 'conf/all/rp_filter': '0', 'conf/all/proxy_arp': '0', 'conf/eth0/forwarding': '0', 'conf/eth0/rp_filter': '0', 'conf/eth0/proxy_arp': '0' }),
  };
}

export type NamespaceEdit = (ns: NetworkNamespace, node: string) => void;

/** Both nodes' facts; `edit` runs on every namespace (host and pods) before normalisation. */
export function twoNodeLab(edit?: NamespaceEdit): TraceNodeState[] {
  return (['node-a', 'node-b'] as const).map((node) => {
    const namespaces = [hostNamespace(node), ...LAB_PODS.filter((p) => p.node === node).map(podNamespace)];
    for (const ns of namespaces) edit?.(ns, node);
    const facts: Fact[] = snapshotToFacts({ namespaces });
    return { node, facts };
  });
}

/** Sets (or adds) a sysctl below net/ipv4 in a namespace. */
export function setSysctl(ns: NetworkNamespace, path: string, value: string): void {
  const full = `net/ipv4/${path}`;
  const list = (ns.sysctls ??= []);
  const existing = list.find((s) => s.path === full);
  if (existing) existing.value = value;
  else list.push({ path: full, value });
}
