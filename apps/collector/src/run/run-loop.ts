import type { Snapshot } from '@routescope/snapshot';
import { ClockSkewWatch } from './clock-skew';
import type { DeliveryOutcome } from './snapshot-sender';
import type { SnapshotSpool } from './snapshot-spool';

/** Why a post did not deliver its snapshot (a bounded label set). */
export type PostFailureClass = 'network' | '5xx' | '4xx' | 'rate-limited';

/** What the run loop reports as it goes (RunLoop's optional `metrics`). */
export interface RunLoopObserver {
  collected(durationMs: number, bytes: number): void;
  collectionFailed(): void;
  delivered(atMs: number): void;
  postFailed(failure: PostFailureClass): void;
  rejected(): void;
}

/** The answer's class: no status is a network failure (refused, reset, timed out). */
export function failureClass(status: number | undefined): PostFailureClass {
  if (status === undefined) return 'network';
  if (status === 429) return 'rate-limited';
  return status >= 500 ? '5xx' : '4xx';
}

export interface RunLoopDependencies {
  takeSnapshot(): Promise<Snapshot>;
  send(body: string): Promise<DeliveryOutcome>;
  spool: SnapshotSpool;
  intervalMs: number;
  log(message: string): void;
  /** [0, 1): jitter source, replaceable for tests. */
  random?: () => number;
  now?: () => number;
  /** --metrics-port: told about every collection and post. */
  metrics?: RunLoopObserver;
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60000;
/** The longest `Retry-After` believed: a misconfigured proxy must not park the collector for a day. */
export const RETRY_AFTER_CAP_MS = 600_000;

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** The wait before the next attempt: the backoff, or longer when the server said so (`Retry-After`, capped). */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  return Math.max(backoffDelay(attempt, random), Math.min(retryAfterMs ?? 0, RETRY_AFTER_CAP_MS));
}

/**
 * Collects on a timer and drains the spool in order. One loop does both, so a post in
 * flight always completes before the loop looks at `stop()`; a stop never cuts a post.
 * Each spooled snapshot ends one of two ways only: delivered (2xx), or refused for good (4xx)
 * and moved to rejected/ with the answer. 5xx and network errors are retried, in order.
 */
export class RunLoop {
  private stopping = false;
  private wake?: () => void;
  private failures = 0;
  private retryAt = 0;
  private readonly clock = new ClockSkewWatch();
  /** snapshots moved to rejected/ since this process started. */
  rejected = 0;

  constructor(private readonly deps: RunLoopDependencies) {}

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    const now = this.deps.now ?? Date.now;
    let nextCollect = now();
    while (!this.stopping) {
      if (now() >= nextCollect) {
        await this.collectOnce();
        // Skip ticks missed while busy rather than collecting in a burst.
        nextCollect += Math.max(1, Math.ceil((now() - nextCollect + 1) / this.deps.intervalMs)) * this.deps.intervalMs;
        continue;
      }
      if (this.deps.spool.length > 0 && now() >= this.retryAt) {
        await this.deliverOldest();
        continue;
      }
      const until = this.deps.spool.length > 0 ? Math.min(nextCollect, this.retryAt) : nextCollect;
      await this.sleep(until - now());
    }
  }

  private async collectOnce(): Promise<void> {
    const started = Date.now();
    try {
      const snapshot = await this.deps.takeSnapshot();
      // The skew measured on the latest answer travels with the next snapshots (the API keeps it per node).
      if (this.clock.current !== undefined) snapshot.collector.clockSkewMs = this.clock.current;
      const body = JSON.stringify(snapshot);
      this.deps.metrics?.collected(Date.now() - started, Buffer.byteLength(body));
      const dropped = await this.deps.spool.append(snapshot.snapshotId, body);
      if (dropped.length > 0) this.deps.log(`spool full: dropped the ${dropped.length} oldest snapshot(s) (${dropped.join(', ')}) to stay within its limits`);
    } catch (error) {
      this.deps.metrics?.collectionFailed();
      this.deps.log(`collection failed: ${(error as Error).message}`);
    }
  }

  private async deliverOldest(): Promise<void> {
    const item = await this.deps.spool.oldest();
    if (!item) return;
    const outcome = await this.deps.send(item.body);
    if (outcome.clockSkewMs !== undefined) {
      const line = this.clock.observe(outcome.clockSkewMs);
      if (line) this.deps.log(line);
    }
    switch (outcome.kind) {
      case 'delivered':
        if (this.failures > 0) this.deps.log(`server reachable again after ${this.failures} failed attempt(s)`);
        this.failures = 0;
        this.retryAt = 0;
        await this.deps.spool.remove(item.file);
        this.deps.metrics?.delivered((this.deps.now ?? Date.now)());
        return;
      case 'rejected': {
        // Refused for good: this snapshot only. It moves aside with the answer, and the next one goes.
        this.failures = 0;
        this.retryAt = 0;
        const dropped = await this.deps.spool.reject(item.file, { status: outcome.status, body: outcome.body });
        this.rejected++;
        this.deps.metrics?.postFailed('4xx');
        this.deps.metrics?.rejected();
        this.deps.log(
          `server rejected ${item.file} with ${outcome.status}: ${outcome.detail}; moved to ${this.deps.spool.rejectedDir} with the response (${this.rejected} rejected since start, ${this.deps.spool.length} waiting)`,
        );
        if (dropped.length > 0) this.deps.log(`rejected/ full: deleted the ${dropped.length} oldest rejected snapshot(s) (${dropped.join(', ')})`);
        return;
      }
      case 'retry': {
        this.deps.metrics?.postFailed(failureClass(outcome.status));
        const delay = retryDelay(this.failures++, outcome.retryAfterMs, this.deps.random);
        this.retryAt = (this.deps.now ?? Date.now)() + delay;
        this.deps.log(
          `post failed (${outcome.status ?? outcome.detail}${outcome.status ? `: ${outcome.detail}` : ''}); ${this.deps.spool.length} spooled, retrying in ${delay} ms${outcome.retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(outcome.retryAfterMs / 1000)} s)`}`,
        );
        return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
