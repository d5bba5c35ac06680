import { DAY, HOUR, MINUTE } from './time';

// Pure helpers behind the change charts: fixed-width time buckets over a window (filled from
// individual changes, or from counts the API made per bucket), and the coverage gaps clipped to
// it (a gap is "no data", never "nothing changed").

export interface TimedEvent {
  at: string;
  /** what to count it under in the tooltip: a node name, or a fact kind */
  group: string;
  /** the change was recorded by the snapshot that ended a coverage gap: it happened somewhere in the gap */
  afterGap?: boolean;
}

export interface TimelineBucket {
  start: number;
  end: number;
  /** bucket midpoint, the x value of its bar */
  mid: number;
  count: number;
  /** changes recorded right after a gap (their real time is unknown) */
  afterGap: number;
  /** nodes first seen in the bucket (their first snapshot: not changes, not in `count`) */
  firstSeen: number;
  /** counts per group, largest first (empty when only counts are known) */
  groups: Array<[string, number]>;
  /** how many distinct groups changed, when the counts came without their groups */
  groupCount?: number;
  /** milliseconds of the bucket without coverage */
  gapMs: number;
}

export interface Interval {
  start: number;
  end: number;
}

const STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];

/** The smallest "round" bucket width that splits the window into at most `maxBuckets` buckets. */
export function chooseBucketMs(windowMs: number, maxBuckets = 96): number {
  return STEPS.find((step) => windowMs / step <= maxBuckets) ?? Math.ceil(windowMs / maxBuckets / DAY) * DAY;
}

/** One bucket as the API counts it (clusterChangeRate): changes in (start, end]. */
export interface ChangeCountBucket {
  start: string;
  end: string;
  count: number;
  /** distinct nodes that changed in the bucket */
  nodeCount?: number;
  /** nodes first seen in the bucket: counted apart, never as changes */
  firstSeen?: number;
}

/** The buckets `bucketize` draws for (from, to]: aligned on multiples of `bucketMs` (UTC), the first starting at or before `from`, the last ending at or after `to`. */
export function alignedBuckets(from: number, to: number, bucketMs = chooseBucketMs(to - from)): { start: number; end: number; buckets: number } {
  const start = Math.floor(from / bucketMs) * bucketMs;
  const buckets = Math.max(1, Math.ceil((to - start) / bucketMs));
  return { start, end: start + buckets * bucketMs, buckets };
}

/** Buckets counted elsewhere (the API), with the coverage gaps of each, ready to draw. */
export function countedBuckets(counts: readonly ChangeCountBucket[], gaps: readonly Interval[] = []): TimelineBucket[] {
  return counts.map((c) => {
    const start = Date.parse(c.start);
    const end = Date.parse(c.end);
    const gapMs = gaps.reduce((sum, g) => sum + Math.max(0, Math.min(end, g.end) - Math.max(start, g.start)), 0);
    return { start, end, mid: start + (end - start) / 2, count: c.count, afterGap: 0, firstSeen: c.firstSeen ?? 0, groups: [], groupCount: c.nodeCount, gapMs };
  });
}

/** Gaps as numbers, clipped to [from, to], empty ones dropped. */
export function clipIntervals(intervals: ReadonlyArray<{ start: string; end: string }>, from: number, to: number): Interval[] {
  return intervals
    .map((g) => ({ start: Math.max(from, Date.parse(g.start)), end: Math.min(to, Date.parse(g.end)) }))
    .filter((g) => g.end > g.start)
    .sort((a, b) => a.start - b.start);
}

/** Buckets aligned on multiples of the bucket width (UTC), covering [from, to]. */
export function bucketize(events: readonly TimedEvent[], from: number, to: number, gaps: readonly Interval[] = [], bucketMs = chooseBucketMs(to - from)): TimelineBucket[] {
  if (!(to > from)) return [];
  const first = Math.floor(from / bucketMs) * bucketMs;
  const buckets: Array<TimelineBucket & { tally: Map<string, number> }> = [];
  for (let start = first; start < to; start += bucketMs) {
    const end = start + bucketMs;
    const gapMs = gaps.reduce((sum, g) => sum + Math.max(0, Math.min(end, g.end) - Math.max(start, g.start)), 0);
    buckets.push({ start, end, mid: start + bucketMs / 2, count: 0, afterGap: 0, firstSeen: 0, groups: [], gapMs, tally: new Map() });
  }
  for (const event of events) {
    const t = Date.parse(event.at);
    if (!(t > from && t <= to) && !(t === from && from === first)) continue;
    // (from, to] like the API's windows; a change exactly on a boundary belongs to the bucket it ends.
    const index = Math.min(buckets.length - 1, Math.max(0, Math.ceil((t - first) / bucketMs) - 1));
    const bucket = buckets[index];
    if (!bucket) continue;
    bucket.count++;
    if (event.afterGap) bucket.afterGap++;
    bucket.tally.set(event.group, (bucket.tally.get(event.group) ?? 0) + 1);
  }
  return buckets.map(({ tally, ...bucket }) => ({ ...bucket, groups: [...tally].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) }));
}

export function totalMs(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, i) => sum + (i.end - i.start), 0);
}

const TICK_STEPS = [MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY];

/** Axis ticks on round UTC times (multiples of a step), at most `maxTicks` inside [from, to]. */
export function roundTicks(from: number, to: number, maxTicks = 8): number[] {
  const step = TICK_STEPS.find((s) => (to - from) / s <= maxTicks) ?? Math.ceil((to - from) / maxTicks / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}
