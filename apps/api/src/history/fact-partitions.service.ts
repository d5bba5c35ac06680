import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FactPartitionRepository, type DroppedFactWeek } from './store/fact-partition.repository';

const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** How often the partition-ahead job runs (it also runs at start-up). */
export const PARTITION_AHEAD_INTERVAL_MS = 3_600_000;
/** The job keeps partitions from the week before this one to this many weeks ahead of now. */
export const PARTITION_WEEKS_AHEAD = 4;

/** Monday 00:00 UTC of the ISO week holding `at`: the lower bound of its fact partition. */
export function weekStart(at: Date): Date {
  const midnight = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  const daysSinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - daysSinceMonday * DAY_MS);
}

/** The week starts of every week from the one holding `from` to the one holding `to`, inclusive. */
export function weeksBetween(from: Date, to: Date): Date[] {
  const weeks: Date[] = [];
  for (let week = weekStart(from).getTime(); week <= to.getTime(); week += WEEK_MS) weeks.push(new Date(week));
  return weeks;
}

/** Whether `error` is fact_open's CHECK refusing a closed row: the week of its valid_to has no partition. */
export function isMissingFactWeek(error: unknown): boolean {
  // Prisma wraps the driver adapter's error (P2010, meta.driverAdapterError, its cause), which
  // carries PostgreSQL's message naming the constraint: look through the wrappers for it rather
  // than depend on one wrapper's shape.
  return messagesOf(error).includes(FACT_OPEN_CHECK);
}

/** Every message in an error and its wrappers (Prisma's, the driver adapter's), joined. */
function messagesOf(error: unknown, depth = 0): string {
  if (typeof error === 'string') return error;
  if (depth > 5 || error === null || typeof error !== 'object') return '';
  const { message, cause } = error as { message?: unknown; cause?: unknown };
  return [typeof message === 'string' ? message : '', ...[cause, ...Object.values(error)].filter((inner) => inner !== error).map((inner) => messagesOf(inner, depth + 1))].join('\n');
}

/** fact_open's CHECK (valid_to IS NULL), as the migration names it. */
const FACT_OPEN_CHECK = 'fact_open_only_open_rows';

/**
 * The week partitions of fact, seen from this replica: makes sure the week of every valid_to the
 * store is about to write has its partition (before the write's transaction, never inside it), keeps
 * [last week, now + 4 weeks] created (at start-up and hourly, so that ingest normally finds its week
 * already there) and drops the weeks retention is done with. A write into a week with no partition
 * would fail: fact_open, the DEFAULT partition, only takes open rows (docs/scaling.md, "Time
 * partitioning"). The weeks known to exist are cached, so the write path asks the database about a
 * week once per replica.
 */
@Injectable()
export class FactPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FactPartitions.name);
  private readonly known = new Set<number>();
  private timer?: NodeJS.Timeout;
  private ahead?: Promise<void>;

  constructor(private readonly repository: FactPartitionRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runAhead();
    this.timer = setInterval(() => void this.runAhead(), PARTITION_AHEAD_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ahead;
  }

  /** The partition-ahead job's pass: [the week before now's, now + 4 weeks]. */
  async createAhead(now: Date = new Date()): Promise<void> {
    await this.ensureWeeks(weeksBetween(new Date(now.getTime() - WEEK_MS), new Date(now.getTime() + PARTITION_WEEKS_AHEAD * WEEK_MS)));
  }

  /** Makes sure the weeks holding each of `instants` (valid_to values about to be written) have their partition. */
  async ensureWeeksOf(instants: readonly Date[]): Promise<void> {
    await this.ensureWeeks(instants.map(weekStart));
  }

  /** Makes sure every week from the one holding `from` to the one holding `to` has its partition. */
  async ensureWeeksBetween(from: Date, to: Date): Promise<void> {
    await this.ensureWeeks(weeksBetween(from, to));
  }

  /** Forgets the cached weeks (another replica's retention may have dropped some). */
  forget(): void {
    this.known.clear();
  }

  /** Drops the week partitions that ended at or before `cutoff` (none while another replica does it). */
  async dropWeeksEndedBy(cutoff: Date): Promise<DroppedFactWeek[]> {
    try {
      const dropped = await this.repository.dropWeeksEndedBy(cutoff);
      if (dropped.length > 0) this.forget();
      return dropped;
    } catch (error) {
      // fact_drop_weeks_ended_by's lock_timeout: ingest held fact; nothing was dropped, next run retries
      if (!/lock timeout/i.test(messagesOf(error))) throw error;
      this.logger.warn(`dropping fact's week partitions ended by ${cutoff.toISOString()} waited too long for ingest; the next run tries again`);
      return [];
    }
  }

  private async ensureWeeks(weeks: readonly Date[]): Promise<void> {
    for (const week of weeks) {
      if (this.known.has(week.getTime())) continue;
      await this.repository.ensureWeek(week);
      this.known.add(week.getTime());
    }
  }

  private runAhead(): Promise<void> {
    this.ahead ??= this.createAhead()
      .catch((error: Error) => this.logger.error(`creating fact's week partitions ahead failed (ingest still creates the week it writes in): ${error.stack ?? error.message}`))
      .finally(() => (this.ahead = undefined));
    return this.ahead;
  }
}
