import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { fetchReviewChanges, fetchRules, fetchWindowFindings, load, type ReviewChange } from '../lib/data';
import { describeChangedAttributes, formatFact, KIND_LABELS, namespaceLabel } from '../lib/fact-format';
import { changeDiffHref, diffHref, hrefWith, nodeHref, reviewHref } from '../lib/links';
import { first, parseReviewParams } from '../lib/search-params';
import { formatUtc, QUICK_RANGES, toIso } from '../lib/time';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { ChangeTimeline } from '../ui/change-timeline';
import { EmptyState } from '../ui/empty-state';
import { FindingsList } from '../ui/findings-list';
import { TimeRangeForm } from '../ui/time-range-form';

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
    <tr data-change={change.change.toLowerCase()} data-kind={change.kind} data-at={change.at}>
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

export default async function ReviewPage(props: PageProps<'/review'>) {
  const raw = await props.searchParams;
  // Whole seconds: quick ranges become short, shareable URLs.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const range = QUICK_RANGES.find((r) => r.id === first(raw, 'range'));
  if (range) redirect(reviewHref(new Date(now.getTime() - range.ms), now));

  const { params, errors } = parseReviewParams(raw, now);
  const [result, findings, rules] = await Promise.all([load(() => fetchReviewChanges(params.from, params.to, params.after)), load(() => fetchWindowFindings(params.from, params.to)), load(() => fetchRules())]);
  const permalink = reviewHref(params.from, params.to);
  const groups = result.ok ? groupByNode(result.data.changes) : [];

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Incident review</h1>
          <p>
            Everything that changed across the cluster from {formatUtc(params.from)} to {formatUtc(params.to)}, by node, in time order.{' '}
            <Link href={permalink} prefetch={false}>
              Permalink
            </Link>
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="window-title">
        <h2 id="window-title">Window</h2>
        <TimeRangeForm action="/review" idPrefix="review" from={params.from} to={params.to} errors={errors} legend="Review window" />
      </section>

      {!result.ok ? (
        <ApiProblemPanel problem={result.problem} retryHref={permalink} />
      ) : (
        <>
          <section className="card" aria-labelledby="review-chart-title">
            <h2 id="review-chart-title">Changes over the window</h2>
            <ChangeTimeline title="Cluster changes in the review window" from={toIso(params.from)} to={toIso(params.to)} events={result.data.changes.map((c) => ({ at: c.at, group: c.node, afterGap: c.afterGap }))} groupNoun="node" linkBase="/review" />
          </section>

          <section className="card" aria-labelledby="review-findings-title">
            <h2 id="review-findings-title">Findings open during the window</h2>
            {findings.ok ? (
              <>
                {findings.data.more ? <p className="card-note">Showing the first {findings.data.findings.length}.</p> : null}
                <FindingsList findings={findings.data.findings} rules={rules.ok ? rules.data : undefined} showNode emptyTitle="No findings" emptyText="No finding was open at any time in this window." now={now} />
              </>
            ) : (
              <ApiProblemPanel problem={findings.problem} context="The findings could not load" />
            )}
          </section>

          <section aria-labelledby="changes-title">
            <h2 id="changes-title" className="visually-hidden">
              Changes by node
            </h2>
            {params.after ? (
              <p className="card-note">
                Continued from an earlier page. <Link href={permalink}>Back to the first changes</Link>
              </p>
            ) : null}
            {groups.length === 0 ? (
              <EmptyState title="No changes in this window">No node recorded a change between {formatUtc(params.from)} and {formatUtc(params.to)}. A node that was not reporting cannot record changes: check the nodes’ data gaps.</EmptyState>
            ) : (
              groups.map((group) => (
                <section className="card review-node" key={group.node} aria-labelledby={`review-${group.node}`} data-node={group.node}>
                  <h2 id={`review-${group.node}`}>
                    <Link href={nodeHref(group.node)} className="mono">
                      {group.node}
                    </Link>
                    <span className="card-note" style={{ margin: 0 }}>
                      {group.changes.length} change{group.changes.length === 1 ? '' : 's'}
                    </span>
                    <Link className="button secondary" href={diffHref(group.node, params.from, params.to)}>
                      Diff over the window
                    </Link>
                  </h2>
                  <div className="table-wrap">
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
              ))
            )}
            {result.data.hasNextPage && result.data.endCursor ? (
              <p>
                <Link className="button secondary" href={hrefWith('/review', { from: toIso(params.from), to: toIso(params.to), after: result.data.endCursor })}>
                  Next {1000} changes →
                </Link>
              </p>
            ) : null}
          </section>
        </>
      )}
    </>
  );
}
