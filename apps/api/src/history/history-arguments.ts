import { HistoryError, HistoryErrorCode } from './history.errors';

/** Longest window `changes` and `clusterChanges` accept: a month of incident timeline per query. */
export const MAX_CHANGE_WINDOW_DAYS = 31;
export const MAX_CHANGE_WINDOW_MS = MAX_CHANGE_WINDOW_DAYS * 24 * 3600 * 1000;

export const PAGE_SIZES = {
  nodes: { default: 50, max: 500 },
  changes: { default: 100, max: 1000 },
  clusterChanges: { default: 100, max: 1000 },
} as const;

/** Most buckets `clusterChangeRate` draws: more than any chart has pixels for. */
export const MAX_RATE_BUCKETS = 1000;

/** `first` within [1, max]; absent means the default. */
export function pageSize(first: number | null | undefined, limits: { default: number; max: number }): number {
  if (first === null || first === undefined) return limits.default;
  if (!Number.isInteger(first) || first < 1 || first > limits.max) {
    throw new HistoryError(HistoryErrorCode.InvalidArgument, `first must be between 1 and ${limits.max}, got ${first}`);
  }
  return first;
}

/**
 * A window [from, to] with `from` strictly before `to`, at most `maxMs` long when given.
 * `names` are the GraphQL argument names the message should use.
 */
export function timeWindow(from: Date, to: Date, names: readonly [string, string] = ['from', 'to'], maxMs?: number): { from: Date; to: Date } {
  const [fromName, toName] = names;
  requireValidDate(from, fromName);
  requireValidDate(to, toName);
  if (from.getTime() >= to.getTime()) {
    throw new HistoryError(HistoryErrorCode.InvalidTimeRange, `${fromName} (${from.toISOString()}) must be before ${toName} (${to.toISOString()})`);
  }
  if (maxMs !== undefined && to.getTime() - from.getTime() > maxMs) {
    const days = Math.round(maxMs / 86400000);
    throw new HistoryError(HistoryErrorCode.InvalidTimeRange, `the window from ${fromName} to ${toName} is longer than ${days} days; page through shorter windows`);
  }
  return { from, to };
}

export function requireValidDate(value: Date, name: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new HistoryError(HistoryErrorCode.InvalidArgument, `${name} must be an ISO-8601 date-time`);
  }
  return value;
}

/** `buckets` within [1, MAX_RATE_BUCKETS], and no bucket shorter than a millisecond (the storage resolution). */
export function bucketCount(buckets: number, window: { from: Date; to: Date }, names: readonly [string, string] = ['from', 'to']): number {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_RATE_BUCKETS) {
    throw new HistoryError(HistoryErrorCode.InvalidArgument, `buckets must be between 1 and ${MAX_RATE_BUCKETS}, got ${buckets}`);
  }
  const spanMs = window.to.getTime() - window.from.getTime();
  if (spanMs < buckets) {
    throw new HistoryError(
      HistoryErrorCode.InvalidArgument,
      `buckets (${buckets}) would be shorter than a millisecond: the window from ${names[0]} to ${names[1]} is ${spanMs} ms; ask for at most ${spanMs} buckets`,
    );
  }
  return buckets;
}
