import { CALICO_MAC, describeFrame, type EvidenceFrame } from '../check/arp-ladder';

// A probe's frames as one ladder across the places they were captured: the pod's eth0, the host
// side of its veth (caliX) and, for path probes, the device the node's route to the target leaves
// by. Each frame is an arrow between two lanes, at the capture point that saw it, in time order.
// Pure: the page and its tests build the same ladder.

export type LaneId = 'pod' | 'host-veth' | 'egress';

export interface ProbeLane {
  id: LaneId;
  label: string;
  /** the MAC this side sends from, when the frames show it */
  mac?: string;
}

export interface ProbeLadderStep {
  key: string;
  /** where tcpdump saw the frame */
  point: LaneId;
  line: number;
  time?: string;
  from: LaneId;
  to: LaneId;
  label: string;
  macs?: string;
}

export interface ProbeLadder {
  lanes: ProbeLane[];
  steps: ProbeLadderStep[];
}

interface CaptureLike {
  point: string;
  device: string;
  frames: unknown;
}

const POINTS: readonly LaneId[] = ['pod', 'host-veth', 'egress'];

function framesOf(value: unknown): EvidenceFrame[] {
  return Array.isArray(value) ? (value.filter((f) => f !== null && typeof f === 'object' && typeof (f as { line?: unknown }).line === 'number') as EvidenceFrame[]) : [];
}

export function buildProbeLadder(captures: readonly CaptureLike[]): ProbeLadder {
  const byPoint = new Map<LaneId, { device: string; frames: EvidenceFrame[] }>();
  for (const capture of captures) {
    if ((POINTS as readonly string[]).includes(capture.point)) byPoint.set(capture.point as LaneId, { device: capture.device, frames: framesOf(capture.frames) });
  }
  const all = [...byPoint.values()].flatMap((c) => c.frames);
  const request = all.find((f) => f.arp?.op === 'request' && f.srcMac && f.srcMac !== CALICO_MAC);
  const podMac = request?.srcMac?.toLowerCase() ?? all.find((f) => f.ethertype === 'ipv4' && f.srcMac && f.srcMac !== CALICO_MAC && byPoint.get('pod')?.frames.includes(f))?.srcMac?.toLowerCase();
  const podIp = request?.arp?.senderIp ?? all.find((f) => f.srcMac?.toLowerCase() === podMac && f.ip?.src)?.ip?.src;
  const hostMac = all.find((f) => f.arp?.op === 'reply')?.srcMac?.toLowerCase() ?? all.find((f) => f.srcMac && f.srcMac.toLowerCase() !== podMac && byPoint.get('host-veth')?.frames.includes(f))?.srcMac?.toLowerCase();

  const lanes: ProbeLane[] = [
    { id: 'pod', label: `pod ${byPoint.get('pod')?.device ?? 'eth0'}`, mac: podMac },
    { id: 'host-veth', label: `host ${byPoint.get('host-veth')?.device ?? 'cali veth'}`, mac: hostMac },
  ];
  const egress = byPoint.get('egress');
  if (egress) lanes.push({ id: 'egress', label: `egress ${egress.device}` });

  const steps: ProbeLadderStep[] = [];
  for (const point of POINTS) {
    const capture = byPoint.get(point);
    if (!capture) continue;
    for (const frame of capture.frames) {
      const fromPod = frame.srcMac && podMac ? frame.srcMac.toLowerCase() === podMac : podIp !== undefined && (frame.ip?.src === podIp || frame.arp?.senderIp === podIp);
      const [from, to]: [LaneId, LaneId] =
        point === 'egress' ? (frame.ip?.src === podIp || (podIp === undefined && frame.ip?.icmp === 'echo-request') ? ['host-veth', 'egress'] : ['egress', 'host-veth']) : fromPod ? ['pod', 'host-veth'] : ['host-veth', 'pod'];
      steps.push({
        key: `${point}#${frame.line}`,
        point,
        line: frame.line,
        time: frame.time,
        from,
        to,
        label: describeFrame(frame),
        macs: frame.srcMac || frame.dstMac ? `${frame.srcMac ?? '?'} → ${frame.dstMac ?? '?'}` : undefined,
      });
    }
  }
  // tcpdump prints wall-clock times (HH:MM:SS.micro) of one host: their text order is their time order
  steps.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '') || POINTS.indexOf(a.point) - POINTS.indexOf(b.point) || a.line - b.line);
  return { lanes, steps };
}
