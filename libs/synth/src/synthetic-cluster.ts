import {
  linkFact,
  namespaceToFacts,
  neighborFact,
  routeFact,
  sysctlFact,
  type Fact,
  type Neighbor,
  type NetworkNamespace,
  type Route,
  type Snapshot,
} from '@routescope/snapshot';
import {
  blackholeRoute,
  hostBaseLinks,
  hostBaseRoutes,
  hostSysctls,
  hostVethLink,
  ipv4FromString,
  ipv4ToString,
  macFromNumber,
  podNamespace,
  podNeighbor,
  podRoute,
  podSysctls,
  underlayNeighbor,
  vtepNeighbor,
  vxlanBlockRoute,
  vxlanBorrowedRoute,
  type SynthPod,
} from './calico-tables';
import { applyFaults, planFaults, type FaultRequest, type PlannedFault } from './synthetic-faults';
import { SeededRandom, stableUuid } from './seeded-random';

/** How often things change (Poisson rates). Defaults describe a busy but healthy cluster. */
export interface ChurnRates {
  /** a pod deleted and another created on the same node, per node per hour (~26 fact changes each) */
  podReplacementsPerNodePerHour: number;
  /** an underlay ARP entry for a peer node garbage-collected or re-resolved, per node per hour (1 change each) */
  arpChangesPerNodePerHour: number;
  /** an IPAM block's affinity moving to another node, per cluster per day (~2 changes on every node) */
  blockMovesPerClusterPerDay: number;
  /** the VXLAN MTU changing on every node, per cluster per day (1 change on every node) */
  mtuChangesPerClusterPerDay: number;
}

export const DEFAULT_CHURN: Readonly<ChurnRates> = {
  podReplacementsPerNodePerHour: 0.5,
  arpChangesPerNodePerHour: 4,
  blockMovesPerClusterPerDay: 2,
  mtuChangesPerClusterPerDay: 0.02,
};

export interface ClusterOptions {
  seed: string | number;
  nodes: number;
  podsPerNode: number;
  /** IPAM pool; blocks are /26 (64 addresses) carved from it in order. */
  pool: string;
  /** The underlay subnet the nodes' eth0 live in; node i is .10 + i. */
  underlay: string;
  /** The first snapshot's time. */
  start: string | Date;
  /** Underlay peers per node whose ARP entries come and go (a node talks to a few others). */
  underlayPeers: number;
  /** felix's permanent ARP entry per remote VTEP; off by default (the issue's ~1,400-fact calibration). */
  vtepNeighbors: boolean;
  mtu: number;
  churn: Partial<ChurnRates>;
  /**
   * Faults to inject, named like tools/netlab's (`proxy-arp-off`, …), each on `count` nodes (or
   * one pod of each of `count` nodes); none by default: a synthetic cluster is healthy.
   */
  faults: readonly FaultRequest[];
}

export const DEFAULT_CLUSTER: Readonly<Omit<ClusterOptions, 'churn'>> = {
  faults: [],
  seed: 1,
  nodes: 1000,
  podsPerNode: 30,
  pool: '172.16.0.0/12',
  underlay: '10.0.0.0/16',
  start: '2026-11-01T00:00:00.000Z',
  underlayPeers: 8,
  vtepNeighbors: false,
  mtu: 1450,
};

export type ChurnEventType = 'pod-replaced' | 'pod-created' | 'pod-deleted' | 'arp-changed' | 'block-moved' | 'mtu-changed';

export interface ChurnEvent {
  type: ChurnEventType;
  at: number;
  /** the node it happened on; cluster-wide events name the node that caused them, if any */
  node?: string;
  /** facts opened plus facts closed, over every node */
  changes: number;
}

/** What an event did to one node's facts: the facts it closed and those it opened (a changed fact is both). */
export interface FactDelta {
  node: number;
  at: number;
  closed: Fact[];
  opened: Fact[];
}

export type DeltaSink = (delta: FactDelta) => void;

interface SynthNode {
  index: number;
  name: string;
  ip: string;
  underlayMac: string;
  vtepIp: string;
  vtepMac: string;
  /** the block new pods are allocated from */
  primaryBlock: number;
  pods: SynthPod[];
  /** peers (node indexes) with a resolved underlay ARP entry */
  arp: Set<number>;
  /** peers this node may talk to */
  peers: number[];
  nextIfindex: number;
  seq: number;
  bootId: string;
  random: SeededRandom;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const BLOCK_SIZE = 64;

/**
 * A synthetic Calico (VXLAN, proxy ARP) cluster, deterministic from its seed: node i owns one
 * /26 block, runs `podsPerNode` pods, and has a route to every other node's block. `snapshot(i)`
 * is a valid v1 snapshot of node i now; `advance()` plays the churn model forward in time and
 * `churnNode()` changes one node by a chosen number of facts. Pure: no I/O, no clock.
 */
export class SyntheticCluster {
  readonly options: Readonly<Omit<ClusterOptions, 'churn'>> & { churn: Readonly<ChurnRates> };
  readonly nodes: readonly SynthNode[];
  /** ms since the epoch */
  now: number;

  private readonly random: SeededRandom;
  private readonly poolBase: number;
  private readonly maxBlocks: number;
  /** owner node index per block, -1 when free */
  private readonly blockOwner: Int32Array;
  /** pods' addresses in use, per block (bit per offset) */
  private readonly blockUse: Uint8Array;
  private readonly assignedBlocks: number[] = [];
  private readonly freeBlocks: number[] = [];
  private mtu: number;
  private readonly nextAt: Record<ChurnEventType, number>;
  /**
   * Pods whose address is in a block another node owns (left behind when their block moved),
   * by address: Calico routes each with a /32 via its node's VTEP on every other node.
   */
  private readonly borrowed = new Map<string, { pod: SynthPod; host: number }>();
  private readonly faults: readonly PlannedFault[];

  constructor(options: Partial<ClusterOptions> = {}) {
    const churn = { ...DEFAULT_CHURN, ...(options.churn ?? {}) };
    this.options = { ...DEFAULT_CLUSTER, ...options, churn };
    const o = this.options;
    if (!Number.isInteger(o.nodes) || o.nodes < 1) throw new Error(`nodes must be a positive integer, got ${o.nodes}`);
    if (o.podsPerNode < 0 || o.podsPerNode > BLOCK_SIZE - 2) throw new Error(`podsPerNode must be in 0..${BLOCK_SIZE - 2}`);
    const [poolAddress, poolBits] = o.pool.split('/');
    this.poolBase = ipv4FromString(poolAddress);
    this.maxBlocks = 2 ** (26 - Number(poolBits));
    if (o.nodes * 2 > this.maxBlocks) throw new Error(`pool ${o.pool} has ${this.maxBlocks} /26 blocks, too few for ${o.nodes} nodes`);
    const underlayBase = ipv4FromString(o.underlay.split('/')[0]);
    if (o.nodes + 10 >= 2 ** (32 - Number(o.underlay.split('/')[1]))) throw new Error(`underlay ${o.underlay} is too small for ${o.nodes} nodes`);

    this.random = new SeededRandom(`${o.seed}/cluster`);
    this.now = new Date(o.start).getTime();
    this.mtu = o.mtu;
    this.blockOwner = new Int32Array(this.maxBlocks).fill(-1);
    this.blockUse = new Uint8Array(this.maxBlocks * BLOCK_SIZE);
    for (let b = this.maxBlocks - 1; b >= o.nodes; b--) this.freeBlocks.push(b);

    const nodes: SynthNode[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const block = i;
      this.blockOwner[block] = i;
      this.assignedBlocks.push(block);
      this.blockUse[block * BLOCK_SIZE] = 1; // the VTEP's address
      const random = new SeededRandom(`${o.seed}/node/${i}`);
      const peers: number[] = [];
      for (let k = 0; k < Math.min(o.underlayPeers, o.nodes - 1); k++) {
        let peer = random.int(o.nodes);
        while (peer === i || peers.includes(peer)) peer = (peer + 1) % o.nodes;
        peers.push(peer);
      }
      nodes.push({
        index: i,
        name: nodeName(i),
        ip: ipv4ToString(underlayBase + 10 + i),
        underlayMac: macFromNumber(0x52, 0x5400000000 + i),
        vtepIp: this.blockAddress(block, 0),
        vtepMac: macFromNumber(0x66, 0xc1a0000000 + i),
        primaryBlock: block,
        pods: [],
        arp: new Set(peers.slice(0, Math.ceil(peers.length / 2))),
        peers,
        nextIfindex: 4,
        seq: 0,
        bootId: stableUuid(o.seed, 'boot', i),
        random,
      });
    }
    this.nodes = nodes;
    for (const node of nodes) for (let p = 0; p < o.podsPerNode; p++) node.pods.push(this.newPod(node));
    this.faults = planFaults(o.faults, o.nodes, o.podsPerNode, new SeededRandom(`${o.seed}/faults`));

    this.nextAt = {
      'pod-replaced': this.schedule((churn.podReplacementsPerNodePerHour * o.nodes) / HOUR),
      'arp-changed': this.schedule((churn.arpChangesPerNodePerHour * o.nodes) / HOUR),
      'block-moved': this.schedule(churn.blockMovesPerClusterPerDay / DAY),
      'mtu-changed': this.schedule(churn.mtuChangesPerClusterPerDay / DAY),
      'pod-created': Infinity,
      'pod-deleted': Infinity,
    };
  }

  get nodeNames(): string[] {
    return this.nodes.map((n) => n.name);
  }

  /**
   * The node's snapshot at `at` (default: the cluster's clock): valid against the v1 contract,
   * with a fresh deterministic snapshotId and the next collector seq.
   */
  snapshot(index: number, at: number = this.now): Snapshot {
    const node = this.node(index);
    const seq = node.seq++;
    const namespaces = [this.hostNamespace(node), ...node.pods.map((pod) => podNamespace(pod))];
    if (this.faults.length > 0) applyFaults(namespaces, this.faults, index, (i) => this.faultTarget(i));
    return {
      schemaVersion: 1,
      snapshotId: stableUuid(this.options.seed, 'snapshot', index, node.bootId, seq),
      node: node.name,
      collector: { version: '0.1.0-synth', bootId: node.bootId, seq, source: 'collect' },
      takenAt: new Date(at).toISOString(),
      kernel: '6.8.0-synth',
      iproute2: '6.1.0',
      namespaces,
      warnings: [],
    };
  }

  /**
   * Plays the churn model for `durationMs` from the cluster's clock. Events are drawn once
   * per Poisson process, so advancing by 1 h or by 2 × 30 min gives the same history.
   * `sink` receives every node's fact delta (what ingest would open and close).
   */
  advance(durationMs: number, sink?: DeltaSink, onEvent?: (event: ChurnEvent) => void): { events: number; changes: number } {
    const end = this.now + durationMs;
    let events = 0;
    let changes = 0;
    for (;;) {
      let type: ChurnEventType | undefined;
      let at = Infinity;
      for (const [t, when] of Object.entries(this.nextAt) as Array<[ChurnEventType, number]>) {
        if (when < at) {
          at = when;
          type = t;
        }
      }
      if (!type || at > end) break;
      this.now = Math.max(this.now, Math.floor(at));
      const event = this.apply(type, sink);
      this.nextAt[type] = at + this.nextDelay(type);
      events++;
      changes += event.changes;
      onEvent?.(event);
    }
    this.now = end;
    return { events, changes };
  }

  /**
   * Changes node `index` now by about `targetChanges` facts with node-local events (a pod
   * created or deleted, keeping the pod count near its target, then ARP entries), for
   * snapshots with a chosen churn such as 1% of their facts.
   */
  churnNode(index: number, targetChanges: number, sink?: DeltaSink): ChurnEvent[] {
    const node = this.node(index);
    const events: ChurnEvent[] = [];
    let changes = 0;
    const podCost = POD_FACTS + HOST_FACTS_PER_POD;
    while (targetChanges - changes >= podCost) {
      const event = node.pods.length > this.options.podsPerNode || (node.pods.length === this.options.podsPerNode && node.random.next() < 0.5)
        ? this.deletePod(node, sink)
        : this.createPod(node, sink);
      events.push(event);
      changes += event.changes;
    }
    while (changes < targetChanges && node.peers.length > 0) {
      const event = this.toggleArp(node, sink);
      events.push(event);
      changes += event.changes;
    }
    return events;
  }

  private apply(type: ChurnEventType, sink?: DeltaSink): ChurnEvent {
    switch (type) {
      case 'pod-replaced': {
        const node = this.random.pick(this.nodes);
        const deleted = node.pods.length > 0 ? this.deletePod(node, sink).changes : 0;
        const created = this.createPod(node, sink).changes;
        return { type, at: this.now, node: node.name, changes: deleted + created };
      }
      case 'arp-changed':
        return this.toggleArp(this.random.pick(this.nodes), sink);
      case 'block-moved':
        return this.moveBlock(sink);
      case 'mtu-changed':
        return this.changeMtu(sink);
      default:
        throw new Error(`not a scheduled event: ${type}`);
    }
  }

  private createPod(node: SynthNode, sink?: DeltaSink): ChurnEvent {
    const pod = this.newPod(node);
    node.pods.push(pod);
    const opened = podFacts(pod);
    sink?.({ node: node.index, at: this.now, closed: [], opened });
    return { type: 'pod-created', at: this.now, node: node.name, changes: opened.length };
  }

  private deletePod(node: SynthNode, sink?: DeltaSink): ChurnEvent {
    const [pod] = node.pods.splice(node.random.int(node.pods.length), 1);
    this.blockUse[pod.block * BLOCK_SIZE + pod.offset] = 0;
    const closed = podFacts(pod);
    sink?.({ node: node.index, at: this.now, closed, opened: [] });
    let changes = closed.length;
    if (this.borrowed.delete(pod.ip)) {
      // every other node withdraws the borrowed address's /32
      const route = routeFact('host', vxlanBorrowedRoute(pod.ip, node.vtepIp))!;
      for (const other of this.nodes) {
        if (other === node) continue;
        sink?.({ node: other.index, at: this.now, closed: [route], opened: [] });
        changes++;
      }
    }
    return { type: 'pod-deleted', at: this.now, node: node.name, changes };
  }

  private toggleArp(node: SynthNode, sink?: DeltaSink): ChurnEvent {
    const peer = node.random.pick(node.peers);
    const fact = neighborFact('host', this.underlayNeighborOf(peer));
    if (node.arp.has(peer)) {
      node.arp.delete(peer);
      sink?.({ node: node.index, at: this.now, closed: [fact], opened: [] });
    } else {
      node.arp.add(peer);
      sink?.({ node: node.index, at: this.now, closed: [], opened: [fact] });
    }
    return { type: 'arp-changed', at: this.now, node: node.name, changes: 1 };
  }

  /**
   * A block's affinity moves from node A to node B; A claims a fresh block for its new pods.
   * A's pods still on the moved block keep their addresses, now borrowed from B: as Calico
   * does, every other node (B too) gets a /32 route for each via A's VTEP, and pods that were
   * borrowed from the block and now sit on its owner lose theirs.
   */
  private moveBlock(sink?: DeltaSink): ChurnEvent {
    const block = this.random.pick(this.assignedBlocks);
    const from = this.blockOwner[block];
    let to = this.random.int(this.nodes.length);
    if (to === from) to = (to + 1) % this.nodes.length;
    if (this.nodes.length < 2 || this.freeBlocks.length === 0) return { type: 'block-moved', at: this.now, changes: 0 };
    const fresh = this.freeBlocks.pop()!;
    const before = this.nodes.map((n) => this.blockRouteOf(n.index, block));
    this.blockOwner[block] = to;
    this.blockOwner[fresh] = from;
    this.assignedBlocks.push(fresh);
    const source = this.nodes[from];
    if (source.primaryBlock === block) source.primaryBlock = fresh;
    const nowBorrowed: Fact[][] = this.nodes.map(() => []);
    const noLongerBorrowed: Fact[][] = this.nodes.map(() => []);
    for (const host of this.nodes) {
      for (const pod of host.pods) {
        if (pod.block !== block) continue;
        const isBorrowed = to !== host.index;
        if (isBorrowed === this.borrowed.has(pod.ip)) continue;
        if (isBorrowed) this.borrowed.set(pod.ip, { pod, host: host.index });
        else this.borrowed.delete(pod.ip);
        const route = routeFact('host', vxlanBorrowedRoute(pod.ip, host.vtepIp))!;
        for (const other of this.nodes) if (other !== host) (isBorrowed ? nowBorrowed : noLongerBorrowed)[other.index].push(route);
      }
    }
    let changes = 0;
    for (const node of this.nodes) {
      const closed = [before[node.index], ...noLongerBorrowed[node.index]];
      const opened = [this.blockRouteOf(node.index, block), this.blockRouteOf(node.index, fresh), ...nowBorrowed[node.index]];
      changes += closed.length + opened.length;
      sink?.({ node: node.index, at: this.now, closed, opened });
    }
    return { type: 'block-moved', at: this.now, node: source.name, changes };
  }

  /**
   * The pool MTU changes: felix sets the new MTU on every node's VXLAN device, and the pods are
   * rolled so that both ends of every veth carry it (a pod MTU above the tunnel's, or pods
   * disagreeing across nodes, would be findings). Modelled as one instant.
   */
  private changeMtu(sink?: DeltaSink): ChurnEvent {
    const old = this.mtu;
    this.mtu = old === this.options.mtu ? this.options.mtu - 50 : this.options.mtu;
    let changes = 0;
    for (const node of this.nodes) {
      const [, , vxlanBefore] = hostBaseLinks(node.ip, node.underlayMac, node.vtepMac, old, 4096);
      const [, , vxlanAfter] = hostBaseLinks(node.ip, node.underlayMac, node.vtepMac, this.mtu, 4096);
      const closed = [linkFact('host', vxlanBefore)];
      const opened = [linkFact('host', vxlanAfter)];
      for (const pod of node.pods) {
        closed.push(...podLinkFacts(pod));
        pod.mtu = this.mtu;
        opened.push(...podLinkFacts(pod));
      }
      sink?.({ node: node.index, at: this.now, closed, opened });
      changes += closed.length + opened.length;
    }
    return { type: 'mtu-changed', at: this.now, changes };
  }

  private hostNamespace(node: SynthNode): NetworkNamespace {
    const routes: Route[] = hostBaseRoutes(node.ip, this.options.underlay);
    for (const block of this.assignedBlocks) routes.push(this.blockRoute(node.index, block));
    for (const pod of node.pods) routes.push(podRoute(pod));
    for (const { pod, host } of this.borrowed.values()) if (host !== node.index) routes.push(vxlanBorrowedRoute(pod.ip, this.nodes[host].vtepIp));
    const neighbors: Neighbor[] = [];
    neighbors.push(underlayNeighbor('10.0.0.1', '52:54:00:ff:ff:01'));
    for (const peer of node.arp) neighbors.push(this.underlayNeighborOf(peer));
    if (this.options.vtepNeighbors) for (const other of this.nodes) if (other !== node) neighbors.push(vtepNeighbor(other.vtepIp, other.vtepMac));
    for (const pod of node.pods) neighbors.push(podNeighbor(pod));
    return {
      kind: 'host',
      name: 'host',
      links: [...hostBaseLinks(node.ip, node.underlayMac, node.vtepMac, this.mtu, 4096), ...node.pods.map((p) => hostVethLink(p))],
      addresses: [
        { dev: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', flags: [] },
        { dev: 'eth0', family: 'inet', local: node.ip, prefixlen: Number(this.options.underlay.split('/')[1]), scope: 'global', flags: [] },
        { dev: 'vxlan.calico', family: 'inet', local: node.vtepIp, prefixlen: 32, scope: 'global', flags: [] },
      ],
      routes,
      neighbors,
      sysctls: [...hostSysctls(), ...node.pods.flatMap(podSysctls)],
    };
  }

  /** What a fault on node `index` acts on: its primary block, a pod on it, another node's block. */
  private faultTarget(index: number) {
    const node = this.nodes[index];
    const neighbour = this.nodes[(index + 1) % this.nodes.length];
    return {
      ownBlock: `${this.blockAddress(node.primaryBlock, 0)}/26`,
      // a pod in a block the node owns when it has one (borrowed ones only after a block moved), so a fault outlives block moves
      pod: node.pods.find((p) => this.blockOwner[p.block] === index) ?? node.pods[0],
      otherBlock: `${this.blockAddress(neighbour.primaryBlock, 0)}/26`,
    };
  }

  private blockRoute(self: number, block: number): Route {
    const owner = this.blockOwner[block];
    const cidr = `${this.blockAddress(block, 0)}/26`;
    return owner === self ? blackholeRoute(cidr) : vxlanBlockRoute(cidr, this.nodes[owner].vtepIp);
  }

  private blockRouteOf(self: number, block: number): Fact {
    return routeFact('host', this.blockRoute(self, block))!;
  }

  private underlayNeighborOf(peer: number): Neighbor {
    return underlayNeighbor(this.nodes[peer].ip, this.nodes[peer].underlayMac);
  }

  private newPod(node: SynthNode): SynthPod {
    const block = node.primaryBlock;
    let offset = 1;
    while (offset < BLOCK_SIZE && this.blockUse[block * BLOCK_SIZE + offset]) offset++;
    if (offset >= BLOCK_SIZE) throw new Error(`block ${block} of ${node.name} is full`);
    this.blockUse[block * BLOCK_SIZE + offset] = 1;
    const pod: SynthPod = {
      netns: `cni-${node.random.uuid()}`,
      veth: `cali${node.random.hex(11)}`,
      ip: this.blockAddress(block, offset),
      mac: macFromNumber(0x0a, node.random.nextUint32() * 256 + (offset & 255)),
      hostIfindex: node.nextIfindex++,
      block,
      offset,
      mtu: this.mtu,
    };
    return pod;
  }

  private blockAddress(block: number, offset: number): string {
    return ipv4ToString(this.poolBase + block * BLOCK_SIZE + offset);
  }

  private node(index: number): SynthNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${index} in a cluster of ${this.nodes.length}`);
    return node;
  }

  private schedule(ratePerMs: number): number {
    return this.now + this.random.exponential(ratePerMs);
  }

  private nextDelay(type: ChurnEventType): number {
    const o = this.options;
    const rate =
      type === 'pod-replaced'
        ? (o.churn.podReplacementsPerNodePerHour * o.nodes) / HOUR
        : type === 'arp-changed'
          ? (o.churn.arpChangesPerNodePerHour * o.nodes) / HOUR
          : type === 'block-moved'
            ? o.churn.blockMovesPerClusterPerDay / DAY
            : o.churn.mtuChangesPerClusterPerDay / DAY;
    return this.random.exponential(rate);
  }
}

/** Facts one pod contributes to its node: the host side (veth, route, neighbour, sysctls) and its namespace. */
const HOST_FACTS_PER_POD = 5;
const POD_FACTS = 8;

function podFacts(pod: SynthPod): Fact[] {
  return [
    linkFact('host', hostVethLink(pod)),
    routeFact('host', podRoute(pod))!,
    neighborFact('host', podNeighbor(pod)),
    ...podSysctls(pod).map((s) => sysctlFact('host', s)),
    ...namespaceToFacts(podNamespace(pod)),
  ];
}

/** The two ends of a pod's veth pair. */
function podLinkFacts(pod: SynthPod): Fact[] {
  return [linkFact('host', hostVethLink(pod)), ...namespaceToFacts(podNamespace(pod)).filter((f) => f.kind === 'link' && f.key === 'eth0')];
}

export function nodeName(index: number): string {
  return `node-${String(index).padStart(5, '0')}`;
}
