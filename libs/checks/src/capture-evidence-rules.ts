import type { BgpPeer, CaptureEvidence, CapturedFrame, FactAttributes, FactValue, MonitorEvent, SectionCoverage } from '@routescope/snapshot';
import type { ClusterContext, CniDetection, EvidenceFact, FactChangeEvent, Finding } from './check-types';
import { CALICO_MAC, HOST_NS, LINK_LOCAL_GATEWAY, isCaliVeth } from './facts/node-index';
import { RULES } from './rules/catalogue';
import { makeFinding, sortFindings } from './rules/finding';

const RULE_ORDER = RULES.map((r) => r.id);
/** Frames quoted as evidence per finding: enough to see the pattern, not the whole capture. */
const MAX_FRAMES = 6;

/** What the capture rules need besides the evidence itself. */
export interface CaptureEvidenceInput {
  node: string;
  evidence: CaptureEvidence;
  /** the node's CNI detection from its facts (BGP mode, eBPF), when facts were captured */
  detection?: CniDetection;
  /** MACs of the node's Calico pods' eth0, from their link facts */
  podMacs?: ReadonlyMap<string, { pod: string }>;
  /** every section of the capture: a tcpdump section that is partial never proves "no reply" */
  coverage?: readonly SectionCoverage[];
  context?: ClusterContext;
  /** the cluster has a single node (a kubectl listing or context says so): no BGP peers is normal */
  singleNodeCluster?: boolean;
  /** the node rules' findings on the same node: an unanswered ARP names the host-side cause they found */
  nodeFindings?: readonly Finding[];
}

/** Node findings that explain an unanswered ARP for 169.254.1.1: on the node, or on the veth it was asked on. */
const ARP_CAUSES_NODE = new Set(['CALICO_IP_FORWARD', 'CALICO_EXIT_ROUTE']);
const ARP_CAUSES_VETH = new Set(['CALICO_PROXY_ARP', 'CALICO_ROUTE_TO_DOWN_VETH']);

export interface CaptureEvidenceResult {
  findings: Finding[];
  /** passed evidence: CALICO_PROXY_ARP_VERIFIED */
  passed: Finding[];
}

/** ARP and BGP rules over what a capture observed (frames, calicoctl node status). Pure. */
export function checkCaptureEvidence(input: CaptureEvidenceInput): CaptureEvidenceResult {
  const arp = arpRules(input);
  const findings = [...arp.findings, ...bgpRules(input)];
  return { findings: sortFindings(findings, RULE_ORDER), passed: sortFindings(arp.passed, RULE_ORDER) };
}

// ---- ARP for 169.254.1.1 ------------------------------------------------------------------

interface Requester {
  ns: string;
  iface?: string;
  mac?: string;
  ip?: string;
  requests: CapturedFrame[];
}

function arpRules(input: CaptureEvidenceInput): CaptureEvidenceResult {
  const frames = [...input.evidence.frames].sort((a, b) => a.line - b.line);
  const gatewayArp = frames.filter((f) => f.ethertype === 'arp' && f.arp?.targetIp === LINK_LOCAL_GATEWAY);
  const requesters = new Map<string, Requester>();
  for (const frame of gatewayArp) {
    if (frame.arp?.op !== 'request') continue;
    const id = [frame.ns, frame.interface ?? '', frame.srcMac ?? '', frame.arp.senderIp ?? ''].join('|');
    const requester = requesters.get(id) ?? { ns: frame.ns, iface: frame.interface, mac: frame.srcMac, ip: frame.arp.senderIp, requests: [] };
    requester.requests.push(frame);
    requesters.set(id, requester);
  }
  const replies = gatewayArp.filter((f) => f.arp?.op === 'reply' && f.arp.resolvedMac);
  const findings: Finding[] = [];
  const passed: Finding[] = [];
  const wrongMacs = new Set<string>();

  for (const requester of requesters.values()) {
    const first = requester.requests[0];
    const answers = replies.filter((r) => r.line > first.line && answersRequester(requester, r));
    const where = placeOf(requester.ns, requester.iface);
    const who = requesterLabel(input, requester);
    const subject = subjectOf(requester.ns, requester.iface, requester.ip);
    if (answers.length === 0) {
      if (requester.requests.length < 2) continue;
      // A filtered tcpdump (| grep Request, | head) may have cut the replies away, and so may a
      // capture filter that keeps one direction (src/dst, arp[…], -Q in).
      const sections = requester.requests.map((f) => sectionOf(input.coverage, f.line));
      if (sections.some((c) => c?.status === 'partial' || (c !== undefined && keepsOneDirection(c.command)))) continue;
      const shown = requester.requests.slice(0, MAX_FRAMES);
      const causes = (input.nodeFindings ?? []).filter((f) => ARP_CAUSES_NODE.has(f.rule) || (ARP_CAUSES_VETH.has(f.rule) && f.subject === subject));
      const why = causes.length > 0
        ? `the capture shows why: ${causes.map((f) => f.rule).join(', ')}`
        : "look at proxy_arp on its host veth, ip_forward, the node's default route and whether the veth is up";
      findings.push(
        makeFinding(
          'CALICO_ARP_UNANSWERED',
          input.node,
          subject,
          `${cap(who)} on node ${input.node} asked who-has ${LINK_LOCAL_GATEWAY} ${requester.requests.length} times ${where} and got no reply: ${why}.`,
          [...shown.map((f) => frameEvidence(input.node, f)), ...causes.flatMap((f) => f.evidence.slice(0, 1))],
        ),
      );
      continue;
    }
    const byMac = new Map<string, CapturedFrame[]>();
    for (const reply of answers) {
      const mac = (reply.arp?.resolvedMac ?? '').toLowerCase();
      byMac.set(mac, [...(byMac.get(mac) ?? []), reply]);
    }
    for (const [mac, macReplies] of byMac) {
      const evidence = [first, ...macReplies.slice(0, MAX_FRAMES - 1)].map((f) => frameEvidence(input.node, f));
      if (mac === CALICO_MAC) {
        // The first echo request and reply after the answer complete the exchange (the ladder a reader draws).
        evidence.push(...firstEchoes(frames, requester, macReplies[0]).map((f) => frameEvidence(input.node, f)));
        passed.push(
          makeFinding('CALICO_PROXY_ARP_VERIFIED', input.node, subject, `Proxy ARP verified: ${LINK_LOCAL_GATEWAY} is-at ${CALICO_MAC} ${where} (asked by ${who} on node ${input.node}).`, evidence),
        );
      } else {
        wrongMacs.add(mac);
        findings.push(
          makeFinding(
            'CALICO_ARP_WRONG_MAC',
            input.node,
            subject,
            `${cap(who)} on node ${input.node} was told ${LINK_LOCAL_GATEWAY} is-at ${mac} ${where}, not ${CALICO_MAC}.`,
            evidence,
          ),
        );
      }
    }
  }
  findings.push(...frameGatewayMac(input, frames, requesters, wrongMacs));
  return { findings, passed };
}

/** The pod's first ICMP echo request and reply through the gateway after `after`, on the requester's link. */
function firstEchoes(frames: CapturedFrame[], requester: Requester, after: CapturedFrame): CapturedFrame[] {
  const onLink = (f: CapturedFrame) => f.ns === requester.ns && (requester.iface === undefined || f.interface === undefined || f.interface === requester.iface);
  const fromPod = (f: CapturedFrame) => (requester.mac && f.srcMac ? f.srcMac === requester.mac && f.dstMac === CALICO_MAC : requester.ip !== undefined && f.ip?.src === requester.ip);
  const toPod = (f: CapturedFrame) => (requester.mac && f.dstMac ? f.dstMac === requester.mac && f.srcMac === CALICO_MAC : requester.ip !== undefined && f.ip?.dst === requester.ip);
  const later = frames.filter((f) => f.line > after.line && f.ethertype === 'ipv4' && onLink(f));
  const request = later.find((f) => f.ip?.icmp === 'echo-request' && fromPod(f));
  const reply = request ? later.find((f) => f.line > request.line && f.ip?.icmp === 'echo-reply' && toPod(f)) : undefined;
  return [request, reply].filter((f): f is CapturedFrame => f !== undefined);
}

/** A reply answers a requester when it is addressed to the requester's MAC (or, without -e, was seen on the same interface). */
function answersRequester(requester: Requester, reply: CapturedFrame): boolean {
  if (reply.ns !== requester.ns) return false;
  if (requester.iface !== undefined && reply.interface !== undefined && requester.iface !== reply.interface) return false;
  if (requester.mac && reply.dstMac && reply.dstMac !== 'ff:ff:ff:ff:ff:ff') return reply.dstMac === requester.mac;
  return true;
}

/** IPv4 frames from a pod's MAC to a destination MAC other than ee:ee:ee:ee:ee:ee. */
function frameGatewayMac(input: CaptureEvidenceInput, frames: CapturedFrame[], requesters: Map<string, Requester>, explained: Set<string>): Finding[] {
  const podMacs = new Map<string, { label: string; ns: string; iface?: string; ip?: string }>();
  for (const r of requesters.values()) if (r.mac && r.mac !== CALICO_MAC) podMacs.set(r.mac, { label: requesterLabel(input, r), ns: r.ns, iface: r.iface, ip: r.ip });
  for (const [mac, { pod }] of input.podMacs ?? []) if (!podMacs.has(mac) && mac !== CALICO_MAC) podMacs.set(mac, { label: `pod ${pod}`, ns: `pod:${pod}` });
  if (podMacs.size === 0) return [];
  const groups = new Map<string, CapturedFrame[]>();
  for (const frame of frames) {
    if (frame.ethertype !== 'ipv4' || !frame.srcMac || !frame.dstMac) continue;
    if (!podMacs.has(frame.srcMac) || frame.dstMac === CALICO_MAC || isGroupMac(frame.dstMac) || explained.has(frame.dstMac)) continue;
    // Pod to pod on one capture interface only happens when a pod's prefix is wider than /32: its frames to a peer pod still count.
    const id = `${frame.srcMac}|${frame.dstMac}`;
    groups.set(id, [...(groups.get(id) ?? []), frame]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    const pod = podMacs.get(first.srcMac as string) as { label: string; ns: string; iface?: string; ip?: string };
    const iface = first.interface ?? pod.iface;
    return makeFinding(
      'CALICO_POD_FRAME_GATEWAY_MAC',
      input.node,
      subjectOf(first.ns, iface, first.ip?.src ?? pod.ip),
      `${cap(pod.label)} on node ${input.node} sent ${group.length} IP frame${group.length === 1 ? '' : 's'} ${placeOf(first.ns, iface)} to MAC ${first.dstMac}, not to ${CALICO_MAC} (its gateway ${LINK_LOCAL_GATEWAY}).`,
      group.slice(0, MAX_FRAMES).map((f) => frameEvidence(input.node, f)),
    );
  });
}

/** Broadcast and multicast MACs (the group bit of the first octet). */
function isGroupMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return Number.isNaN(first) || (first & 1) === 1;
}

function requesterLabel(input: CaptureEvidenceInput, requester: Pick<Requester, 'ns' | 'mac' | 'ip'>): string {
  const k8s = requester.ip ? input.context?.pods?.find((p) => p.ips.includes(requester.ip as string)) : undefined;
  if (k8s) return `pod ${k8s.namespace}/${k8s.name} (${requester.ip})`;
  if (requester.ns.startsWith('pod:')) return `pod ${requester.ns.slice(4)}${requester.ip ? ` (${requester.ip})` : ''}`;
  const fromFacts = requester.mac ? input.podMacs?.get(requester.mac) : undefined;
  if (fromFacts) return `pod ${fromFacts.pod}${requester.ip ? ` (${requester.ip})` : ''}`;
  return requester.ip ? `the pod with ${requester.ip}` : `the pod with MAC ${requester.mac ?? 'unknown'}`;
}

function placeOf(ns: string, iface: string | undefined): string {
  if (ns.startsWith('pod:')) return `on ${iface ?? 'eth0'} of pod ${ns.slice(4)}`;
  return iface ? `on ${iface}` : 'in the capture';
}

function subjectOf(ns: string, iface: string | undefined, ip: string | undefined): string {
  if (iface && isCaliVeth(iface) && ns === HOST_NS) return `veth:${iface}`;
  if (ns.startsWith('pod:')) return ns;
  return ip ? `address:${ip}` : 'node';
}

/** tcpdump options and filter primitives that can drop the replies to what was captured. */
const ONE_DIRECTION = /\b(src|dst)\b|\b(arp|ether|ip)\s*\[|\b(inbound|outbound)\b|(^|\s)-(Q|P)\s*(in|out)\b|--direction/;

function keepsOneDirection(command: string): boolean {
  return /\btcpdump\b/.test(command) && ONE_DIRECTION.test(command);
}

/** The section a line of the capture belongs to: the last header at or above it. */
function sectionOf(coverage: readonly SectionCoverage[] | undefined, line: number): SectionCoverage | undefined {
  let found: SectionCoverage | undefined;
  for (const section of coverage ?? []) if (section.headerLine <= line && (!found || section.headerLine > found.headerLine)) found = section;
  return found;
}

export function frameEvidence(node: string, frame: CapturedFrame): EvidenceFact {
  return { node, ns: frame.ns, kind: 'frame', key: `${frame.interface ?? '-'}#${frame.line}`, attrs: toAttrs(frame), line: frame.line };
}

function toAttrs(value: object): FactAttributes {
  const out: FactAttributes = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || key === 'line') continue;
    out[key] = v !== null && typeof v === 'object' && !Array.isArray(v) ? toAttrs(v as object) : (v as FactValue);
  }
  return out;
}

// ---- calicoctl node status ----------------------------------------------------------------

function bgpRules(input: CaptureEvidenceInput): Finding[] {
  const status = input.evidence.calicoNodeStatus;
  if (!status) return [];
  const findings: Finding[] = [];
  const statusEvidence: EvidenceFact = {
    node: input.node,
    ns: HOST_NS,
    kind: 'calico-status',
    key: 'calicoctl node status',
    attrs: { processRunning: status.processRunning ?? null, families: status.families, peers: status.peers.length },
  };
  if (status.processRunning === false) {
    findings.push(makeFinding('CALICO_NODE_NOT_RUNNING', input.node, 'node', `calicoctl node status on node ${input.node} says the Calico process is not running.`, [statusEvidence]));
  }
  for (const peer of status.peers) {
    if (isEstablished(peer)) continue;
    const detail = peer.info ? `${peer.state} — ${peer.info}` : peer.state;
    findings.push(
      makeFinding(
        'CALICO_BGP_PEER_DOWN',
        input.node,
        `bgp-peer:${peer.peer}`,
        `The BGP session from node ${input.node} to ${peer.peer} (${peer.type}, ${peer.family === 'ipv6' ? 'IPv6' : 'IPv4'}) is not Established: ${detail}${peer.since ? ` since ${peer.since}` : ''}.`,
        [peerEvidence(input.node, peer)],
      ),
    );
  }
  if (status.families.length > 0 && status.peers.length === 0 && status.processRunning !== false && !input.singleNodeCluster && bgpMode(input.detection)) {
    findings.push(
      makeFinding(
        'CALICO_BGP_NO_PEERS',
        input.node,
        'node',
        `Node ${input.node} routes pods with BIRD (${input.detection?.mode ?? 'BGP'} mode) but calicoctl node status lists no BGP peer: it learns no other node's blocks and advertises none of its own.`,
        [statusEvidence, ...(input.detection?.evidence.slice(0, 2) ?? [])],
      ),
    );
  }
  return findings;
}

/** `up` / `Established` (BIRD prints the state in one column and the BGP state in Info). */
function isEstablished(peer: BgpPeer): boolean {
  if (/^established/i.test(peer.info.trim())) return true;
  return peer.info.trim() === '' && /^(up|established)$/i.test(peer.state.trim());
}

/** Routes come from BIRD: BGP-only or IPIP (VXLAN and WireGuard routes are felix's; eBPF aside). */
function bgpMode(detection: CniDetection | undefined): boolean {
  if (!detection || (detection.cni !== 'calico' && detection.cni !== 'canal')) return false;
  if (detection.mode === 'bgp' || detection.mode === 'ipip') return true;
  return detection.mode === undefined && detection.evidence.some((e) => e.kind === 'route' && e.attrs?.protocol === 'bird');
}

function peerEvidence(node: string, peer: BgpPeer): EvidenceFact {
  return { node, ns: HOST_NS, kind: 'bgp-peer', key: `${peer.family}|${peer.peer}`, attrs: toAttrs(peer), line: peer.line };
}

// ---- ip monitor ---------------------------------------------------------------------------

/**
 * The events of `ip monitor` as history changes, so the history rules (route flap, MAC flap)
 * run over one capture. Each event's "before" is what the capture last showed for that key
 * (null when it had not been seen or was deleted). Without timestamps the events keep their
 * order at one instant: "within the window" then means "within this capture".
 */
export function monitorChanges(events: readonly MonitorEvent[]): FactChangeEvent[] {
  const state = new Map<string, FactAttributes | null>();
  let last = 0;
  const changes: FactChangeEvent[] = [];
  for (const event of [...events].sort((a, b) => a.line - b.line)) {
    const parsed = event.at ? Date.parse(event.at) : Number.NaN;
    const timed = !Number.isNaN(parsed);
    if (timed) last = parsed;
    const ns = event.nsid !== undefined ? `nsid:${event.nsid}` : event.fact.ns;
    const id = `${ns}\u0000${event.fact.kind}\u0000${event.fact.key}`;
    const previous = state.get(id) ?? null;
    const before = event.deleted ? (previous ?? event.fact.attrs) : previous;
    const after = event.deleted ? null : event.fact.attrs;
    state.set(id, after);
    changes.push({ at: new Date(last), ns, kind: event.fact.kind, key: event.fact.key, before, after, line: event.line, ...(timed ? {} : { untimed: true }) });
  }
  return changes;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
