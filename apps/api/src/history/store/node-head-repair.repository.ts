import { Inject, Injectable } from '@nestjs/common';
import type { Database, Prisma } from '@routescope/db';
import type { Fact } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';

type TransactionClient = Prisma.TransactionClient;

export interface RepairedHead {
  nodeId: number;
  previousHead: Date;
  /** null: the node had nothing at or before `to` and was removed */
  head: Date | null;
  factsDeleted: number;
  factsReopened: number;
  coverageDeleted: number;
  snapshotsDeleted: number;
  findingsDeleted: number;
  findingsReopened: number;
}

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  details: unknown;
}

/**
 * The writes of resetNodeHead, in one transaction with the node's row locked (as ingest locks
 * it): everything the node recorded after `to` goes, what was true at `to` is open again.
 */
@Injectable()
export class NodeHeadRepairRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  transaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return this.database.prisma.$transaction(work, { timeout: 60000, maxWait: 30000 });
  }

  async lockNode(tx: TransactionClient, name: string): Promise<{ id: number; firstSeenAt: Date; lastSeenAt: Date } | undefined> {
    const rows = await tx.$queryRaw<Array<{ id: number; firstSeenAt: Date; lastSeenAt: Date }>>`
      SELECT id, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt" FROM node WHERE name = ${name} FOR UPDATE`;
    return rows[0];
  }

  /** Rolls the node back to `to`; removes it when nothing of it is at or before `to`. */
  async resetTo(tx: TransactionClient, node: { id: number; firstSeenAt: Date; lastSeenAt: Date }, to: Date): Promise<RepairedHead> {
    const base = { nodeId: node.id, previousHead: node.lastSeenAt };
    if (node.firstSeenAt.getTime() > to.getTime()) {
      const counts = await tx.$queryRaw<Array<{ facts: number; coverage: number; snapshots: number; findings: number }>>`
        SELECT (SELECT count(*)::int FROM fact WHERE node_id = ${node.id}) AS facts, (SELECT count(*)::int FROM coverage WHERE node_id = ${node.id}) AS coverage,
               (SELECT count(*)::int FROM snapshot WHERE node_id = ${node.id}) AS snapshots, (SELECT count(*)::int FROM finding WHERE node_id = ${node.id}) AS findings`;
      await tx.$executeRaw`DELETE FROM node WHERE id = ${node.id}`;
      const c = counts[0];
      return { ...base, head: null, factsDeleted: c.facts, factsReopened: 0, coverageDeleted: c.coverage, snapshotsDeleted: c.snapshots, findingsDeleted: c.findings, findingsReopened: 0 };
    }
    // Rows that began after `to` first: then reopening what was true at `to` cannot meet an open twin.
    const factsDeleted = await tx.$executeRaw`DELETE FROM fact WHERE node_id = ${node.id} AND valid_from > ${to}`;
    const factsReopened = await tx.$executeRaw`UPDATE fact SET valid_to = NULL WHERE node_id = ${node.id} AND valid_to > ${to}`;
    const coverageDeleted = await tx.$executeRaw`DELETE FROM coverage WHERE node_id = ${node.id} AND start_at > ${to}`;
    await tx.$executeRaw`UPDATE coverage SET end_at = ${to} WHERE node_id = ${node.id} AND end_at > ${to}`;
    const snapshotsDeleted = await tx.$executeRaw`DELETE FROM snapshot WHERE node_id = ${node.id} AND taken_at > ${to}`;
    const findingsDeleted = await tx.$executeRaw`DELETE FROM finding WHERE node_id = ${node.id} AND opened_at > ${to}`;
    const findingsReopened = await tx.$executeRaw`UPDATE finding SET resolved_at = NULL WHERE node_id = ${node.id} AND resolved_at > ${to}`;
    // The new head: the last instant the node is known to have reported, at or before `to`.
    const [head] = await tx.$queryRaw<Array<{ at: Date; snapshotId: string | null }>>`
      SELECT GREATEST(
               (SELECT max(end_at) FROM coverage WHERE node_id = ${node.id}),
               (SELECT max(taken_at) FROM snapshot WHERE node_id = ${node.id}),
               (SELECT first_seen_at FROM node WHERE id = ${node.id})) AS at,
             (SELECT id::text FROM snapshot WHERE node_id = ${node.id} ORDER BY taken_at DESC LIMIT 1) AS "snapshotId"`;
    // An empty state hash and a new state version: every replica's cached head and open facts are
    // stale, so the next snapshot takes the full path and diffs against the rows as they are now.
    await tx.$executeRaw`
      UPDATE node SET last_seen_at = ${head.at}, last_snapshot_id = COALESCE(${head.snapshotId}::uuid, last_snapshot_id), state_hash = '', state_version = state_version + 1
      WHERE id = ${node.id}`;
    return { ...base, head: head.at, factsDeleted, factsReopened, coverageDeleted, snapshotsDeleted, findingsDeleted, findingsReopened };
  }

  async openFacts(tx: TransactionClient, nodeId: number): Promise<Fact[]> {
    return tx.$queryRaw<Fact[]>`
      SELECT f.ns, f.kind, f.key, a.attrs FROM fact f JOIN fact_attrs a ON a.id = f.attrs_id WHERE f.node_id = ${nodeId} AND f.valid_to IS NULL ORDER BY f.ns, f.kind, f.key`;
  }

  async audit(tx: TransactionClient, entry: AuditEntry): Promise<{ id: bigint; at: Date }> {
    const rows = await tx.$queryRaw<Array<{ id: bigint; at: Date }>>`
      INSERT INTO audit_log (actor, action, subject, details) VALUES (${entry.actor}, ${entry.action}, ${entry.subject}, ${JSON.stringify(entry.details)}::jsonb)
      RETURNING id, at`;
    return rows[0];
  }
}
