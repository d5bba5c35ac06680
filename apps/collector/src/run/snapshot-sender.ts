import { clockSkewFromDateHeader } from './clock-skew';

/** What the server's answer means for the snapshot, plus what every answer tells about time. */
export type DeliveryOutcome = (
  | { kind: 'delivered'; status: number; detail: string }
  /** the server will never accept this snapshot as it is (4xx): it moves to rejected/ with `body`. */
  | { kind: 'rejected'; status: number; detail: string; body: string }
  /** worth trying again later: the server is down, overloaded (5xx, 429), or refuses our token for now. */
  | { kind: 'retry'; status?: number; detail: string; retryAfterMs?: number }
) & {
  /** this collector's clock minus the server's (its `Date` header), in ms, when the server sent one. */
  clockSkewMs?: number;
};

/**
 * 4xx answers that are not about the snapshot, so they are retried rather than rejecting it:
 * the token (401, 403: fixed by an operator, then every spooled snapshot is still there), the
 * request timing out (408) and rate limits (429).
 */
const RETRIED_CLIENT_ERRORS = new Set([401, 403, 408, 429]);
/** Most of a rejection's body kept beside the snapshot in rejected/. */
const MAX_KEPT_BODY = 64 * 1024;

/** Posts snapshots to the Routescope API (`POST /api/v1/snapshots`). */
export class SnapshotSender {
  readonly url: string;

  constructor(
    server: string,
    private readonly token: string,
    private readonly timeoutMs = 15000,
    private readonly now: () => number = Date.now,
  ) {
    this.url = new URL('/api/v1/snapshots', server).toString();
  }

  async send(body: string): Promise<DeliveryOutcome> {
    let response: Response;
    const sentAt = this.now();
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { kind: 'retry', detail: cause ?? (error as Error).message };
    }
    const clockSkewMs = clockSkewFromDateHeader(response.headers.get('date'), sentAt, this.now());
    const text = await response.text().catch(() => '');
    const detail = text.slice(0, 300).replace(/\s+/g, ' ');
    const time = clockSkewMs === undefined ? {} : { clockSkewMs };
    if (response.ok) return { kind: 'delivered', status: response.status, detail, ...time };
    if (response.status >= 400 && response.status < 500 && !RETRIED_CLIENT_ERRORS.has(response.status)) {
      return { kind: 'rejected', status: response.status, detail, body: text.slice(0, MAX_KEPT_BODY), ...time };
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'), this.now());
    return { kind: 'retry', status: response.status, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...time };
  }
}

/** `Retry-After` as milliseconds from now: delta-seconds, or an HTTP-date read against the server's own `Date`. */
export function parseRetryAfter(value: string | null, serverDate: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (!Number.isFinite(at)) return undefined;
  const reference = serverDate === null ? NaN : Date.parse(serverDate);
  return Math.max(0, at - (Number.isFinite(reference) ? reference : now));
}
