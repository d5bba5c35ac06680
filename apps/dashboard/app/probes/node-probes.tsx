import Link from 'next/link';
import { load } from '../lib/data';
import { probeLabel, probeOutcome } from '../lib/probe-format';
import { formatUtc } from '../lib/time';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { fetchNodeProbes } from './probe-data';

/** The node's live probes within the timeline's window, as events beside it: when, which pod, verdict. */
export async function NodeProbes({ node, from, to }: { node: string; from: string; to: string }) {
  const probes = await load(() => fetchNodeProbes(node, from, to));
  if (!probes.ok) return <ApiProblemPanel problem={probes.problem} context="The probes could not load" />;
  if (probes.data.length === 0) return null;
  return (
    <div className="node-probes">
      <h3 id="node-probes-title">Probes in this window</h3>
      <ol className="findings-list" aria-labelledby="node-probes-title">
        {probes.data.map((probe) => (
          <li key={probe.id} data-testid="node-probe">
            <span className="mono">{formatUtc(probe.requestedAt)}</span> <Link href={`/probes/${probe.id}`}>{probeLabel(probe)}</Link> of <span className="mono">{probe.pod}</span>:{' '}
            {probeOutcome(probe)}
          </li>
        ))}
      </ol>
    </div>
  );
}
