import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { fetchReviewChanges, fetchWindowChangeRate, fetchRules, fetchSilentNodes, fetchWindowFindings, load, REVIEW_PAGE_SIZE, type Finding, type ReviewChange } from '../lib/data';
import { reviewStory } from '../lib/review-story';
import { probeLabel } from '../lib/probe-format';
import { fetchWindowProbes } from '../probes/probe-data';
import { ProbeOutcomeBadge, ReviewProbes } from '../probes/review-probes';
import { describeChangedAttributes, formatFact, KIND_LABELS, namespaceLabel } from '../lib/fact-format';
import { changeDiffHref, diffHref, hrefWith, nodeHref, reviewHref } from '../lib/links';
import { first } from '../lib/search-params';
import { formatUtc, HOUR, QUICK_RANGES, toIso } from '../lib/time';
import { rangeParams, resolveTimeRange, timeRangeInput } from '../lib/time-range';
import { ReviewTraceForm } from '../trace/review-trace-form';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { ChangeTimeline } from '../ui/change-timeline';
import { EmptyState } from '../ui/empty-state';
import { FindingsList } from '../ui/findings-list';
import { SeverityBadge } from '../ui/badges';
import { InvalidRangeNotice, TimeRangePicker } from '../ui/time-range-picker';

export const metadata: Metadata = { title: 'Incident review' };

interface NodeGroup {
  node: string;
  changes: ReviewChange[];
}

/** Grouped by node (nodes in the order of their first change), each group in time order. */
function groupByNode(changes: readonly ReviewChange[]): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  for (const change of changes) {
    const group = groups.get(change.node) ?? { node: change.node, changes: [] };
    group.changes.push(change);
    groups.set(change.node, group);
  }
  return [...groups.values()];
}

function ChangeRow({ change }: { change: ReviewChange }) {
  const line = change.change === 'REMOVED' ? formatFact(change.kind, change.key, change.before) : formatFact(change.kind, change.key, change.after);
  return (
    <tr data-change={change.change.toLowerCase()} data-kind={change.kind} data-at={change.at} data-cursor={change.cursor}>
      <td>
        <Link href={changeDiffHref(change.node, change.at)} aria-label={`${formatUtc(change.at)}: diff of ${change.node} at this change`}>
          <time dateTime={change.at}>{formatUtc(change.at).slice(0, 19)}</time>
        </Link>
        {change.afterGap ? (
          <div className="card-note" title="The node was not reporting before this snapshot: the change happened at some time in that gap.">
            after a gap in data
          </div>
        ) : null}
      </td>
      <td>{namespaceLabel(change.namespace)}</td>
      <td>
        <span className="change-kind">{KIND_LABELS[change.kind]}</span>{' '}
        <span className={`change-type ${change.change.toLowerCase()}`}>{change.change.toLowerCase()}</span>
      </td>
      <td className="fact">
        {change.change === 'CHANGED' ? (
          <>
            <span className="before">− {formatFact(change.kind, change.key, change.before)}</span>
            <span className="after">+ {formatFact(change.kind, change.key, change.after)}</span>
            <span className="card-note">{describeChangedAttributes(change.before, change.after)}</span>
          </>
        ) : (
          <span className={change.change === 'ADDED' ? 'after' : 'before'}>
            {change.change === 'ADDED' ? '+' : '−'} {line}
          </span>
        )}
      </td>
    </tr>
  );
}

/** Findings of the window by rule, the rule with most findings first. */
function byRule(findings: readonly Finding[]): Array<{ rule: string; title: string; severity: Finding['severity']; findings: Finding[]; nodes: number }> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.rule, [...(groups.get(f.rule) ?? []), f]);
  return [...groups]
    .map(([rule, list]) => ({ rule, title: list[0]?.title ?? rule, severity: list[0]?.severity ?? 'INFO', findings: list, nodes: new Set(list.map((f) => f.node)).size }))
    .sort((a, b) => b.findings.length - a.findings.length);
}

/** The story starts expanded when it is this short (an incident window with thousands of changes starts collapsed). */
const STORY_OPEN_UP_TO = 200;

const CURSOR = /^[A-Za-z0-9+/=_:.-]{1,512}$/;

export default async function ReviewPage(props: PageProps<'/review'>) {
  const raw = await props.searchParams;
  // Whole seconds: quick ranges become short, shareable URLs.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const quick = QUICK_RANGES.find((r) => r.id === first(raw, 'range'));
  if (quick) redirect(reviewHref(new Date(now.getTime() - quick.ms), now));

  const range = resolveTimeRange(timeRangeInput(raw), now, HOUR);
  const afterParam = first(raw, 'after');
  const after = afterParam && CURSOR.test(afterParam) ? afterParam : undefined;
  const head = (permalink?: string) => (
    <div className="page-head">
      <div>
        <h1>Incident review</h1>
        <p>
          {range.ok ? `Everything that changed across the cluster from ${formatUtc(range.from)} to ${formatUtc(range.to)}, by node, in time order. ` : 'Everything that changed across the cluster in a window. '}
          {permalink ? (
            <Link href={permalink} prefetch={false}>
              Permalink
            </Link>
          ) : null}
        </p>
      </div>
    </div>
  );
  const picker = <TimeRangePicker path="/review" range={range} idPrefix="review" />;
  if (!range.ok) {
    return (
      <>
        {head()}
        {picker}
        <InvalidRangeNotice range={range} />
      </>
    );
  }
  const { from, to } = range;
  const [result, rate, findings, rules, silent, probes] = await Promise.all([
    load(() => fetchReviewChanges(from, to, after)),
    load(() => fetchWindowChangeRate(from, to)),
    load(() => fetchWindowFindings(from, to)),
    load(() => fetchRules()),
    load(() => fetchSilentNodes()),
    load(() => fetchWindowProbes(from, to)),
  ]);
  const story = reviewStory({
    from,
    to,
    changes: result.ok ? result.data.changes.map((c) => ({ at: c.at, node: c.node, text: `${c.change.toLowerCase()} ${KIND_LABELS[c.kind]} ${formatFact(c.kind, c.key, c.change === 'REMOVED' ? c.before : c.after)}` })) : [],
    findings: findings.ok ? findings.data.findings : [],
    silent: silent.ok ? silent.data.nodes : [],
    probes: probes.ok ? probes.data.probes : [],
  });
  const permalink = reviewHref(from, to);
  const groups = result.ok ? groupByNode(result.data.changes) : [];
  const total = rate.ok ? rate.data.reduce((sum, b) => sum + b.count, 0) : undefined;

  return (
    <>
      {head(permalink)}
      {picker}
      <ReviewTraceForm from={from} to={to} />
      <p>
        <a className="button secondary" href={hrefWith('/review/export', { from: toIso(from), to: toIso(to) })} download>
          Export the window as Markdown
        </a>
      </p>

      {!result.ok ? (
        <ApiProblemPanel problem={result.problem} retryHref={permalink} />
      ) : (
        <>
          <section className="card" aria-labelledby="review-chart-title">
            <h2 id="review-chart-title">Changes over the window</h2>
            <p className="card-note" data-testid="review-total">
              {total === undefined || !rate.ok
                ? ''
                : `${total} change${total === 1 ? '' : 's'} from ${formatUtc(from)} to ${formatUtc(to)}, counted by the API: every change of the window, not only the page listed below.`}
            </p>
            {rate.ok ? (
              <ChangeTimeline title="Cluster changes in the review window" from={toIso(from)} to={toIso(to)} counts={rate.data} groupNoun="node" linkBase="/review" />
            ) : (
              <ApiProblemPanel problem={rate.problem} context="The chart could not load" />
            )}
          </section>

          <section className="card" aria-labelledby="story-title">
            <h2 id="story-title">Story of the window</h2>
            <p className="card-note">Snapshots that changed something{after ? ' (this page of changes)' : ''}, findings that opened or resolved, nodes that went silent and live probes asked for, in time order.</p>
            {story.length === 0 ? (
              <EmptyState title="Nothing happened">No change, no finding opened or resolved, no node went silent in this window.</EmptyState>
            ) : (
              <details open={story.length <= STORY_OPEN_UP_TO}>
                <summary className="card-note">{story.length} events</summary>
                <ol className="story" data-testid="story">
                  {story.map((e, i) => (
                    <li key={`${e.at}-${e.kind}-${e.node}-${i}`} data-kind={e.kind} data-node={e.node}>
                      <time dateTime={e.at}>{formatUtc(e.at)}</time>{' '}
                      <Link href={nodeHref(e.node, { at: e.at })} className="mono">
                        {e.node}
                      </Link>{' '}
                      {e.kind === 'changes' ? (
                        <>
                          <Link href={changeDiffHref(e.node, e.at)}>
                            {e.count} change{e.count === 1 ? '' : 's'}
                          </Link>
                          : {e.summary.join('; ')}
                          {e.count > e.summary.length ? ' …' : ''}
                        </>
                      ) : e.kind === 'probe' ? (
                        <>
                          <Link href={`/probes/${e.id}`}>{probeLabel({ kind: e.probe, target: e.target })}</Link> of <span className="mono">{e.pod}</span>: <ProbeOutcomeBadge probe={e} />
                        </>
                      ) : e.kind === 'went-silent' ? (
                        <span className="badge warn">went silent (last snapshot)</span>
                      ) : (
                        <>
                          <span className={`badge ${e.kind === 'finding-opened' ? 'bad' : 'ok'}`}>{e.kind === 'finding-opened' ? 'opened' : 'resolved'}</span> {e.title} (<code>{e.rule}</code>, {e.subject})
                        </>
                      )}
                    </li>
                  ))}
                </ol>
              </details>
            )}
          </section>

          <ReviewProbes loaded={probes} />

          <section className="card" aria-labelledby="review-findings-title">
            <h2 id="review-findings-title">Findings open during the window</h2>
            {findings.ok ? (
              <>
                {findings.data.more ? <p className="card-note">Showing the first {findings.data.findings.length}.</p> : null}
                {findings.data.findings.length === 0 ? (
                  <EmptyState title="No findings">No finding was open at any time in this window.</EmptyState>
                ) : (
                  <ul className="findings-by-rule" data-testid="review-findings-by-rule">
                    {byRule(findings.data.findings).map((group) => (
                      <li key={group.rule} data-rule={group.rule}>
                        <details>
                          <summary>
                            <SeverityBadge severity={group.severity} /> <strong>{group.title}</strong> <code>{group.rule}</code> — {group.findings.length} finding{group.findings.length === 1 ? '' : 's'} on {group.nodes} node{group.nodes === 1 ? '' : 's'}
                          </summary>
                          <FindingsList findings={group.findings} rules={rules.ok ? rules.data : undefined} showNode emptyTitle="No findings" emptyText="" now={now} />
                        </details>
                      </li>
                    ))}
                  </ul>
                )}
              </>
            ) : (
              <ApiProblemPanel problem={findings.problem} context="The findings could not load" />
            )}
          </section>

          <section aria-labelledby="changes-title">
            <h2 id="changes-title">Changes by node</h2>
            {after ? (
              <p className="card-note">
                Continued from an earlier page. <Link href={permalink}>Back to the first changes</Link>
              </p>
            ) : null}
            {groups.length === 0 ? (
              <EmptyState title="No changes in this window">No node recorded a change between {formatUtc(from)} and {formatUtc(to)}. A node that was not reporting cannot record changes: check the nodes’ data gaps.</EmptyState>
            ) : (
              <>
                <div className="card">
                  <h3>This page: {result.data.changes.length} changes on {groups.length} node{groups.length === 1 ? '' : 's'}</h3>
                  <div className="table-wrap" tabIndex={0}>
                    <table className="data" data-testid="review-node-summary">
                      <caption className="visually-hidden">Changes per node on this page</caption>
                      <thead>
                        <tr>
                          <th scope="col">Node</th>
                          <th scope="col" className="num">
                            Changes
                          </th>
                          <th scope="col">First (UTC)</th>
                          <th scope="col">Last (UTC)</th>
                        </tr>
                      </thead>
                      <tbody>
                        {groups.map((group) => (
                          <tr key={group.node}>
                            <th scope="row">
                              <a href={`#review-${group.node}`} className="mono">
                                {group.node}
                              </a>
                            </th>
                            <td className="num">{group.changes.length}</td>
                            <td>{formatUtc(group.changes[0]?.at ?? from)}</td>
                            <td>{formatUtc(group.changes[group.changes.length - 1]?.at ?? to)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </div>
                {groups.map((group) => (
                  <section className="card review-node" key={group.node} aria-labelledby={`review-${group.node}`} data-node={group.node}>
                    <h2 id={`review-${group.node}`}>
                      <Link href={nodeHref(group.node, rangeParams(range.input))} className="mono">
                        {group.node}
                      </Link>
                      <span className="card-note" style={{ margin: 0 }}>
                        {group.changes.length} change{group.changes.length === 1 ? '' : 's'}
                      </span>
                      <Link className="button secondary" href={diffHref(group.node, from, to)}>
                        Diff over the window
                      </Link>
                    </h2>
                    <div className="table-wrap" tabIndex={0}>
                      <table className="data">
                        <caption className="visually-hidden">Changes of {group.node}</caption>
                        <thead>
                          <tr>
                            <th scope="col">When (UTC)</th>
                            <th scope="col">Namespace</th>
                            <th scope="col">Change</th>
                            <th scope="col">Fact</th>
                          </tr>
                        </thead>
                        <tbody>
                          {group.changes.map((change) => (
                            <ChangeRow key={change.cursor} change={change} />
                          ))}
                        </tbody>
                      </table>
                    </div>
                  </section>
                ))}
              </>
            )}
            {result.data.hasNextPage && result.data.endCursor ? (
              <p>
                <Link className="button secondary" href={hrefWith('/review', { from: toIso(from), to: toIso(to), after: result.data.endCursor })}>
                  Next {REVIEW_PAGE_SIZE} changes →
                </Link>
              </p>
            ) : null}
          </section>
        </>
      )}
    </>
  );
}
