import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { lookupRoute } from '@routescope/snapshot';
import { fetchNextChangeAt, fetchNode, fetchNodeChanges, fetchRules, load, sortFindings, type NodeChange, type NodeDetail } from '../../lib/data';
import { describeKey, formatRoute, KIND_LABELS, namespaceLabel } from '../../lib/fact-format';
import { changeDiffHref, diffHref, nodeHref } from '../../lib/links';
import { first, NODE_TABS, type NodeTab } from '../../lib/search-params';
import { DAY, formatDuration, formatRelative, formatUtc, HOUR, toIso } from '../../lib/time';
import { rangeParams, resolveTimeRange, timeRangeInput } from '../../lib/time-range';
import { ApiProblemPanel } from '../../ui/api-problem-panel';
import { StatusBadge } from '../../ui/badges';
import { ChangeTimeline } from '../../ui/change-timeline';
import { EmptyState } from '../../ui/empty-state';
import { FindingsList } from '../../ui/findings-list';
import { LiveUpdates } from '../../ui/live-updates';
import { NodeProbes } from '../../probes/node-probes';
import { verifyFindingPod } from '../../probes/finding-probe-action';
import { PodsView } from '../../ui/pods-view';
import { StateScrubber } from '../../ui/state-scrubber';
import { StateTabs } from '../../ui/state-tabs';
import { AddressesTable, LinksTable, NeighborsTable, RoutesTable, SysctlsTable } from '../../ui/state-tables';
import { TableFilter } from '../../ui/table-filter';
import { InvalidRangeNotice, TimeRangePicker } from '../../ui/time-range-picker';
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

type State = NodeDetail['state'];

/** The routes of one namespace of the state (`host` or `pod:<netns>`). */
function routesOf(state: State, namespace: string): State['routes'] {
  return namespace === 'host' ? state.routes : (state.pods.find((p) => p.namespace === namespace)?.routes ?? []);
}

function RouteLookup({ name, state, ip, namespace, keep }: { name: string; state: State; ip?: string; namespace: string; keep: Record<string, string | undefined> }) {
  const namespaces = ['host', ...state.pods.map((p) => p.namespace)];
  const result = ip ? lookupRoute(routesOf(state, namespace), ip) : undefined;
  return (
    <div className="route-lookup">
      <Form action={`/nodes/${encodeURIComponent(name)}`} className="toolbar" aria-label="Which route does an IP take?">
        {Object.entries(keep).map(([key, value]) => (value === undefined ? null : <input key={key} type="hidden" name={key} value={value} />))}
        <input type="hidden" name="tab" value="routes" />
        <div className="field">
          <label htmlFor="lookup-ip">Which route does IP take?</label>
          <input id="lookup-ip" name="lookup" type="text" className="mono" defaultValue={ip ?? ''} placeholder="172.16.0.70" autoComplete="off" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="lookup-ns">In namespace</label>
          <select id="lookup-ns" name="ns" defaultValue={namespace}>
            {namespaces.map((ns) => (
              <option key={ns} value={ns}>
                {namespaceLabel(ns)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Look up</button>
      </Form>
      {ip && result ? (
        <p className={result.ok ? 'notice' : 'notice warn'} role="status" data-testid="route-lookup-result">
          {result.ok ? (
            <>
              <span className="mono">{ip}</span> in {namespaceLabel(namespace)} takes <code>{formatRoute(result.route as unknown as Record<string, unknown>)}</code> (table {result.table}, /{result.prefixlen}: the longest matching prefix).
            </>
          ) : result.reason === 'not-an-address' ? (
            <>
              “{ip}” is not an IPv4 or IPv6 address.
            </>
          ) : (
            <>
              No route in {namespaceLabel(namespace)} covers <span className="mono">{ip}</span>: the kernel answers “Network is unreachable”.
            </>
          )}
        </p>
      ) : null}
    </div>
  );
}

export default async function NodePage(props: PageProps<'/nodes/[name]'>) {
  const name = nodeNameFrom((await props.params).name);
  const now = new Date();
  const raw = await props.searchParams;
  const range = resolveTimeRange(timeRangeInput(raw), now, DAY);
  const tabParam = first(raw, 'tab');
  const tab: NodeTab = (NODE_TABS as readonly string[]).includes(tabParam ?? '') ? (tabParam as NodeTab) : 'routes';
  const lookupIp = first(raw, 'lookup')?.slice(0, 64);
  const lookupNs = first(raw, 'ns')?.slice(0, 300) ?? 'host';
  const path = `/nodes/${encodeURIComponent(name)}`;
  const tabKeep = { tab: tab === 'routes' ? undefined : tab };
  const here = nodeHref(name, { ...rangeParams(range.input), ...tabKeep });

  const head = (
    <div className="page-head">
      <div>
        <div className="breadcrumbs">
          <Link href="/">Overview</Link> / node
        </div>
        <h1>
          <span className="mono">{name}</span>
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
  const picker = <TimeRangePicker path={path} range={range} keep={tabKeep} withAt idPrefix="node-range" />;
  if (!range.ok) {
    return (
      <>
        {head}
        {picker}
        <InvalidRangeNotice range={range} />
      </>
    );
  }
  const { from, to, at } = range;
  const [node, changes, rules, nextAt] = await Promise.all([
    load(() => fetchNode(name, at, from, to, now)),
    load(() => fetchNodeChanges(name, from, to)),
    load(() => fetchRules()),
    at ? load(() => fetchNextChangeAt(name, at, now)) : Promise.resolve(undefined),
  ]);
  if (node.ok && node.data === null) notFound();
  if (!node.ok) {
    return (
      <>
        {head}
        {picker}
        <ApiProblemPanel problem={node.problem} retryHref={here} />
      </>
    );
  }
  const detail = node.data;
  if (!detail) notFound();
  const state = detail.state;
  const shownAt = at ?? now;
  const beforeFirstSeen = shownAt.getTime() < Date.parse(detail.firstSeenAt);
  const openNow = detail.openFindings;
  const latest = changes.ok ? latestSnapshots(changes.data.changes, LATEST_SNAPSHOTS) : [];

  // State versions: the instants at which the node's state changed (in the range).
  const versions = changes.ok ? [...new Set(changes.data.changes.map((c) => c.at))] : [];
  const prevAt = [...versions].reverse().find((v) => Date.parse(v) < shownAt.getTime());
  const nextVersion = at ? (nextAt?.ok ? (nextAt.data ?? undefined) : versions.find((v) => Date.parse(v) > shownAt.getTime())) : undefined;
  const atHref = (instant: string) => nodeHref(name, { ...rangeParams(range.input, { at: false }), at: toIso(new Date(instant)), ...tabKeep });
  const nowHref = at ? nodeHref(name, { ...rangeParams(range.input, { at: false }), ...tabKeep }) : undefined;
  const keepForLookup = { ...rangeParams(range.input) };

  return (
    <>
      <div className="page-head">
        <div>
          <div className="breadcrumbs">
            <Link href="/">Overview</Link> / node
          </div>
          <h1>
            <span className="mono">{name}</span> <StatusBadge status={detail.status} />{' '}
            {openNow.length > 0 ? (
              <a href="#node-findings-title" className="badge bad">
                {openNow.length} open finding{openNow.length === 1 ? '' : 's'}
                {at ? ' then' : ''}
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
      {picker}

      <section className="card" aria-labelledby="state-title" id="state">
        <h2 id="state-title">{at ? `State at ${formatUtc(state.at)}` : 'Current state'}</h2>
        <StateScrubber
          label={at ? `State at ${formatUtc(shownAt)}` : `Current state (${formatUtc(now)})`}
          prevHref={prevAt ? atHref(prevAt) : undefined}
          prevAt={prevAt ? formatUtc(prevAt) : undefined}
          nextHref={nextVersion ? atHref(nextVersion) : beforeFirstSeen ? atHref(detail.firstSeenAt) : undefined}
          nextAt={nextVersion ? formatUtc(nextVersion) : undefined}
          nowHref={nowHref}
        />
        {at ? (
          <p className="card-note">
            <Link href={diffHref(name, at, now)}>Diff from then to now</Link>
          </p>
        ) : null}
        {beforeFirstSeen ? (
          <div className="notice warn" role="note" data-testid="not-yet-seen">
            <p>
              {name} was not yet seen at {formatUtc(shownAt)}: its first snapshot was taken at {formatUtc(detail.firstSeenAt)}. <Link href={atHref(detail.firstSeenAt)}>Show its first state</Link>.
            </p>
          </div>
        ) : (
          <>
            {!state.covered ? (
              <div className="notice warn" role="note">
                <p>
                  {name} was not reporting at {formatUtc(state.at)}: these are the last facts it reported before then, not observed ones.
                </p>
              </div>
            ) : null}
            <RouteLookup name={name} state={state} ip={lookupIp} namespace={lookupNs} keep={keepForLookup} />
            <TableFilter label="Filter the state tables">
              <StateTabs
                label={`State of ${name}`}
                initial={lookupIp ? 'routes' : tab}
                tabs={[
                  {
                    id: 'routes',
                    label: 'Routes',
                    count: state.routes.length,
                    panel: (() => {
                      const chosen = lookupIp && lookupNs === 'host' ? lookupRoute(state.routes, lookupIp) : undefined;
                      return <RoutesTable routes={state.routes} caption={`Routes of ${name} (host)`} highlightKey={chosen?.ok ? chosen.route.key : undefined} />;
                    })(),
                  },
                  { id: 'neighbors', label: 'Neighbours', count: state.neighbors.length, panel: <NeighborsTable neighbors={state.neighbors} caption={`Neighbours of ${name} (host)`} /> },
                  { id: 'links', label: 'Links', count: state.links.length, panel: <LinksTable links={state.links} caption={`Links of ${name} (host)`} /> },
                  { id: 'addresses', label: 'Addresses', count: state.addresses.length, panel: <AddressesTable addresses={state.addresses} caption={`Addresses of ${name} (host)`} /> },
                  { id: 'sysctls', label: 'Sysctls', count: state.sysctls.length, panel: <SysctlsTable sysctls={state.sysctls} caption={`Sysctls of ${name} (host)`} /> },
                  { id: 'pods', label: 'Pods', count: state.pods.length, panel: <PodsView state={state} findings={openNow} node={name} at={at ? toIso(at) : undefined} /> },
                ]}
              />
            </TableFilter>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="node-findings-title">
        <h2 id="node-findings-title">{at ? `Findings open at ${formatUtc(shownAt)}` : 'Findings open now'}</h2>
        <FindingsList podAction={verifyFindingPod} findings={sortFindings(openNow)} rules={rules.ok ? rules.data : undefined} showNode={false} emptyTitle="No open findings" emptyText={at ? 'No check failed on this node at that instant.' : 'Every check passes on this node.'} now={now} />
        {detail.findings.length > openNow.length ? (
          <details>
            <summary className="card-note">Every finding of this node ({detail.findings.length}), resolved ones too</summary>
            <FindingsList findings={sortFindings(detail.findings)} rules={rules.ok ? rules.data : undefined} showNode={false} emptyTitle="No findings" emptyText="No check has ever failed on this node." now={now} />
          </details>
        ) : null}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Changes</h2>
          <p className="card-note">
            Changes per time bucket (UTC) from {formatUtc(from)} to {formatUtc(to)}; shaded stretches had no data from the node. Select a bar to see its diff, drag across bars to zoom in.
            {changes.ok && changes.data.truncated ? ' Only the first 5,000 changes of the range are shown.' : ''}
          </p>
          {changes.ok ? (
            <ChangeTimeline
              title={`Changes of ${name} from ${formatUtc(from)} to ${formatUtc(to)}`}
              from={toIso(from)}
              to={toIso(to)}
              events={changes.data.changes.map((c) => ({ at: c.at, group: KIND_LABELS[c.kind], afterGap: c.afterGap }))}
              gaps={detail.gaps.filter((g) => Date.parse(g.end) > Date.parse(detail.firstSeenAt)).map((g) => ({ start: Date.parse(g.start) < Date.parse(detail.firstSeenAt) ? detail.firstSeenAt : g.start, end: g.end }))}
              marker={at ? { at: toIso(at), label: `state shown at ${formatUtc(at)}` } : undefined}
              groupNoun="kind"
              linkBase={`/nodes/${encodeURIComponent(name)}/diff`}
            />
          ) : (
            <ApiProblemPanel problem={changes.problem} context="The timeline could not load" />
          )}
          <NodeProbes node={name} from={toIso(from)} to={toIso(to)} />
        </section>

        <section className="card" aria-labelledby="latest-title">
          <h2 id="latest-title">Latest changes</h2>
          <p className="card-note">Snapshots that changed something, newest first; each shows the state then, or opens its diff.</p>
          {latest.length === 0 ? (
            <EmptyState title="No changes">Nothing changed from {formatUtc(from)} to {formatUtc(to)}.</EmptyState>
          ) : (
            <ol className="findings-list" aria-label={`Latest snapshots of ${name} that changed something`}>
              {latest.map((snapshot) => (
                <li key={snapshot.at}>
                  <div className="finding-head">
                    <Link href={changeDiffHref(name, snapshot.at)}>
                      <time dateTime={snapshot.at}>{formatUtc(snapshot.at)}</time>
                    </Link>
                    <Link href={atHref(snapshot.at)} scroll={false} className="card-note">
                      state then
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
    </>
  );
}
