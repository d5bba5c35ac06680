import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { fetchFindingsPage, fetchRules, FINDINGS_PAGE_MAX, load, type FindingWithEvidence } from '../lib/data';
import { groupCountText, groupFindings } from '../lib/finding-groups';
import type { FindingFilter, Severity } from '../lib/generated/graphql';
import { hrefWith, nodeHref } from '../lib/links';
import { first, nodeNameSchema } from '../lib/search-params';
import { formatUtc, HOUR, toIso } from '../lib/time';
import { rangeParams, resolveTimeRange, timeRangeInput } from '../lib/time-range';
import { ApiProblemPanel } from '../ui/api-problem-panel';
import { SEVERITY_ORDER, SeverityBadge } from '../ui/badges';
import { EmptyState } from '../ui/empty-state';
import { InvalidRangeNotice, TimeRangePicker } from '../ui/time-range-picker';

export const metadata: Metadata = { title: 'Findings' };

const VIEWS = { open: 'open at an instant', window: 'open at some time in the range' } as const;
type View = keyof typeof VIEWS;
const FINDINGS_SHOWN_PER_GROUP = 50;

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
  const keep = { view: view === 'open' ? undefined : view, rule, severity, node };
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
  const result = await load(() => fetchFindingsPage(filter));
  const scope = view === 'open' ? `open at ${formatUtc(range.at ?? now)}` : `open at some time from ${formatUtc(range.from)} to ${formatUtc(range.to)}`;

  return (
    <>
      {head}
      {picker}
      {filterForm}
      {!result.ok ? (
        <ApiProblemPanel problem={result.problem} retryHref={permalink} />
      ) : result.data.findings.length === 0 ? (
        <EmptyState title="No findings">No finding matches: none {scope}.</EmptyState>
      ) : (
        <section aria-labelledby="groups-title">
          <h2 id="groups-title">
            {result.data.findings.length}
            {result.data.more ? '+' : ''} finding{result.data.findings.length === 1 ? '' : 's'} {scope}
          </h2>
          {result.data.more ? <p className="card-note">Grouped from the first {FINDINGS_PAGE_MAX}; narrow the filter to see the rest.</p> : null}
          <ul className="findings-by-rule" data-testid="finding-groups">
            {groupFindings(result.data.findings).map((group) => {
              const anchor = `group-${group.rule}-${group.subjectKind}`.replace(/[^A-Za-z0-9_-]/g, '-');
              return (
                <li key={group.key} id={anchor} data-rule={group.rule} data-subject-kind={group.subjectKind} className="card">
                  <details>
                    <summary>
                      <SeverityBadge severity={group.severity} /> <strong>{group.title}</strong> <code>{group.rule}</code> — <span data-testid="group-count">{groupCountText(group)}</span> ({group.findings.length} finding{group.findings.length === 1 ? '' : 's'})
                    </summary>
                    <p className="card-note">
                      <Link href={`${permalink}#${anchor}`}>Link to this group</Link>
                      {rules.ok && rules.data.get(group.rule) ? ` · ${rules.data.get(group.rule)?.remediation}` : ''}
                    </p>
                    <ul className="findings-list">
                      {group.findings.slice(0, FINDINGS_SHOWN_PER_GROUP).map((f) => (
                        <li key={f.id} id={`finding-${f.id}`} data-node={f.node} data-open={f.open}>
                          <div className="finding-head">
                            <Link className="mono" href={nodeHref(f.node, { at: f.open ? undefined : f.openedAt })}>
                              {f.node}
                            </Link>
                            <span className="mono">{f.subject}</span>
                            {!f.open ? <span className="badge neutral">resolved</span> : null}
                          </div>
                          <p className="finding-message">{f.message}</p>
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
                      {group.findings.length > FINDINGS_SHOWN_PER_GROUP ? (
                        <li className="card-note">
                          and {group.findings.length - FINDINGS_SHOWN_PER_GROUP} more: <Link href={hrefWith('/findings', { ...keep, ...rangeParams(range.input), rule: group.rule })}>filter by this rule</Link> or by node
                        </li>
                      ) : null}
                    </ul>
                  </details>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </>
  );
}
