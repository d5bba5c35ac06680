// The frames a capture's findings quote (tcpdump, evidence kind `frame`), as ladders: one per
// interface a pod talked to its host on, each frame an arrow between the pod's eth0 and the
// host's cali veth, in capture order. Pure: the page and the tests build the same ladders.

export const LINK_LOCAL_GATEWAY = '169.254.1.1';
export const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';

/** A tcpdump frame as the API quotes it in a finding's evidence (attrs: the frame without its line). */
export interface EvidenceFrame {
  node: string;
  ns: string;
  line: number;
  time?: string;
  interface?: string;
  srcMac?: string;
  dstMac?: string;
  ethertype?: string;
  arp?: { op?: string; targetIp?: string; senderIp?: string; resolvedMac?: string };
  ip?: { src?: string; dst?: string; proto?: string; icmp?: string };
}

export interface LadderStep {
  line: number;
  time?: string;
  /** to-host: sent by the pod; to-pod: sent by the host side */
  direction: 'to-host' | 'to-pod';
  /** what the frame says, e.g. `ARP request: who-has 169.254.1.1 tell 10.0.0.5` */
  label: string;
  /** link-level addresses, when printed (-e) */
  macs?: string;
  /** rule ids whose evidence quotes this frame */
  rules: string[];
}

export interface Ladder {
  /** stable id: node, namespace and interface */
  id: string;
  node: string;
  /** `pod eth0` side: the pod's address and MAC when the frames say them */
  pod: { label: string; ip?: string; mac?: string };
  /** `host caliX` side */
  host: { label: string; mac?: string };
  steps: LadderStep[];
  /** the pod asked for its gateway and nothing answered (in what the capture shows) */
  unanswered: boolean;
}

interface FindingLike {
  rule: string;
  evidence: unknown;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The frames quoted by one finding's evidence (other evidence kinds are skipped). */
export function framesOf(evidence: unknown): EvidenceFrame[] {
  if (!Array.isArray(evidence)) return [];
  const frames: EvidenceFrame[] = [];
  for (const item of evidence) {
    const e = record(item);
    const attrs = record(e?.attrs);
    if (!e || e.kind !== 'frame' || !attrs || typeof e.line !== 'number') continue;
    const arp = record(attrs.arp);
    const ip = record(attrs.ip);
    frames.push({
      node: str(e.node) ?? '',
      ns: str(e.ns) ?? 'host',
      line: e.line,
      time: str(attrs.time),
      interface: str(attrs.interface),
      srcMac: str(attrs.srcMac)?.toLowerCase(),
      dstMac: str(attrs.dstMac)?.toLowerCase(),
      ethertype: str(attrs.ethertype),
      arp: arp ? { op: str(arp.op), targetIp: str(arp.targetIp), senderIp: str(arp.senderIp), resolvedMac: str(arp.resolvedMac)?.toLowerCase() } : undefined,
      ip: ip ? { src: str(ip.src), dst: str(ip.dst), proto: str(ip.proto), icmp: str(ip.icmp) } : undefined,
    });
  }
  return frames;
}

/** What a frame says, in tcpdump's words. */
export function describeFrame(frame: EvidenceFrame): string {
  if (frame.arp?.op === 'request') return `ARP request: who-has ${frame.arp.targetIp ?? '?'}${frame.arp.senderIp ? ` tell ${frame.arp.senderIp}` : ''}`;
  if (frame.arp?.op === 'reply') return `ARP reply: ${frame.arp.targetIp ?? '?'} is-at ${frame.arp.resolvedMac ?? '?'}`;
  const ip = frame.ip;
  const route = ip?.src || ip?.dst ? ` ${ip?.src ?? '?'} → ${ip?.dst ?? '?'}` : '';
  if (ip?.icmp === 'echo-request') return `ICMP echo request${route}`;
  if (ip?.icmp === 'echo-reply') return `ICMP echo reply${route}`;
  if (ip?.icmp === 'unreachable') return `ICMP unreachable${route}`;
  return `${ip?.proto ? ip.proto.toUpperCase() : (frame.ethertype ?? 'frame').toUpperCase()}${route}`;
}

/** Whether the pod sent the frame: by MAC when printed, else by the addresses in it. */
function sentByPod(frame: EvidenceFrame, pod: { ip?: string; mac?: string }): boolean {
  if (frame.srcMac && pod.mac) return frame.srcMac === pod.mac;
  if (frame.srcMac === CALICO_MAC) return false;
  if (frame.arp?.op === 'request') return frame.arp.targetIp === LINK_LOCAL_GATEWAY || (pod.ip !== undefined && frame.arp.senderIp === pod.ip);
  if (frame.arp?.op === 'reply') return frame.arp.targetIp !== LINK_LOCAL_GATEWAY;
  if (pod.ip && frame.ip?.src) return frame.ip.src === pod.ip;
  return true;
}

/** Ladders of every interface quoted by `findings` (frames deduplicated by line), in capture order. */
export function buildLadders(findings: readonly FindingLike[]): Ladder[] {
  const byPlace = new Map<string, { frames: Map<number, EvidenceFrame>; rules: Map<number, Set<string>> }>();
  for (const finding of findings) {
    for (const frame of framesOf(finding.evidence)) {
      const id = [frame.node, frame.ns, frame.interface ?? ''].join('|');
      const place = byPlace.get(id) ?? { frames: new Map(), rules: new Map() };
      place.frames.set(frame.line, frame);
      place.rules.set(frame.line, (place.rules.get(frame.line) ?? new Set()).add(finding.rule));
      byPlace.set(id, place);
    }
  }
  const ladders: Ladder[] = [];
  for (const [id, place] of byPlace) {
    const frames = [...place.frames.values()].sort((a, b) => a.line - b.line);
    const request = frames.find((f) => f.arp?.op === 'request' && f.arp.targetIp === LINK_LOCAL_GATEWAY);
    const podIp = request?.arp?.senderIp ?? frames.find((f) => f.ip?.src && f.srcMac && f.srcMac !== CALICO_MAC)?.ip?.src;
    const podMac = request?.srcMac ?? frames.find((f) => f.ethertype === 'ipv4' && f.srcMac && f.srcMac !== CALICO_MAC)?.srcMac;
    const first = frames[0];
    const inPod = first.ns.startsWith('pod:');
    const iface = first.interface;
    const hostMac = frames.find((f) => f.arp?.op === 'reply')?.srcMac ?? frames.find((f) => f.srcMac && f.srcMac !== podMac)?.srcMac;
    const steps: LadderStep[] = frames.map((frame) => ({
      line: frame.line,
      time: frame.time,
      direction: sentByPod(frame, { ip: podIp, mac: podMac }) ? 'to-host' : 'to-pod',
      label: describeFrame(frame),
      macs: frame.srcMac || frame.dstMac ? `${frame.srcMac ?? '?'} → ${frame.dstMac ?? '?'}` : undefined,
      rules: [...(place.rules.get(frame.line) ?? [])].sort(),
    }));
    ladders.push({
      id,
      node: first.node,
      pod: { label: inPod ? `pod ${first.ns.slice(4)} ${iface ?? 'eth0'}` : 'pod eth0', ip: podIp, mac: podMac },
      host: { label: !inPod && iface ? `host ${iface}` : 'host cali veth', mac: hostMac },
      steps,
      unanswered: request !== undefined && !frames.some((f) => f.arp?.op === 'reply' && f.arp.targetIp === LINK_LOCAL_GATEWAY),
    });
  }
  return ladders;
}
