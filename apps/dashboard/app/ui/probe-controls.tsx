'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ApiProblem } from '../lib/api-problem';
import { requestProbeAction } from '../probes/actions';

// The dashboard's controls that ask a node's collector to run a probe. Both go through one hook:
// request, then open the probe's page (which follows it live to its verdict), or keep the problem.

function useProbeRequest(node: string, pod: string) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const request = (kind: 'PROXY_ARP' | 'PATH', target?: string) =>
    startTransition(async () => {
      setProblem(undefined);
      const result = await requestProbeAction(node, pod, kind, target);
      if (result.ok) router.push(`/probes/${result.data.id}`);
      else setProblem(result.problem);
    });
  return { pending, problem, request };
}

function ProbeProblem({ problem, id }: { problem: ApiProblem | undefined; id?: string }) {
  return problem ? (
    <span role="alert" className="probe-problem" id={id}>
      {' '}
      {problem.title} {problem.detail}
    </span>
  ) : null;
}

/**
 * Verifies the pod's proxy-ARP path live (ARP for 169.254.1.1 and pings, watched with tcpdump -e).
 * `about` tells buttons apart where several name the same pod (a finding's rule).
 */
export function VerifyProxyArpButton({ node, pod, about }: { node: string; pod: string; about?: string }) {
  const { pending, problem, request } = useProbeRequest(node, pod);
  return (
    <span className="probe-action">
      <button type="button" className="secondary" disabled={pending} aria-label={`Verify proxy ARP ${about ? `(${about}) ` : ''}of pod ${pod}`} onClick={() => request('PROXY_ARP')}>
        {pending ? 'Requesting…' : 'Verify proxy ARP'}
      </button>
      <ProbeProblem problem={problem} />
    </span>
  );
}

/**
 * Live path probe from the pod to `target` (its pings watched on the real kernel): the stored-state
 * trace page offers it as "verify now" when its instant is now.
 */
export function VerifyPathNowButton({ node, pod, target }: { node: string; pod: string; target: string }) {
  const { pending, problem, request } = useProbeRequest(node, pod);
  return (
    <span className="probe-action">
      <button type="button" className="secondary" disabled={pending} aria-label={`Verify now: probe the path from pod ${pod} to ${target} live`} onClick={() => request('PATH', target)}>
        {pending ? 'Requesting…' : 'Verify now (live probe)'}
      </button>
      <ProbeProblem problem={problem} />
    </span>
  );
}

/**
 * "Trace to…": opens the trace of the path from the pod to a target IP through the recorded state at
 * `at` (the page's instant; absent: now), where "verify now" runs the live path probe.
 */
export function TraceToForm({ node, pod, at }: { node: string; pod: string; at?: string }) {
  return (
    <form className="probe-action probe-trace" aria-label={`Trace from pod ${pod}`} method="get" action="/trace">
      <input type="hidden" name="node" value={node} />
      <input type="hidden" name="pod" value={pod} />
      {at ? <input type="hidden" name="at" value={at} /> : null}
      <input
        type="text"
        name="to"
        className="mono"
        aria-label={`Target IP to trace to from pod ${pod}`}
        placeholder="10.244.1.2"
        size={16}
        required
        spellCheck={false}
        autoComplete="off"
      />
      <button type="submit" className="secondary">
        Trace to…
      </button>
    </form>
  );
}
