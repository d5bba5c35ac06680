import { vethNameForWorkload } from './veth-name';

// What Routescope keeps of each Kubernetes/Calico object: a stable key and the attributes
// that matter to node networking, normalised so that only a meaningful change (a new IP, a
// pool switching to VXLAN, a block changing hands) differs. resourceVersion, status
// timestamps, heartbeats and IPAM allocation lists are left out on purpose: they change all
// the time and would turn every watch event into a new interval.
//
// Objects arrive in two shapes (model classes from a typed list, plain JSON from a watch);
// both are read through the loose interfaces below, field names are the same.

/** The `kind` column of cluster_object (a CHECK constraint lists the same five). */
export const CLUSTER_KINDS = ['node', 'pod', 'ippool', 'blockaffinity', 'ipamblock'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  deletionTimestamp?: unknown;
  annotations?: Record<string, string>;
}

export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface RawPod extends RawObject {
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip?: string }> };
}

export interface RawNode extends RawObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean };
  status?: { addresses?: Array<{ type?: string; address?: string }>; conditions?: Array<{ type?: string; status?: string }> };
}

/** crd.projectcalico.org/v1 IPPool (spec as in projectcalico/api IPPoolSpec). */
export interface RawIpPool extends RawObject {
  spec?: {
    cidr?: string;
    ipipMode?: string;
    vxlanMode?: string;
    natOutgoing?: boolean;
    disabled?: boolean;
    blockSize?: number;
    nodeSelector?: string;
  };
}

/** crd.projectcalico.org/v1 BlockAffinity: `deleted` is a string ("true"/"false") in the CRD. */
export interface RawBlockAffinity extends RawObject {
  spec?: { cidr?: string; node?: string; state?: string; deleted?: string | boolean };
}

/** crd.projectcalico.org/v1 IPAMBlock: `affinity` is "host:<node>" (or absent for a borrowed/released block). */
export interface RawIpamBlock extends RawObject {
  spec?: { cidr?: string; affinity?: string | null; strictAffinity?: boolean; deleted?: boolean };
}

export type Encapsulation = 'IPIP' | 'VXLAN' | 'None';

export interface NodeAttrs {
  name: string;
  internalIPs: string[];
  externalIPs: string[];
  podCIDRs: string[];
  /** the Ready condition (true/false), null when not reported */
  ready: boolean | null;
  unschedulable: boolean;
  /** Calico's per-node annotations (projectcalico.org/IPv4Address, …TunnelAddr), by annotation name */
  calico: Record<string, string>;
}

export interface PodAttrs {
  namespace: string;
  name: string;
  node: string | null;
  /**
   * The pod-network IPs the pod owns: empty for a host-network pod (its IP is the node's) and
   * for a finished one (Calico has released its IPs back to the pool, see `ipsReleased`).
   */
  ips: string[];
  hostNetwork: boolean;
  phase: string | null;
  /** true when Calico considers the pod finished (conversion.IsFinished): its IPs may be reused. */
  ipsReleased: boolean;
  /** host-side veth name (Calico's VethNameForWorkload); null for host-network pods */
  veth: string | null;
}

export interface IpPoolAttrs {
  name: string;
  cidr: string;
  encapsulation: Encapsulation;
  ipipMode: string;
  vxlanMode: string;
  natOutgoing: boolean;
  disabled: boolean;
  blockSize: number | null;
  nodeSelector: string | null;
}

export interface BlockAffinityAttrs {
  name: string;
  cidr: string;
  node: string;
  state: string;
  deleted: boolean;
}

export interface IpamBlockAttrs {
  name: string;
  cidr: string;
  affinity: string | null;
  /** the node of a `host:<node>` affinity */
  node: string | null;
  strictAffinity: boolean;
  deleted: boolean;
}

export interface AttrsByKind {
  node: NodeAttrs;
  pod: PodAttrs;
  ippool: IpPoolAttrs;
  blockaffinity: BlockAffinityAttrs;
  ipamblock: IpamBlockAttrs;
}

export interface ClusterEntry<K extends ClusterKind = ClusterKind> {
  kind: K;
  key: string;
  attrs: AttrsByKind[K];
}

export interface NormaliseOptions {
  /** Felix InterfacePrefix (default `cali`). */
  interfacePrefix?: string;
}

/** Calico's CNI annotations on pods (libcalico-go conversion/constants.go). */
const ANNOTATION_POD_IP = 'cni.projectcalico.org/podIP';
const ANNOTATION_POD_IPS = 'cni.projectcalico.org/podIPs';
const FINISHED_PHASES = new Set(['Succeeded', 'Failed', 'Completed']);

/** Calico's node annotations worth keeping (written by calico-node on the Kubernetes Node). */
const CALICO_NODE_ANNOTATIONS = [
  'projectcalico.org/IPv4Address',
  'projectcalico.org/IPv6Address',
  'projectcalico.org/IPv4IPIPTunnelAddr',
  'projectcalico.org/IPv4VXLANTunnelAddr',
  'projectcalico.org/IPv6VXLANTunnelAddr',
  'projectcalico.org/IPv4WireguardInterfaceAddr',
];

/** The history key of an object: pods by uid (a re-created pod of the same name is another pod), everything else by name. */
export function objectKey(kind: ClusterKind, object: RawObject): string {
  const meta = object.metadata ?? {};
  if (kind === 'pod') return meta.uid || `${meta.namespace ?? ''}/${meta.name ?? ''}`;
  return meta.name ?? '';
}

export function normalise<K extends ClusterKind>(kind: K, object: RawObject, options: NormaliseOptions = {}): ClusterEntry<K> {
  const key = objectKey(kind, object);
  switch (kind) {
    case 'node':
      return { kind, key, attrs: normaliseNode(object as RawNode) as AttrsByKind[K] };
    case 'pod':
      return { kind, key, attrs: normalisePod(object as RawPod, options) as AttrsByKind[K] };
    case 'ippool':
      return { kind, key, attrs: normaliseIpPool(object as RawIpPool) as AttrsByKind[K] };
    case 'blockaffinity':
      return { kind, key, attrs: normaliseBlockAffinity(object as RawBlockAffinity) as AttrsByKind[K] };
    default:
      return { kind, key, attrs: normaliseIpamBlock(object as RawIpamBlock) as AttrsByKind[K] };
  }
}

export function normaliseNode(node: RawNode): NodeAttrs {
  const addresses = node.status?.addresses ?? [];
  const of = (type: string) => addresses.filter((a) => a.type === type && a.address).map((a) => a.address as string);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const annotations = node.metadata?.annotations ?? {};
  const calico: Record<string, string> = {};
  for (const name of CALICO_NODE_ANNOTATIONS) if (annotations[name]) calico[name] = annotations[name];
  const podCIDRs = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
  return {
    name: node.metadata?.name ?? '',
    internalIPs: of('InternalIP'),
    externalIPs: of('ExternalIP'),
    podCIDRs: [...podCIDRs],
    ready: ready ? ready.status === 'True' : null,
    unschedulable: node.spec?.unschedulable === true,
    calico,
  };
}

export function normalisePod(pod: RawPod, options: NormaliseOptions = {}): PodAttrs {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const hostNetwork = pod.spec?.hostNetwork === true;
  const ipsReleased = isFinished(pod);
  return {
    namespace,
    name,
    node: pod.spec?.nodeName || null,
    ips: hostNetwork || ipsReleased ? [] : podIPs(pod),
    hostNetwork,
    phase: pod.status?.phase ?? null,
    ipsReleased,
    veth: hostNetwork ? null : vethNameForWorkload(namespace, name, options.interfacePrefix),
  };
}

/**
 * A pod's IPs in Calico's order of preference (conversion.getPodIPs): status.podIPs, then
 * status.podIP, then Calico's CNI annotations (which may carry a /32 or /128 suffix).
 */
export function podIPs(pod: RawPod): string[] {
  const listed = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (listed.length > 0) return listed.map(bareIp);
  if (pod.status?.podIP) return [bareIp(pod.status.podIP)];
  const annotations = pod.metadata?.annotations ?? {};
  if (annotations[ANNOTATION_POD_IPS]) return annotations[ANNOTATION_POD_IPS].split(',').filter(Boolean).map(bareIp);
  if (annotations[ANNOTATION_POD_IP]) return [bareIp(annotations[ANNOTATION_POD_IP])];
  return [];
}

/**
 * Calico's conversion.IsFinished: a pod in a terminal phase, or a terminating pod whose
 * podIP annotation the CNI plugin has blanked, no longer owns its IPs (they may be reused).
 */
export function isFinished(pod: RawPod): boolean {
  if (pod.metadata?.deletionTimestamp && pod.metadata.annotations?.[ANNOTATION_POD_IP] === '') return true;
  return FINISHED_PHASES.has(pod.status?.phase ?? '');
}

/** ipipMode / vxlanMode (Always | CrossSubnet | Never) → the pool's encapsulation. */
export function poolEncapsulation(spec: { ipipMode?: string; vxlanMode?: string } | undefined): Encapsulation {
  const on = (mode: string | undefined) => mode === 'Always' || mode === 'CrossSubnet';
  // Calico refuses a pool with both enabled; if one shows up anyway, VXLAN is reported.
  if (on(spec?.vxlanMode)) return 'VXLAN';
  if (on(spec?.ipipMode)) return 'IPIP';
  return 'None';
}

export function normaliseIpPool(pool: RawIpPool): IpPoolAttrs {
  const spec = pool.spec ?? {};
  return {
    name: pool.metadata?.name ?? '',
    cidr: spec.cidr ?? '',
    encapsulation: poolEncapsulation(spec),
    ipipMode: spec.ipipMode || 'Never',
    vxlanMode: spec.vxlanMode || 'Never',
    natOutgoing: spec.natOutgoing === true,
    disabled: spec.disabled === true,
    blockSize: typeof spec.blockSize === 'number' ? spec.blockSize : null,
    nodeSelector: spec.nodeSelector || null,
  };
}

export function normaliseBlockAffinity(affinity: RawBlockAffinity): BlockAffinityAttrs {
  const spec = affinity.spec ?? {};
  return {
    name: affinity.metadata?.name ?? '',
    cidr: spec.cidr ?? '',
    node: spec.node ?? '',
    state: spec.state ?? '',
    deleted: spec.deleted === true || spec.deleted === 'true',
  };
}

export function normaliseIpamBlock(block: RawIpamBlock): IpamBlockAttrs {
  const spec = block.spec ?? {};
  const affinity = spec.affinity || null;
  return {
    name: block.metadata?.name ?? '',
    cidr: spec.cidr ?? '',
    affinity,
    node: affinity?.startsWith('host:') ? affinity.slice('host:'.length) : null,
    strictAffinity: spec.strictAffinity === true,
    deleted: spec.deleted === true,
  };
}

/** A confirmed, live block affinity: the block's routes belong to that node. */
export function isConfirmedAffinity(attrs: BlockAffinityAttrs): boolean {
  return attrs.state === 'confirmed' && !attrs.deleted;
}

function bareIp(value: string): string {
  const ip = value.trim();
  const slash = ip.indexOf('/');
  return (slash >= 0 ? ip.slice(0, slash) : ip).toLowerCase();
}
