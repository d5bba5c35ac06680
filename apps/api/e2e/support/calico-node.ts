import { randomUUID } from 'node:crypto';
import type { Snapshot } from '@routescope/snapshot';

// A valid snapshot of a small Calico node (host + one pod), for suites that post over HTTP. Not a spec.

export interface NodeSnapshotOptions {
  node: string;
  takenAt: Date;
  seq?: number;
  bootId?: string;
  /** the pod veth's proxy_arp; changing it changes the node's state */
  proxyArp?: string;
}

export function calicoNodeSnapshot(options: NodeSnapshotOptions): Snapshot {
  const veth = 'calia1b2c3d4e5f';
  return {
    schemaVersion: 1,
    snapshotId: randomUUID(),
    node: options.node,
    collector: { version: '0.1.0-e2e', bootId: options.bootId ?? 'boot-e2e', seq: options.seq ?? 0, source: 'collect' },
    takenAt: options.takenAt.toISOString(),
    kernel: '6.8.0-e2e',
    iproute2: 'iproute2-6.1.0',
    namespaces: [
      {
        kind: 'host',
        name: 'host',
        links: [
          { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
          { ifindex: 2, name: 'eth0', mac: '52:54:00:00:00:01', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'UP'] },
          { ifindex: 10, name: veth, kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1440, operState: 'UP', flags: ['UP'], peerIfindex: 3, linkNetnsId: 0 },
        ],
        addresses: [{ dev: 'eth0', family: 'inet', local: '10.0.0.11', prefixlen: 24, flags: [] }],
        routes: [
          { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.0.0.1', dev: 'eth0', flags: [] },
          { family: 'inet', table: 'main', type: 'blackhole', dst: '172.17.8.0/26', protocol: 'bird', flags: [] },
          { family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.2', dev: veth, scope: 'link', flags: [] },
        ],
        neighbors: [{ family: 'inet', dst: '10.0.0.1', dev: 'eth0', lladdr: '52:54:00:00:00:fe', state: ['REACHABLE'] }],
        sysctls: [
          { path: 'net/ipv4/ip_forward', value: '1' },
          { path: `net/ipv4/conf/${veth}/proxy_arp`, value: options.proxyArp ?? '1' },
          { path: `net/ipv4/neigh/${veth}/proxy_delay`, value: '0' },
        ],
      },
      {
        kind: 'pod',
        name: 'cni-e2e-1',
        hostVeth: veth,
        links: [{ ifindex: 3, name: 'eth0', mac: '0a:58:ac:11:08:02', mtu: 1440, operState: 'UP', flags: ['UP'], peerIfindex: 10 }],
        addresses: [{ dev: 'eth0', family: 'inet', local: '172.17.8.2', prefixlen: 32, flags: [] }],
        routes: [
          { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
          { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
        ],
        neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['REACHABLE'] }],
        sysctls: [],
      },
    ],
    warnings: [],
  };
}
