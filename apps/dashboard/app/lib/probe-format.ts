// How a probe is named in lists, the incident review's story and its Markdown export.

export interface ProbeSummary {
  kind: 'PROXY_ARP' | 'PATH';
  target: string | null;
  state: string;
  verdict: string | null;
}

/** `proxy ARP` or `path to 10.0.0.1` */
export function probeLabel(probe: Pick<ProbeSummary, 'kind' | 'target'>): string {
  return probe.kind === 'PROXY_ARP' ? 'proxy ARP' : `path to ${probe.target ?? '?'}`;
}

/** The verdict once there is one (`verified`, `no-arp-reply`), else the state (`queued`, `collector unreachable`). */
export function probeOutcome(probe: Pick<ProbeSummary, 'state' | 'verdict'>): string {
  return probe.verdict ? probe.verdict.toLowerCase().replace(/_/g, '-') : probe.state.toLowerCase().replace(/_/g, ' ');
}

/** Whether the outcome is good news (verified, answered), bad news, or not known yet. */
export function probeTone(probe: Pick<ProbeSummary, 'state' | 'verdict'>): 'ok' | 'bad' | 'pending' {
  if (probe.verdict === 'VERIFIED' || probe.verdict === 'ANSWERED') return 'ok';
  return probe.verdict || probe.state === 'EXPIRED' || probe.state === 'COLLECTOR_UNREACHABLE' ? 'bad' : 'pending';
}

/**
 * The pod (its network namespace name, as probes name it) a finding's subject is about:
 * `pod:NETNS`, or a subject that embeds it (`neighbor:pod:NETNS|eth0|169.254.1.1`); else undefined.
 */
export function podOfSubject(subject: string): string | undefined {
  return /(?:^|[:|])pod:([^|:\s]+)/.exec(subject)?.[1];
}
