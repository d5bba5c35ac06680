import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../database/database.module';

/**
 * The tables outside the fact store that retention trims, and the instant column that says a
 * row is over (the fact store trims its own: FactStore.deleteEndedBefore).
 */
export const OTHER_RETENTION_TABLES = [
  { table: 'finding', column: 'resolved_at' },
  { table: 'cluster_object', column: 'valid_to' },
  // live probes are evidence beside the history: a finished one (its result in the row) goes with
  // the history of its time; a queued or dispatched one has no finished_at and stays
  { table: 'probe', column: 'finished_at' },
] as const;

export type OtherRetentionTable = (typeof OTHER_RETENTION_TABLES)[number]['table'];

/**
 * Deletes of closed history, one bounded batch per statement. Every row it touches ended before
 * the cutoff, so it never meets the rows ingest writes (open rows and new ones): batches take
 * row locks on dead history only and commit on their own, in milliseconds.
 */
@Injectable()
export class RetentionRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Deletes up to `limit` rows of `table` that ended before `cutoff`; returns how many went. */
  async deleteBatch(table: OtherRetentionTable, cutoff: Date, limit: number): Promise<number> {
    const column = OTHER_RETENTION_TABLES.find((t) => t.table === table)?.column;
    if (!column) throw new Error(`retention: ${table} is not a table retention trims`);
    // Identifiers come from the constant list above, never from input.
    return this.database.prisma.$executeRawUnsafe(
      `DELETE FROM "${table}" WHERE id IN (SELECT id FROM "${table}" WHERE "${column}" < $1 ORDER BY "${column}" LIMIT $2)`,
      cutoff,
      limit,
    );
  }
}
