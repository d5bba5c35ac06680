import type { CapturedFrame } from '@routescope/snapshot';
import { frameEvidence } from './capture-evidence-rules';
import type { EvidenceFact, Finding } from './check-types';
import { makeFinding } from './rules/finding';

export const PROBE_PROXY_ARP_FAILED = 'PROBE_PROXY_ARP_FAILED';

/** What a proxy-ARP probe's verdict says about the proxy-ARP path of its pod. */
const PROXY_ARP_VERDICTS: Record<string, 'passed' | 'failed' | 'inconclusive'> = {
  verified: 'passed',
  'no-arp-reply': 'failed',
  'wrong-mac': 'failed',
  'arp-ok-no-echo': 'failed',
  'no-frames': 'failed',
  // the probe could not run (no tcpdump, pod gone): it says nothing about the path
  unavailable: 'inconclusive',
};

/** Frames kept in a finding's evidence: the exchange that matters fits well within it. */
export const PROBE_EVIDENCE_FRAMES = 12;

/** A finished probe as the rules see it (structurally libs/probe's ProbeResult, which depends on this lib, not the reverse). */
export interface ProbeOutcome {
  id: string;
  node: string;
  /** the pod's network namespace name */
  pod: string;
  kind: string;
  verdict: string;
  reason?: string;
  captures: ReadonlyArray<{ point: string; device: string; frames: readonly CapturedFrame[] }>;
}

export type ProbeFindingChange = { kind: 'open'; finding: Finding } | { kind: 'resolve'; rule: string; subject: string } | { kind: 'none' };

/** The finding subject of a pod (the same `pod:<netns>` the node rules use). */
export function podSubject(pod: string): string {
  return `pod:${pod}`;
}

/**
 * A failed proxy-ARP probe opens PROBE_PROXY_ARP_FAILED on its pod (evidence: the verdict and
 * probe id, then the frames seen); a verified one resolves it; a probe that could not run, or a
 * probe of another kind, changes nothing.
 */
export function probeFinding(outcome: ProbeOutcome): ProbeFindingChange {
  if (outcome.kind !== 'proxy-arp') return { kind: 'none' };
  const meaning = PROXY_ARP_VERDICTS[outcome.verdict] ?? 'inconclusive';
  const subject = podSubject(outcome.pod);
  if (meaning === 'passed') return { kind: 'resolve', rule: PROBE_PROXY_ARP_FAILED, subject };
  if (meaning === 'inconclusive') return { kind: 'none' };
  const frames = outcome.captures.flatMap((c) => c.frames.map((f) => ({ ...f, interface: f.interface ?? c.device })));
  const evidence: EvidenceFact[] = [
    { node: outcome.node, ns: subject, kind: 'probe', key: outcome.id, attrs: { probe: outcome.id, verdict: outcome.verdict, ...(outcome.reason ? { reason: outcome.reason } : {}), frames: frames.length } },
    ...frames.slice(0, PROBE_EVIDENCE_FRAMES).map((frame) => frameEvidence(outcome.node, frame)),
  ];
  const message = `a live proxy-ARP probe of pod ${outcome.pod} on ${outcome.node} ended ${outcome.verdict}${outcome.reason ? ` (${outcome.reason})` : ''}, ${frames.length} frame(s) seen (probe ${outcome.id})`;
  return { kind: 'open', finding: makeFinding(PROBE_PROXY_ARP_FAILED, outcome.node, subject, message, evidence) };
}
