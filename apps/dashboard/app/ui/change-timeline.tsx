'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useRef, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { bucketize, chooseBucketMs, clipIntervals, countedBuckets, roundTicks, totalMs, type ChangeCountBucket, type TimedEvent, type TimelineBucket } from '../lib/timeline-buckets';
import { formatDuration } from '../lib/time';

export interface ChangeTimelineProps {
  /** accessible name of the chart */
  title: string;
  from: string;
  to: string;
  /** the individual changes, bucketed here… */
  events?: readonly TimedEvent[];
  /** …or changes already counted per bucket (the API's clusterChangeRate); takes precedence */
  counts?: readonly ChangeCountBucket[];
  /** stretches without coverage, shaded */
  gaps?: ReadonlyArray<{ start: string; end: string }>;
  /** a vertical line, e.g. the "show state at" time */
  marker?: { at: string; label: string };
  /** what `group` means in the tooltip: "node" or "kind" */
  groupNoun: string;
  /** clicking a bar opens `${linkBase}?from=…&to=…` for that bucket */
  linkBase?: string;
  /** fixed size (tests); responsive to its container otherwise */
  size?: { width: number; height: number };
  /** brush-to-zoom: dragging across bars sets the page's `from`/`to` to the selection (default on) */
  zoomable?: boolean;
}

const NO_EVENTS: readonly TimedEvent[] = [];
const NO_GAPS: ReadonlyArray<{ start: string; end: string }> = [];

function label(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs > 2 * 86_400_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** A round top for the count axis (at least 1): 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ. */
function niceCeiling(value: number): number {
  const v = Math.max(1, value);
  const magnitude = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * magnitude >= v) ?? 10) * magnitude);
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function BucketTooltip({ active, payload, groupNoun }: Partial<TooltipContentProps<number, string>> & { groupNoun: string }) {
  const bucket = active ? (payload?.[0]?.payload as TimelineBucket | undefined) : undefined;
  if (!bucket) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        {isoSeconds(bucket.start).slice(0, 16).replace('T', ' ')}–{isoSeconds(bucket.end).slice(11, 16)} UTC
      </strong>
      <div>
        {bucket.count} change{bucket.count === 1 ? '' : 's'}
        {bucket.afterGap > 0 ? ` (${bucket.afterGap} recorded after a gap)` : ''}
      </div>
      {bucket.firstSeen > 0 ? (
        <div>
          {bucket.firstSeen} node{bucket.firstSeen === 1 ? '' : 's'} first seen (not counted as changes)
        </div>
      ) : null}
      {bucket.gapMs > 0 ? <div>no data for {formatDuration(bucket.gapMs)}</div> : null}
      {bucket.groups.length === 0 && bucket.groupCount ? (
        <div>
          on {bucket.groupCount} {groupNoun}
          {bucket.groupCount === 1 ? '' : 's'}
        </div>
      ) : null}
      {bucket.groups.length > 0 ? (
        <ul>
          {bucket.groups.slice(0, 5).map(([group, count]) => (
            <li key={group}>
              {group}: {count}
            </li>
          ))}
          {bucket.groups.length > 5 ? <li>and {bucket.groups.length - 5} more {groupNoun}s</li> : null}
        </ul>
      ) : null}
    </div>
  );
}

function indexOf(state: { activeTooltipIndex?: unknown } | null | undefined): number | undefined {
  const index = typeof state?.activeTooltipIndex === 'number' ? state.activeTooltipIndex : Number(state?.activeTooltipIndex);
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** Changes per time bucket as bars, coverage gaps shaded, optional marker; with a table for screen readers and keyboards. */
/** The current page with `from`/`to` set to the selection (cursors and `at` outside it dropped). */
function zoomedHref(pathname: string, search: URLSearchParams, start: number, end: number): string {
  const next = new URLSearchParams(search);
  next.set('from', isoSeconds(start));
  next.set('to', isoSeconds(end));
  next.delete('after');
  next.delete('range');
  const at = next.get('at');
  if (at && !(Date.parse(at) >= start && Date.parse(at) <= end)) next.delete('at');
  return `${pathname}?${next.toString().replace(/%3A/gi, ':')}`;
}

export function ChangeTimeline({ title, from, to, events = NO_EVENTS, counts, gaps = NO_GAPS, marker, groupNoun, linkBase, size, zoomable = true }: ChangeTimelineProps) {
  const router = useRouter();
  const pathname = usePathname() ?? '/';
  const search = useSearchParams();
  // Brush: the bucket index where the drag started and where it is now.
  const [brush, setBrush] = useState<{ from: number; to: number } | undefined>(undefined);
  // A drag ends with a click on the last bar: that click must not also open the bucket's link.
  const dragged = useRef(false);
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const first = counts?.[0];
  const bucketMs = first ? Date.parse(first.end) - Date.parse(first.start) : chooseBucketMs(toMs - fromMs);
  const clippedGaps = useMemo(() => clipIntervals(gaps, fromMs, toMs), [gaps, fromMs, toMs]);
  const buckets = useMemo(
    () => (counts ? countedBuckets(counts, clippedGaps) : bucketize(events, fromMs, toMs, clippedGaps, bucketMs)),
    [counts, events, fromMs, toMs, clippedGaps, bucketMs],
  );
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  // A node's first snapshot is its "first seen" event: a series of its own, never a change.
  const firstSeenTotal = buckets.reduce((sum, b) => sum + b.firstSeen, 0);
  const busiest = buckets.reduce<TimelineBucket | undefined>((best, b) => (b.count > (best?.count ?? 0) ? b : best), undefined);
  const summary = `${total} change${total === 1 ? '' : 's'} between ${isoSeconds(fromMs)} and ${isoSeconds(toMs)} in ${formatDuration(bucketMs)} buckets${
    busiest ? `; busiest ${isoSeconds(busiest.start)} with ${busiest.count}` : ''
  }${firstSeenTotal ? `; ${firstSeenTotal} node${firstSeenTotal === 1 ? '' : 's'} first seen (not counted as changes)` : ''}${clippedGaps.length ? `; ${clippedGaps.length} gap${clippedGaps.length === 1 ? '' : 's'} in coverage (${formatDuration(totalMs(clippedGaps))} without data)` : ''}.`;
  // The count axis is as wide as its longest label (12000 needs more room than 36 px).
  const yAxisWidth = 14 + 8 * String(niceCeiling(Math.max(busiest?.count ?? 0, ...buckets.map((b) => b.firstSeen)))).length;
  const domainStart = buckets[0]?.start ?? fromMs;
  const domainEnd = buckets[buckets.length - 1]?.end ?? toMs;
  const sizing = size ? { width: size.width, height: size.height } : { responsive: true };

  return (
    <figure className="timeline" style={{ margin: 0 }} data-testid="change-timeline">
      <div className="chart" style={size ? { height: size.height } : undefined}>
        <ComposedChart
          {...sizing}
          data={buckets}
          margin={{ top: 8, right: 12, bottom: 4, left: 0 }}
          barCategoryGap={1}
          accessibilityLayer
          title={title}
          desc={summary}
          onMouseDown={(state) => {
            const index = indexOf(state);
            if (zoomable && index !== undefined) setBrush({ from: index, to: index });
          }}
          onMouseMove={(state) => {
            const index = indexOf(state);
            if (brush && index !== undefined && index !== brush.to) setBrush({ ...brush, to: index });
          }}
          onMouseUp={() => {
            if (!brush) return;
            setBrush(undefined);
            if (brush.from === brush.to) return;
            dragged.current = true;
            const first = buckets[Math.min(brush.from, brush.to)];
            const last = buckets[Math.max(brush.from, brush.to)];
            if (first && last) router.push(zoomedHref(pathname, new URLSearchParams(search?.toString() ?? ''), Math.max(first.start, fromMs), Math.min(last.end, toMs)));
          }}
          onMouseLeave={() => setBrush(undefined)}
          onClick={(state) => {
            if (dragged.current) {
              dragged.current = false;
              return;
            }
            const index = indexOf(state);
            const bucket = index !== undefined ? buckets[index] : undefined;
            if (linkBase && bucket && bucket.count > 0) router.push(`${linkBase}?from=${isoSeconds(Math.max(bucket.start, fromMs))}&to=${isoSeconds(Math.min(bucket.end, toMs))}`);
          }}
          style={{ ...(size ? {} : { width: '100%', height: '100%' }), cursor: linkBase ? 'pointer' : undefined }}
        >
          <CartesianGrid vertical={false} />
          <XAxis dataKey="mid" type="number" scale="time" domain={[domainStart, domainEnd]} ticks={roundTicks(domainStart, domainEnd)} tickFormatter={(v: number) => label(v, toMs - fromMs)} minTickGap={16} />
          <YAxis allowDecimals={false} width={Math.max(36, yAxisWidth)} domain={[0, (dataMax: number) => niceCeiling(dataMax)]} />
          {clippedGaps.map((gap) => (
            <ReferenceArea key={`${gap.start}-${gap.end}`} x1={gap.start} x2={gap.end} className="gap-area" fill="currentColor" fillOpacity={1} ifOverflow="hidden" />
          ))}
          <Bar dataKey="count" name="changes" className="bar-changes" fill="currentColor" isAnimationActive={false} minPointSize={0} />
          {firstSeenTotal > 0 ? <Bar dataKey="firstSeen" name="first seen" className="bar-first-seen" fill="currentColor" isAnimationActive={false} minPointSize={0} /> : null}
          {marker ? <ReferenceLine x={Date.parse(marker.at)} className="marker-line" stroke="currentColor" strokeWidth={2} ifOverflow="hidden" /> : null}
          {brush && brush.from !== brush.to ? (
            <ReferenceArea
              x1={buckets[Math.min(brush.from, brush.to)]?.start}
              x2={buckets[Math.max(brush.from, brush.to)]?.end}
              className="brush-area"
              fill="currentColor"
              fillOpacity={0.15}
              ifOverflow="hidden"
              data-testid="brush-selection"
            />
          ) : null}
          <Tooltip content={<BucketTooltip groupNoun={groupNoun} />} cursor={{ fillOpacity: 0.08 }} isAnimationActive={false} />
        </ComposedChart>
      </div>
      <figcaption>
        <ul className="chart-legend">
          <li>
            <span className="swatch bar" aria-hidden="true" /> changes per {formatDuration(bucketMs)}
          </li>
          {firstSeenTotal > 0 ? (
            <li data-testid="first-seen-legend">
              <span className="swatch first-seen" aria-hidden="true" /> nodes first seen ({firstSeenTotal}; not counted as changes)
            </li>
          ) : null}
          {zoomable ? <li className="card-note">drag across bars to zoom in</li> : null}
          {clippedGaps.length > 0 ? (
            <li data-testid="gap-legend">
              <span className="swatch gap" aria-hidden="true" /> no data ({clippedGaps.length} gap{clippedGaps.length === 1 ? '' : 's'}, {formatDuration(totalMs(clippedGaps))})
            </li>
          ) : null}
          {marker ? (
            <li>
              <span className="swatch marker" aria-hidden="true" /> {marker.label}
            </li>
          ) : null}
        </ul>
        <p className="visually-hidden">{summary}</p>
      </figcaption>
      <details>
        <summary className="card-note">Changes per bucket as a table</summary>
        <div className="table-wrap" tabIndex={0}>
          <table className="data">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">From (UTC)</th>
                <th scope="col" className="num">
                  Changes
                </th>
                <th scope="col" className={counts ? 'num' : undefined}>
                  {counts ? `${groupNoun.charAt(0).toUpperCase()}${groupNoun.slice(1)}s with changes` : `Most changes by ${groupNoun}`}
                </th>
                {firstSeenTotal > 0 ? (
                  <th scope="col" className="num">
                    First seen
                  </th>
                ) : null}
                <th scope="col">No data</th>
              </tr>
            </thead>
            <tbody>
              {buckets
                .filter((b) => b.count > 0 || b.firstSeen > 0 || b.gapMs > 0)
                .map((b) => (
                  <tr key={b.start}>
                    <td>
                      {linkBase && b.count > 0 ? (
                        <a href={`${linkBase}?from=${isoSeconds(Math.max(b.start, fromMs))}&to=${isoSeconds(Math.min(b.end, toMs))}`}>{isoSeconds(b.start).slice(0, 16).replace('T', ' ')}</a>
                      ) : (
                        isoSeconds(b.start).slice(0, 16).replace('T', ' ')
                      )}
                    </td>
                    <td className="num">{b.count}</td>
                    <td className={counts ? 'num' : undefined}>{counts ? (b.groupCount ?? '') : b.groups.slice(0, 3).map(([g, c]) => `${g} (${c})`).join(', ')}</td>
                    {firstSeenTotal > 0 ? <td className="num">{b.firstSeen}</td> : null}
                    <td>{b.gapMs > 0 ? formatDuration(b.gapMs) : ''}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
