import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { fetchActiveSilences, fetchFindingGroups, fetchFindingsPage, fetchRules, FINDINGS_PAGE_MAX, load, type FindingWithEvidence, type ServerFindingGroup, type Silence } from '../lib/data';
import { groupCountText, subjectKind } from '../lib/finding-groups';
import type { FindingFilter, Severity } from '../lib/generated/graphql';
import { hrefWith, nodeHref } from '../lib/links';
import { first, nodeNameSchema } from '../lib/search-params';
import { formatUtc, HOUR, toIso } from '../lib/time';
import { rangeParams, resolveTimeRange, timeRangeInput } from '../lib/time-range';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { SEVERITY_ORDER, SeverityBadge } from '../ui/badges';
import { EmptyState } from '../ui/empty-state';
import { RevokeSilenceForm, SilenceGroupForm } from '../ui/silence-forms';
import { InvalidRangeNotice, TimeRangePicker } from '../ui/time-range-picker';

export const metadata: Metadata = { title: 'Findings' };

const VIEWS = { open: 'open at an instant', window: 'open at some time in the range' } as const;
type View = keyof typeof VIEWS;
const FINDINGS_SHOWN_PER_GROUP = 50;
const SILENCED_CHOICES = { '': 'silenced or not', false: 'not silenced', true: 'silenced only' } as const;
const DEFAULT_SILENCE_MS = 24 * HOUR;

/** `2026-12-07T14:00` (UTC, minutes): a datetime-local input's value. */
function datetimeLocal(at: Date): string {
  return toIso(at).slice(0, 16);
}

function silenceScope(s: Pick<Silence, 'rule' | 'subjectPattern' | 'node'>): string {
  return `${s.rule} ${s.subjectPattern ?? '(every subject)'} on ${s.node ?? 'every node'}`;
}

function evidenceLines(finding: FindingWithEvidence): string[] {
  if (!Array.isArray(finding.evidence)) return [];
  return (finding.evidence as Array<Record<string, unknown>>).map((e) => {
    const attrs = e['attrs'] as Record<string, unknown> | null | undefined;
    const value = attrs && typeof attrs['value'] === 'string' ? ` = ${attrs['value']}` : '';
    return `${String(e['kind'])} ${String(e['key'])}${attrs === null ? ' (absent)' : value} (${String(e['ns'])} on ${String(e['node'])})`;
  });
}

export default async function FindingsPage(props: PageProps<'/findings'>) {
  const raw = await props.searchParams;
  const now = new Date();
  const range = resolveTimeRange(timeRangeInput(raw), now, HOUR);
  const view: View = first(raw, 'view') === 'window' ? 'window' : 'open';
  const rule = first(raw, 'rule')?.slice(0, 100);
  const severityParam = first(raw, 'severity');
  const severity = (SEVERITY_ORDER as readonly string[]).includes(severityParam ?? '') ? (severityParam as Severity) : undefined;
  const nodeParam = first(raw, 'node');
  const node = nodeParam && nodeNameSchema.safeParse(nodeParam).success ? nodeParam : undefined;
  const fieldErrors = { node: nodeParam && !node ? 'not a valid node name' : undefined, severity: severityParam && !severity ? `severity is one of ${SEVERITY_ORDER.join(', ')}` : undefined };
  const silencedParam = first(raw, 'silenced');
  const silenced = silencedParam === 'true' ? true : silencedParam === 'false' ? false : undefined;
  const keep = { view: view === 'open' ? undefined : view, rule, severity, node, silenced: silenced === undefined ? undefined : String(silenced) };
  const permalink = hrefWith('/findings', { ...keep, ...rangeParams(range.input) });

  const rules = await load(() => fetchRules());
  const head = (
    <div className="page-head">
      <div>
        <h1>Findings</h1>
        <p>
          Every finding, grouped by rule and by what it is about; expand a group to see each finding and its evidence.{' '}
          <Link href={permalink} prefetch={false}>
            Permalink
          </Link>
        </p>
      </div>
    </div>
  );
  const filterForm = (
    <section className="card" aria-labelledby="filter-title">
      <h2 id="filter-title">Filter</h2>
      <Form action="/findings" className="toolbar" aria-label="Filter findings">
        {Object.entries(rangeParams(range.input)).map(([k, v]) => (v === undefined ? null : <input key={k} type="hidden" name={k} value={v} />))}
        <div className="field">
          <label htmlFor="findings-view">Findings</label>
          <select id="findings-view" name="view" defaultValue={view}>
            {Object.entries(VIEWS).map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="findings-rule">Rule</label>
          <select id="findings-rule" name="rule" defaultValue={rule ?? ''}>
            <option value="">Any</option>
            {rules.ok ? [...rules.data.values()].map((r) => <option key={r.id} value={r.id}>{`${r.id} — ${r.title}`}</option>) : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="findings-severity">Severity</label>
          <select id="findings-severity" name="severity" defaultValue={severity ?? ''} aria-invalid={fieldErrors.severity ? true : undefined}>
            <option value="">Any</option>
            {SEVERITY_ORDER.map((s) => (
              <option key={s} value={s}>
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
          {fieldErrors.severity ? <span className="field-error">{fieldErrors.severity}</span> : null}
        </div>
        <div className="field">
          <label htmlFor="findings-node">Node</label>
          <input id="findings-node" name="node" type="text" defaultValue={nodeParam ?? ''} placeholder="any node" aria-invalid={fieldErrors.node ? true : undefined} aria-describedby={fieldErrors.node ? 'findings-node-error' : undefined} />
          {fieldErrors.node ? (
            <span id="findings-node-error" className="field-error">
              {fieldErrors.node}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="findings-silenced">Silenced</label>
          <select id="findings-silenced" name="silenced" defaultValue={silenced === undefined ? '' : String(silenced)}>
            {Object.entries(SILENCED_CHOICES).map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Apply</button>
      </Form>
    </section>
  );
  const picker = <TimeRangePicker path="/findings" range={range} keep={keep} withAt idPrefix="findings-range" />;
  if (!range.ok || fieldErrors.node || fieldErrors.severity) {
    return (
      <>
        {head}
        {picker}
        {filterForm}
        <InvalidRangeNotice range={range} />
      </>
    );
  }
  const filter: FindingFilter = { ...(rule ? { rule } : {}), ...(severity ? { severity: [severity] } : {}), ...(node ? { node } : {}), ...(view === 'open' ? { openAt: toIso(range.at ?? now) } : { from: toIso(range.from), to: toIso(range.to) }) };
  const [groups, silencedGroups, findings, silences] = await Promise.all([
    silenced === true ? Promise.resolve({ ok: true as const, data: [] as ServerFindingGroup[] }) : load(() => fetchFindingGroups({ ...filter, silenced: false })),
    silenced === false ? Promise.resolve({ ok: true as const, data: [] as ServerFindingGroup[] }) : load(() => fetchFindingGroups({ ...filter, silenced: true })),
    load(() => fetchFindingsPage(silenced === undefined ? filter : { ...filter, silenced })),
    silenced === false ? Promise.resolve({ ok: true as const, data: [] as Silence[] }) : load(() => fetchActiveSilences(now)),
  ]);
  const scope = view === 'open' ? `open at ${formatUtc(range.at ?? now)}` : `open at some time from ${formatUtc(range.from)} to ${formatUtc(range.to)}`;
  const problem = !groups.ok ? groups.problem : !silencedGroups.ok ? silencedGroups.problem : !findings.ok ? findings.problem : !silences.ok ? silences.problem : undefined;
  if (problem || !groups.ok || !silencedGroups.ok || !findings.ok || !silences.ok) {
    return (
      <>
        {head}
        {picker}
        {filterForm}
        {problem ? <ApiProblemPanel problem={problem} retryHref={permalink} /> : null}
      </>
    );
  }
  const defaultExpiry = datetimeLocal(new Date(now.getTime() + DEFAULT_SILENCE_MS));
  const findingsOf = (group: ServerFindingGroup, silencedOnes: boolean) => findings.data.findings.filter((f) => f.rule === group.rule && subjectKind(f.subject) === group.subjectKind && Boolean(f.silencedBy) === silencedOnes);
  const renderGroup = (group: ServerFindingGroup, silencedOnes: boolean) => {
    const anchor = `${silencedOnes ? 'silenced' : 'group'}-${group.rule}-${group.subjectKind}`.replace(/[^A-Za-z0-9_-]/g, '-');
    const listed = findingsOf(group, silencedOnes);
    const count = silencedOnes ? group.silencedCount : group.findingCount;
    return (
      <li key={anchor} id={anchor} data-rule={group.rule} data-subject-kind={group.subjectKind} className="card">
        <details>
          <summary>
            <SeverityBadge severity={group.severity} /> <strong>{group.title}</strong> <code>{group.rule}</code> — <span data-testid="group-count">{groupCountText(group)}</span> ({count} finding{count === 1 ? '' : 's'})
          </summary>
          <p className="card-note">
            <Link href={`${permalink}#${anchor}`}>Link to this group</Link>
            {rules.ok && rules.data.get(group.rule) ? ` · ${rules.data.get(group.rule)?.remediation}` : ''}
          </p>
          <ul className="findings-list">
            {listed.slice(0, FINDINGS_SHOWN_PER_GROUP).map((f) => (
              <li key={f.id} id={`finding-${f.id}`} data-node={f.node} data-open={f.open}>
                <div className="finding-head">
                  <Link className="mono" href={nodeHref(f.node, { at: f.open ? undefined : f.openedAt })}>
                    {f.node}
                  </Link>
                  <span className="mono">{f.subject}</span>
                  {!f.open ? <span className="badge neutral">resolved</span> : null}
                </div>
                <p className="finding-message">{f.message}</p>
                {f.silencedBy ? (
                  <p className="card-note" data-testid="silenced-by">
                    Silenced by {f.silencedBy.createdBy} until <time dateTime={f.silencedBy.expiresAt}>{formatUtc(f.silencedBy.expiresAt)}</time>: {f.silencedBy.reason}
                  </p>
                ) : null}
                <p className="finding-times">
                  opened <time dateTime={f.openedAt}>{formatUtc(f.openedAt)}</time>
                  {f.resolvedAt ? (
                    <>
                      {' '}
                      · resolved <time dateTime={f.resolvedAt}>{formatUtc(f.resolvedAt)}</time>
                    </>
                  ) : null}{' '}
                  · <Link href={`${permalink}#finding-${f.id}`}>permalink</Link>
                </p>
                <details>
                  <summary className="card-note">Evidence</summary>
                  <ul className="change-summary mono">
                    {evidenceLines(f).map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </details>
              </li>
            ))}
            {count > Math.min(listed.length, FINDINGS_SHOWN_PER_GROUP) ? (
              <li className="card-note">
                {count - Math.min(listed.length, FINDINGS_SHOWN_PER_GROUP)} more not listed: <Link href={hrefWith('/findings', { ...keep, ...rangeParams(range.input), rule: group.rule })}>filter by this rule</Link> or by node
              </li>
            ) : null}
          </ul>
        </details>
        {silencedOnes ? null : <SilenceGroupForm rule={group.rule} subjectKind={group.subjectKind} node={node} defaultExpiry={defaultExpiry} idPrefix={anchor} />}
      </li>
    );
  };
  const total = groups.data.reduce((n, g) => n + g.findingCount, 0);

  return (
    <>
      {head}
      {picker}
      {filterForm}
      {silenced === true ? null : groups.data.length === 0 ? (
        <EmptyState title="No findings">No finding matches: none {scope}{silenced === undefined && silencedGroups.data.length > 0 ? ' that is not silenced' : ''}.</EmptyState>
      ) : (
        <section aria-labelledby="groups-title">
          <h2 id="groups-title">
            {total} finding{total === 1 ? '' : 's'} {scope}
          </h2>
          {findings.data.more ? <p className="card-note">Counts cover every matching finding; each group lists findings from the first {FINDINGS_PAGE_MAX} only: narrow the filter to see the rest.</p> : null}
          <ul className="findings-by-rule" data-testid="finding-groups">
            {groups.data.map((g) => renderGroup(g, false))}
          </ul>
        </section>
      )}
      {silenced === false ? null : (
        <section aria-labelledby="silenced-title" data-testid="silenced-section">
          <h2 id="silenced-title">Silenced</h2>
          {silences.data.length === 0 ? (
            <p className="card-note">No silence is active.</p>
          ) : (
            <ul className="findings-list" data-testid="silences">
              {silences.data.map((s) => (
                <li key={s.id} data-silence={s.id} data-rule={s.rule}>
                  <div className="finding-head">
                    <code>{silenceScope(s)}</code>
                  </div>
                  <p className="finding-message" data-testid="silence-reason">
                    {s.reason}
                  </p>
                  <p className="finding-times">
                    by {s.createdBy} at <time dateTime={s.createdAt}>{formatUtc(s.createdAt)}</time> · until <time dateTime={s.expiresAt}>{formatUtc(s.expiresAt)}</time>
                  </p>
                  <RevokeSilenceForm id={s.id} label={silenceScope(s)} />
                </li>
              ))}
            </ul>
          )}
          {silencedGroups.data.length > 0 ? (
            <ul className="findings-by-rule" data-testid="silenced-groups">
              {silencedGroups.data.map((g) => renderGroup(g, true))}
            </ul>
          ) : null}
        </section>
      )}
    </>
  );
}
