import type { Snapshot } from '../src/contract/snapshot-schema';

/**
 * A small healthy Calico node in the proxy-ARP model (see DESIGN.md), written by hand for
 * contract and normalisation tests: host with a cali veth, one pod behind it.
 */
export function calicoSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    schemaVersion: 1,
    snapshotId: '6f1c1d8e-3c2a-4f51-9a53-0c1f3f7d2b10',
    node: 'node-a',
    collector: { version: 'test', bootId: 'boot-1', seq: 0, source: 'collect' },
    takenAt: '2026-11-26T03:12:00.000Z',
    kernel: '6.1.0',
    iproute2: '6.1.0',
    namespaces: [
      {
        kind: 'host',
        name: 'host',
        links: [
          { ifindex: 2, name: 'eth0', kind: 'veth', mac: '02:00:0a:63:00:0b', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] },
          { ifindex: 7, name: 'calia1b2c3d4e5f', kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1450, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], peerIfindex: 2, linkNetnsId: 0 },
        ],
        addresses: [
          { dev: 'eth0', family: 'inet', local: '10.99.0.11', prefixlen: 24, scope: 'global', broadcast: '10.99.0.255', flags: [] },
          { dev: 'calia1b2c3d4e5f', family: 'inet6', local: 'fe80::ecee:eeff:feee:eeee', prefixlen: 64, scope: 'link', flags: [] },
        ],
        routes: [
          { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.99.0.1', dev: 'eth0', flags: [] },
          { family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.2', dev: 'calia1b2c3d4e5f', scope: 'link', flags: [] },
          { family: 'inet', table: 'main', type: 'blackhole', dst: '172.17.8.0/26', protocol: 'bird', flags: [] },
        ],
        neighbors: [{ family: 'inet', dst: '10.99.0.1', dev: 'eth0', lladdr: '02:00:0a:63:00:01', state: ['REACHABLE'] }],
        sysctls: [
          { path: 'net/ipv4/ip_forward', value: '1' },
          { path: 'net/ipv4/conf/calia1b2c3d4e5f/proxy_arp', value: '1' },
          { path: 'net/ipv4/neigh/calia1b2c3d4e5f/proxy_delay', value: '0' },
        ],
      },
      {
        kind: 'pod',
        name: 'cni-5e0b2c1a-0000-4000-8000-000000000001',
        hostVeth: 'calia1b2c3d4e5f',
        netnsId: 0,
        links: [{ ifindex: 2, name: 'eth0', kind: 'veth', mac: '4a:1f:00:00:00:02', mtu: 1450, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], peerIfindex: 7, linkNetnsId: 0 }],
        addresses: [{ dev: 'eth0', family: 'inet', local: '172.17.8.2', prefixlen: 32, scope: 'global', flags: [] }],
        routes: [
          { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
          { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
        ],
        neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['REACHABLE'] }],
        sysctls: [],
      },
    ],
    warnings: [],
    ...overrides,
  };
}
