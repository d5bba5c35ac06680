import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { Suspense } from 'react';
import { fetchClusterChangeRate, fetchOpenFindings, fetchOverviewNodes, fetchRules, fetchSilentNodes, load, type Finding } from '../lib/data';
import { hrefWith, nodeHref } from '../lib/links';
import { PAGE_SIZES, parseOverviewParams, type OverviewParams } from '../lib/search-params';
import { DAY, formatRelative, formatUtc, toIso } from '../lib/time';
import { rangeParams, resolveTimeRange, timeRangeInput, type TimeRangeInput } from '../lib/time-range';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { SeverityBadge } from '../ui/badges';
import { ChangeTimeline } from '../ui/change-timeline';
import { EmptyState } from '../ui/empty-state';
import { FindingsList } from '../ui/findings-list';
import { verifyFindingPod } from '../probes/finding-probe-action';
import { LiveUpdates } from '../ui/live-updates';
import { NodesTable } from '../ui/nodes-table';
import { Pagination } from '../ui/pagination';
import { InvalidRangeNotice, TimeRangePicker } from '../ui/time-range-picker';

export const metadata: Metadata = { title: 'Overview' };

const DEFAULTS: Record<string, string | number> = { status: 'all', findings: 'any', sort: 'name', dir: 'asc', offset: 0, size: 50 };

function overviewHref(params: OverviewParams & { range: TimeRangeInput }, patch: Partial<Record<string, string | undefined>>): string {
  const merged: Record<string, string | number | undefined> = {
    ...rangeParams(params.range),
    q: params.q,
    status: params.status,
    findings: params.findings,
    sort: params.sort,
    dir: params.dir,
    size: params.size,
    after: params.after,
    offset: params.offset,
    ...patch,
  };
  for (const [key, value] of Object.entries(merged)) if (DEFAULTS[key] !== undefined && String(DEFAULTS[key]) === String(value)) merged[key] = undefined;
  return hrefWith('/', merged);
}

async function ClusterRateChart({ from, to }: { from: Date; to: Date }) {
  // Counted per bucket by the API (one aggregate query), however many changes the window holds.
  const rate = await load(() => fetchClusterChangeRate(from, to));
  if (!rate.ok) return <ApiProblemPanel problem={rate.problem} context="The chart could not load" />;
  return <ChangeTimeline title={`Cluster changes from ${formatUtc(from)} to ${formatUtc(to)}`} from={toIso(from)} to={toIso(to)} counts={rate.data} groupNoun="node" linkBase="/review" />;
}

const OVERVIEW_FINDINGS = 8;

function byRule(findings: readonly Finding[]): Array<[string, { title: string; severity: Finding['severity']; count: number }]> {
  const rules = new Map<string, { title: string; severity: Finding['severity']; count: number }>();
  for (const f of findings) {
    const entry = rules.get(f.rule) ?? { title: f.title, severity: f.severity, count: 0 };
    entry.count++;
    rules.set(f.rule, entry);
  }
  return [...rules].sort((a, b) => b[1].count - a[1].count);
}

async function SilentNodes({ now }: { now: Date }) {
  const silent = await load(() => fetchSilentNodes());
  if (!silent.ok) return <ApiProblemPanel problem={silent.problem} context="The silent nodes could not load" />;
  if (silent.data.totalCount === 0) return <p className="card-note">Every node is reporting.</p>;
  return (
    <>
      <h3 style={{ marginTop: '0.5rem' }}>
        {silent.data.totalCount} silent node{silent.data.totalCount === 1 ? '' : 's'}
      </h3>
      <ul className="change-summary" data-testid="silent-nodes">
        {silent.data.nodes.map((node) => (
          <li key={node.name} data-node={node.name}>
            <Link href={nodeHref(node.name)} className="mono">
              {node.name}
            </Link>{' '}
            silent since <time dateTime={node.lastSeenAt}>{formatUtc(node.lastSeenAt)}</time> ({formatRelative(node.lastSeenAt, now)})
          </li>
        ))}
        {silent.data.totalCount > silent.data.nodes.length ? <li className="card-note">and {silent.data.totalCount - silent.data.nodes.length} more</li> : null}
      </ul>
    </>
  );
}

async function OpenFindings({ now, params }: { now: Date; params: OverviewParams & { range: TimeRangeInput } }) {
  const [open, rules] = await Promise.all([load(() => fetchOpenFindings(now)), load(() => fetchRules())]);
  if (!open.ok) return <ApiProblemPanel problem={open.problem} context="The findings could not load" />;
  return (
    <>
      <p className="card-note">
        {open.data.findings.length === 0 ? 'Every check passes.' : `${open.data.findings.length}${open.data.more ? '+' : ''} open, worst first.`}
      </p>
      <FindingsList podAction={verifyFindingPod} findings={open.data.findings.slice(0, OVERVIEW_FINDINGS)} rules={rules.ok ? rules.data : undefined} showNode emptyTitle="Nothing is wrong" emptyText="No finding is open on any node." now={now} />
      {open.data.findings.length > OVERVIEW_FINDINGS ? (
        <>
          <h3 style={{ marginTop: '0.75rem' }}>All open findings by rule</h3>
          <ul className="change-summary" data-testid="findings-by-rule">
            {byRule(open.data.findings).map(([rule, { title, severity, count }]) => (
              <li key={rule}>
                <SeverityBadge severity={severity} /> {title}: {count}
                {open.data.more ? '+' : ''}
              </li>
            ))}
          </ul>
          <p className="card-note">
            <Link href={overviewHref(params, { sort: 'findings', dir: 'desc', after: undefined, offset: undefined })}>Sort the node table by open findings</Link> to see where they are.
          </p>
        </>
      ) : null}
    </>
  );
}

export default async function OverviewPage(props: PageProps<'/'>) {
  const now = new Date();
  const raw = await props.searchParams;
  const parsed = parseOverviewParams(raw);
  const errors = parsed.errors;
  const range = resolveTimeRange(timeRangeInput(raw), now, DAY);
  const params = { ...parsed.params, range: range.input };
  const nodes = await load(() => fetchOverviewNodes(params, now));
  const hrefFor = (patch: Partial<Record<string, string | undefined>>) => overviewHref(params, patch);
  const keep = Object.fromEntries(Object.entries({ q: params.q, status: params.status, findings: params.findings, sort: params.sort, dir: params.dir, size: String(params.size) }).filter(([k, v]) => v !== undefined && String(DEFAULTS[k]) !== v));
  const filtered = Boolean(params.q) || params.status !== 'all' || params.findings !== 'any';

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <p>What is wrong now, and what changed across the cluster.</p>
        </div>
        <LiveUpdates />
      </div>
      <TimeRangePicker path="/" range={range} keep={keep} />

      {/* A page cursor the API refuses (an old or edited link) would fail again: retry from the first page. */}
      {!nodes.ok ? <ApiProblemPanel problem={nodes.problem} retryHref={hrefFor({ after: undefined, offset: undefined })} /> : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="rate-title">
          <h2 id="rate-title">Rate of change</h2>
          <p className="card-note">Changes recorded by every node, per time bucket (UTC). Select a bar to review that stretch.</p>
          {!range.ok ? (
            <InvalidRangeNotice range={range} />
          ) : nodes.ok ? (
            // Streamed: the node table does not wait for the chart.
            <Suspense fallback={<div className="skeleton" style={{ height: 220 }} role="status" aria-label="Loading the chart" />}>
              <ClusterRateChart from={range.from} to={range.to} />
            </Suspense>
          ) : (
            <EmptyState title="No data">The chart needs the API.</EmptyState>
          )}
        </section>

        <section className="card" aria-labelledby="findings-title">
          <h2 id="findings-title">What is wrong now</h2>
          {nodes.ok ? (
            <Suspense fallback={<div className="skeleton" style={{ height: 160 }} role="status" aria-label="Loading the findings" />}>
              <SilentNodes now={now} />
              <h3 style={{ marginTop: '0.75rem' }}>Open findings</h3>
              <OpenFindings now={now} params={params} />
            </Suspense>
          ) : (
            <EmptyState title="No data">The findings need the API.</EmptyState>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="nodes-title">
        <h2 id="nodes-title">Nodes</h2>
        {/* Keyed on the filters so that its uncontrolled fields show the URL's values again after a client-side navigation (e.g. "Clear filters"). */}
        <Form key={[params.q ?? '', params.status, params.findings, params.size].join('\u0000')} action="/" className="toolbar" aria-label="Filter nodes">
          <div className="field">
            <label htmlFor="node-filter">Name contains</label>
            <input
              id="node-filter"
              name="q"
              type="search"
              defaultValue={params.q ?? ''}
              placeholder="e.g. worker-3"
              aria-invalid={errors.q ? true : undefined}
              aria-describedby={errors.q ? 'node-filter-error' : undefined}
            />
            {errors.q ? (
              <span id="node-filter-error" className="field-error">
                {errors.q}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="status-filter">Status</label>
            <select id="status-filter" name="status" defaultValue={params.status}>
              <option value="all">Any</option>
              <option value="REPORTING">Reporting</option>
              <option value="SILENT">Silent</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="findings-filter">Open findings</label>
            <select id="findings-filter" name="findings" defaultValue={params.findings}>
              <option value="any">Any</option>
              <option value="open">Some open</option>
              <option value="none">None open</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="page-size">Per page</label>
            <select id="page-size" name="size" defaultValue={String(params.size)}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
          <input type="hidden" name="sort" value={params.sort} />
          <input type="hidden" name="dir" value={params.dir} />
          {range.input.from ? <input type="hidden" name="from" value={range.input.from} /> : null}
          {range.input.to ? <input type="hidden" name="to" value={range.input.to} /> : null}
          <button type="submit">Apply</button>
          {filtered ? (
            <Link className="button secondary" href={hrefFor({ q: undefined, status: undefined, findings: undefined, after: undefined, offset: undefined })}>
              Clear filters
            </Link>
          ) : null}
        </Form>
        {Object.keys(errors).length > 0 && !errors.q ? (
          <p className="field-error" role="alert">
            Some parameters of this link were invalid and were reset: {Object.values(errors).join('; ')}.
          </p>
        ) : null}
        {nodes.ok ? (
          <>
            <p className="card-note" data-testid="nodes-note">
              Sorted and filtered over all {nodes.data.totalCount} matching node{nodes.data.totalCount === 1 ? '' : 's'}; status, open findings and changes as of{' '}
              <time dateTime={nodes.data.asOf}>{formatUtc(nodes.data.asOf)}</time>.
            </p>
            {nodes.data.rows.length === 0 ? (
              nodes.data.totalCount === 0 && !filtered ? (
                <EmptyState title="No node has reported yet">
                  <p style={{ margin: 0 }}>
                    Start a collector (<code>routescope-collector run --server … --token …</code>) or run <code>npm start</code>; nodes appear here after their first snapshot.
                  </p>
                </EmptyState>
              ) : (
                <EmptyState title="No node matches">Change or clear the filters.</EmptyState>
              )
            ) : (
              <NodesTable rows={nodes.data.rows} params={params} hrefFor={hrefFor} now={now} />
            )}
            <Pagination
              noun="nodes"
              offset={params.offset}
              shown={nodes.data.rows.length}
              total={nodes.data.totalCount}
              firstHref={params.after ? hrefFor({ after: undefined, offset: undefined }) : undefined}
              nextHref={nodes.data.hasNextPage && nodes.data.endCursor ? hrefFor({ after: nodes.data.endCursor, offset: String(params.offset + params.size) }) : undefined}
            />
          </>
        ) : (
          <EmptyState title="Nodes unavailable">The node list needs the API (see above).</EmptyState>
        )}
      </section>
      <p className="card-note">Rendered at {toIso(now)} (UTC).</p>
    </>
  );
}
