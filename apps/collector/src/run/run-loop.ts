import type { Snapshot } from '@routescope/snapshot';
import { ClockSkewWatch } from './clock-skew';
import type { DeliveryOutcome, HeartbeatOutcome } from './snapshot-sender';
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
  /**
   * Contract v1.1, both or neither: the state hash of a snapshot (libs/snapshot, as the API
   * computes it) and the heartbeat that stands for it, and how to post that heartbeat.
   */
  heartbeats?: {
    stateHash(snapshot: Snapshot): string;
    heartbeatFor(snapshot: Snapshot, stateHash: string): unknown;
    send(body: string): Promise<HeartbeatOutcome>;
  };
}

/** After an API without the heartbeat route, how long until a heartbeat is tried again (the API may be upgraded meanwhile). */
export const HEARTBEAT_RETRY_MS = 3_600_000;

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
  /** the node's state hash the API acknowledged last (contract v1.1); undefined = send full snapshots */
  private acknowledged?: string;
  /** heartbeats of the snapshots this process collected and spooled, by snapshotId (a restart sends full ones) */
  private readonly heartbeatOf = new Map<string, { stateHash: string; body: string }>();
  private heartbeatsOffUntil = 0;
  /** snapshots delivered as heartbeats since this process started */
  heartbeats = 0;
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
      const beats = this.deps.heartbeats;
      if (beats) {
        const stateHash = beats.stateHash(snapshot);
        this.heartbeatOf.set(snapshot.snapshotId, { stateHash, body: JSON.stringify(beats.heartbeatFor(snapshot, stateHash)) });
      }
      const dropped = await this.deps.spool.append(snapshot.snapshotId, body);
      for (const file of dropped) this.heartbeatOf.delete(snapshotIdOf(file));
      if (dropped.length > 0) this.deps.log(`spool full: dropped the ${dropped.length} oldest snapshot(s) (${dropped.join(', ')}) to stay within its limits`);
    } catch (error) {
      this.deps.metrics?.collectionFailed();
      this.deps.log(`collection failed: ${(error as Error).message}`);
    }
  }

  private async deliverOldest(): Promise<void> {
    const item = await this.deps.spool.oldest();
    if (!item) return;
    const snapshotId = snapshotIdOf(item.file);
    const beat = this.heartbeatOf.get(snapshotId);
    const now = this.deps.now ?? Date.now;
    if (beat && this.deps.heartbeats && beat.stateHash === this.acknowledged && now() >= this.heartbeatsOffUntil) {
      // Contract v1.1: the facts hash to the state the API acknowledged last; a heartbeat stands for them.
      const answer = await this.deps.heartbeats.send(beat.body);
      this.observeClock(answer.clockSkewMs);
      if (answer.kind === 'retry') return this.retryLater(answer);
      if (answer.kind === 'acknowledged') {
        this.heartbeats++;
        this.acknowledged = answer.stateHash ?? this.acknowledged;
        return this.delivered(item.file, snapshotId);
      }
      if (answer.kind === 'unsupported') {
        this.heartbeatsOffUntil = now() + HEARTBEAT_RETRY_MS;
        this.deps.log(`the API has no heartbeat route (${answer.status}): posting full snapshots, trying a heartbeat again in ${HEARTBEAT_RETRY_MS / 60_000} min`);
      }
      // resend (or unsupported): the full snapshot goes now, in the same turn.
    }
    const outcome = await this.deps.send(item.body);
    this.observeClock(outcome.clockSkewMs);
    switch (outcome.kind) {
      case 'delivered':
        // The API says which state it holds now (v1.1); a v1 API says nothing, and full snapshots go on.
        this.acknowledged = outcome.stateHash;
        return this.delivered(item.file, snapshotId);
      case 'rejected': {
        // Refused for good: this snapshot only. It moves aside with the answer, and the next one goes.
        this.failures = 0;
        this.retryAt = 0;
        this.heartbeatOf.delete(snapshotId);
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
      case 'retry':
        return this.retryLater(outcome);
    }
  }

  private observeClock(clockSkewMs: number | undefined): void {
    if (clockSkewMs === undefined) return;
    const line = this.clock.observe(clockSkewMs);
    if (line) this.deps.log(line);
  }

  private async delivered(file: string, snapshotId: string): Promise<void> {
    if (this.failures > 0) this.deps.log(`server reachable again after ${this.failures} failed attempt(s)`);
    this.failures = 0;
    this.retryAt = 0;
    this.heartbeatOf.delete(snapshotId);
    await this.deps.spool.remove(file);
    this.deps.metrics?.delivered((this.deps.now ?? Date.now)());
  }

  private retryLater(outcome: { status?: number; detail: string; retryAfterMs?: number }): void {
    this.deps.metrics?.postFailed(failureClass(outcome.status));
    const delay = retryDelay(this.failures++, outcome.retryAfterMs, this.deps.random);
    this.retryAt = (this.deps.now ?? Date.now)() + delay;
    this.deps.log(
      `post failed (${outcome.status ?? outcome.detail}${outcome.status ? `: ${outcome.detail}` : ''}); ${this.deps.spool.length} spooled, retrying in ${delay} ms${outcome.retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(outcome.retryAfterMs / 1000)} s)`}`,
    );
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

/** The snapshotId in a spool file's name (`<counter>-<snapshotId>.json`). */
function snapshotIdOf(file: string): string {
  return file.replace(/^\d+-/, '').replace(/\.json$/, '');
}
