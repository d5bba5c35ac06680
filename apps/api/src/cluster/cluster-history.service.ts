import { Injectable, Logger } from '@nestjs/common';
import { canonicalJson, type FactValue } from '@routescope/snapshot';
import { ClusterHistoryRepository, type IntervalClose, type IntervalOpen, type OpenClusterObject } from './cluster-history.repository';
import type { ClusterEntry, ClusterKind } from './cluster-objects';

/** What one applied event did to the history. */
export interface HistoryChange {
  opened: number;
  closed: number;
}

const NO_CHANGE: HistoryChange = { opened: 0, closed: 0 };

/**
 * Kubernetes objects as validity intervals in cluster_object, like facts: an object opens a
 * row when it appears, a meaningful change (its normalised attributes differ, whatever the
 * resourceVersion says) closes the row and opens another, a deletion closes it. A (re)list
 * is reconciled as a whole: rows of objects that are no longer listed are closed.
 *
 * Each watch event or list is one transaction, applied in arrival order through one queue
 * (the informers call back synchronously and must not be blocked by the database). Times are
 * when the event reached the API; an interval is never empty: a change in the same
 * millisecond as the row's start moves to the next millisecond (valid_to > valid_from).
 */
@Injectable()
export class ClusterHistoryService {
  private readonly logger = new Logger('ClusterHistory');
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /**
   * Per kind, the attributes (canonical JSON) of the rows this process knows to be open,
   * after its own commits; `complete` once a list has been reconciled, from when a key
   * missing here is known to have no open row. Saves a transaction for the many watch
   * events that change nothing we keep (pod status churn, relist echoes).
   */
  private readonly written = new Map<ClusterKind, { complete: boolean; open: Map<string, string> }>();

  constructor(private readonly repository: ClusterHistoryRepository) {}

  /** An object was added or modified. */
  observed(entry: ClusterEntry, at: Date): Promise<HistoryChange> {
    return this.enqueue(async () => {
      const attrs = canonical(entry.attrs);
      if (this.known(entry.kind).open.get(entry.key) === attrs) return NO_CHANGE;
      return this.apply(entry.kind, new Map([[entry.key, attrs]]), at, false);
    });
  }

  /** An object was deleted. */
  removed(kind: ClusterKind, key: string, at: Date): Promise<HistoryChange> {
    return this.enqueue(async () => {
      const known = this.known(kind);
      if (known.complete && !known.open.has(key)) return NO_CHANGE;
      return this.apply(kind, new Map([[key, null]]), at, false);
    });
  }

  /** A complete list of one kind (first list, relist after 410 Gone, resync): the listed objects are the truth. */
  listed(kind: ClusterKind, entries: readonly ClusterEntry[], at: Date): Promise<HistoryChange> {
    return this.enqueue(async () => {
      const desired = new Map<string, string | null>(entries.map((e) => [e.key, canonical(e.attrs)]));
      return this.apply(kind, desired, at, true);
    });
  }

  /** Resolves when every write queued so far has been applied (or has failed). */
  async idle(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail.catch(() => undefined);
      if (tail === this.tail) return;
    }
  }

  /** Refuses further writes and waits for the queued ones (before the database closes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private enqueue(job: () => Promise<HistoryChange>): Promise<HistoryChange> {
    if (this.closed) return Promise.resolve(NO_CHANGE);
    const run = this.tail.then(job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private known(kind: ClusterKind) {
    let known = this.written.get(kind);
    if (!known) this.written.set(kind, (known = { complete: false, open: new Map() }));
    return known;
  }

  /**
   * One transaction: lock the open rows concerned (all of the kind for a list), close what
   * vanished or changed, open what appeared or changed. `desired` maps key → canonical
   * attributes, or null for a deletion.
   */
  private async apply(kind: ClusterKind, desired: ReadonlyMap<string, string | null>, at: Date, complete: boolean): Promise<HistoryChange> {
    try {
      const result = await this.repository.transaction(async (tx) => {
        const open = await this.repository.lockOpen(tx, kind, complete ? undefined : [...desired.keys()]);
        const byKey = new Map<string, OpenClusterObject>(open.map((row) => [row.key, row]));
        const closes: IntervalClose[] = [];
        const opens: IntervalOpen[] = [];
        for (const row of open) {
          const wanted = desired.get(row.key);
          if (wanted === undefined && !complete) continue;
          if (wanted !== undefined && wanted !== null && canonical(row.attrs) === wanted) continue;
          const when = after(row.validFrom, at);
          closes.push({ id: row.id, at: when });
          if (wanted) opens.push({ key: row.key, attrs: wanted, at: when });
        }
        for (const [key, wanted] of desired) {
          if (wanted !== null && !byKey.has(key)) opens.push({ key, attrs: wanted, at });
        }
        await this.repository.close(tx, closes);
        const opened = await this.repository.open(tx, kind, opens);
        return { closes, opens, opened };
      });
      this.remember(kind, desired, complete);
      return { opened: result.opened, closed: result.closes.length };
    } catch (error) {
      this.logger.warn(`could not record ${complete ? `the list of ${kind}s` : `${kind} ${[...desired.keys()].join(', ')}`}: ${(error as Error).message}`);
      throw error;
    }
  }

  private remember(kind: ClusterKind, desired: ReadonlyMap<string, string | null>, complete: boolean): void {
    const known = this.known(kind);
    if (complete) {
      known.open.clear();
      known.complete = true;
    }
    for (const [key, attrs] of desired) {
      if (attrs === null) known.open.delete(key);
      else known.open.set(key, attrs);
    }
  }
}

function canonical(attrs: unknown): string {
  return canonicalJson(attrs as FactValue);
}

/** `at`, or the millisecond after `validFrom` when the row started at or after `at` (clock skew, same-millisecond events). */
function after(validFrom: Date, at: Date): Date {
  return validFrom.getTime() >= at.getTime() ? new Date(validFrom.getTime() + 1) : at;
}
