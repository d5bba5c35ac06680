import type { Fact, FactKind } from '@routescope/snapshot';

/** One node's stored facts at the instant (host + pod:<netns> namespaces). */
export interface TraceNodeState {
  node: string;
  facts: readonly Fact[];
}

/** `pod`: the pod's netns name (`cni-…`, or `pod:<netns>`) or its Kubernetes name (`name` or `namespace/name`). */
export interface TraceEndpoint {
  node: string;
  pod?: string;
}

/** A Kubernetes pod the caller knows of (cluster context), to resolve `from.pod` by Kubernetes name. */
export interface TracePodContext {
  namespace: string;
  name: string;
  node?: string;
  ips: readonly string[];
}

export interface TraceRequest {
  nodes: readonly TraceNodeState[];
  from: TraceEndpoint;
  to: string;
  /** the whole IP packet in bytes, default 84 (what `ping` sends: 56 bytes of data) */
  size?: number;
  dontFragment?: boolean;
  /** Kubernetes pods (from the cluster watch), when known */
  pods?: readonly TracePodContext[];
}

/**
 * Where and why a leg stops. `misdelivered`: the packet was delivered, but to a namespace other
 * than the one it was meant for (another namespace holds the same address).
 */
export const TRACE_STOP_REASONS = [
  'no-route',
  'blackhole',
  'unreachable',
  'prohibit',
  'no-arp-reply',
  'forwarding-off',
  'rp_filter',
  'mtu',
  'link-down',
  'unknown-next-hop-node',
  'not-captured',
  'ttl',
  'misdelivered',
] as const;
export type TraceStopReason = (typeof TRACE_STOP_REASONS)[number];
export type TraceVerdict = 'reachable' | TraceStopReason;

/** A stored fact a decision used (an absent one too: a missing route is evidence). */
export interface FactRef {
  node: string;
  ns: string;
  kind: FactKind;
  key: string;
}

/** The steps a hop can be: what the kernel did at that point. */
export const TRACE_STEPS = ['route', 'rp_filter', 'forward', 'mtu', 'neighbour', 'proxy-arp', 'encapsulate', 'decapsulate', 'deliver'] as const;
export type TraceStep = (typeof TRACE_STEPS)[number];

export interface TraceHop {
  node: string;
  ns: string;
  /** one of TRACE_STEPS */
  step: string;
  detail: string;
  evidence: FactRef[];
}

export interface TraceStop {
  reason: TraceStopReason;
  node: string;
  ns: string;
  detail: string;
  evidence: FactRef[];
}

export interface TraceLeg {
  delivered: boolean;
  hops: TraceHop[];
  stop?: TraceStop;
  /** where the leg's packet was delivered (also when it was the wrong namespace) */
  deliveredTo?: { node: string; ns: string };
}

export interface TraceResult {
  reachable: boolean;
  verdict: TraceVerdict;
  forward: TraceLeg;
  reply: TraceLeg;
  /** the source as resolved: its namespace and the address the request leaves with */
  source?: { node: string; ns: string; address: string };
  /**
   * Present when the walk stopped because no given node held an address (a next hop, a tunnel
   * gateway) or a VTEP MAC: load the nodes that hold them at the instant and trace again. Lets a
   * caller start with the source node (and the holder of `to`) instead of every node.
   */
  unresolved?: { addresses: string[]; macs: string[] };
}

/** A request the trace cannot start (unknown node or pod, a `to` that is not an address): names the field. */
export class TraceRequestError extends Error {
  constructor(
    readonly field: 'from.node' | 'from.pod' | 'to' | 'size' | 'nodes',
    message: string,
  ) {
    super(message);
    this.name = 'TraceRequestError';
  }
}
