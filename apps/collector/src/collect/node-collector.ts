// fs.promises, not node:fs/promises: the getter loads it (and what it pulls in) only for the rare /proc scan.
import { promises as fs } from 'node:fs';
import {
  findHostVeth,
  foreignPeerLinks,
  parseIpJsonLinks,
  type Address,
  type Link,
  type NetworkNamespace,
  type SnapshotWarning,
} from '@routescope/snapshot';
import { collectNamespace, NamespaceUnreadableError, type NamespaceState } from './namespace-collector';
import { describeTarget, runIp, type NamespaceTarget } from './namespace-target';

export interface NodeState {
  namespaces: NetworkNamespace[];
  warnings: SnapshotWarning[];
  /** with `iproute2Version`: what `ip -V` printed (run with the host namespace's read, one exec less). */
  iproute2Output?: string;
}

/**
 * Collects a node: its own namespace ("host") and every pod namespace hanging off one of its
 * veths. A pod that vanishes mid-collection, or a namespace that cannot be entered, becomes a
 * warning; only an unreadable host namespace is an error.
 */
export async function collectNode(target: NamespaceTarget, options: { iproute2Version?: boolean } = {}): Promise<NodeState> {
  const warnings: SnapshotWarning[] = [];
  const host = await collectNamespace(target, { nsids: true, iproute2Version: options.iproute2Version });
  pushNamespaceWarnings(warnings, 'host', host);
  const namespaces: NetworkNamespace[] = [toNamespace('host', host)];

  const candidates = podVethCandidates(host.links, host.addresses);
  if (candidates.length > 0) {
    const nsids = [...new Set(candidates.map((l) => l.linkNetnsId as number))];
    const targets = await resolvePodNamespaces(target, host.namedNsids ?? new Map(), nsids, candidates, warnings);
    const pods = await Promise.all(targets.map((t) => collectPod(t, host.links, warnings)));
    namespaces.push(...pods.filter((p): p is NetworkNamespace => p !== undefined).sort((a, b) => compareNames(a.name, b.name)));
  }
  return { namespaces, warnings, ...(host.iproute2Output === undefined ? {} : { iproute2Output: host.iproute2Output }) };
}

/** Lowercase letters, digits and '-': for such names (cni-<uuid>, most netns names) locale order is code-unit order. */
const PLAIN_NAME = /^[a-z0-9-]*$/;

/**
 * The order of `String#localeCompare`, which the namespaces have always been sorted by, without
 * loading ICU's collator (several ms and MB per run) for the usual names, where it is simply
 * code-unit order; other names (upper case, '_', '.', pid:N) still go through localeCompare.
 */
export function compareNames(a: string, b: string): number {
  if (PLAIN_NAME.test(a) && PLAIN_NAME.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

/**
 * A pod veth is a veth whose peer lives in another namespace and which carries no global
 * address on the host side: an interface with the node's own address (an underlay uplink
 * that happens to be a veth, as in a lab or a nested setup) is not a pod.
 */
export function podVethCandidates(links: readonly Link[], addresses: readonly Address[]): Link[] {
  const addressed = new Set(addresses.filter((a) => a.scope === undefined || a.scope === 'global').map((a) => a.dev));
  // ip -j always reports the nsid, which is what the lookups below go by.
  return foreignPeerLinks(links).filter((l) => l.linkNetnsId !== undefined && !addressed.has(l.name));
}

interface PodTarget {
  target: NamespaceTarget;
  name: string;
  netnsId: number;
}

async function resolvePodNamespaces(
  node: NamespaceTarget,
  named: ReadonlyMap<number, string>,
  nsids: number[],
  candidates: Link[],
  warnings: SnapshotWarning[],
): Promise<PodTarget[]> {
  const found: PodTarget[] = [];
  const unresolved: number[] = [];
  for (const nsid of nsids) {
    const name = named.get(nsid);
    if (name) found.push({ target: { kind: 'named', name }, name, netnsId: nsid });
    else unresolved.push(nsid);
  }
  if (unresolved.length > 0) found.push(...(await findUnnamedNamespaces(node, unresolved, candidates, warnings)));
  return found;
}

/**
 * For namespaces nobody named (containerd without netns mounts, docker), look through
 * /proc/<pid>/ns/net: a process's namespace is the pod's when one of its links pairs with
 * one of our veths by ifindex in both directions.
 */
async function findUnnamedNamespaces(
  node: NamespaceTarget,
  nsids: number[],
  candidates: Link[],
  warnings: SnapshotWarning[],
): Promise<PodTarget[]> {
  const own = node.kind === 'current' ? await fs.readlink('/proc/self/ns/net').catch(() => '') : '';
  const byInode = new Map<string, string>();
  for (const pid of await fs.readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const path = `/proc/${pid}/ns/net`;
    const inode = await fs.readlink(path).catch(() => undefined);
    if (inode && inode !== own && !byInode.has(inode)) byInode.set(inode, pid);
  }
  const wanted = new Set(nsids);
  const found: PodTarget[] = [];
  for (const pid of byInode.values()) {
    if (wanted.size === 0) break;
    const target: NamespaceTarget = { kind: 'path', path: `/proc/${pid}/ns/net` };
    const links = await runIp(target, ['-j', 'link', 'show']);
    if (links.code !== 0) continue;
    const podLinks = parseIpJsonLinks(links.stdout).entries;
    const pair = findHostVeth(candidates, podLinks);
    if (pair && wanted.has(pair.hostVeth.linkNetnsId as number)) {
      wanted.delete(pair.hostVeth.linkNetnsId as number);
      found.push({ target, name: `pid:${pid}`, netnsId: pair.hostVeth.linkNetnsId as number });
    }
  }
  for (const nsid of wanted) {
    const veths = candidates.filter((c) => c.linkNetnsId === nsid).map((c) => c.name);
    warnings.push({ code: 'netns_not_found', message: `no namespace found for nsid ${nsid} (peer of ${veths.join(', ')})` });
  }
  return found;
}

async function collectPod(pod: PodTarget, hostLinks: Link[], warnings: SnapshotWarning[]): Promise<NetworkNamespace | undefined> {
  let state: NamespaceState;
  try {
    state = await collectNamespace(pod.target);
  } catch (error) {
    if (!(error instanceof NamespaceUnreadableError)) throw error;
    warnings.push({ code: 'netns_unreadable', namespace: pod.name, message: `${error.message} (the pod may have been deleted during collection)` });
    return undefined;
  }
  pushNamespaceWarnings(warnings, pod.name, state);
  const pair = findHostVeth(hostLinks, state.links);
  if (!pair) {
    warnings.push({ code: 'pod_veth_unpaired', namespace: pod.name, message: `${describeTarget(pod.target)} has no link paired with a host veth any more` });
    return undefined;
  }
  return { ...toNamespace(pod.name, state, 'pod'), hostVeth: pair.hostVeth.name, netnsId: pod.netnsId };
}

function toNamespace(name: string, state: NamespaceState, kind: 'host' | 'pod' = 'host'): NetworkNamespace {
  return {
    kind,
    name,
    links: state.links,
    addresses: state.addresses,
    routes: state.routes,
    neighbors: state.neighbors,
    sysctls: state.sysctls,
  };
}

function pushNamespaceWarnings(warnings: SnapshotWarning[], namespace: string, state: NamespaceState): void {
  for (const message of state.warnings) warnings.push({ code: 'parse_warning', namespace, message: message.slice(0, 2000) });
}
