import { SNAPSHOT_LIMITS } from '@routescope/snapshot';

/**
 * This collector's clock minus the server's, from the server's `Date` header, in whole ms
 * (positive = the collector is ahead). The header has one-second resolution and is stamped
 * somewhere between sending and receiving: the estimate compares the middle of the round trip
 * with the middle of the header's second, so it is good to about ±(500 ms + half the round trip).
 * Undefined without a readable header, and for anything beyond what the contract carries.
 */
export function clockSkewFromDateHeader(date: string | null, sentAt: number, receivedAt: number): number | undefined {
  if (date === null) return undefined;
  const serverSecond = Date.parse(date);
  if (!Number.isFinite(serverSecond)) return undefined;
  const skew = Math.round((sentAt + receivedAt) / 2 - (serverSecond + 500));
  return Math.abs(skew) <= SNAPSHOT_LIMITS.clockSkewMs ? skew : undefined;
}

/** Skew worth a log line: beyond it, takenAt may be refused or misplace changes in history. */
export const CLOCK_SKEW_LOG_THRESHOLD_MS = 10_000;

/**
 * Decides when the skew deserves a log line: when it first goes beyond the threshold, when it
 * moves by more than a second while beyond it, and once when it comes back within it. Not on
 * every post: a steady skew is one line.
 */
export class ClockSkewWatch {
  private logged: number | undefined;
  current: number | undefined;

  constructor(private readonly thresholdMs = CLOCK_SKEW_LOG_THRESHOLD_MS) {}

  /** Records a measurement; returns the line to log, if any. */
  observe(skewMs: number): string | undefined {
    this.current = skewMs;
    const beyond = Math.abs(skewMs) > this.thresholdMs;
    if (beyond && (this.logged === undefined || Math.abs(skewMs - this.logged) > 1000)) {
      this.logged = skewMs;
      return `clock skew: this node's clock is ${formatSeconds(Math.abs(skewMs))} ${skewMs > 0 ? 'ahead of' : 'behind'} the API's (more than ${formatSeconds(this.thresholdMs)}); snapshots carry collector.clockSkewMs=${skewMs}`;
    }
    if (!beyond && this.logged !== undefined) {
      this.logged = undefined;
      return `clock skew: back within ${formatSeconds(this.thresholdMs)} of the API (${skewMs} ms)`;
    }
    return undefined;
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
