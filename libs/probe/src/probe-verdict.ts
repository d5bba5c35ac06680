import { checkCaptureEvidence, type Finding } from '@routescope/checks';
import { POD_GATEWAY_IP, type ProbeKind, type ProbeVerdict } from './probe-constants';
import type { ParsedFrame, ProbeCapture, ProbePath } from './probe-types';

export interface ProbeJudgeInput {
  kind: ProbeKind;
  node: string;
  pod: string;
  /** path only */
  target?: string;
  captures: readonly ProbeCapture[];
  ping: { sent: number; received: number };
  /** path only: the node's route to the target (`ip route get`): the device it leaves by, its gateway */
  route?: ProbeRoute;
}

/** The node's route to a path probe's target, as `ip route get` printed it. */
export interface ProbeRoute {
  device: string | null;
  gateway?: string;
  /** why there is no device (the kernel's error, or the route's type) */
  problem?: string;
  /** the node's tunnel devices (vxlan.calico, tunl0, …): a route that avoids them is worth saying */
  tunnels?: string[];
}

export interface ProbeJudgement {
  verdict: Exclude<ProbeVerdict, 'unavailable'>;
  reason: string;
  path?: ProbePath;
}

/**
 * The verdict of a probe that ran, from its frames and ping counts. Pure.
 *
 * proxy-arp: the ARP for 169.254.1.1 in each capture is judged by libs/checks' capture rules
 * (the owner of "who answered, with which MAC": CALICO_PROXY_ARP_VERIFIED, CALICO_ARP_WRONG_MAC,
 * CALICO_ARP_UNANSWERED), the host veth's view first. Then:
 * - `wrong-mac`: some answer said 169.254.1.1 is-at a MAC other than ee:ee:ee:ee:ee:ee;
 * - `verified`: answered is-at ee:ee:ee:ee:ee:ee and the pings were answered (echo replies);
 * - `arp-ok-no-echo`: answered correctly, but no echo reply came back;
 * - `no-arp-reply`: the pod asked and nobody answered;
 * - `no-frames`: no ARP request for 169.254.1.1 was captured at all.
 *
 * path: `answered` when the pod got echo replies; the `path` block says how far the echo
 * requests got (pod eth0 → host veth → egress device) and where they stopped.
 */
export function judgeProbe(input: ProbeJudgeInput): ProbeJudgement {
  return input.kind === 'proxy-arp' ? judgeProxyArp(input) : judgePath(input);
}

const POINT_ORDER = { 'host-veth': 0, pod: 1, egress: 2 } as const;

function judgeProxyArp(input: ProbeJudgeInput): ProbeJudgement {
  const captures = [...input.captures].filter((c) => c.point !== 'egress').sort((a, b) => POINT_ORDER[a.point] - POINT_ORDER[b.point]);
  const judged = captures.map((capture) => ({ capture, ...checkCaptureEvidence({ node: input.node, evidence: { frames: capture.frames, monitorEvents: [] } }) }));
  const wrong = firstFinding(judged.map((j) => j.findings), 'CALICO_ARP_WRONG_MAC');
  if (wrong) return { verdict: 'wrong-mac', reason: wrong.message };
  const verified = firstFinding(judged.map((j) => j.passed), 'CALICO_PROXY_ARP_VERIFIED');
  const echoReplies = captures.flatMap((c) => c.frames.filter((f) => f.ip?.icmp === 'echo-reply'));
  if (verified) {
    if (input.ping.received > 0 || echoReplies.length > 0) {
      return { verdict: 'verified', reason: `${verified.message} ${pings(input.ping)}` };
    }
    return { verdict: 'arp-ok-no-echo', reason: `${verified.message} But no echo reply came back: ${pings(input.ping)}` };
  }
  const requests = captures.map((c) => ({ capture: c, requests: c.frames.filter(isGatewayRequest) })).filter((r) => r.requests.length > 0);
  if (requests.length > 0) {
    const unanswered = firstFinding(judged.map((j) => j.findings), 'CALICO_ARP_UNANSWERED');
    const counted = requests.map((r) => `${r.requests.length} on ${describePoint(r.capture, input.pod)}`).join(', ');
    return { verdict: 'no-arp-reply', reason: unanswered?.message ?? `Pod ${input.pod} asked who-has ${POD_GATEWAY_IP} (${counted}) and got no reply.` };
  }
  const seen = captures.map((c) => `${c.frames.length} on ${describePoint(c, input.pod)}`).join(', ');
  return {
    verdict: 'no-frames',
    reason: `No ARP request for ${POD_GATEWAY_IP} was captured (frames seen: ${seen || 'no capture ran'}); ${pings(input.ping)}`,
  };
}

function judgePath(input: ProbeJudgeInput): ProbeJudgement {
  const target = input.target ?? '';
  const at = (point: ProbeCapture['point']) => input.captures.find((c) => c.point === point);
  const pod = at('pod');
  const veth = at('host-veth');
  const egress = at('egress');
  const requestsTo = (c: ProbeCapture | undefined) => (c?.frames ?? []).filter((f) => f.ip?.icmp === 'echo-request' && f.ip.dst === target);
  const repliesFrom = (c: ProbeCapture | undefined) => (c?.frames ?? []).filter((f) => f.ip?.icmp === 'echo-reply' && f.ip.src === target);
  const egressDevice = input.route?.device ?? null;
  const sentByPod = requestsTo(pod).length > 0;
  const leftPod = requestsTo(veth).length > 0;
  const leftNode = egressDevice !== null && requestsTo(egress).length > 0;
  const answered = input.ping.received > 0 || repliesFrom(pod).length > 0;
  const vethName = veth?.device ?? 'its host veth';
  const via = input.route?.gateway ? ` via ${input.route.gateway}` : '';

  let stoppedAt: string | null = null;
  if (!answered) {
    if (!sentByPod && !leftPod) {
      const unansweredArp = (pod?.frames ?? []).some(isGatewayRequest) && !(pod?.frames ?? []).some((f) => f.arp?.op === 'reply' && f.arp.targetIp === POD_GATEWAY_IP);
      stoppedAt = unansweredArp
        ? `In pod ${input.pod}: its ARP for ${POD_GATEWAY_IP} got no reply, so no echo request to ${target} left its eth0.`
        : `In pod ${input.pod}: no echo request to ${target} left its eth0.`;
    } else if (!leftPod) {
      stoppedAt = `Between pod ${input.pod}'s eth0 and ${vethName} on node ${input.node}: the echo requests left the pod but never reached the node.`;
    } else if (egressDevice === null) {
      stoppedAt = `On node ${input.node}: the echo requests reached ${vethName}, but the node has no route to ${target}${input.route?.problem ? ` (${input.route.problem})` : ''}.`;
    } else if (!leftNode) {
      stoppedAt = `On node ${input.node}: the echo requests reached ${vethName} but did not leave by ${egressDevice}${via}, the device of its route to ${target}.`;
    } else if (repliesFrom(egress).length > 0 || repliesFrom(veth).length > 0) {
      const lastSeen = repliesFrom(veth).length > 0 ? vethName : egressDevice;
      stoppedAt = `On the way back: echo replies from ${target} reached ${lastSeen} on node ${input.node} but not pod ${input.pod}.`;
    } else {
      const tunnels = (input.route?.tunnels ?? []).filter((t) => t !== egressDevice);
      const untunnelled = tunnels.length > 0 && !(input.route?.tunnels ?? []).includes(egressDevice) ? ` (the node has ${tunnels.join(', ')}, but its route to ${target} does not use it)` : '';
      stoppedAt = `Beyond node ${input.node}: the echo requests left by ${egressDevice}${via}${untunnelled} and no reply from ${target} came back.`;
    }
  }
  const path: ProbePath = { leftPod, egressDevice, leftNode, answered, stoppedAt };
  const route = egressDevice === null ? 'no route' : `egress ${egressDevice}${via}`;
  const reason = answered
    ? `${target} answered pod ${input.pod} (${route}): ${pings(input.ping)}`
    : `${target} did not answer pod ${input.pod} (${route}): ${stoppedAt}`;
  return { verdict: answered ? 'answered' : 'not-answered', reason, path };
}

function isGatewayRequest(frame: ParsedFrame): boolean {
  return frame.arp?.op === 'request' && frame.arp.targetIp === POD_GATEWAY_IP;
}

function firstFinding(groups: Finding[][], rule: string): Finding | undefined {
  for (const group of groups) {
    const found = group.find((f) => f.rule === rule);
    if (found) return found;
  }
  return undefined;
}

function describePoint(capture: ProbeCapture, pod: string): string {
  return capture.point === 'pod' ? `${capture.device} of pod ${pod}` : capture.device;
}

function pings(ping: { sent: number; received: number }): string {
  return `${ping.received} of ${ping.sent} ping${ping.sent === 1 ? '' : 's'} answered.`;
}
