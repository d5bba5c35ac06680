import type { Metadata } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { fetchDiff, fetchFindingsPage, fetchNodeNames, load } from '../../../lib/data';
import { changeDiffHref, diffHref, hrefWith, nodeHref } from '../../../lib/links';
import { parseDiffParams, first } from '../../../lib/search-params';
import { formatUtc, QUICK_RANGES, toIso } from '../../../lib/time';
import { ApiProblemPanel } from '../../../ui/api-problem-panel';
import { SeverityBadge } from '../../../ui/badges';
import { DiffView } from '../../../ui/diff-view';
import { TimeRangeForm } from '../../../ui/time-range-form';
import { nodeNameFrom } from '../node-name';

export async function generateMetadata(props: PageProps<'/nodes/[name]/diff'>): Promise<Metadata> {
  return { title: `Diff · ${nodeNameFrom((await props.params).name)}` };
}

export default async function DiffPage(props: PageProps<'/nodes/[name]/diff'>) {
  const name = nodeNameFrom((await props.params).name);
  const raw = await props.searchParams;
  // Whole seconds: quick ranges become short, shareable URLs.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const base = `/nodes/${encodeURIComponent(name)}/diff`;

  // Quick ranges resolve to absolute times once, so the address bar always holds a permalink.
  const range = QUICK_RANGES.find((r) => r.id === first(raw, 'range'));
  if (range) redirect(diffHref(name, new Date(now.getTime() - range.ms), now));

  const { params, errors } = parseDiffParams(raw, name, now);
  // Invalid input is an error, not another diff: nothing is compared until the fields are fixed.
  const invalid = [errors.from, errors.to, errors.at, errors.other].filter(Boolean);
  const [diff, names, findings] = await Promise.all([
    invalid.length ? Promise.resolve(undefined) : load(() => fetchDiff(name, params)),
    load(() => fetchNodeNames()),
    !invalid.length && params.mode === 'TIME' ? load(() => fetchFindingsPage({ node: name, from: toIso(params.from), to: toIso(params.to) })) : Promise.resolve(undefined),
  ]);
  // Findings this range opened or resolved: the changes recorded at those instants did it.
  const inRange = (at: string | null) => at !== null && params.mode === 'TIME' && Date.parse(at) > params.from.getTime() && Date.parse(at) <= params.to.getTime();
  const turning = findings?.ok
    ? findings.data.findings.flatMap((f) => [...(inRange(f.openedAt) ? [{ f, what: 'opened' as const, at: f.openedAt }] : []), ...(inRange(f.resolvedAt) && f.resolvedAt ? [{ f, what: 'resolved' as const, at: f.resolvedAt }] : [])]).sort((a, b) => a.at.localeCompare(b.at))
    : [];
  if (diff && !diff.ok && diff.problem.kind === 'not-found' && params.mode === 'TIME') notFound();
  const permalink = params.mode === 'TIME' ? diffHref(name, params.from, params.to) : hrefWith(base, { other: params.otherNode, at: toIso(params.at) });
  const others = names.ok ? names.data.names.filter((n) => n !== name) : [];

  return (
    <>
      <div className="page-head">
        <div>
          <div className="breadcrumbs">
            <Link href="/">Overview</Link> / <Link href={nodeHref(name)}>{name}</Link> / diff
          </div>
          <h1>
            {params.mode === 'TIME' ? (
              <>
                What changed on <span className="mono">{name}</span>
              </>
            ) : (
              <>
                <span className="mono">{name}</span> compared with <span className="mono">{params.otherNode}</span>
              </>
            )}
          </h1>
          <p>
            {params.mode === 'TIME'
              ? `From ${formatUtc(params.from)} to ${formatUtc(params.to)}.`
              : `Both at ${formatUtc(params.at)}.`}{' '}
            <Link href={permalink} prefetch={false}>
              Permalink
            </Link>
          </p>
        </div>
      </div>

      <div className="grid-2">
        <section className="card" aria-labelledby="time-title">
          <h2 id="time-title">Compare two times</h2>
          <TimeRangeForm action={base} idPrefix="diff" from={params.mode === 'TIME' ? params.from : new Date(now.getTime() - 3_600_000)} to={params.mode === 'TIME' ? params.to : now} errors={errors} legend="Compare two times" active={params.mode === 'TIME'} input={{ from: first(raw, 'from'), to: first(raw, 'to') }} />
        </section>
        <section className="card" aria-labelledby="compare-title">
          <h2 id="compare-title">Compare with another node</h2>
          <Form action={base} className="toolbar" aria-label="Compare with another node">
            <div className="field">
              <label htmlFor="other-node">Other node</label>
              <input
                id="other-node"
                name="other"
                type="text"
                list="other-nodes"
                required
                autoComplete="off"
                defaultValue={params.mode === 'NODES' ? params.otherNode : ''}
                aria-invalid={errors.other ? true : undefined}
                aria-describedby={errors.other ? 'other-node-error' : undefined}
              />
              <datalist id="other-nodes">
                {others.map((n) => (
                  <option key={n} value={n} />
                ))}
              </datalist>
              {errors.other ? (
                <span id="other-node-error" className="field-error">
                  {errors.other}
                </span>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="compare-at">At (UTC)</label>
              <input
                id="compare-at"
                name="at"
                type="text"
                className="mono time-input"
                spellCheck={false}
                defaultValue={toIso(params.mode === 'NODES' ? params.at : params.mode === 'TIME' ? params.to : now)}
                aria-invalid={errors.at ? true : undefined}
                aria-describedby={errors.at ? 'compare-at-error' : undefined}
              />
              {errors.at ? (
                <span id="compare-at-error" className="field-error">
                  {errors.at}
                </span>
              ) : null}
            </div>
            <button type="submit">Compare</button>
          </Form>
        </section>
      </div>

      {turning.length > 0 ? (
        <section className="card" aria-labelledby="turning-title" data-testid="diff-findings">
          <h2 id="turning-title">Changes in this range that opened or resolved a finding</h2>
          <ul className="change-summary">
            {turning.map(({ f, what, at }) => (
              <li key={`${f.id}-${what}`} data-rule={f.rule} data-finding-change={what}>
                <span className={`change-type ${what === 'opened' ? 'removed' : 'added'}`}>{what}</span> <SeverityBadge severity={f.severity} /> {f.title} (<code>{f.rule}</code>, {f.subject}) by the change recorded at{' '}
                <Link href={changeDiffHref(name, at)}>
                  <time dateTime={at}>{formatUtc(at)}</time>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-label="Differences">
        {!diff ? (
          <div className="notice bad" role="alert" data-testid="range-error">
            <p>
              <strong>No diff shown: the input is not valid.</strong> {invalid.join(' ')}
            </p>
          </div>
        ) : diff.ok ? (
          <DiffView diff={diff.data} />
        ) : (
          <ApiProblemPanel problem={diff.problem} retryHref={permalink} />
        )}
      </section>
    </>
  );
}
