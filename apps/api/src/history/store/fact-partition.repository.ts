import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../../database/database.module';

/** A week partition of fact: the rows whose valid_to is in [from, to). */
export interface FactWeek {
  name: string;
  from: Date;
  to: Date;
}

/** A week partition retention dropped, with the closed rows it held. */
export interface DroppedFactWeek {
  name: string;
  rows: number;
}

/**
 * The week partitions of fact (migration 20261208100000_fact_week_partitions; docs/scaling.md,
 * "Time partitioning"). The DDL itself is in the two SQL functions that migration defines, so that
 * the migration, the API and the bench's loaders create and name weeks one way. Every statement
 * here runs on its own (autocommit): partition DDL takes an ACCESS EXCLUSIVE lock on fact, and
 * inside a transaction that has written to fact it would deadlock with another such transaction.
 */
@Injectable()
export class FactPartitionRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Creates the partition of the week holding `at` (as a valid_to) unless it exists; returns its name. */
  async ensureWeek(at: Date): Promise<string> {
    const rows = await this.database.prisma.$queryRaw<{ name: string }[]>`SELECT fact_ensure_week_partition(${at}::timestamptz) AS name`;
    return rows[0].name;
  }

  /** The week partitions that exist, oldest first. */
  async weeks(): Promise<FactWeek[]> {
    return this.database.prisma.$queryRaw<FactWeek[]>`
      SELECT name, substring(bound FROM 'FROM \\(''([^'']+)''\\)')::timestamptz AS "from", substring(bound FROM 'TO \\(''([^'']+)''\\)')::timestamptz AS "to"
      FROM (SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'fact'::regclass) p
      WHERE bound <> 'DEFAULT'
      ORDER BY 2`;
  }

  /**
   * Drops every week partition whose week ended at or before `cutoff` (fact_drop_weeks_ended_by):
   * none when another caller is dropping at the moment; fails (dropping nothing) when ingest held
   * fact for longer than the function's lock_timeout.
   */
  async dropWeeksEndedBy(cutoff: Date): Promise<DroppedFactWeek[]> {
    return this.database.prisma.$queryRaw<DroppedFactWeek[]>`
      SELECT partition_name AS name, row_count::int AS rows FROM fact_drop_weeks_ended_by(${cutoff}::timestamptz)`;
  }
}
