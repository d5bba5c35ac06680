import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../database/database.module';
import { CLUSTER_CHECKS_CHANNEL, ClusterLeadership } from './cluster-leadership.service';
import type { TransactionClient } from './findings.repository';

/** A node history change owed to the cross-node rules. */
export interface QueuedChange {
  nodeId: number;
  node: string;
  /** the takenAt of the change, or where a rewritten history starts */
  at: Date;
  /** a late snapshot or a repair rewrote the node's history from `at` on */
  rewritten: boolean;
  /** a repair removed the node */
  removed: boolean;
}

export interface QueuedRow extends QueuedChange {
  id: bigint;
}

/** Changes buffered before they are written; past this many (the database down for long), the oldest go. */
const MAX_BUFFERED = 100_000;

/**
 * The feed of every replica's changes to the cross-node leader (ClusterLeadership says why
 * through the database): the table cluster_check_queue. `publish` buffers a committed change and
 * writes the buffer in one statement on the next tick (a NOTIFY wakes the leader, on PostgreSQL);
 * a failed write is retried, so a change reaches the queue unless this replica dies first (the
 * leader's next evaluation of that node still sees its state: views are read from the store).
 * The leader reads the queue and deletes what it evaluated in the same transaction as the
 * findings (FindingsEvaluator).
 */
@Injectable()
export class ClusterChangeQueue {
  private readonly logger = new Logger(ClusterChangeQueue.name);
  private buffer: QueuedChange[] = [];
  private writing?: Promise<void>;
  private failing = false;
  private written?: () => void;

  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly leadership: ClusterLeadership,
  ) {}

  /** Called after each write of queued changes (the leader of this replica reads them then). */
  onWritten(callback: () => void): void {
    this.written = callback;
  }

  publish(change: QueuedChange): void {
    this.buffer.push(change);
    if (this.buffer.length > MAX_BUFFERED) this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
    if (!this.writing) this.writing = this.write();
  }

  /** Resolves when every change published so far is written (or the write gave up for now). */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  get busy(): boolean {
    return this.writing !== undefined;
  }

  /** The queue, oldest first. */
  read(limit: number): Promise<QueuedRow[]> {
    return this.database.prisma.$queryRaw<QueuedRow[]>`
      SELECT node_id AS "nodeId", id, node, at, rewritten, removed FROM cluster_check_queue ORDER BY id LIMIT ${limit}`;
  }

  /** Deletes evaluated changes, in the caller's transaction. */
  async delete(tx: TransactionClient, rows: ReadonlyArray<Pick<QueuedRow, 'nodeId' | 'id'>>): Promise<void> {
    if (rows.length === 0) return;
    await tx.$executeRaw`
      DELETE FROM cluster_check_queue q USING unnest(${rows.map((r) => r.nodeId)}::int[], ${rows.map((r) => r.id.toString())}::bigint[]) AS done(node_id, id)
      WHERE q.node_id = done.node_id AND q.id = done.id`;
  }

  private async write(): Promise<void> {
    let delayMs = 50;
    try {
      while (this.buffer.length > 0) {
        await new Promise((resolve) => setImmediate(resolve)); // gather the changes of this tick
        const batch = this.buffer;
        this.buffer = [];
        try {
          await this.insert(batch);
          if (this.failing) this.logger.log('cross-node checks: queue written again');
          this.failing = false;
          this.written?.();
        } catch (error) {
          this.buffer = [...batch, ...this.buffer];
          if (!this.failing) this.logger.warn(`cross-node checks: could not queue ${batch.length} change(s), retrying: ${(error as Error).message}`);
          this.failing = true;
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          delayMs = Math.min(delayMs * 2, 5000);
          if (delayMs >= 5000) {
            // flushed() resolves meanwhile (the database is down); a timer (or the next publish) retries
            setTimeout(() => {
              if (!this.writing && this.buffer.length > 0) this.writing = this.write();
            }, delayMs).unref();
            return;
          }
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async insert(batch: readonly QueuedChange[]): Promise<void> {
    await this.database.prisma.$executeRaw`
      INSERT INTO cluster_check_queue (node_id, node, at, rewritten, removed)
      SELECT * FROM unnest(${batch.map((c) => c.nodeId)}::int[], ${batch.map((c) => c.node)}::text[], ${batch.map((c) => c.at.toISOString())}::timestamptz[],
                           ${batch.map((c) => c.rewritten)}::boolean[], ${batch.map((c) => c.removed)}::boolean[])`;
    // After the insert committed; the leader's session is the only listener. The payload names
    // this replica, whose own evaluator hears of the write in-process.
    if (this.database.kind === 'postgres') await this.database.prisma.$executeRaw`SELECT pg_notify(${CLUSTER_CHECKS_CHANNEL}, ${this.leadership.replica})`;
  }
}
