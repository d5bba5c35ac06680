import type { Fact } from '@routescope/snapshot';
import type { ClusterContext, CniDetection, EvidenceFact, Finding, NodeFacts } from './check-types';
import { TUNNEL_DEVICES, activeTunnels, detectFromIndex, wiresPodsLikeCalico } from './cni-detection';
import {
  CALICO_MAC,
  HOST_NS,
  LINK_LOCAL_GATEWAY,
  NodeIndex,
  addressIp,
  byMetric,
  isCaliVeth,
  mainRouteKey,
  num,
  routeDevices,
  routeDst,
  routeGateways,
  str,
  strings,
  type NamespaceFacts,
  type PodFacts,
} from './facts/node-index';
import { cidrContainsIp, formatIp, hostPrefixlen, networkOf, parseCidr, parseIp, type Cidr, type Ip } from './net/ip';
import { RULES } from './rules/catalogue';
import { makeFinding, sortFindings } from './rules/finding';

const RULE_ORDER = RULES.map((r) => r.id);
/** 169.254.0.0/16 and fe80::/10: never a pod address. */
const LINK_LOCAL = [parseCidr('169.254.0.0/16'), parseCidr('fe80::/10')] as Cidr[];
const CALICO_PROTOCOLS = new Set(['bird', '80']);
/** Host-side findings that explain a pod's unanswered ARP for 169.254.1.1. */
const ARP_CAUSES_NODE = new Set(['CALICO_IP_FORWARD', 'CALICO_EXIT_ROUTE']);
const ARP_CAUSES_VETH = new Set(['CALICO_PROXY_ARP', 'CALICO_ROUTE_TO_DOWN_VETH']);

/** Everything a node rule needs: the indexed facts, the detection, the optional cluster context. */
export class NodeCheck {
  readonly index: NodeIndex;
  readonly detection: CniDetection;

  constructor(
    nodeFacts: NodeFacts,
    readonly context: ClusterContext = {},
  ) {
    this.index = new NodeIndex(nodeFacts);
    this.detection = detectFromIndex(this.index);
  }

  get node(): string {
    return this.index.node;
  }

  calicoPods(): PodFacts[] {
    return this.index.pods().filter((p) => p.calico);
  }

  podOfVeth(veth: string): PodFacts | undefined {
    return this.index.pods().find((p) => p.hostVeth === veth);
  }

  /** `pod default/web-1 (netns cni-1234)` with cluster context, else `pod cni-1234`. */
  podLabel(pod: PodFacts): string {
    const ips = pod.addresses.map((a) => str(a.attrs.local));
    const k8s = this.context.pods?.find((p) => p.ips.some((ip) => ips.includes(ip)) && (p.node === undefined || p.node === this.node));
    return k8s ? `pod ${k8s.namespace}/${k8s.name} (netns ${pod.name})` : `pod ${pod.name}`;
  }

  vethLabel(veth: string): string {
    const pod = this.podOfVeth(veth);
    return pod ? `host veth ${veth} of ${this.podLabel(pod)}` : `host veth ${veth}`;
  }

  /** Calico IPAM blocks and pools this node knows of: context pools, else its Calico block routes. */
  calicoPrefixes(): Cidr[] {
    const pools = (this.context.ipPools ?? []).map((p) => parseCidr(p.cidr)).filter((c): c is Cidr => c !== undefined);
    if (pools.length > 0) return pools;
    const host = this.index.hostWith('routes');
    if (!host) return [];
    return host
      .mainRoutes()
      .filter((r) => isCalicoBlockRoute(r) || (r.attrs.type === 'blackhole' && r.attrs.protocol === 'bird'))
      .map((r) => routeDst(r))
      .filter((c): c is Cidr => c !== undefined && c.prefixlen > 0);
  }
}

/** A route Calico programs towards another node's block or borrowed address (felix proto 80, BIRD, or via a Calico tunnel). */
export function isCalicoBlockRoute(route: Fact): boolean {
  if (route.attrs.type !== 'unicast') return false;
  const dst = routeDst(route);
  if (!dst || dst.prefixlen === 0) return false;
  if (CALICO_PROTOCOLS.has(String(route.attrs.protocol))) return true;
  return routeDevices(route).some((d) => TUNNEL_DEVICES[d]?.cni === 'calico');
}

export function checkNode(node: NodeFacts, context?: ClusterContext): Finding[] {
  const check = new NodeCheck(node, context);
  if (!wiresPodsLikeCalico(check.detection)) return [];
  // Calico's eBPF dataplane answers for 169.254.1.1 and reaches local pods from its BPF
  // programs, without proxy_arp sysctls, per-pod routes or the blackholes felix's iptables
  // dataplane relies on: those rules would only produce false positives there.
  const iptablesDataplane = check.detection.mode !== 'ebpf';
  const findings: Finding[] = [
    ...podAddressPrefix(check),
    ...podRoutes(check),
    ...podGatewayMac(check),
    ...vethMac(check),
    ...(iptablesDataplane ? proxyArp(check) : []),
    ...(iptablesDataplane ? proxyDelay(check) : []),
    ...(iptablesDataplane ? hostRoutes(check) : []),
    ...routesToDownVeths(check),
    ...ipForward(check),
    ...(iptablesDataplane ? exitRoute(check) : []),
    ...(check.detection.cni === 'calico' && iptablesDataplane ? blackholes(check) : []),
    ...podMtu(check),
    ...vethTunnelMtu(check),
    ...tunnelUnderlayMtu(check),
    ...secondPodNetwork(check),
  ];
  findings.push(...podGatewayNeighbor(check, findings));
  return sortFindings(findings, RULE_ORDER);
}

// ---- pod side ---------------------------------------------------------------------------

function podAddressPrefix(check: NodeCheck): Finding[] {
  const findings: Finding[] = [];
  for (const pod of check.calicoPods()) {
    const wide = pod.addresses.filter((a) => {
      const ip = addressIp(a);
      return ip && num(a.attrs.prefixlen) !== hostPrefixlen(ip.family);
    });
    if (wide.length === 0) continue;
    const list = wide.map((a) => `${a.attrs.local}/${a.attrs.prefixlen}`).join(', ');
    findings.push(
      makeFinding('CALICO_POD_ADDRESS_PREFIX', check.node, `pod:${pod.name}`, `${cap(check.podLabel(pod))} on node ${check.node} has ${list} on ${pod.device} instead of a single /32 or /128.`, wide.map((a) => check.index.evidence(a))),
    );
  }
  return findings;
}

function podRoutes(check: NodeCheck): Finding[] {
  const findings: Finding[] = [];
  for (const pod of check.calicoPods()) {
    const ns = pod.facts;
    if (!ns.captured('routes')) continue;
    const routes = ns.mainRoutes('inet').filter((r) => r.attrs.type === 'unicast');
    // An IPv4 default is only expected of a pod that has an IPv4 address — or, when its
    // addresses were not captured (a pasted `netstat -nr`), that routes IPv4 via 169.254.1.1
    // on its device: the kernel keeps routes only on an up device with an address.
    const ipv4 = ns.captured('addresses')
      ? pod.addresses.some((a) => a.attrs.family === 'inet')
      : routes.some((r) => routeDevices(r).includes(pod.device) && (routeGateways(r).includes(LINK_LOCAL_GATEWAY) || r.attrs.dst === `${LINK_LOCAL_GATEWAY}/32`));
    if (!ipv4) continue;
    // The kernel drops a device's routes when it goes down: that is CALICO_ROUTE_TO_DOWN_VETH's finding.
    if (pod.deviceLink && Array.isArray(pod.deviceLink.attrs.flags) && !strings(pod.deviceLink.attrs.flags).includes('UP')) continue;
    const defaults = routes.filter((r) => r.attrs.dst === '0.0.0.0/0').sort(byMetric);
    const viaGateway = defaults.find((r) => routeGateways(r).includes(LINK_LOCAL_GATEWAY) && routeDevices(r).includes(pod.device));
    const label = `${cap(check.podLabel(pod))} on node ${check.node}`;
    if (!viaGateway) {
      const other = defaults[0];
      const detail = other ? `; its default route goes ${describeRoute(other)}` : '';
      findings.push(
        makeFinding(
          'CALICO_POD_DEFAULT_ROUTE',
          check.node,
          `pod:${pod.name}`,
          `${label} has no default route via ${LINK_LOCAL_GATEWAY} dev ${pod.device}${detail}.`,
          other ? defaults.map((r) => check.index.evidence(r)) : [check.index.absent(pod.ns, 'route', mainRouteKey('inet', 'unicast', '0.0.0.0/0'))],
        ),
      );
    }
    const onlink = viaGateway !== undefined && strings(viaGateway.attrs.flags).includes('onlink');
    const linkRoute = routes.find((r) => r.attrs.dst === `${LINK_LOCAL_GATEWAY}/32` && routeDevices(r).includes(pod.device));
    if (!linkRoute && !onlink) {
      findings.push(
        makeFinding(
          'CALICO_POD_GATEWAY_ROUTE',
          check.node,
          `pod:${pod.name}`,
          `${label} has no route "${LINK_LOCAL_GATEWAY} dev ${pod.device} scope link", so it cannot resolve its gateway.`,
          [check.index.absent(pod.ns, 'route', mainRouteKey('inet', 'unicast', `${LINK_LOCAL_GATEWAY}/32`))],
        ),
      );
    }
  }
  return findings;
}

function gatewayNeighbor(pod: PodFacts): Fact | undefined {
  // A present entry is evidence even from a partial (grep'd) neighbour table.
  return pod.facts.neighbors.get(`${pod.device}|${LINK_LOCAL_GATEWAY}`);
}

/** Runs last: it stays quiet where a host-side finding already explains the unanswered ARP. */
function podGatewayNeighbor(check: NodeCheck, hostFindings: readonly Finding[]): Finding[] {
  const explained = (pod: PodFacts) =>
    hostFindings.some((f) => ARP_CAUSES_NODE.has(f.rule) || (ARP_CAUSES_VETH.has(f.rule) && pod.hostVeth !== undefined && f.subject === `veth:${pod.hostVeth}`));
  const findings: Finding[] = [];
  for (const pod of check.calicoPods()) {
    const neighbor = gatewayNeighbor(pod);
    const state = str(neighbor?.attrs.state);
    if (!neighbor || (state !== 'failed' && state !== 'incomplete') || explained(pod)) continue;
    const via = pod.hostVeth ? ` (host veth ${pod.hostVeth})` : '';
    findings.push(
      makeFinding(
        'CALICO_POD_GATEWAY_NEIGHBOR',
        check.node,
        `pod:${pod.name}`,
        `${cap(check.podLabel(pod))} on node ${check.node} got no ARP answer for ${LINK_LOCAL_GATEWAY} on ${pod.device}${via}: the neighbour entry is ${state}.`,
        [check.index.evidence(neighbor)],
      ),
    );
  }
  return findings;
}

function podGatewayMac(check: NodeCheck): Finding[] {
  const findings: Finding[] = [];
  for (const pod of check.calicoPods()) {
    const neighbor = gatewayNeighbor(pod);
    const lladdr = str(neighbor?.attrs.lladdr);
    const state = str(neighbor?.attrs.state);
    if (!neighbor || !lladdr || state === 'failed' || state === 'incomplete') continue;
    const vethMac = str(pod.hostVethLink?.attrs.mac);
    const expected = vethMac ?? CALICO_MAC;
    if (lladdr === expected) continue;
    const whose = vethMac ? `its host veth ${pod.hostVeth}'s MAC ${vethMac}` : CALICO_MAC;
    findings.push(
      makeFinding(
        'CALICO_POD_GATEWAY_MAC',
        check.node,
        `pod:${pod.name}`,
        `${cap(check.podLabel(pod))} on node ${check.node} resolved ${LINK_LOCAL_GATEWAY} to ${lladdr}, not ${whose}.`,
        [check.index.evidence(neighbor), ...(pod.hostVethLink ? [check.index.evidence(pod.hostVethLink)] : [])],
      ),
    );
  }
  return findings;
}

// ---- host side --------------------------------------------------------------------------

function vethMac(check: NodeCheck): Finding[] {
  return check.index
    .caliLinks()
    .filter((l) => str(l.attrs.mac) !== undefined && l.attrs.mac !== CALICO_MAC)
    .map((l) =>
      makeFinding('CALICO_VETH_MAC', check.node, `veth:${l.key}`, `${cap(check.vethLabel(l.key))} on node ${check.node} has MAC ${l.attrs.mac} instead of ${CALICO_MAC}.`, [check.index.evidence(l)]),
    );
}

function caliSysctls(host: NamespaceFacts, pattern: RegExp): Array<{ veth: string; fact: Fact }> {
  const out: Array<{ veth: string; fact: Fact }> = [];
  for (const fact of host.sysctls.values()) {
    const match = pattern.exec(fact.key);
    if (match && isCaliVeth(match[1])) out.push({ veth: match[1], fact });
  }
  return out;
}

/** The host's sysctls as read, complete or partial: each rule below judges a value that is present. */
function hostSysctls(check: NodeCheck): NamespaceFacts | undefined {
  const host = check.index.host;
  return host && host.sysctls.size > 0 ? host : undefined;
}

function proxyArp(check: NodeCheck): Finding[] {
  const host = hostSysctls(check);
  if (!host) return [];
  const all = host.sysctls.get('net/ipv4/conf/all/proxy_arp');
  // The kernel ORs conf/all/proxy_arp with the interface's own setting.
  if (all?.attrs.value === '1') return [];
  return caliSysctls(host, /^net\/ipv4\/conf\/([^/]+)\/proxy_arp$/)
    .filter(({ fact }) => fact.attrs.value !== '1')
    .map(({ veth, fact }) =>
      makeFinding(
        'CALICO_PROXY_ARP',
        check.node,
        `veth:${veth}`,
        `Proxy ARP is off (${fact.attrs.value}) on ${check.vethLabel(veth)} on node ${check.node}, so nothing answers the pod's ARP for ${LINK_LOCAL_GATEWAY}.`,
        [check.index.evidence(fact), ...(all ? [check.index.evidence(all)] : [])],
      ),
    );
}

function proxyDelay(check: NodeCheck): Finding[] {
  const host = hostSysctls(check);
  if (!host) return [];
  return caliSysctls(host, /^net\/ipv4\/neigh\/([^/]+)\/proxy_delay$/)
    .filter(({ fact }) => fact.attrs.value !== '0')
    .map(({ veth, fact }) =>
      makeFinding(
        'CALICO_PROXY_DELAY',
        check.node,
        `veth:${veth}`,
        `Proxy ARP answers on ${check.vethLabel(veth)} on node ${check.node} are delayed by up to ${fact.attrs.value} jiffies (proxy_delay should be 0).`,
        [check.index.evidence(fact)],
      ),
    );
}

function hostRoutes(check: NodeCheck): Finding[] {
  const host = check.index.hostWith('routes');
  if (!host) return [];
  const findings: Finding[] = [];
  for (const pod of check.calicoPods()) {
    if (!pod.hostVeth || !isCaliVeth(pod.hostVeth) || !pod.facts.captured('addresses')) continue;
    // A pod whose veth is already gone from a captured link list is being deleted.
    if (host.captured('links') && !pod.hostVethLink) continue;
    const problems: string[] = [];
    const evidence: EvidenceFact[] = [];
    for (const address of pod.addresses) {
      const ip = addressIp(address);
      if (!ip) continue;
      const dst = `${formatIp(ip)}/${hostPrefixlen(ip.family)}`;
      const routes = host
        .mainRoutes(ip.family)
        .filter((r) => r.attrs.dst === dst && r.attrs.type === 'unicast')
        .sort(byMetric);
      if (routes.some((r) => routeDevices(r).includes(pod.hostVeth as string))) continue;
      evidence.push(check.index.evidence(address));
      if (routes.length === 0) {
        problems.push(`lacks the route "${dst} dev ${pod.hostVeth} scope link"`);
        evidence.push(check.index.absent(HOST_NS, 'route', mainRouteKey(ip.family, 'unicast', dst)));
      } else {
        problems.push(`routes ${dst} ${describeRoute(routes[0])} instead of dev ${pod.hostVeth}`);
        evidence.push(...routes.map((r) => check.index.evidence(r)));
      }
    }
    if (problems.length === 0) continue;
    findings.push(
      makeFinding(
        'CALICO_HOST_ROUTE',
        check.node,
        `pod:${pod.name}`,
        `Node ${check.node} ${problems.join(' and ')}, so traffic to ${check.podLabel(pod)} does not reach it.`,
        evidence,
      ),
    );
  }
  return findings;
}

function routesToDownVeths(check: NodeCheck): Finding[] {
  const host = check.index.host;
  if (!host) return [];
  const byVeth = new Map<string, Fact[]>();
  for (const route of host.mainRoutes()) {
    for (const dev of new Set(routeDevices(route))) {
      if (!isCaliVeth(dev)) continue;
      const link = host.links.get(dev);
      // "does not exist" needs a complete link list; flags that were not printed say nothing.
      if (!link && !host.captured('links')) continue;
      const adminDown = link !== undefined && Array.isArray(link.attrs.flags) && !strings(link.attrs.flags).includes('UP');
      const down = !link || strings(route.attrs.flags).includes('linkdown') || adminDown;
      if (down) byVeth.set(dev, [...(byVeth.get(dev) ?? []), route]);
    }
  }
  return [...byVeth].map(([veth, routes]) => {
    const link = host.links.get(veth);
    const state = !link
      ? 'does not exist'
      : Array.isArray(link.attrs.flags) && !strings(link.attrs.flags).includes('UP')
        ? 'is administratively down'
        : `has no carrier (${link.attrs.operState ?? 'linkdown'})`;
    const dsts = routes.map((r) => str(r.attrs.dst)).join(', ');
    return makeFinding(
      'CALICO_ROUTE_TO_DOWN_VETH',
      check.node,
      `veth:${veth}`,
      `On node ${check.node} the route${routes.length > 1 ? 's' : ''} for ${dsts} point${routes.length > 1 ? '' : 's'} at ${check.vethLabel(veth)}, which ${state}.`,
      [link ? check.index.evidence(link) : check.index.absent(HOST_NS, 'link', veth), ...routes.map((r) => check.index.evidence(r))],
    );
  });
}

function ipForward(check: NodeCheck): Finding[] {
  const fact = hostSysctls(check)?.sysctls.get('net/ipv4/ip_forward');
  if (!fact || fact.attrs.value === '1') return [];
  return [
    makeFinding(
      'CALICO_IP_FORWARD',
      check.node,
      'node',
      `Node ${check.node} has net.ipv4.ip_forward = ${fact.attrs.value}: it routes no pod traffic and proxy ARP answers no pod (${podCount(check)}).`,
      [check.index.evidence(fact)],
    ),
  ];
}

/** Longest-prefix match in the main table, lowest metric first among equals. */
export function lookupMain(host: NamespaceFacts, ip: Ip): Fact | undefined {
  let best: { route: Fact; cidr: Cidr } | undefined;
  for (const route of host.mainRoutes(ip.family)) {
    if (['local', 'broadcast', 'multicast', 'anycast', 'nat'].includes(String(route.attrs.type))) continue;
    const cidr = routeDst(route);
    if (!cidr || !cidrContainsIp(cidr, ip)) continue;
    if (!best || cidr.prefixlen > best.cidr.prefixlen || (cidr.prefixlen === best.cidr.prefixlen && byMetric(route, best.route) < 0)) best = { route, cidr };
  }
  return best?.route;
}

function exitRoute(check: NodeCheck): Finding[] {
  const host = check.index.hostWith('routes');
  if (!host) return [];
  const best = lookupMain(host, parseIp(LINK_LOCAL_GATEWAY) as Ip);
  let problem: string | undefined;
  if (!best) problem = 'no route covers it (no default route)';
  else if (best.attrs.type !== 'unicast') problem = `the best match ${best.attrs.dst} is a ${best.attrs.type} route`;
  else if (routeDevices(best).some((d) => isCaliVeth(d))) problem = `the best match ${best.attrs.dst} leaves through a cali veth (${routeDevices(best).join(', ')})`;
  if (!problem) return [];
  return [
    makeFinding(
      'CALICO_EXIT_ROUTE',
      check.node,
      'node',
      `Node ${check.node} has no route for ${LINK_LOCAL_GATEWAY} out of another interface — ${problem} — so proxy ARP answers no pod (${podCount(check)}).`,
      [best ? check.index.evidence(best) : check.index.absent(HOST_NS, 'route', mainRouteKey('inet', 'unicast', '0.0.0.0/0'))],
    ),
  ];
}

/** Blocks this node owns: its block affinities when the context has them, else inferred (see the rule's explanation). */
export interface OwnedBlock {
  cidr: Cidr;
  source: 'affinity' | 'blackhole' | 'inferred';
  /** inferred blocks: which local pods put the block on this node (`pod X uses 172.17.8.2`) */
  podAddresses: string[];
  /** inferred with Calico's default block size, nothing on the node telling the size */
  assumedSize?: boolean;
  evidence: EvidenceFact[];
}

export function ownedBlocks(check: NodeCheck): OwnedBlock[] {
  const host = check.index.hostWith('routes');
  if (!host) return [];
  const blackholes = host.mainRoutes().filter((r) => r.attrs.type === 'blackhole');
  const owned: OwnedBlock[] = [];
  if (check.context.blockAffinities) {
    for (const affinity of check.context.blockAffinities) {
      const cidr = parseCidr(affinity.cidr);
      if (cidr && affinity.node === check.node) owned.push({ cidr, source: 'affinity', podAddresses: [], evidence: [] });
    }
    return owned;
  }
  for (const r of blackholes) {
    const cidr = routeDst(r);
    if (cidr && cidr.prefixlen > 0) owned.push({ cidr, source: 'blackhole', podAddresses: [], evidence: [check.index.evidence(r)] });
  }
  const blackholeCidrs = owned.map((o) => o.cidr);
  const remoteBlocks = host
    .mainRoutes()
    .filter((r) => isCalicoBlockRoute(r))
    .map((r) => ({ route: r, cidr: routeDst(r) as Cidr }))
    .filter(({ cidr }) => cidr.prefixlen < hostPrefixlen(cidr.family));
  const inferred = new Map<string, { cidr: Cidr; podAddresses: string[]; evidence: EvidenceFact[]; assumedSize?: boolean }>();
  for (const { ip, pod, veth, evidence } of localPodAddresses(check, host)) {
    if (blackholeCidrs.some((c) => cidrContainsIp(c, ip))) continue;
    // Inside a block this node routes to another node: a borrowed address, not a block of its own.
    if (remoteBlocks.some(({ cidr }) => cidrContainsIp(cidr, ip))) continue;
    const size = blockSize(check, ip, blackholeCidrs, remoteBlocks);
    if (!size) continue;
    const block = networkOf(ip, size.prefixlen);
    const entry = inferred.get(block.text) ?? { cidr: block, podAddresses: [], evidence: size.evidence ? [size.evidence] : [], ...(size.assumed ? { assumedSize: true } : {}) };
    entry.evidence.push(evidence);
    entry.podAddresses.push(`${pod ? `pod ${pod.name}` : `the pod behind ${veth}`} uses ${formatIp(ip)}`);
    inferred.set(block.text, entry);
  }
  for (const entry of inferred.values()) owned.push({ ...entry, source: 'inferred' });
  return owned;
}

/** Addresses of the node's Calico pods: their eth0 addresses, or /32 routes to cali veths. */
export function localPodAddresses(check: NodeCheck, host: NamespaceFacts): Array<{ ip: Ip; pod?: PodFacts; veth?: string; fact: Fact; evidence: EvidenceFact }> {
  const out = new Map<string, { ip: Ip; pod?: PodFacts; veth?: string; fact: Fact; evidence: EvidenceFact }>();
  for (const pod of check.calicoPods()) {
    if (!pod.hostVeth || !isCaliVeth(pod.hostVeth)) continue;
    for (const a of pod.addresses) {
      const ip = addressIp(a);
      if (ip) out.set(formatIp(ip), { ip, pod, veth: pod.hostVeth, fact: a, evidence: check.index.evidence(a) });
    }
  }
  for (const r of host.mainRoutes()) {
    const cidr = routeDst(r);
    const dev = str(r.attrs.dev);
    if (!cidr || !dev || !isCaliVeth(dev) || r.attrs.type !== 'unicast' || cidr.prefixlen !== hostPrefixlen(cidr.family)) continue;
    const ip = { family: cidr.family, value: cidr.network };
    if (LINK_LOCAL.some((ll) => cidrContainsIp(ll, ip))) continue;
    const key = formatIp(ip);
    if (!out.has(key)) out.set(key, { ip, pod: check.podOfVeth(dev), veth: dev, fact: r, evidence: check.index.evidence(r) });
  }
  return [...out.values()];
}

function blockSize(
  check: NodeCheck,
  ip: Ip,
  blackholes: Cidr[],
  remoteBlocks: Array<{ route: Fact; cidr: Cidr }>,
): { prefixlen: number; assumed?: boolean; evidence?: EvidenceFact } | undefined {
  for (const pool of check.context.ipPools ?? []) {
    const cidr = parseCidr(pool.cidr);
    if (cidr && pool.blockSize && cidrContainsIp(cidr, ip)) return { prefixlen: pool.blockSize };
  }
  const fromBlackholes = mostCommon(blackholes.filter((c) => c.family === ip.family).map((c) => c.prefixlen));
  if (fromBlackholes !== undefined) {
    const host = check.index.host as NamespaceFacts;
    const route = host.mainRoutes(ip.family).find((r) => r.attrs.type === 'blackhole' && routeDst(r)?.prefixlen === fromBlackholes);
    return { prefixlen: fromBlackholes, evidence: route ? check.index.evidence(route) : undefined };
  }
  const sameFamily = remoteBlocks.filter(({ cidr }) => cidr.family === ip.family);
  const fromRemote = mostCommon(sameFamily.map(({ cidr }) => cidr.prefixlen));
  if (fromRemote !== undefined) {
    const route = sameFamily.find(({ cidr }) => cidr.prefixlen === fromRemote)?.route;
    return { prefixlen: fromRemote, evidence: route ? check.index.evidence(route) : undefined };
  }
  // Nothing to infer from: Calico's default block size, which almost every cluster runs — said
  // in the evidence (and the message) so that a reader with a custom blockSize can discount it.
  const prefixlen = DEFAULT_BLOCK_SIZE[ip.family];
  return {
    prefixlen,
    assumed: true,
    evidence: {
      node: check.node,
      ns: HOST_NS,
      kind: 'assumption',
      key: 'block-size',
      attrs: { family: ip.family, prefixlen, reason: `Calico's default block size (/${prefixlen}): no IP pool context and no other block route of the node to infer it from` },
    },
  };
}

/** Calico IPAM's default blockSize (IPPool spec.blockSize). */
export const DEFAULT_BLOCK_SIZE = { inet: 26, inet6: 122 } as const;

function blackholes(check: NodeCheck): Finding[] {
  const host = check.index.hostWith('routes');
  if (!host) return [];
  const findings: Finding[] = [];
  for (const block of ownedBlocks(check)) {
    if (block.source === 'blackhole') continue;
    const present = host.mainRoutes(block.cidr.family).some((r) => r.attrs.type === 'blackhole' && routeDst(r)?.text === block.cidr.text);
    if (present) continue;
    const assumed = block.assumedSize ? ` (assuming Calico's default block size /${block.cidr.prefixlen}: no IP pool context and no other block route to infer it from)` : '';
    const why = block.source === 'affinity' ? 'by its block affinity' : `because ${block.podAddresses.join(' and ')}${assumed}`;
    findings.push(
      makeFinding(
        'CALICO_BLACKHOLE',
        check.node,
        `block:${block.cidr.text}`,
        `Node ${check.node} owns block ${block.cidr.text} ${why}, but has no blackhole route for it.`,
        [check.index.absent(HOST_NS, 'route', mainRouteKey(block.cidr.family, 'blackhole', block.cidr.text)), ...block.evidence],
      ),
    );
  }
  return findings;
}

// ---- MTU --------------------------------------------------------------------------------

function podMtu(check: NodeCheck): Finding[] {
  const findings: Finding[] = [];
  for (const pod of check.calicoPods()) {
    if (!pod.hostVethLink || !pod.deviceLink) continue;
    const podSide = num(pod.deviceLink.attrs.mtu);
    const hostSide = num(pod.hostVethLink.attrs.mtu);
    if (podSide === undefined || hostSide === undefined || podSide === hostSide) continue;
    findings.push(
      makeFinding(
        'CALICO_POD_MTU',
        check.node,
        `pod:${pod.name}`,
        `${cap(check.podLabel(pod))} on node ${check.node} has MTU ${podSide} on ${pod.device} but its host veth ${pod.hostVeth} has ${hostSide}.`,
        [check.index.evidence(pod.deviceLink), check.index.evidence(pod.hostVethLink)],
      ),
    );
  }
  return findings;
}

function podTunnels(check: NodeCheck): Fact[] {
  const cni = check.detection.cni === 'canal' ? ['calico', 'flannel'] : ['calico'];
  return activeTunnels(check.index).filter((t) => cni.includes(TUNNEL_DEVICES[t.key].cni) && num(t.attrs.mtu) !== undefined);
}

function vethTunnelMtu(check: NodeCheck): Finding[] {
  const tunnels = podTunnels(check);
  if (tunnels.length === 0) return [];
  const smallest = tunnels.reduce((a, b) => ((num(b.attrs.mtu) as number) < (num(a.attrs.mtu) as number) ? b : a));
  const limit = num(smallest.attrs.mtu) as number;
  return check.index
    .caliLinks()
    .filter((l) => (num(l.attrs.mtu) ?? 0) > limit)
    .map((l) =>
      makeFinding(
        'CALICO_VETH_TUNNEL_MTU',
        check.node,
        `veth:${l.key}`,
        `${cap(check.vethLabel(l.key))} on node ${check.node} has MTU ${l.attrs.mtu}, above the ${smallest.key} MTU ${limit}.`,
        [check.index.evidence(l), check.index.evidence(smallest)],
      ),
    );
}

function tunnelUnderlayMtu(check: NodeCheck): Finding[] {
  const host = check.index.host;
  if (!host) return [];
  const findings: Finding[] = [];
  for (const tunnel of podTunnels(check)) {
    const spec = TUNNEL_DEVICES[tunnel.key];
    const vxlanDev = tunnel.attrs.vxlan && typeof tunnel.attrs.vxlan === 'object' && !Array.isArray(tunnel.attrs.vxlan) ? str(tunnel.attrs.vxlan.dev) : undefined;
    const family = tunnel.key.includes('v6') ? 'inet6' : 'inet';
    let defaultRoute: Fact | undefined;
    let underlayName = vxlanDev;
    if (!underlayName && host.captured('routes')) {
      defaultRoute = host
        .mainRoutes(family)
        .filter((r) => r.attrs.type === 'unicast' && routeDst(r)?.prefixlen === 0)
        .sort(byMetric)[0];
      underlayName = defaultRoute ? routeDevices(defaultRoute)[0] : undefined;
    }
    const underlay = underlayName ? host.links.get(underlayName) : undefined;
    const underlayMtu = num(underlay?.attrs.mtu);
    const mtu = num(tunnel.attrs.mtu) as number;
    if (!underlay || underlayMtu === undefined || mtu + spec.overhead <= underlayMtu) continue;
    findings.push(
      makeFinding(
        'CALICO_TUNNEL_UNDERLAY_MTU',
        check.node,
        `link:${tunnel.key}`,
        `On node ${check.node} ${tunnel.key} has MTU ${mtu}; with ${spec.overhead} bytes of ${spec.mode} overhead that exceeds the ${underlay.key} MTU ${underlayMtu} (at most ${underlayMtu - spec.overhead}).`,
        [check.index.evidence(tunnel), check.index.evidence(underlay), ...(defaultRoute ? [check.index.evidence(defaultRoute)] : [])],
      ),
    );
  }
  return findings;
}

// ---- mixed CNIs -------------------------------------------------------------------------

function secondPodNetwork(check: NodeCheck): Finding[] {
  const host = check.index.hostWith('links');
  if (!host) return [];
  const prefixes = check.calicoPrefixes();
  if (prefixes.length === 0) return [];
  const inCalico = (ip: Ip) => prefixes.some((p) => cidrContainsIp(p, ip));
  const findings: Finding[] = [];
  const links = [...host.links.values()];
  const bridges = links.filter((l) => l.attrs.kind === 'bridge' || (l.attrs.kind === undefined && /^(cni0|docker0|cbr0)$/.test(l.key)));
  for (const bridge of bridges) {
    const ports = links.filter((l) => l.attrs.master === bridge.key && (l.attrs.kind === undefined || l.attrs.kind === 'veth'));
    const bridgeAddresses = host.captured('addresses') ? host.addresses.filter((a) => a.attrs.dev === bridge.key && a.attrs.scope === 'global') : [];
    for (const port of ports) {
      const pod = check.podOfVeth(port.key);
      if (pod && pod.facts.captured('addresses')) {
        const outside = pod.addresses.filter((a) => {
          const ip = addressIp(a);
          return ip && !inCalico(ip);
        });
        if (outside.length === 0) continue;
        findings.push(
          makeFinding(
            'CNI_SECOND_POD_NETWORK',
            check.node,
            `pod:${pod.name}`,
            `${cap(check.podLabel(pod))} on node ${check.node} hangs off bridge ${bridge.key} via veth ${port.key} with ${outside.map((a) => `${a.attrs.local}/${a.attrs.prefixlen}`).join(', ')}, outside the Calico pools.`,
            [check.index.evidence(bridge), check.index.evidence(port), ...outside.map((a) => check.index.evidence(a))],
          ),
        );
      } else if (!pod) {
        const outside = bridgeAddresses.filter((a) => {
          const ip = addressIp(a);
          return ip && !inCalico(ip);
        });
        if (outside.length === 0) continue;
        findings.push(
          makeFinding(
            'CNI_SECOND_POD_NETWORK',
            check.node,
            `veth:${port.key}`,
            `On node ${check.node} veth ${port.key} hangs off bridge ${bridge.key}, which hands out ${outside.map((a) => `${a.attrs.local}/${a.attrs.prefixlen}`).join(', ')}, outside the Calico pools.`,
            [check.index.evidence(bridge), check.index.evidence(port), ...outside.map((a) => check.index.evidence(a))],
          ),
        );
      }
    }
  }
  return findings;
}

// ---- helpers ----------------------------------------------------------------------------

function describeRoute(route: Fact): string {
  const gateways = routeGateways(route);
  const devices = routeDevices(route);
  if (route.attrs.type !== 'unicast') return `to a ${route.attrs.type}`;
  return [gateways.length ? `via ${gateways.join(', ')}` : '', devices.length ? `dev ${devices.join(', ')}` : ''].filter(Boolean).join(' ');
}

function podCount(check: NodeCheck): string {
  const pods = check.calicoPods().map((p) => p.name);
  if (pods.length === 0) return 'no pod captured';
  return `${pods.length} pod${pods.length === 1 ? '' : 's'}: ${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ', …' : ''}`;
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0) || (n === counts.get(best) && v > best)) best = v;
  return best;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
