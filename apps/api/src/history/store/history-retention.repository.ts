import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../../database/database.module';

/**
 * The fact store's tables, in the order retention trims them (a row is over at fact.valid_to,
 * coverage.end_at, snapshot.taken_at). Snapshot records have their own, shorter window
 * (ROUTESCOPE_SNAPSHOT_RETENTION_DAYS): the caller passes their cutoff.
 */
export const HISTORY_TABLES = ['fact', 'coverage', 'snapshot'] as const;

export type HistoryTable = (typeof HISTORY_TABLES)[number];

/**
 * Deletes of closed coverage and snapshot records, one bounded batch per statement (fact's closed
 * rows go by whole week partitions: FactPartitionRepository.dropWeeksEndedBy). Every row it touches ended before
 * the cutoff, so it never meets the rows ingest writes (open rows and new ones): batches take
 * row locks on dead history only and commit on their own, in milliseconds.
 */
@Injectable()
export class HistoryRetentionRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /**
   * Deletes up to `limit` rows of `table` that ended before `cutoff`; returns how many went. For
   * snapshot records it first records the cutoff (retention_cutoff, in the same statement): the
   * change counts stop reading records before it, so they never see a half-trimmed range.
   */
  async deleteBatch(table: Exclude<HistoryTable, 'fact'>, cutoff: Date, limit: number): Promise<number> {
    switch (table) {
      case 'coverage':
        return this.database.prisma.$executeRaw`
          DELETE FROM coverage WHERE (node_id, id) IN (SELECT node_id, id FROM coverage WHERE end_at < ${cutoff}::timestamptz ORDER BY end_at LIMIT ${limit}::int)`;
      case 'snapshot':
        return this.database.prisma.$executeRaw`
          WITH mark AS (
            INSERT INTO retention_cutoff (table_name, cutoff) VALUES ('snapshot', ${cutoff}::timestamptz)
            ON CONFLICT (table_name) DO UPDATE SET cutoff = GREATEST(retention_cutoff.cutoff, EXCLUDED.cutoff)
          )
          DELETE FROM snapshot WHERE (node_id, id) IN (SELECT node_id, id FROM snapshot WHERE taken_at < ${cutoff}::timestamptz ORDER BY taken_at LIMIT ${limit}::int)`;
    }
  }
}
