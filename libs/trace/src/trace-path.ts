import { createHash } from 'node:crypto';
import { ClusterState, isIpv4, type NamespaceState } from './cluster-state';
import { PathWalk } from './path-walk';
import { TraceRequestError, type TraceEndpoint, type TraceLeg, type TracePodContext, type TraceRequest, type TraceResult } from './trace-types';
import type { LegEnd } from './walk-context';

/** What `ping` sends by default: 20 bytes of IP header, 8 of ICMP, 56 of data. */
export const DEFAULT_TRACE_SIZE = 84;
/** The smallest ICMP echo (IP + ICMP headers) and the largest IPv4 packet. */
const MIN_SIZE = 28;
const MAX_SIZE = 65535;

/**
 * Walks an ICMP echo from `from` to `to` through the nodes' stored state, then its reply back,
 * and says whether both arrive — or where and why one stops, with the facts each step read.
 * Throws TraceRequestError (naming the field) for a request that cannot start.
 */
export function tracePath(request: TraceRequest): TraceResult {
  if (request.nodes.length === 0) throw new TraceRequestError('nodes', 'nodes: no node state to trace through');
  if (!isIpv4(request.to)) throw new TraceRequestError('to', `to: "${request.to}" is not an IPv4 address (IPv6 paths are not traced yet)`);
  const size = request.size ?? DEFAULT_TRACE_SIZE;
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) throw new TraceRequestError('size', `size: ${size} is not a whole IP packet size between ${MIN_SIZE} and ${MAX_SIZE} bytes`);
  const cluster = new ClusterState(request.nodes);
  const source = resolveSource(cluster, request.from, request.pods ?? []);

  const finish = (result: TraceResult): TraceResult => {
    const { addresses, macs } = cluster.unresolved;
    return addresses.size + macs.size > 0 && !result.reachable ? { ...result, unresolved: { addresses: [...addresses], macs: [...macs] } } : result;
  };
  const forwardWalk = new PathWalk(cluster);
  const forwardEnd = forwardWalk.walk(source, { dst: request.to, size, dontFragment: request.dontFragment === true });
  const forward = leg(forwardEnd, forwardWalk);
  if (!forwardEnd.delivered) {
    return finish({ reachable: false, verdict: forwardEnd.stop.reason, forward, reply: { delivered: false, hops: [] } });
  }
  const sourceInfo = { node: source.node, ns: source.ns, address: forwardEnd.src };
  // The echo reply leaves from the address it was sent to, with DF clear (the kernel's ICMP socket does not set it).
  const replyWalk = new PathWalk(cluster);
  let replyEnd: LegEnd = replyWalk.walk(forwardEnd.at, { src: request.to, dst: forwardEnd.src, size, dontFragment: false });
  if (replyEnd.delivered && replyEnd.at !== source) {
    const at = replyEnd.at;
    const holder = at.ownAddress(forwardEnd.src);
    replyEnd = replyWalk.stop('misdelivered', at, `the reply to ${forwardEnd.src} was delivered to ${at.label}, which also holds ${forwardEnd.src}, not to ${source.label}`, holder ? [at.ref(holder)] : []);
    const reply = { ...leg(replyEnd, replyWalk), deliveredTo: { node: at.node, ns: at.ns } };
    return finish({ reachable: false, verdict: 'misdelivered', forward, reply, source: sourceInfo });
  }
  const reply = leg(replyEnd, replyWalk);
  return finish({ reachable: replyEnd.delivered, verdict: replyEnd.delivered ? 'reachable' : replyEnd.stop.reason, forward, reply, source: sourceInfo });
}

function leg(end: LegEnd, walk: PathWalk): TraceLeg {
  return end.delivered ? { delivered: true, hops: walk.hops, deliveredTo: { node: end.at.node, ns: end.at.ns } } : { delivered: false, hops: walk.hops, stop: end.stop };
}

/** Calico's host veth name for a Kubernetes pod: `cali` + the first 11 hex digits of sha1("<namespace>.<name>"). */
export function calicoVethName(namespace: string, name: string): string {
  return `cali${createHash('sha1').update(`${namespace}.${name}`).digest('hex').slice(0, 11)}`;
}

/**
 * The source namespace: the node's host, or a pod by netns name (`cni-…` or `pod:cni-…`), by
 * Kubernetes name through the cluster context's pod IPs, or through Calico's veth naming.
 */
export function resolveSource(cluster: ClusterState, from: TraceEndpoint, pods: readonly TracePodContext[]): NamespaceState {
  if (!cluster.hasNode(from.node)) {
    const known = cluster.nodeNames();
    const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, … (${known.length})` : known.join(', ');
    throw new TraceRequestError('from.node', `from.node: no state of node "${from.node}" at this instant (known: ${list})`);
  }
  const namespaces = cluster.namespacesOf(from.node);
  if (from.pod === undefined) {
    const host = namespaces.get('host');
    if (!host) throw new TraceRequestError('from.node', `from.node: node "${from.node}" has no host namespace facts`);
    return host;
  }
  const name = from.pod.startsWith('pod:') ? from.pod.slice(4) : from.pod;
  const byNetns = namespaces.get(`pod:${name}`);
  if (byNetns) return byNetns;
  const [k8sNamespace, k8sName] = name.includes('/') ? (name.split('/', 2) as [string, string]) : ['default', name];
  const known = pods.find((p) => p.name === k8sName && p.namespace === k8sNamespace && (p.node === undefined || p.node === from.node));
  const byIp = known ? cluster.pods(from.node).find((p) => known.ips.some((ip) => p.ownAddress(ip))) : undefined;
  if (byIp) return byIp;
  const byVeth = cluster.podOfVeth(from.node, calicoVethName(k8sNamespace, k8sName));
  if (byVeth) return byVeth;
  const netnsNames = cluster.pods(from.node).map((p) => p.ns.slice(4));
  throw new TraceRequestError('from.pod', `from.pod: node "${from.node}" has no pod "${from.pod}" (its pod namespaces: ${netnsNames.join(', ') || 'none'})`);
}
