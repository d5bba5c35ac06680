import type { NetworkNamespace } from '@routescope/snapshot';
import { UNDERLAY_GATEWAY, type SynthPod } from './calico-tables';
import type { SeededRandom } from './seeded-random';

/**
 * Faults a synthetic cluster can carry when asked, named like tools/netlab's (and
 * NETLAB_FAULT_RULES in libs/checks, which says the one rule each must raise). A healthy
 * synthetic cluster raises no finding; each fault breaks one part of Calico's proxy-ARP model
 * on its target, the way the netlab breaks it in a real kernel.
 */
export const SYNTH_FAULTS = [
  'proxy-arp-off',
  'proxy-delay-default',
  'host-route-missing',
  'veth-mac-wrong',
  'mtu-mismatch',
  'blackhole-missing',
  'remote-block-route-missing',
  'remote-block-wrong-node',
  'ip-forward-off',
  'default-route-missing',
  'duplicate-pod-ip',
] as const;

export type SynthFault = (typeof SYNTH_FAULTS)[number];

/** What each fault acts on: one pod of the node, or the node itself. */
export const POD_FAULTS: ReadonlySet<SynthFault> = new Set(['proxy-arp-off', 'proxy-delay-default', 'host-route-missing', 'veth-mac-wrong', 'mtu-mismatch', 'duplicate-pod-ip']);

export interface FaultRequest {
  fault: SynthFault;
  /** how many nodes (node faults) or pods, one per node (pod faults) carry it */
  count: number;
}

export function isSynthFault(name: string): name is SynthFault {
  return (SYNTH_FAULTS as readonly string[]).includes(name);
}

/** A fault on one node; `peer` is the node whose pod's address a duplicate-pod-ip pod copies. */
export interface PlannedFault {
  fault: SynthFault;
  node: number;
  peer?: number;
}

/** The MAC netlab's veth-mac-wrong fault sets on the host veth. */
export const WRONG_VETH_MAC = '2a:5e:1c:00:00:01';
const UNDERLAY_MTU = 1500;

/**
 * Picks distinct nodes for every requested fault (so that faults do not mask each other), in a
 * seeded order. Throws when the cluster is too small or a pod fault has no pods to act on.
 */
export function planFaults(requests: readonly FaultRequest[], nodes: number, podsPerNode: number, random: SeededRandom): PlannedFault[] {
  const seen = new Set<string>();
  let needed = 0;
  for (const { fault, count } of requests) {
    if (!isSynthFault(fault)) throw new Error(`unknown fault "${String(fault)}"; known: ${SYNTH_FAULTS.join(', ')}`);
    if (!Number.isInteger(count) || count < 1) throw new Error(`fault ${fault}: count must be a positive integer, got ${count}`);
    if (seen.has(fault)) throw new Error(`fault ${fault} is given twice`);
    seen.add(fault);
    if (POD_FAULTS.has(fault) && podsPerNode < 1) throw new Error(`fault ${fault} acts on a pod, and the cluster has no pods`);
    if ((fault.startsWith('remote-block') || fault === 'duplicate-pod-ip') && nodes < 2) throw new Error(`fault ${fault} needs at least 2 nodes`);
    needed += fault === 'duplicate-pod-ip' ? 2 * count : count;
  }
  if (needed > nodes) throw new Error(`the faults need ${needed} distinct nodes (duplicate-pod-ip takes 2 each), the cluster has ${nodes}`);
  const order = Array.from({ length: nodes }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const planned: PlannedFault[] = [];
  let next = 0;
  for (const { fault, count } of requests) {
    for (let k = 0; k < count; k++) {
      const node = order[next++];
      planned.push(fault === 'duplicate-pod-ip' ? { fault, node, peer: order[next++] } : { fault, node });
    }
  }
  return planned;
}

/** What a fault needs to know about a node of the cluster. */
export interface FaultTarget {
  /** the block new pods come from, `a.b.c.d/26` */
  ownBlock: string;
  /** a pod of the node, one in a block the node owns when it has one */
  pod?: SynthPod;
  /** a block another node owns, `a.b.c.d/26` */
  otherBlock: string;
}

/** Breaks node `index`'s snapshot namespaces (host first, then its pods) in place, for the faults on it. */
export function applyFaults(namespaces: NetworkNamespace[], faults: readonly PlannedFault[], index: number, target: (node: number) => FaultTarget): void {
  const host = namespaces[0];
  for (const planned of faults) {
    const onPeer = planned.fault === 'duplicate-pod-ip' && planned.peer === index;
    if (planned.node !== index && !onPeer) continue;
    const t = target(index);
    const pod = t.pod;
    const podNs = pod && namespaces.find((ns) => ns.name === pod.netns);
    switch (planned.fault) {
      case 'proxy-arp-off':
        if (pod) setSysctl(host, `net/ipv4/conf/${pod.veth}/proxy_arp`, '0');
        break;
      case 'proxy-delay-default':
        if (pod) setSysctl(host, `net/ipv4/neigh/${pod.veth}/proxy_delay`, '80');
        break;
      case 'host-route-missing':
        if (pod) host.routes = host.routes?.filter((r) => !(r.dst === pod.ip && r.dev === pod.veth));
        break;
      case 'veth-mac-wrong':
        if (!pod) break;
        for (const link of host.links ?? []) if (link.name === pod.veth) link.mac = WRONG_VETH_MAC;
        // the pod re-resolves its gateway to the veth's MAC, as in the netlab
        for (const neighbor of podNs?.neighbors ?? []) neighbor.lladdr = WRONG_VETH_MAC;
        break;
      case 'mtu-mismatch':
        for (const link of podNs?.links ?? []) if (link.name === 'eth0') link.mtu = UNDERLAY_MTU;
        break;
      case 'blackhole-missing':
        host.routes = host.routes?.filter((r) => !(r.type === 'blackhole' && r.dst === t.ownBlock));
        break;
      case 'remote-block-route-missing':
        host.routes = host.routes?.filter((r) => r.dst !== t.otherBlock);
        break;
      case 'remote-block-wrong-node':
        // netlab: `ip route replace <block> via <the underlay router> dev eth0 proto 80`
        host.routes = host.routes?.map((r) => (r.dst === t.otherBlock ? { family: 'inet', table: 'main', type: 'unicast', dst: r.dst, gateway: UNDERLAY_GATEWAY, dev: 'eth0', protocol: '80', flags: [] } : r));
        break;
      case 'ip-forward-off':
        setSysctl(host, 'net/ipv4/ip_forward', '0');
        break;
      case 'default-route-missing':
        host.routes = host.routes?.filter((r) => r.dst !== 'default');
        break;
      case 'duplicate-pod-ip': {
        // netlab: a pod of the peer node also takes the victim pod's address, and its node routes it to that pod
        if (!onPeer) break;
        const victim = target(planned.node).pod;
        if (!pod || !podNs || !victim) break;
        podNs.addresses = [...(podNs.addresses ?? []), { dev: 'eth0', family: 'inet', local: victim.ip, prefixlen: 32, scope: 'global', flags: [] }];
        host.routes = [...(host.routes ?? []), { family: 'inet', table: 'main', type: 'unicast', dst: victim.ip, dev: pod.veth, scope: 'link', flags: [] }];
        break;
      }
    }
  }
}

function setSysctl(ns: NetworkNamespace, path: string, value: string): void {
  ns.sysctls = (ns.sysctls ?? []).map((s) => (s.path === path ? { ...s, value } : s));
  if (!ns.sysctls.some((s) => s.path === path)) ns.sysctls.push({ path, value });
}
