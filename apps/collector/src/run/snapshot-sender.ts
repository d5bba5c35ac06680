import { clockSkewFromDateHeader } from './clock-skew';

/** What the server's answer means for the snapshot, plus what every answer tells about time. */
export type DeliveryOutcome = (
  /** `stateHash`: the node's state hash the API now holds, when it says so (contract v1.1) */
  | { kind: 'delivered'; status: number; detail: string; stateHash?: string }
  /** the server will never accept this snapshot as it is (4xx): it moves to rejected/ with `body`. */
  | { kind: 'rejected'; status: number; detail: string; body: string }
  /** worth trying again later: the server is down, overloaded (5xx, 429), or refuses our token for now. */
  | { kind: 'retry'; status?: number; detail: string; retryAfterMs?: number }
) & {
  /** this collector's clock minus the server's (its `Date` header), in ms, when the server sent one. */
  clockSkewMs?: number;
};

/** What the API made of a heartbeat (contract v1.1), plus what every answer tells about time. */
export type HeartbeatOutcome = (
  /** unchanged or duplicate: it stood for the snapshot, which is delivered */
  | { kind: 'acknowledged'; status: number; stateHash?: string }
  /** resend, or a refusal of this heartbeat (400, 409): post the full snapshot now, which gets the definitive answer */
  | { kind: 'resend'; status: number; detail: string }
  /** the API has no heartbeat route (a v1 API answers 404, 405, 413 or 501): post full snapshots */
  | { kind: 'unsupported'; status: number; detail: string }
  | { kind: 'retry'; status?: number; detail: string; retryAfterMs?: number }
) & { clockSkewMs?: number };

/** Answers to a heartbeat that mean the API does not have the route: a v1 API's request gate refuses the body (413), a proxy 404s. */
const NO_HEARTBEAT_ROUTE = new Set([404, 405, 413, 501]);

/**
 * 4xx answers that are not about the snapshot, so they are retried rather than rejecting it:
 * the token (401, 403: fixed by an operator, then every spooled snapshot is still there), the
 * request timing out (408) and rate limits (429).
 */
const RETRIED_CLIENT_ERRORS = new Set([401, 403, 408, 429]);
/** Most of a rejection's body kept beside the snapshot in rejected/. */
const MAX_KEPT_BODY = 64 * 1024;

/** Posts snapshots (`POST /api/v1/snapshots`) and heartbeats (`POST /api/v1/heartbeats`, contract v1.1) to the Routescope API. */
export class SnapshotSender {
  readonly url: string;
  readonly heartbeatUrl: string;

  constructor(
    server: string,
    private readonly token: string,
    private readonly timeoutMs = 15000,
    private readonly now: () => number = Date.now,
  ) {
    this.url = new URL('/api/v1/snapshots', server).toString();
    this.heartbeatUrl = new URL('/api/v1/heartbeats', server).toString();
  }

  async send(body: string): Promise<DeliveryOutcome> {
    const answer = await this.post(this.url, body);
    if (answer.kind === 'retry') return answer;
    const { status, text, detail, time, retryAfterMs } = answer;
    if (status >= 200 && status < 300) {
      const stateHash = stateHashOf(text);
      return { kind: 'delivered', status, detail, ...(stateHash ? { stateHash } : {}), ...time };
    }
    if (status >= 400 && status < 500 && !RETRIED_CLIENT_ERRORS.has(status)) {
      return { kind: 'rejected', status, detail, body: text.slice(0, MAX_KEPT_BODY), ...time };
    }
    return { kind: 'retry', status, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...time };
  }

  async sendHeartbeat(body: string): Promise<HeartbeatOutcome> {
    const answer = await this.post(this.heartbeatUrl, body);
    if (answer.kind === 'retry') return answer;
    const { status, text, detail, time, retryAfterMs } = answer;
    if (status >= 200 && status < 300) {
      const verdict = parseJson(text) as { status?: unknown; stateHash?: unknown } | undefined;
      if (verdict?.status === 'unchanged' || verdict?.status === 'duplicate') {
        const stateHash = stateHashOf(text);
        return { kind: 'acknowledged', status, ...(stateHash ? { stateHash } : {}), ...time };
      }
      // resend, or an answer this collector does not know: the full snapshot is never wrong.
      return { kind: 'resend', status, detail, ...time };
    }
    if (NO_HEARTBEAT_ROUTE.has(status)) return { kind: 'unsupported', status, detail, ...time };
    if (status >= 400 && status < 500 && !RETRIED_CLIENT_ERRORS.has(status)) return { kind: 'resend', status, detail, ...time };
    return { kind: 'retry', status, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...time };
  }

  /** One POST; a network failure (refused, reset, timed out) is a retry. */
  private async post(url: string, body: string) {
    let response: Response;
    const sentAt = this.now();
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { kind: 'retry' as const, detail: cause ?? (error as Error).message };
    }
    const clockSkewMs = clockSkewFromDateHeader(response.headers.get('date'), sentAt, this.now());
    const text = await response.text().catch(() => '');
    const retryAfterMs = response.ok ? undefined : parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'), this.now());
    return {
      kind: 'answer' as const,
      status: response.status,
      text,
      detail: text.slice(0, 300).replace(/\s+/g, ' '),
      time: clockSkewMs === undefined ? {} : { clockSkewMs },
      retryAfterMs,
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The answer's `stateHash` (contract v1.1), when it is one. */
function stateHashOf(text: string): string | undefined {
  const hash = (parseJson(text) as { stateHash?: unknown } | undefined)?.stateHash;
  return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
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
