import { randomUUID } from 'node:crypto';
import type { NetworkNamespace, Snapshot } from '@routescope/snapshot';

// A small recorded history of three Calico nodes, posted to the real ingest endpoint in time
// order. Modelled on apps/api/test/api-test-app.ts (hostNamespace / podNamespace).

const MINUTE = 60_000;

export interface PodSpec {
  netns: string;
  veth: string;
  ip: string;
}

export interface HostSpec {
  ip: string;
  gateway: string;
  /** [block, gateway] — no gateway means a blackhole for a block this node owns */
  blocks: Array<[string, string | undefined]>;
  pods: PodSpec[];
  /** sysctl overrides: path → value */
  sysctls?: Record<string, string>;
  vethMtu?: number;
}

export function hostNamespace(spec: HostSpec): NetworkNamespace {
  const mtu = spec.vethMtu ?? 1440;
  // conf/all/proxy_arp as every collector reads it: without it a trace cannot tell whether proxy ARP is on
  const sysctls: Record<string, string> = { 'net/ipv4/ip_forward': '1', 'net/ipv4/conf/all/proxy_arp': '0' };
  for (const pod of spec.pods) {
    sysctls[`net/ipv4/conf/${pod.veth}/proxy_arp`] = '1';
    sysctls[`net/ipv4/neigh/${pod.veth}/proxy_delay`] = '0';
  }
  Object.assign(sysctls, spec.sysctls);
  return {
    kind: 'host',
    name: 'host',
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
      { ifindex: 2, name: 'eth0', mac: '52:54:00:00:00:01', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'UP'] },
      { ifindex: 3, name: 'tunl0', kind: 'ipip', mtu: 1480, operState: 'UNKNOWN', flags: ['NOARP', 'UP'] },
      ...spec.pods.map((pod, i) => ({ ifindex: 10 + i, name: pod.veth, kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu, operState: 'UP', flags: ['UP'], peerIfindex: 3, linkNetnsId: i })),
    ],
    addresses: [{ dev: 'eth0', family: 'inet', local: spec.ip, prefixlen: 24, flags: [] }],
    routes: [
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: spec.gateway, dev: 'eth0', flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', scope: 'link', protocol: 'kernel', prefsrc: spec.ip, flags: [] },
      ...spec.blocks.map(([dst, via]) =>
        via
          ? { family: 'inet' as const, table: 'main', type: 'unicast', dst, gateway: via, dev: 'tunl0', protocol: 'bird', flags: ['onlink'] }
          : { family: 'inet' as const, table: 'main', type: 'blackhole', dst, protocol: 'bird', flags: [] },
      ),
      ...spec.pods.map((pod) => ({ family: 'inet' as const, table: 'main', type: 'unicast', dst: pod.ip, dev: pod.veth, scope: 'link', flags: [] })),
    ],
    neighbors: [{ family: 'inet', dst: spec.gateway, dev: 'eth0', lladdr: '52:54:00:00:00:fe', state: ['REACHABLE'] }],
    sysctls: Object.entries(sysctls).map(([path, value]) => ({ path, value })),
  };
}

export function podNamespace(pod: PodSpec, mtu = 1440): NetworkNamespace {
  return {
    kind: 'pod',
    name: pod.netns,
    hostVeth: pod.veth,
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
      { ifindex: 3, name: 'eth0', mac: '0a:58:0a:f4:00:05', mtu, operState: 'UP', flags: ['BROADCAST', 'UP'], peerIfindex: 10, linkNetnsId: 0 },
    ],
    addresses: [{ dev: 'eth0', family: 'inet', local: pod.ip, prefixlen: 32, flags: [] }],
    routes: [
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
    ],
    neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['REACHABLE'] }],
    sysctls: [],
  };
}

// --- the scenario -------------------------------------------------------------------------------

export const NODES = ['node-a', 'node-b', 'node-c'] as const;

const POD_A1: PodSpec = { netns: 'cni-0a1a1a1a-0000-4000-8000-00000000a001', veth: 'calia1a1a1a1a01', ip: '10.244.1.2' };
const POD_A2: PodSpec = { netns: 'cni-0a2a2a2a-0000-4000-8000-00000000a002', veth: 'calia2a2a2a2a02', ip: '10.244.1.3' };
const POD_B1: PodSpec = { netns: 'cni-0b1b1b1b-0000-4000-8000-00000000b001', veth: 'calib1b1b1b1b01', ip: '10.244.2.2' };
const POD_B2: PodSpec = { netns: 'cni-0b2b2b2b-0000-4000-8000-00000000b002', veth: 'calib2b2b2b2b02', ip: '10.244.2.3' };
const POD_C1: PodSpec = { netns: 'cni-0c1c1c1c-0000-4000-8000-00000000c001', veth: 'calic1c1c1c1c01', ip: '10.244.3.2' };

/** What the e2e suite asserts against. */
export interface RecordedHistory {
  /** when node-a's route to node-c's block changed gateway (10.0.0.13 → 10.0.0.23) */
  routeChangedAt: Date;
  /** when proxy_arp was turned off on pod-a1's host veth */
  faultAt: Date;
  faultVeth: string;
  /** node-b's proxy_delay fault: opened and resolved */
  delayFault: { opened: Date; resolved: Date; veth: string };
  /** node-c reported nothing between these */
  gap: { start: Date; end: Date };
  first: Date;
  last: Date;
}

/** Minutes before `now` at which the snapshots were taken. */
const TIMELINE = [180, 150, 120, 90, 60, 45, 30, 15, 5];

export function scenario(now: Date): { snapshots: Snapshot[]; history: RecordedHistory } {
  const at = (minutesAgo: number) => new Date(Math.floor(now.getTime() / 1000) * 1000 - minutesAgo * MINUTE);
  const routeChangedAt = at(60);
  const faultAt = at(30);
  const snapshots: Snapshot[] = [];
  const seq: Record<string, number> = {};
  const push = (node: string, takenAt: Date, namespaces: NetworkNamespace[], boot = 1) => {
    const bootId = `boot-${node}-${boot}`;
    seq[bootId] = (seq[bootId] ?? -1) + 1;
    snapshots.push({
      schemaVersion: 1,
      snapshotId: randomUUID(),
      node,
      collector: { version: '0.1.0-e2e', bootId, seq: seq[bootId]!, source: 'collect' },
      takenAt: takenAt.toISOString(),
      kernel: '6.8.0-e2e',
      iproute2: 'iproute2-6.1.0',
      namespaces,
      warnings: [],
    });
  };

  for (const minutesAgo of TIMELINE) {
    const t = at(minutesAgo);
    // node-a: the route to node-c's block moves to another gateway at -60 min; proxy_arp goes off on pod-a1's veth at -30 min.
    const cGateway = t.getTime() >= routeChangedAt.getTime() ? '10.0.0.23' : '10.0.0.13';
    const faulted = t.getTime() >= faultAt.getTime();
    push('node-a', t, [
      hostNamespace({
        ip: '10.0.0.11',
        gateway: '10.0.0.1',
        blocks: [
          ['10.244.1.0/26', undefined],
          ['10.244.2.0/26', '10.0.0.12'],
          ['10.244.3.0/26', cGateway],
        ],
        pods: [POD_A1, POD_A2],
        sysctls: faulted ? { [`net/ipv4/conf/${POD_A1.veth}/proxy_arp`]: '0' } : {},
      }),
      podNamespace(POD_A1),
      podNamespace(POD_A2),
    ]);
    // node-b: proxy_delay is at the kernel default (80) on its pod's veth from -150 until -120,
    // when it is fixed (a finding that opens and resolves); a second pod starts at -90 min.
    const bPods = minutesAgo <= 90 ? [POD_B1, POD_B2] : [POD_B1];
    const bDelay = minutesAgo <= 150 && minutesAgo > 120 ? { [`net/ipv4/neigh/${POD_B1.veth}/proxy_delay`]: '80' } : {};
    push('node-b', t, [
      hostNamespace({
        ip: '10.0.0.12',
        gateway: '10.0.0.1',
        blocks: [
          ['10.244.1.0/26', '10.0.0.11'],
          ['10.244.2.0/26', undefined],
          ['10.244.3.0/26', '10.0.0.13'],
        ],
        pods: bPods,
        sysctls: bDelay,
      }),
      ...bPods.map((p) => podNamespace(p)),
    ]);
    // node-c: silent between -150 and -15 min (a gap in coverage: its collector restarts, with a
    // new boot id); comes back with a changed veth MTU.
    if (minutesAgo > 120 || minutesAgo <= 15) {
      const mtu = minutesAgo <= 15 ? 1410 : 1440;
      push('node-c', t, [
        hostNamespace({
          ip: '10.0.0.13',
          gateway: '10.0.0.1',
          blocks: [
            ['10.244.1.0/26', '10.0.0.11'],
            ['10.244.2.0/26', '10.0.0.12'],
            ['10.244.3.0/26', undefined],
          ],
          pods: [POD_C1],
          vethMtu: mtu,
        }),
        podNamespace(POD_C1, mtu),
      ], minutesAgo <= 15 ? 2 : 1);
    }
  }
  snapshots.sort((a, b) => a.takenAt.localeCompare(b.takenAt) || a.node.localeCompare(b.node));
  return {
    snapshots,
    history: { routeChangedAt, faultAt, faultVeth: POD_A1.veth, delayFault: { opened: at(150), resolved: at(120), veth: POD_B1.veth }, gap: { start: at(150), end: at(15) }, first: at(180), last: at(5) },
  };
}

/** Posts every snapshot to `POST /api/v1/snapshots` with the ingest token, in order. */
export async function postSnapshots(apiUrl: string, ingestToken: string, snapshots: readonly Snapshot[]): Promise<void> {
  for (const snapshot of snapshots) {
    const response = await fetch(`${apiUrl}/api/v1/snapshots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestToken}` },
      body: JSON.stringify(snapshot),
    });
    if (!response.ok) throw new Error(`ingest of ${snapshot.node} at ${snapshot.takenAt} failed: HTTP ${response.status} ${await response.text()}`);
  }
}

/** A snapshot of node-b taken `now`, after the scenario: its second pod is gone (a change to see live). */
export function liveSnapshot(now: Date): Snapshot {
  return {
    schemaVersion: 1,
    snapshotId: randomUUID(),
    node: 'node-b',
    collector: { version: '0.1.0-e2e', bootId: 'boot-node-b-1', seq: TIMELINE.length, source: 'collect' },
    takenAt: now.toISOString(),
    kernel: '6.8.0-e2e',
    iproute2: 'iproute2-6.1.0',
    namespaces: [
      hostNamespace({
        ip: '10.0.0.12',
        gateway: '10.0.0.1',
        blocks: [
          ['10.244.1.0/26', '10.0.0.11'],
          ['10.244.2.0/26', undefined],
          ['10.244.3.0/26', '10.0.0.13'],
        ],
        pods: [POD_B1],
      }),
      podNamespace(POD_B1),
    ],
    warnings: [],
  };
}
