import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../../database/database.module';
import type { NodeHead } from './history-writer.repository';

/** A node's head as a heartbeat is judged against it, with its newest coverage interval. */
export interface HeartbeatHead extends NodeHead {
  coverageId: number | null;
  coverageEndAt: Date | null;
  /** the node whose snapshot (recorded, or another node's head) already has the heartbeat's snapshotId */
  snapshotOwner: string | null;
}

/**
 * The read a heartbeat needs when this replica does not hold the node's head (contract v1.1):
 * one statement. The write is HistoryWriterRepository.recordUnchanged, the unchanged snapshot's
 * compare-and-set.
 */
@Injectable()
export class HeartbeatRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async head(node: string, snapshotId: string): Promise<HeartbeatHead | undefined> {
    const rows = await this.database.prisma.$queryRaw<HeartbeatHead[]>`
      SELECT n.id, n.last_seen_at AS "lastSeenAt", n.last_snapshot_id::text AS "lastSnapshotId", n.last_boot_id AS "lastBootId", n.last_seq AS "lastSeq",
             n.interval_ms AS "intervalMs", n.state_hash AS "stateHash", n.state_version AS "stateVersion",
             c.id AS "coverageId", c.end_at AS "coverageEndAt",
             (SELECT o.name FROM snapshot s JOIN node o ON o.id = s.node_id WHERE s.id = ${snapshotId}::uuid
              UNION ALL
              SELECT o.name FROM node o WHERE o.last_snapshot_id = ${snapshotId}::uuid AND o.id <> n.id
              LIMIT 1) AS "snapshotOwner"
      FROM node n
      LEFT JOIN LATERAL (SELECT id, end_at FROM coverage WHERE node_id = n.id ORDER BY start_at DESC LIMIT 1) c ON true
      WHERE n.name = ${node}`;
    return rows[0];
  }
}
