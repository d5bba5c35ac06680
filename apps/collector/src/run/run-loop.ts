import type { Snapshot } from '@routescope/snapshot';
import type { DeliveryOutcome } from './snapshot-sender';
import type { SnapshotSpool } from './snapshot-spool';

export interface RunLoopDependencies {
  takeSnapshot(): Promise<Snapshot>;
  send(body: string): Promise<DeliveryOutcome>;
  spool: SnapshotSpool;
  intervalMs: number;
  log(message: string): void;
  /** [0, 1): jitter source, replaceable for tests. */
  random?: () => number;
  now?: () => number;
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60000;

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Collects on a timer and drains the spool in order. One loop does both, so a post in
 * flight always completes before the loop looks at `stop()`; a stop never cuts a post.
 */
export class RunLoop {
  private stopping = false;
  private wake?: () => void;
  private failures = 0;
  private retryAt = 0;

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
    try {
      const snapshot = await this.deps.takeSnapshot();
      const dropped = await this.deps.spool.append(snapshot.snapshotId, JSON.stringify(snapshot));
      if (dropped > 0) this.deps.log(`spool full: dropped the ${dropped} oldest snapshot(s)`);
    } catch (error) {
      this.deps.log(`collection failed: ${(error as Error).message}`);
    }
  }

  private async deliverOldest(): Promise<void> {
    const item = await this.deps.spool.oldest();
    if (!item) return;
    const outcome = await this.deps.send(item.body);
    switch (outcome.kind) {
      case 'delivered':
        if (this.failures > 0) this.deps.log(`server reachable again after ${this.failures} failed attempt(s)`);
        this.failures = 0;
        this.retryAt = 0;
        await this.deps.spool.remove(item.file);
        return;
      case 'rejected':
        this.deps.log(`server rejected ${item.file} with ${outcome.status}: ${outcome.detail}; dropping it`);
        await this.deps.spool.remove(item.file);
        return;
      case 'retry': {
        const delay = backoffDelay(this.failures++, this.deps.random);
        this.retryAt = (this.deps.now ?? Date.now)() + delay;
        this.deps.log(
          `post failed (${outcome.status ?? outcome.detail}${outcome.status ? `: ${outcome.detail}` : ''}); ${this.deps.spool.length} spooled, retrying in ${delay} ms`,
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
