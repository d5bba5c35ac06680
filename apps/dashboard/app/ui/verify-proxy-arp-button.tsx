'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ApiProblem } from '../lib/api-problem';
import { requestProxyArpProbeAction } from '../probes/actions';

/**
 * Asks the node's collector to verify the pod's proxy-ARP path live (ARP for 169.254.1.1 and
 * pings, watched with tcpdump -e), then opens the probe's page, which follows it to its verdict.
 */
export function VerifyProxyArpButton({ node, pod }: { node: string; pod: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  return (
    <span className="probe-action">
      <button
        type="button"
        className="secondary"
        disabled={pending}
        aria-label={`Verify proxy ARP of pod ${pod}`}
        onClick={() =>
          startTransition(async () => {
            setProblem(undefined);
            const result = await requestProxyArpProbeAction(node, pod);
            if (result.ok) router.push(`/probes/${result.data.id}`);
            else setProblem(result.problem);
          })
        }
      >
        {pending ? 'Requesting…' : 'Verify proxy ARP'}
      </button>
      {problem ? (
        <span role="alert" className="probe-problem">
          {' '}
          {problem.title} {problem.detail}
        </span>
      ) : null}
    </span>
  );
}
