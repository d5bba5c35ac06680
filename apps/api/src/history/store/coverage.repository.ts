import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../../database/database.module';

export interface CoverageRow {
  nodeId: number;
  startAt: Date;
  endAt: Date;
  snapshots: number;
  /** the node's current reporting interval, for the grace after endAt. */
  intervalMs: number;
}

/** Coverage intervals: when each node was reporting (a gap in data is never "nothing changed"). */
@Injectable()
export class CoverageRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /**
   * Coverage intervals of each node that may touch [from, to]: started by `to` and, with the
   * grace of `graceFactor` reporting intervals after their last snapshot, not over before
   * `from` (any end when `from` is null). Ordered by node and start.
   */
  async coverage(nodeIds: readonly number[], from: Date | null, to: Date, graceFactor: number): Promise<CoverageRow[]> {
    return this.database.prisma.$queryRaw<CoverageRow[]>`
      SELECT c.node_id AS "nodeId", c.start_at AS "startAt", c.end_at AS "endAt", c.snapshots, n.interval_ms AS "intervalMs"
      FROM coverage c
      JOIN node n ON n.id = c.node_id
      WHERE c.node_id = ANY(${[...nodeIds]}::int[])
        AND c.start_at <= ${to}::timestamptz
        AND (${from}::timestamptz IS NULL
             OR c.end_at + (n.interval_ms::float8 * ${graceFactor}::float8) * interval '1 millisecond' >= ${from}::timestamptz)
      ORDER BY c.node_id, c.start_at`;
  }

  /** Gaps of the whole cluster: coverage intervals beyond each node's first (each began after a silence). */
  async gapCount(): Promise<number> {
    const rows = await this.database.prisma.$queryRaw<Array<{ gaps: bigint | number }>>`SELECT count(*) - count(DISTINCT node_id) AS gaps FROM coverage`;
    return Number(rows[0]?.gaps ?? 0);
  }
}
