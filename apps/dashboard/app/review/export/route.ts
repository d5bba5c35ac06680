import { fetchReviewChanges, fetchWindowChangeRate, fetchWindowFindings } from '../../lib/data';
import { ApiProblemError } from '../../lib/api-problem';
import { reviewMarkdown, type MarkdownChange } from '../../lib/review-markdown';
import { HOUR, toIso } from '../../lib/time';
import { fetchWindowProbes } from '../../probes/probe-data';
import { resolveTimeRange, timeRangeInput } from '../../lib/time-range';

// GET /review/export?from=&to=: the incident review of the window as a Markdown file.
export const dynamic = 'force-dynamic';

/** Changes exported at most (pages of 1,000); the file says when the window held more. */
const MAX_EXPORT_PAGES = 5;

export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const now = new Date();
  const range = resolveTimeRange(timeRangeInput(Object.fromEntries(url.searchParams)), now, HOUR);
  if (!range.ok) return Response.json({ error: 'invalid time range', fields: range.errors }, { status: 400 });
  try {
    const changes: MarkdownChange[] = [];
    let after: string | undefined;
    let truncated = false;
    for (let page = 0; ; page++) {
      const result = await fetchReviewChanges(range.from, range.to, after);
      changes.push(...result.changes);
      if (!result.hasNextPage || !result.endCursor) break;
      if (page + 1 >= MAX_EXPORT_PAGES) {
        truncated = true;
        break;
      }
      after = result.endCursor;
    }
    const [rate, findings, probes] = await Promise.all([fetchWindowChangeRate(range.from, range.to), fetchWindowFindings(range.from, range.to), fetchWindowProbes(range.from, range.to)]);
    const text = reviewMarkdown({
      from: range.from,
      to: range.to,
      origin: url.origin,
      changes,
      truncated,
      totalChanges: rate.reduce((sum, b) => sum + b.count, 0),
      findings: findings.findings,
      probes: probes.probes,
      moreProbes: probes.more,
    });
    const name = `routescope-review-${toIso(range.from).replace(/:/g, '')}-${toIso(range.to).replace(/:/g, '')}.md`;
    return new Response(text, { headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' } });
  } catch (error) {
    if (error instanceof ApiProblemError) return Response.json({ error: error.problem.title }, { status: 502 });
    throw error;
  }
}
