'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
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

/** Traces the path from the pod to a target IP (a pod, a node, a service): how far its pings get. */
export function TraceToForm({ node, pod }: { node: string; pod: string }) {
  const { pending, problem, request } = useProbeRequest(node, pod);
  const [target, setTarget] = useState('');
  const problemId = useId();
  return (
    <form
      className="probe-action probe-trace"
      aria-label={`Trace from pod ${pod}`}
      onSubmit={(event) => {
        event.preventDefault();
        request('PATH', target);
      }}
    >
      <input
        type="text"
        className="mono"
        value={target}
        onChange={(event) => setTarget(event.target.value)}
        aria-label={`Target IP to trace to from pod ${pod}`}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? problemId : undefined}
        placeholder="10.244.1.2"
        size={16}
        required
        spellCheck={false}
        autoComplete="off"
      />
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? 'Requesting…' : 'Trace to…'}
      </button>
      <ProbeProblem problem={problem} id={problemId} />
    </form>
  );
}
