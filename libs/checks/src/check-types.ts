import type { Fact, FactAttributes, FactKind } from '@routescope/snapshot';

export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Which evaluation owns a rule: one node's facts, all nodes' current facts, one node's recent
 * changes, what a pasted capture observed beyond kernel state (frames, BGP sessions), or the
 * verdict of a live probe run by the node's collector (opened and resolved by probe results).
 */
export type RuleScope = 'node' | 'cluster' | 'history' | 'capture' | 'probe';

export interface RuleDefinition {
  /** stable id, e.g. CALICO_PROXY_ARP */
  id: string;
  scope: RuleScope;
  severity: Severity;
  title: string;
  /** why it matters in the proxy-ARP model (DESIGN.md) */
  explanation: string;
  remediation: string;
}

/**
 * What a capture showed that is not a kernel fact: a frame (tcpdump -e), a BGP peer row or the
 * process line of `calicoctl node status`, or an assumption a rule had to make (stated, never hidden).
 */
export type ObservationKind = 'frame' | 'bgp-peer' | 'calico-status' | 'assumption' | 'probe';

/** A fact that made a rule fire; `attrs: null` means the fact is absent (that absence is the evidence). */
export interface EvidenceFact {
  node: string;
  ns: string;
  kind: FactKind | ObservationKind;
  key: string;
  attrs: FactAttributes | null;
  /** history findings only: when this version of the fact was recorded (ISO-8601). */
  at?: string;
  /** capture findings: the 1-based line of the pasted text it was read from. */
  line?: number;
}

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  /** one sentence naming the node, pod and/or veth concerned */
  message: string;
  /** the node where the problem shows (cross-node findings too) */
  node: string;
  /** what it is about, stable while the problem lasts: `pod:<netns>`, `veth:<name>`, `block:<cidr>`, `address:<ip>`, `node` ... */
  subject: string;
  evidence: EvidenceFact[];
}

/** One node's current facts, as normalised by libs/snapshot. */
export interface NodeFacts {
  node: string;
  facts: readonly Fact[];
}

/** Kubernetes/Calico data, when the API watches a cluster; every part is optional. */
export interface ClusterContext {
  /** pod IP → pod */
  pods?: ReadonlyArray<{ namespace: string; name: string; node?: string; ips: string[] }>;
  /** node name → InternalIP */
  nodes?: ReadonlyArray<{ name: string; internalIPs: string[] }>;
  /** Calico IP pools */
  ipPools?: ReadonlyArray<{
    name: string;
    cidr: string;
    encapsulation: 'IPIP' | 'VXLAN' | 'None';
    mtu?: number;
    /** IPAM block prefix length (spec.blockSize; Calico's default is 26, 122 for IPv6). Added for the blackhole rule. */
    blockSize?: number;
  }>;
  /** Calico block affinities: block CIDR → owning node */
  blockAffinities?: ReadonlyArray<{ cidr: string; node: string }>;
}

/** One change of one fact, in time order (from the history store). */
export interface FactChangeEvent {
  at: Date;
  ns: string;
  kind: FactKind;
  key: string;
  before: FactAttributes | null;
  after: FactAttributes | null;
  /** ip monitor events of a capture: the line they were read from */
  line?: number;
  /** ip monitor printed no time for it: `at` only keeps the order, and evidence gives no time */
  untimed?: boolean;
}

export const CNI_NAMES = ['calico', 'canal', 'flannel', 'cilium', 'unknown'] as const;
export type CniName = (typeof CNI_NAMES)[number];
/** `ebpf`: Calico's eBPF dataplane (bpf* devices), which the iptables-dataplane rules do not judge. */
export type CniMode = 'ipip' | 'vxlan' | 'bgp' | 'wireguard' | 'ebpf';

/** What `detectCni` concluded from one node's facts, and the facts that say so. */
export interface CniDetection {
  cni: CniName;
  mode?: CniMode;
  evidence: EvidenceFact[];
}

export interface HistoryOptions {
  /** route delete/re-add cycles (and proxy_arp value changes) within the window that count as flapping; default 3 */
  flapThreshold?: number;
  /** sliding window in milliseconds; default 15 minutes */
  windowMs?: number;
}
