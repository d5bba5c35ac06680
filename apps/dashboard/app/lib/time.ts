// Times on the dashboard are UTC everywhere: in the URL (ISO-8601), in pickers and on screen, so a
// permalink means the same instant to everyone who opens it.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const QUICK_RANGES = [
  { id: '15m', label: 'Last 15 min', ms: 15 * MINUTE },
  { id: '1h', label: 'Last 1 h', ms: HOUR },
  { id: '24h', label: 'Last 24 h', ms: DAY },
  { id: '7d', label: 'Last 7 d', ms: 7 * DAY },
] as const;
export type QuickRangeId = (typeof QUICK_RANGES)[number]['id'];

export const WINDOWS = [
  { id: '1h', label: '1 h', ms: HOUR },
  { id: '6h', label: '6 h', ms: 6 * HOUR },
  { id: '24h', label: '24 h', ms: DAY },
  { id: '7d', label: '7 d', ms: 7 * DAY },
] as const;
export type WindowId = (typeof WINDOWS)[number]['id'];

export function windowMs(id: WindowId): number {
  return WINDOWS.find((w) => w.id === id)?.ms ?? DAY;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * An instant from the URL or a picker: ISO-8601 with a zone (`2026-01-02T03:04:05Z`,
 * `+02:00`), or a zone-less `YYYY-MM-DDTHH:mm[:ss]` as a datetime-local input sends it, read as UTC.
 */
export function parseInstant(value: string): Date | undefined {
  const trimmed = value.trim();
  const local = LOCAL_INPUT.exec(trimmed);
  if (local) {
    const [y, mo, d, h, mi, s = 0, ms = 0] = local.slice(1).map((part, i) => (part === undefined ? undefined : Number(i === 6 ? part.padEnd(3, '0') : part)));
    const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s, ms));
    return date.getUTCMonth() === (mo ?? 1) - 1 && date.getUTCDate() === d ? date : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) return undefined;
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `2026-01-02T03:04:05Z`: what goes into URLs (seconds are enough, but keep milliseconds when present). */
export function toIso(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** The value of a `<input type="datetime-local" step="1">`, in UTC. */
export function toInputValue(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** `2026-01-02 03:04:05 UTC` */
export function formatUtc(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `03:04:05` (UTC), for rows inside a dated group. */
export function formatClock(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return date.toISOString().slice(11, 19);
}

/** `3 min ago`, `2 h ago`, `in 5 s` */
export function formatRelative(value: string | Date, now: Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  const delta = now.getTime() - date.getTime();
  const text = formatDuration(Math.abs(delta));
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h` */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
