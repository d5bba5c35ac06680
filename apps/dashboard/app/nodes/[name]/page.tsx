import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { fetchNode, fetchNodeChanges, fetchRules, load, sortFindings, type NodeChange } from '../../lib/data';
import { describeKey, KIND_LABELS, namespaceLabel } from '../../lib/fact-format';
import { changeDiffHref, diffHref, nodeHref } from '../../lib/links';
import { parseNodeParams } from '../../lib/search-params';
import { formatDuration, formatRelative, formatUtc, HOUR, toInputValue, toIso, windowMs, WINDOWS } from '../../lib/time';
import { ApiProblemPanel } from '../../ui/api-problem-panel';
import { StatusBadge } from '../../ui/badges';
import { ChangeTimeline } from '../../ui/change-timeline';
import { EmptyState } from '../../ui/empty-state';
import { FindingsList } from '../../ui/findings-list';
import { LiveUpdates } from '../../ui/live-updates';
import { NodeProbes } from '../../probes/node-probes';
import { PodsView } from '../../ui/pods-view';
import { StateTabs } from '../../ui/state-tabs';
import { AddressesTable, LinksTable, NeighborsTable, RoutesTable, SysctlsTable } from '../../ui/state-tables';
import { nodeNameFrom } from './node-name';

export async function generateMetadata(props: PageProps<'/nodes/[name]'>): Promise<Metadata> {
  return { title: nodeNameFrom((await props.params).name) };
}

const LATEST_SNAPSHOTS = 8;

/** The newest snapshots that changed something, newest first, each with its changes. */
function latestSnapshots(changes: readonly NodeChange[], count: number): Array<{ at: string; changes: NodeChange[] }> {
  const byTime = new Map<string, NodeChange[]>();
  for (const change of changes) byTime.set(change.at, [...(byTime.get(change.at) ?? []), change]);
  return [...byTime].slice(-count).reverse().map(([at, list]) => ({ at, changes: list }));
}

export default async function NodePage(props: PageProps<'/nodes/[name]'>) {
  const name = nodeNameFrom((await props.params).name);
  const now = new Date();
  const { params, errors } = parseNodeParams(await props.searchParams, now);
  const from = new Date(now.getTime() - windowMs(params.window));
  const [node, changes, rules] = await Promise.all([load(() => fetchNode(name, params.at, from, now)), load(() => fetchNodeChanges(name, from, now)), load(() => fetchRules())]);
  if (node.ok && node.data === null) notFound();
  const here = nodeHref(name, { at: params.at ? toIso(params.at) : undefined, window: params.window === '24h' ? undefined : params.window, tab: params.tab === 'routes' ? undefined : params.tab });

  const head = (
    <div className="page-head">
      <div>
        <div className="breadcrumbs">
          <Link href="/">Overview</Link> / node
        </div>
        <h1>
          <span className="mono">{name}</span> {node.ok && node.data ? <StatusBadge status={node.data.status} /> : null}{' '}
          {node.ok && node.data && node.data.findings.some((f) => f.open) ? (
            <a href="#node-findings-title" className="badge bad">
              {node.data.findings.filter((f) => f.open).length} open finding{node.data.findings.filter((f) => f.open).length === 1 ? '' : 's'}
            </a>
          ) : null}
        </h1>
      </div>
      <div style={{ display: 'flex', gap: '0.75rem', alignItems: 'center', flexWrap: 'wrap' }}>
        <LiveUpdates node={name} />
        <Link className="button" href={diffHref(name, new Date(now.getTime() - HOUR), now)}>
          Diff the last hour
        </Link>
      </div>
    </div>
  );
  if (!node.ok) {
    return (
      <>
        {head}
        <ApiProblemPanel problem={node.problem} retryHref={here} />
      </>
    );
  }
  const detail = node.data;
  if (!detail) notFound();
  const state = detail.state;
  const latest = changes.ok ? latestSnapshots(changes.data.changes, LATEST_SNAPSHOTS) : [];

  return (
    <>
      {head}
      <dl className="facts-bar">
        <div>
          <dt>Last seen</dt>
          <dd>
            <time dateTime={detail.lastSeenAt} title={formatUtc(detail.lastSeenAt)}>
              {formatRelative(detail.lastSeenAt, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>First seen</dt>
          <dd>{formatUtc(detail.firstSeenAt)}</dd>
        </div>
        <div>
          <dt>Reports every</dt>
          <dd>{formatDuration(detail.reportingIntervalSeconds * 1000)}</dd>
        </div>
        <div>
          <dt>Kernel</dt>
          <dd>{detail.kernel ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>iproute2</dt>
          <dd>{detail.iproute2 ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Collector</dt>
          <dd>{detail.collectorVersion ?? 'unknown'}</dd>
        </div>
      </dl>

      <div className="grid-2">
        <div>
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">
              Changes
              <nav aria-label="Timeline window">
                <ul className="chips">
                  {WINDOWS.map((w) => (
                    <li key={w.id}>
                      <Link href={nodeHref(name, { at: params.at ? toIso(params.at) : undefined, window: w.id, tab: params.tab })} aria-current={params.window === w.id ? 'true' : undefined} scroll={false}>
                        {w.label}
                      </Link>
                    </li>
                  ))}
                </ul>
              </nav>
            </h2>
            <p className="card-note">
              Changes per time bucket (UTC); shaded stretches had no data from the node. Select a bar to see its diff.
              {changes.ok && changes.data.truncated ? ' Only the first 5,000 changes of the window are shown.' : ''}
            </p>
            {changes.ok ? (
              <ChangeTimeline
                title={`Changes of ${name} over the last ${params.window}`}
                from={toIso(from)}
                to={toIso(now)}
                events={changes.data.changes.map((c) => ({ at: c.at, group: KIND_LABELS[c.kind], afterGap: c.afterGap }))}
                gaps={detail.gaps.filter((g) => Date.parse(g.end) > Date.parse(detail.firstSeenAt)).map((g) => ({ start: Date.parse(g.start) < Date.parse(detail.firstSeenAt) ? detail.firstSeenAt : g.start, end: g.end }))}
                marker={params.at ? { at: toIso(params.at), label: `state shown at ${formatUtc(params.at)}` } : undefined}
                groupNoun="kind"
                linkBase={`/nodes/${encodeURIComponent(name)}/diff`}
              />
            ) : (
              <ApiProblemPanel problem={changes.problem} context="The timeline could not load" />
            )}
            <NodeProbes node={name} from={toIso(from)} to={toIso(now)} />
          </section>
          <section className="card" aria-labelledby="node-findings-title">
            <h2 id="node-findings-title">Findings</h2>
            <p className="card-note">Every finding of this node, open ones first, with when it opened and resolved.</p>
            <FindingsList findings={sortFindings(detail.findings)} rules={rules.ok ? rules.data : undefined} showNode={false} emptyTitle="No findings" emptyText="No check has ever failed on this node." now={now} />
          </section>
        </div>

        <section className="card" aria-labelledby="latest-title">
          <h2 id="latest-title">Latest changes</h2>
          <p className="card-note">Snapshots that changed something, newest first; each opens its diff.</p>
          {latest.length === 0 ? (
            <EmptyState title="No changes">Nothing changed in the last {params.window}.</EmptyState>
          ) : (
            <ol className="findings-list" aria-label={`Latest snapshots of ${name} that changed something`}>
              {latest.map((snapshot) => (
                <li key={snapshot.at}>
                  <div className="finding-head">
                    <Link href={changeDiffHref(name, snapshot.at)}>
                      <time dateTime={snapshot.at}>{formatUtc(snapshot.at)}</time>
                    </Link>
                    <span className="card-note" style={{ margin: 0 }}>
                      {snapshot.changes.length} change{snapshot.changes.length === 1 ? '' : 's'}
                      {snapshot.changes.some((c) => c.afterGap) ? ' · after a gap in data (or first seen)' : ''}
                    </span>
                  </div>
                  <ul className="change-summary">
                    {snapshot.changes.slice(0, 3).map((c) => (
                      <li key={`${c.namespace}|${c.kind}|${c.key}`}>
                        <span className={`change-type ${c.change.toLowerCase()}`}>{c.change.toLowerCase()}</span> {KIND_LABELS[c.kind]} <code>{describeKey(c.kind, c.key)}</code>
                        {c.namespace !== 'host' ? <span className="card-note"> in {namespaceLabel(c.namespace)}</span> : null}
                      </li>
                    ))}
                    {snapshot.changes.length > 3 ? <li className="card-note">and {snapshot.changes.length - 3} more</li> : null}
                  </ul>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="state-title">
        <h2 id="state-title">{params.at ? `State at ${formatUtc(state.at)}` : 'Current state'}</h2>
        <Form action={`/nodes/${encodeURIComponent(name)}`} className="toolbar" aria-label="Show state at">
          <div className="field">
            <label htmlFor="state-at">Show state at (UTC)</label>
            <input
              id="state-at"
              name="at"
              type="datetime-local"
              step={1}
              defaultValue={toInputValue(params.at ?? now)}
              max={toInputValue(now)}
              aria-invalid={errors.at ? true : undefined}
              aria-describedby={errors.at ? 'state-at-error' : undefined}
            />
            {errors.at ? (
              <span id="state-at-error" className="field-error">
                {errors.at}
              </span>
            ) : null}
          </div>
          <input type="hidden" name="window" value={params.window} />
          <input type="hidden" name="tab" value={params.tab} />
          <button type="submit">Show</button>
          {params.at ? (
            <Link className="button secondary" href={nodeHref(name, { window: params.window === '24h' ? undefined : params.window, tab: params.tab === 'routes' ? undefined : params.tab })}>
              Back to now
            </Link>
          ) : null}
          {params.at ? (
            <Link className="button secondary" href={diffHref(name, params.at, now)}>
              Diff from then to now
            </Link>
          ) : null}
        </Form>
        {!state.covered ? (
          <div className="notice warn" role="note">
            <p>
              {name} was not reporting at {formatUtc(state.at)}: these are the last facts it reported before then, not observed ones.
            </p>
          </div>
        ) : null}
        <StateTabs
          label={`State of ${name}`}
          initial={params.tab}
          tabs={[
            { id: 'routes', label: 'Routes', count: state.routes.length, panel: <RoutesTable routes={state.routes} caption={`Routes of ${name} (host)`} /> },
            { id: 'neighbors', label: 'Neighbours', count: state.neighbors.length, panel: <NeighborsTable neighbors={state.neighbors} caption={`Neighbours of ${name} (host)`} /> },
            { id: 'links', label: 'Links', count: state.links.length, panel: <LinksTable links={state.links} caption={`Links of ${name} (host)`} /> },
            { id: 'addresses', label: 'Addresses', count: state.addresses.length, panel: <AddressesTable addresses={state.addresses} caption={`Addresses of ${name} (host)`} /> },
            { id: 'sysctls', label: 'Sysctls', count: state.sysctls.length, panel: <SysctlsTable sysctls={state.sysctls} caption={`Sysctls of ${name} (host)`} /> },
            { id: 'pods', label: 'Pods', count: state.pods.length, panel: <PodsView state={state} node={name} /> },
          ]}
        />
      </section>
    </>
  );
}
