import Link from 'next/link';
import type { Loaded } from '../lib/api-problem';
import { nodeHref } from '../lib/links';
import { probeLabel, probeOutcome, probeTone, type ProbeSummary } from '../lib/probe-format';
import { formatUtc } from '../lib/time';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { EmptyState } from '../ui/empty-state';
import type { WindowProbe } from './probe-data';

const TONE_BADGE = { ok: 'ok', bad: 'bad', pending: 'warn' } as const;

/** A probe's outcome as a badge: verified/answered good, failing verdicts and lost probes bad. */
export function ProbeOutcomeBadge({ probe }: { probe: Pick<ProbeSummary, 'state' | 'verdict'> }) {
  return <span className={`badge ${TONE_BADGE[probeTone(probe)]}`}>{probeOutcome(probe)}</span>;
}

/** The incident review's list of the live probes asked for in its window, oldest first. */
export function ReviewProbes({ loaded }: { loaded: Loaded<{ probes: WindowProbe[]; more: boolean }> }) {
  return (
    <section className="card" aria-labelledby="review-probes-title">
      <h2 id="review-probes-title">Live probes in the window</h2>
      {!loaded.ok ? (
        <ApiProblemPanel problem={loaded.problem} context="The probes could not load" />
      ) : loaded.data.probes.length === 0 ? (
        <EmptyState title="No probes">Nobody asked a collector to verify proxy ARP or trace a path in this window.</EmptyState>
      ) : (
        <>
          {loaded.data.more ? <p className="card-note">Showing the newest {loaded.data.probes.length}.</p> : null}
          <ol className="findings-list" data-testid="review-probes">
            {[...loaded.data.probes].reverse().map((probe) => (
              <li key={probe.id} data-testid="review-probe" data-verdict={probe.verdict ?? ''}>
                <time dateTime={probe.requestedAt}>{formatUtc(probe.requestedAt)}</time> <Link href={`/probes/${probe.id}`}>{probeLabel(probe)}</Link> of{' '}
                <span className="mono">{probe.pod}</span> on <Link href={nodeHref(probe.node, { at: probe.requestedAt })}>{probe.node}</Link>: <ProbeOutcomeBadge probe={probe} /> (asked by{' '}
                <span className="mono">{probe.requestedBy}</span>)
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
