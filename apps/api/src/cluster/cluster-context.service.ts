import { Injectable } from '@nestjs/common';
import type { ClusterContext } from '@routescope/checks';
import { ClusterHistoryRepository } from './cluster-history.repository';
import {
  isConfirmedAffinity,
  type BlockAffinityAttrs,
  type ClusterKind,
  type IpamBlockAttrs,
  type IpPoolAttrs,
  type NodeAttrs,
  type PodAttrs,
} from './cluster-objects';
import { ClusterWatchService } from './cluster-watch.service';

/** A pod as findings name it. */
export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  node?: string;
  ips: string[];
  /** host-side veth (absent for host-network pods) */
  veth?: string;
}

export interface IpamBlockRef {
  cidr: string;
  /** `host:<node>`, as in the IPAMBlock */
  affinity?: string;
  node?: string;
}

type Part<K extends ClusterKind> = ReadonlyArray<{ key: string; attrs: AttrsOf<K> }>;
type AttrsOf<K extends ClusterKind> = K extends 'node' ? NodeAttrs : K extends 'pod' ? PodAttrs : K extends 'ippool' ? IpPoolAttrs : K extends 'blockaffinity' ? BlockAffinityAttrs : IpamBlockAttrs;

const CONTEXT_KINDS: readonly ClusterKind[] = ['node', 'pod', 'ippool', 'blockaffinity'];

/**
 * The cluster as the diagnostics see it (libs/checks ClusterContext), from the informers'
 * in-memory caches; and, for incident review, the same built from history at a past time.
 */
@Injectable()
export class ClusterContextService {
  private memo?: { key: string; context: ClusterContext; pods: PodIndex };

  constructor(
    private readonly watch: ClusterWatchService,
    private readonly repository: ClusterHistoryRepository,
  ) {}

  /**
   * The current context; undefined when no cluster is watched. A part is present once its
   * resource has been listed (Calico's parts stay absent on a cluster without Calico's CRDs),
   * so absent means "unknown" and an empty list means "none". While a watch reconnects, the
   * last known state is served.
   */
  context(): ClusterContext | undefined {
    return this.current()?.context;
  }

  /** The context as it was at `at`, from the cluster_object history. */
  async contextAt(at: Date): Promise<ClusterContext> {
    const rows = await this.repository.validAt(CONTEXT_KINDS, at);
    const of = <K extends ClusterKind>(kind: K): Part<K> => rows.filter((r) => r.kind === kind).map((r) => ({ key: r.key, attrs: r.attrs as AttrsOf<K> }));
    return buildContext(of('node'), of('pod'), of('ippool'), of('blockaffinity'));
  }

  /**
   * The pod that owned `ip`: now (from the caches), or at `at` (from history; a reused IP
   * answers with whichever pod held it then). Host-network and finished pods own no IP.
   */
  async podForAddress(ip: string, at?: Date): Promise<PodRef | undefined> {
    const wanted = ip.trim().toLowerCase();
    if (!at) return this.current()?.pods.byIp.get(wanted);
    const [row] = await this.repository.podsWithIpAt(wanted, at);
    return row ? podRef(row.key, row.attrs as PodAttrs) : undefined;
  }

  /** The pod behind host veth `veth` on `node` (current state). */
  podForVeth(node: string, veth: string): PodRef | undefined {
    return this.current()?.pods.byVeth.get(`${node}\u0000${veth}`);
  }

  /** Calico IPAM blocks (current): cidr and affinity; undefined when not known. */
  ipamBlocks(): IpamBlockRef[] | undefined {
    return this.watch.entries('ipamblock')?.entries.map(({ attrs }) => ({
      cidr: attrs.cidr,
      ...(attrs.affinity ? { affinity: attrs.affinity } : {}),
      ...(attrs.node ? { node: attrs.node } : {}),
    }));
  }

  private current(): { context: ClusterContext; pods: PodIndex } | undefined {
    if (!this.watch.watching) return undefined;
    const key = CONTEXT_KINDS.map((kind) => this.watch.generation(kind)).join(':');
    if (this.memo?.key !== key) {
      const part = <K extends ClusterKind>(kind: K): Part<K> | undefined => this.watch.entries(kind)?.entries as Part<K> | undefined;
      const pods = part('pod');
      this.memo = { key, context: buildContext(part('node'), pods, part('ippool'), part('blockaffinity')), pods: indexPods(pods ?? []) };
    }
    return this.memo;
  }
}

interface PodIndex {
  byIp: Map<string, PodRef>;
  byVeth: Map<string, PodRef>;
}

function buildContext(nodes?: Part<'node'>, pods?: Part<'pod'>, pools?: Part<'ippool'>, affinities?: Part<'blockaffinity'>): ClusterContext {
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const context: {
    -readonly [P in keyof ClusterContext]: ClusterContext[P];
  } = {};
  if (pods) {
    context.pods = pods
      .map(({ attrs }) => ({ namespace: attrs.namespace, name: attrs.name, ...(attrs.node ? { node: attrs.node } : {}), ips: [...attrs.ips] }))
      .sort((a, b) => (a.namespace === b.namespace ? byName(a, b) : a.namespace < b.namespace ? -1 : 1));
  }
  if (nodes) context.nodes = nodes.map(({ attrs }) => ({ name: attrs.name, internalIPs: [...attrs.internalIPs] })).sort(byName);
  if (pools) context.ipPools = pools.map(({ attrs }) => ({ name: attrs.name, cidr: attrs.cidr, encapsulation: attrs.encapsulation })).sort(byName);
  if (affinities) {
    context.blockAffinities = affinities
      .filter(({ attrs }) => isConfirmedAffinity(attrs))
      .map(({ attrs }) => ({ cidr: attrs.cidr, node: attrs.node }))
      .sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
  }
  return context;
}

function indexPods(pods: Part<'pod'>): PodIndex {
  const byIp = new Map<string, PodRef>();
  const byVeth = new Map<string, PodRef>();
  for (const { key, attrs } of pods) {
    const ref = podRef(key, attrs);
    for (const ip of attrs.ips) byIp.set(ip, ref);
    if (attrs.veth && attrs.node) byVeth.set(`${attrs.node}\u0000${attrs.veth}`, ref);
  }
  return { byIp, byVeth };
}

function podRef(uid: string, attrs: PodAttrs): PodRef {
  return {
    namespace: attrs.namespace,
    name: attrs.name,
    uid,
    ...(attrs.node ? { node: attrs.node } : {}),
    ips: [...attrs.ips],
    ...(attrs.veth ? { veth: attrs.veth } : {}),
  };
}
