import { DAY, HOUR, MINUTE, formatUtc, parseInstant, toIso } from './time';

// One time range for the whole app, in the URL: `from` and `to` (the window charts and lists
// cover) and `at` (the instant a state is shown at). Each is an ISO-8601 instant in UTC or a
// Grafana-like expression relative to now (`now`, `now-6h`, `now-15m`, `now-2d`). Pages keep the
// user's text in links, so a relative range stays relative when moving between pages.

export const MAX_RANGE_MS = 31 * DAY;

export const RANGE_PRESETS = [
  { id: '5m', label: 'Last 5 min', ms: 5 * MINUTE },
  { id: '15m', label: 'Last 15 min', ms: 15 * MINUTE },
  { id: '30m', label: 'Last 30 min', ms: 30 * MINUTE },
  { id: '1h', label: 'Last 1 h', ms: HOUR },
  { id: '3h', label: 'Last 3 h', ms: 3 * HOUR },
  { id: '6h', label: 'Last 6 h', ms: 6 * HOUR },
  { id: '12h', label: 'Last 12 h', ms: 12 * HOUR },
  { id: '24h', label: 'Last 24 h', ms: DAY },
  { id: '2d', label: 'Last 2 d', ms: 2 * DAY },
  { id: '7d', label: 'Last 7 d', ms: 7 * DAY },
] as const;

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };
const RELATIVE = /^now(?:\s*([-+])\s*(\d{1,6})\s*([smhdw]))?$/i;
const MAX_INPUT = 40;

/** `now`, `now-6h` (relative to `now`) or an ISO instant; undefined when it is neither. */
export function parseTimeExpression(text: string, now: Date): Date | undefined {
  const trimmed = text.trim();
  if (trimmed.length > MAX_INPUT) return undefined;
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign || !amount || !unit) return new Date(now.getTime());
    const delta = Number(amount) * (UNIT_MS[unit.toLowerCase()] ?? 0);
    return new Date(now.getTime() + (sign === '-' ? -delta : delta));
  }
  return parseInstant(trimmed);
}

export function isRelative(text: string): boolean {
  return RELATIVE.test(text.trim());
}

/** What the URL said, kept verbatim (the form shows it back, links carry it). */
export interface TimeRangeInput {
  from?: string;
  to?: string;
  at?: string;
}

export type TimeRangeField = keyof TimeRangeInput;

export type TimeRange =
  | {
      ok: true;
      input: TimeRangeInput;
      from: Date;
      to: Date;
      /** the instant a state is shown at, when the URL asks for one */
      at?: Date;
      /** what was adjusted, e.g. a future `to` clamped to now */
      notes: string[];
    }
  | { ok: false; input: TimeRangeInput; errors: Partial<Record<TimeRangeField, string>> };

const LABELS: Record<TimeRangeField, string> = { from: '“From”', to: '“To”', at: '“At”' };
const FORMAT_HINT = 'use now, now-6h, now-15m… or YYYY-MM-DDTHH:mm:ssZ (UTC)';

function firstValue(value: string | string[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined || one.trim() === '' ? undefined : one;
}

export function timeRangeInput(raw: Record<string, string | string[] | undefined>): TimeRangeInput {
  return { from: firstValue(raw['from']), to: firstValue(raw['to']), at: firstValue(raw['at']) };
}

/**
 * The range a page shows. Invalid input (unparsable, `from` not before `to`, over 31 days) is an
 * error: the page keeps the input and shows no data. A `to` or `at` in the future is clamped to
 * now with a note. Without `from`/`to` the page's default window ending now is used; with only
 * `at`, the default window ends at `at`.
 */
export function resolveTimeRange(input: TimeRangeInput, now: Date, defaultWindowMs: number): TimeRange {
  const errors: Partial<Record<TimeRangeField, string>> = {};
  const notes: string[] = [];
  const parse = (field: TimeRangeField): Date | undefined => {
    const text = input[field];
    if (text === undefined) return undefined;
    const date = parseTimeExpression(text, now);
    if (!date) errors[field] = text.trim().length > MAX_INPUT ? `${LABELS[field]} is too long (at most ${MAX_INPUT} characters)` : `${LABELS[field]} “${text}” is not a time: ${FORMAT_HINT}`;
    return date;
  };
  let from = parse('from');
  let to = parse('to');
  let at = parse('at');
  if (Object.keys(errors).length > 0) return { ok: false, input, errors };

  if (to && to.getTime() > now.getTime()) {
    notes.push(`“To” (${formatUtc(to)}) is in the future: showing up to now, ${formatUtc(now)}.`);
    to = new Date(now.getTime());
  }
  if (at && at.getTime() > now.getTime()) {
    notes.push(`“At” (${formatUtc(at)}) is in the future: showing the state now, ${formatUtc(now)}.`);
    at = new Date(now.getTime());
  }
  const end = to ?? (at && !from ? at : now);
  from ??= new Date(end.getTime() - defaultWindowMs);
  to = end;
  if (from.getTime() >= to.getTime()) return { ok: false, input, errors: { to: `“To” (${formatUtc(to)}) must be after “From” (${formatUtc(from)})` } };
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) return { ok: false, input, errors: { from: `the range is at most 31 days (from ${formatUtc(from)} to ${formatUtc(to)} is longer)` } };
  return { ok: true, input, from, to, at, notes };
}

/** The query parameters that carry the range to another page (the user's own text, relative or absolute). */
export function rangeParams(input: TimeRangeInput, options: { at?: boolean } = {}): Record<string, string | undefined> {
  return { from: input.from, to: input.to, ...(options.at === false ? {} : { at: input.at }) };
}

/** The same window as absolute ISO instants (for permalinks that must not move with time). */
export function absoluteParams(from: Date, to: Date): { from: string; to: string } {
  return { from: toIso(from), to: toIso(to) };
}

/** The preset whose relative text the input is (`from=now-6h`, `to` absent or `now`). */
export function currentPreset(input: TimeRangeInput): string | undefined {
  if (!input.from || (input.to !== undefined && input.to.trim().toLowerCase() !== 'now')) return undefined;
  const match = /^now-(\d+)([mhd])$/i.exec(input.from.trim());
  return match?.[1] && match[2] ? `${match[1]}${match[2].toLowerCase()}` : undefined;
}
