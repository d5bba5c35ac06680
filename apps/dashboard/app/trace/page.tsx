import type { Metadata } from 'next';
import Link from 'next/link';
import { load } from '../lib/data';
import { hrefWith, nodeHref } from '../lib/links';
import { first, nodeNameSchema } from '../lib/search-params';
import { formatUtc, HOUR, parseInstant, toIso } from '../lib/time';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { LiveUpdates } from '../ui/live-updates';
import { VerifyPathNowButton } from '../ui/probe-controls';
import { fetchStoredTrace, fetchTraceChanges, type TraceQuestion } from './trace-data';
import { TraceLegDiagram } from './trace-path-view';
import { VerdictChanges } from './verdict-changes';
import { verdictText } from './trace-verdict';

export const metadata: Metadata = { title: 'Trace' };

/** How far before the instant the page looks for the instant the verdict last changed, unless `since` says. */
const CHANGES_WINDOW_MS = HOUR;
/** The API's longest traceChanges window. */
const MAX_CHANGES_WINDOW_MS = 7 * 24 * HOUR;

/**
 * "Trace to…": the packet walked through the nodes' recorded state at the page's instant (the
 * node page's or the review's time control), both ways, with the facts that decided each hop,
 * and when the verdict last changed. At "now" the live path probe verifies it on the real kernel.
 */
export default async function TracePage(props: PageProps<'/trace'>) {
  const raw = await props.searchParams;
  const node = nodeNameSchema.safeParse(first(raw, 'node') ?? '');
  const pod = first(raw, 'pod')?.slice(0, 255);
  const to = first(raw, 'to')?.trim().slice(0, 64);
  const atText = first(raw, 'at');
  const at = atText ? parseInstant(atText) : undefined;
  if (!node.success || !to || (atText && !at)) {
    const detail = !node.success ? 'The link names no node (node=…).' : !to ? 'Enter the address to trace to (to=…).' : `“${atText}” is not a time.`;
    return (
      <>
        <h1>Trace</h1>
        <ApiProblemPanel problem={{ kind: 'bad-input', title: 'Which trace?', detail }} />
      </>
    );
  }
  const question: TraceQuestion = { node: node.data, ...(pod ? { pod } : {}), to, ...(at ? { at: at.toISOString() } : {}) };
  const instant = at ?? new Date();
  const sinceText = first(raw, 'since');
  const since = sinceText ? parseInstant(sinceText) : undefined;
  const windowFrom =
    since && since.getTime() < instant.getTime() && instant.getTime() - since.getTime() <= MAX_CHANGES_WINDOW_MS ? since : new Date(instant.getTime() - CHANGES_WINDOW_MS);
  const [trace, changes] = await Promise.all([
    load(() => fetchStoredTrace(question)),
    load(() => fetchTraceChanges(question, windowFrom, instant)),
  ]);
  const source = pod ? (
    <>
      pod <span className="mono">{pod}</span> on <Link href={nodeHref(node.data, { at: at ? toIso(at) : undefined, tab: 'pods' })}>{node.data}</Link>
    </>
  ) : (
    <Link href={nodeHref(node.data, { at: at ? toIso(at) : undefined })}>{node.data}</Link>
  );
  return (
    <>
      <div className="page-head">
        <h1 className="trace-title">
          Trace from {source} to <span className="mono">{to}</span>
        </h1>
        {/* at "now" the trace follows the node's new snapshots (and keeps the live connection "verify now" continues on) */}
        {at ? null : <LiveUpdates node={node.data} />}
      </div>
      <section className="card" aria-labelledby="trace-verdict-title">
        <h2 id="trace-verdict-title">{at ? `Recorded state at ${formatUtc(at)}` : 'Recorded state now'}</h2>
        {trace.ok ? (
          <>
            <p>
              <span className={`badge trace-verdict ${trace.data.reachable ? 'ok' : 'bad'}`} data-testid="trace-verdict" data-verdict={trace.data.verdict}>
                {trace.data.reachable ? 'Reachable: the request and the reply were both delivered' : `Not reachable: ${verdictText(trace.data.verdict)}`}
              </span>
            </p>
            <p className="card-note">
              Walked through the stored kernel state of {trace.data.nodes.join(', ')} at {formatUtc(trace.data.at)}; a {trace.data.size}-byte packet
              {trace.data.dontFragment ? ' with DF set' : ''}.
            </p>
          </>
        ) : (
          <ApiProblemPanel problem={trace.problem} context="The trace could not run" />
        )}
        {changes.ok ? <VerdictChanges changes={changes.data} question={question} /> : <p className="card-note">Verdict changes are unknown: {changes.problem.title} {changes.problem.detail}</p>}
        {pod && !(!trace.ok && trace.problem.kind === 'bad-input') ? (
          at ? (
            <p>
              <Link className="button secondary" href={hrefWith('/trace', { node: node.data, pod, to })}>
                Trace now (and verify it live)
              </Link>
            </p>
          ) : (
            <p>
              <VerifyPathNowButton node={node.data} pod={pod} target={to} />
            </p>
          )
        ) : null}
      </section>
      {trace.ok ? (
        <div className="trace-legs">
          <TraceLegDiagram title="Request" leg={trace.data.forward} at={toIso(new Date(trace.data.at))} testId="trace-forward" />
          <TraceLegDiagram title="Reply" leg={trace.data.reply} at={toIso(new Date(trace.data.at))} testId="trace-reply" />
        </div>
      ) : null}
    </>
  );
}
