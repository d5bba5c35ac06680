import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@routescope/db';
import type { Client } from 'pg';
import { DATABASE } from '../database/database.module';

/** pg_advisory_lock key of the cross-node checks' leader (any constant no other code uses). */
export const CLUSTER_CHECKS_LOCK_KEY = 72707416;
/** The channel replicas NOTIFY when they queued changes for the leader. */
export const CLUSTER_CHECKS_CHANNEL = 'routescope_cluster_checks';

/** What the elected replica is told. */
export interface LeadershipListener {
  /** This replica leads from now on, under `term`; `evaluatedUntil` is where the previous leader stopped. */
  elected(term: bigint, evaluatedUntil: Date | undefined): Promise<void>;
  /** This replica no longer leads (its lock session ended): stop writing cross-node findings. */
  deposed(reason: string): void;
  /** Another replica queued changes (NOTIFY on the leader's session). */
  queued(): void;
}

export interface LeadershipStatus {
  role: 'leader' | 'follower';
  /** this replica: host:pid (and #n for the n-th API of one process, in tests) */
  replica: string;
  /** this replica's term while it leads */
  term?: string;
  /** when this replica was elected */
  since?: string;
}

let instances = 0;

/**
 * Elects the one replica that evaluates the cross-node rules (FindingsEvaluator), so that every
 * replica's changes are judged together and findings do not depend on which replica ingested
 * which node.
 *
 * PostgreSQL: a session advisory lock held on a dedicated connection (not a pool's: the lock
 * belongs to the session). Followers wait in `pg_advisory_lock` on their own session, so nobody
 * polls: when the leader's process dies, the server closes its session (the socket closes) and
 * releases the lock, and the first waiter is elected at once. A leader whose host vanishes
 * without closing the socket is detected by TCP keepalives set on the session (a few seconds).
 * When the leader's session drops (server restart, network), the leader is deposed at once and
 * campaigns again. A new leader increments `cluster_checks_leader.term` and every cluster
 * evaluation commits only under its own term (FindingsEvaluator's fence): a replica that lost
 * its session without noticing yet cannot write over its successor.
 *
 * The feed of changes goes through the database, not Redis: a queue table written by the
 * ingesting replica and deleted by the leader in the transaction that evaluated it, with a NOTIFY
 * on this session to wake it. The database is the one dependency every replica has (Redis is
 * optional and best-effort: it loses messages during an outage), and the queue outlives a leader
 * that dies between the two, so the next leader evaluates what its predecessor did not.
 *
 * PGlite is one process's embedded database: that process is always the leader (an in-process
 * lock still keeps two API instances sharing one PGlite apart, as tests run them).
 */
@Injectable()
export class ClusterLeadership {
  private readonly logger = new Logger(ClusterLeadership.name);
  readonly replica: string;
  private listener?: LeadershipListener;
  private leading?: { term: bigint; since: Date };
  private session?: Client;
  private campaign?: Promise<void>;
  private stopped = false;
  private releaseLocal?: () => void;

  constructor(@Inject(DATABASE) private readonly database: Database) {
    instances++;
    this.replica = `${hostname()}:${process.pid}${instances > 1 ? `#${instances}` : ''}`;
  }

  status(): LeadershipStatus {
    return this.leading
      ? { role: 'leader', replica: this.replica, term: this.leading.term.toString(), since: this.leading.since.toISOString() }
      : { role: 'follower', replica: this.replica };
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  /**
   * Campaigns for leadership. Resolves once this replica is elected if nobody else leads (so a
   * single replica leads before it serves), otherwise as soon as it waits behind the leader.
   */
  async start(listener: LeadershipListener): Promise<void> {
    this.listener = listener;
    const firstRound = new Promise<void>((resolve) => {
      const campaign = this.database.kind === 'pglite' ? this.campaignLocally(resolve) : this.campaignOnPostgres(resolve);
      this.campaign = campaign.catch((error: Error) => {
        resolve();
        this.logger.error(`cross-node checks: campaign stopped: ${error.stack ?? error.message}`);
      });
    });
    await firstRound;
  }

  /** A fence refused this replica's write: another replica was elected since. */
  resign(reason: string): void {
    if (!this.leading) return;
    this.logger.warn(`cross-node checks: ${reason}; campaigning again`);
    if (this.session) void this.session.end().catch(() => undefined);
    else this.depose(reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.releaseLocal?.();
    await this.session?.end().catch(() => undefined);
    await this.campaign;
  }

  private async campaignOnPostgres(waiting: () => void): Promise<void> {
    const open = this.database.dedicatedSession;
    if (!open) throw new Error('ClusterLeadership: this PostgreSQL database opens no dedicated session');
    let backoffMs = 100;
    while (!this.stopped) {
      const session = open({ applicationName: `routescope cluster checks ${this.replica}` });
      let ended!: (reason: string) => void;
      const end = new Promise<string>((resolve) => (ended = resolve));
      session.on('error', (error) => ended(`its database session failed: ${error.message}`));
      session.on('end', () => ended('its database session ended'));
      // A replica's own writes reach its evaluator in-process (ClusterChangeQueue.onWritten): only other replicas' count.
      session.on('notification', (message) => {
        if (message.payload !== this.replica) this.listener?.queued();
      });
      this.session = session;
      try {
        await session.connect();
        // The server notices a leader whose host vanished (no FIN) within ~5 s instead of hours.
        await session.query('SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3');
        const [{ locked }] = (await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [CLUSTER_CHECKS_LOCK_KEY])).rows;
        if (!locked) {
          waiting();
          await session.query('SELECT pg_advisory_lock($1)', [CLUSTER_CHECKS_LOCK_KEY]);
        }
        await session.query(`LISTEN ${CLUSTER_CHECKS_CHANNEL}`);
        const [row] = (await session.query<{ term: string; evaluatedUntil: Date | null }>(
          `UPDATE cluster_checks_leader SET term = term + 1, holder = $1, elected_at = now() WHERE id = 1 RETURNING term::text AS term, evaluated_until AS "evaluatedUntil"`,
          [this.replica],
        )).rows;
        await this.elect(BigInt(row.term), row.evaluatedUntil ?? undefined);
        waiting();
        backoffMs = 100;
        this.depose(await end);
      } catch (error) {
        waiting();
        if (!this.stopped) this.logger.warn(`cross-node checks: campaign failed: ${(error as Error).message}`);
        this.depose('its database session failed');
      } finally {
        if (this.session === session) this.session = undefined;
        await session.end().catch(() => undefined);
      }
      if (this.stopped) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }

  private async campaignLocally(waiting: () => void): Promise<void> {
    const lock = localLock(this.database.prisma);
    while (lock.held && !this.stopped) {
      waiting();
      await new Promise<void>((resolve) => {
        lock.waiters.push(resolve);
        this.releaseLocal = resolve;
      });
    }
    if (this.stopped) return waiting();
    lock.held = true;
    try {
      const [row] = await this.database.prisma.$queryRaw<Array<{ term: string; evaluatedUntil: Date | null }>>`
        UPDATE cluster_checks_leader SET term = term + 1, holder = ${this.replica}, elected_at = now() WHERE id = 1 RETURNING term::text AS term, evaluated_until AS "evaluatedUntil"`;
      await this.elect(BigInt(row.term), row.evaluatedUntil ?? undefined);
      waiting();
      await new Promise<void>((resolve) => (this.releaseLocal = resolve));
    } catch (error) {
      waiting();
      this.logger.error(`cross-node checks: election failed: ${(error as Error).message}`);
    } finally {
      this.depose('stopped');
      lock.held = false;
      // every waiter re-checks the lock; the first to run takes it
      for (const wake of lock.waiters.splice(0)) wake();
    }
  }

  private async elect(term: bigint, evaluatedUntil: Date | undefined): Promise<void> {
    this.leading = { term, since: new Date() };
    this.logger.log(`cross-node checks: ${this.replica} elected (term ${term})`);
    await this.listener?.elected(term, evaluatedUntil);
  }

  private depose(reason: string): void {
    if (!this.leading) return;
    this.leading = undefined;
    if (!this.stopped) this.logger.warn(`cross-node checks: ${this.replica} no longer leads: ${reason}`);
    this.listener?.deposed(reason);
  }
}

/** PGlite: one lock per database instance, in this process. */
const localLocks = new WeakMap<object, { held: boolean; waiters: Array<() => void> }>();
function localLock(instance: object): { held: boolean; waiters: Array<() => void> } {
  let lock = localLocks.get(instance);
  if (!lock) localLocks.set(instance, (lock = { held: false, waiters: [] }));
  return lock;
}
