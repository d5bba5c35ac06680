import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';

type TransactionClient = Prisma.TransactionClient;
import type { Fact, FactAttributes } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';

export interface NodeHead {
  id: number;
  lastSeenAt: Date;
  lastSnapshotId: string;
  lastBootId: string;
  lastSeq: bigint;
  intervalMs: number;
  stateHash: string;
  stateVersion: number;
}

export interface CurrentFact {
  id: bigint;
  ns: string;
  kind: string;
  key: string;
  attrs: FactAttributes;
}

export interface CoverageHead {
  id: number;
  endAt: Date;
}

export interface CoverageInterval {
  id: number;
  startAt: Date;
  endAt: Date;
  snapshots: number;
}

/** A fact row with its interval, as a late snapshot's split reads it. */
export interface FactInterval extends CurrentFact {
  validFrom: Date;
  validTo: Date | null;
}

/** A fact row to insert with an explicit interval (a late snapshot's, or the rest of a split one). */
export interface NewInterval {
  ns: string;
  kind: string;
  key: string;
  attrs: FactAttributes;
  validFrom: Date;
  validTo: Date | null;
}

/** The snapshot record's row; `arrival` says how it joined history (schema.prisma, Snapshot). */
export interface SnapshotRecord {
  id: string;
  nodeId: number;
  takenAt: Date;
  receivedAt: Date;
  hash: string;
  changes: number;
  bootId: string;
  seq: bigint;
  source: string;
  warnings: unknown;
  clockSkewMs?: number;
  arrival?: 'in_order' | 'backfilled' | 'late';
  lateReason?: string;
}

/** An opened fact row's id, by its key: the state cache keeps it to close the row later. */
export interface OpenedFact {
  id: bigint;
  ns: string;
  kind: string;
  key: string;
}

/** What the node's head must still be for the one-statement unchanged path to apply. */
export interface UnchangedGuard {
  nodeId: number;
  lastSnapshotId: string;
  stateHash: string;
  /** the coverage interval to extend, or null to open a new one (after a gap) */
  coverageId: number | null;
}

export interface NodeUpdate {
  takenAt: Date;
  receivedAt: Date;
  snapshotId: string;
  bootId: string;
  seq: bigint;
  intervalMs: number;
  kernel?: string;
  iproute2?: string;
  collectorVersion: string;
  /** collector.clockSkewMs, when the snapshot carried one (the node keeps the latest one reported) */
  clockSkewMs?: number;
}

/**
 * Every write of ingest, in SQL that touches rows in proportion to the change: one UPDATE
 * closes all ended facts, one INSERT opens all new ones (arrays through unnest), whatever
 * the snapshot's size. Only the ingest service calls it, inside one transaction.
 */
@Injectable()
export class HistoryWriterRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  transaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return this.database.prisma.$transaction(work, { timeout: 60000, maxWait: 30000 });
  }

  /**
   * Creates the node if it is new; either way locks its row until the transaction ends. FOR NO
   * KEY UPDATE, not FOR UPDATE: ingest never changes the node's key, and FOR UPDATE would also
   * wait for every open transaction holding a foreign key to the node (a findings write), which
   * stalled ingest for tens of seconds in the soak. Two ingests of one node still serialise.
   */
  async lockNode(tx: TransactionClient, name: string, first: NodeUpdate): Promise<{ node: NodeHead; created: boolean }> {
    const inserted = await tx.$queryRaw<{ id: number }[]>`
      INSERT INTO node (name, first_seen_at, last_seen_at, last_received_at, last_snapshot_id, last_boot_id, last_seq, interval_ms, state_hash, state_version, kernel, iproute2, collector_version, clock_skew_ms)
      VALUES (${name}, ${first.takenAt}, ${first.takenAt}, ${first.receivedAt}, ${first.snapshotId}::uuid, ${first.bootId}, ${first.seq}, ${first.intervalMs}, '', 0, ${first.kernel ?? null}, ${first.iproute2 ?? null}, ${first.collectorVersion}, ${skewOf(first)}::bigint)
      ON CONFLICT (name) DO NOTHING
      RETURNING id`;
    const rows = await tx.$queryRaw<NodeHead[]>`
      SELECT id, last_seen_at AS "lastSeenAt", last_snapshot_id::text AS "lastSnapshotId", last_boot_id AS "lastBootId", last_seq AS "lastSeq",
             interval_ms AS "intervalMs", state_hash AS "stateHash", state_version AS "stateVersion"
      FROM node WHERE name = ${name} FOR NO KEY UPDATE`;
    return { node: rows[0], created: inserted.length > 0 };
  }

  /**
   * The node a snapshotId already belongs to, if any: the node of a recorded snapshot, or a node
   * (other than `exceptNodeId`, whose head this transaction may have just set) whose head it is.
   */
  async snapshotOwner(tx: TransactionClient, snapshotId: string, exceptNodeId: number): Promise<string | undefined> {
    // snapshot's primary key is (node_id, id) (distributable by node, docs/scaling.md), so the
    // database no longer refuses one id under two nodes: transactions asking about the same id
    // take turns here, and the look-up below (its own statement, so its own snapshot of the
    // data) sees what the previous one committed. Released at the end of the transaction.
    await tx.$executeRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(${SNAPSHOT_ID_LOCK}::int, hashtext(${snapshotId}))) l`;
    const rows = await tx.$queryRaw<{ name: string }[]>`
      SELECT n.name FROM snapshot s JOIN node n ON n.id = s.node_id WHERE s.id = ${snapshotId}::uuid
      UNION ALL
      SELECT name FROM node WHERE last_snapshot_id = ${snapshotId}::uuid AND id <> ${exceptNodeId}
      LIMIT 1`;
    return rows[0]?.name;
  }

  async latestCoverage(tx: TransactionClient, nodeId: number): Promise<CoverageHead | undefined> {
    const rows = await tx.$queryRaw<CoverageHead[]>`
      SELECT id, end_at AS "endAt" FROM coverage WHERE node_id = ${nodeId} ORDER BY start_at DESC LIMIT 1`;
    return rows[0];
  }

  async extendCoverage(tx: TransactionClient, nodeId: number, coverageId: number, endAt: Date): Promise<void> {
    await tx.$executeRaw`UPDATE coverage SET end_at = ${endAt}, snapshots = snapshots + 1 WHERE node_id = ${nodeId} AND id = ${coverageId}`;
  }

  async openCoverage(tx: TransactionClient, nodeId: number, at: Date): Promise<void> {
    await tx.$executeRaw`INSERT INTO coverage (node_id, start_at, end_at, snapshots) VALUES (${nodeId}, ${at}, ${at}, 1)`;
  }

  async currentFacts(tx: TransactionClient, nodeId: number): Promise<CurrentFact[]> {
    return tx.$queryRaw<CurrentFact[]>`
      SELECT f.id, f.ns, f.kind, f.key, a.attrs FROM fact f JOIN fact_attrs a ON a.id = f.attrs_id WHERE f.node_id = ${nodeId} AND f.valid_to IS NULL`;
  }

  async closeFacts(tx: TransactionClient, nodeId: number, ids: readonly bigint[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await tx.$executeRaw`UPDATE fact SET valid_to = ${at} WHERE node_id = ${nodeId} AND id = ANY(${ids.map(String)}::bigint[])`;
  }

  async openFacts(tx: TransactionClient, nodeId: number, facts: readonly Fact[], at: Date): Promise<OpenedFact[]> {
    if (facts.length === 0) return [];
    return tx.$queryRaw<OpenedFact[]>`
      WITH f AS (
        SELECT f.ns, f.kind, f.key, f.attrs::jsonb AS attrs, md5(f.attrs::jsonb::text)::uuid AS attrs_id
        FROM unnest(${facts.map((f) => f.ns)}::text[], ${facts.map((f) => f.kind)}::text[], ${facts.map((f) => f.key)}::text[], ${facts.map((f) => JSON.stringify(f.attrs))}::text[])
          AS f(ns, kind, key, attrs)
      ), ${storeAttrs}
      INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from)
      SELECT ${nodeId}, f.ns, f.kind, f.key, f.attrs_id, ${at} FROM f
      RETURNING id, ns, kind, key`;
  }

  /**
   * The whole write of an unchanged snapshot in one statement, outside any interactive
   * transaction: moves the node's head and extends (or opens) coverage, but only if the head is
   * still the one this replica last saw (compare-and-set on last_snapshot_id and state_hash), the
   * snapshot is newer and its id unknown. No row back = someone else moved the head: the caller
   * takes the full path, which locks the node and decides.
   */
  async recordUnchanged(guard: UnchangedGuard, snapshotId: string, update: NodeUpdate): Promise<{ stateVersion: number; coverageId: number | null } | undefined> {
    const rows = await this.database.prisma.$queryRaw<Array<{ stateVersion: number; coverageId: number | null }>>`
      WITH n AS (
        UPDATE node SET
          last_seen_at = ${update.takenAt}, last_received_at = ${update.receivedAt}, last_snapshot_id = ${snapshotId}::uuid,
          last_boot_id = ${update.bootId}, last_seq = ${update.seq}, interval_ms = ${update.intervalMs},
          kernel = COALESCE(${update.kernel ?? null}, kernel), iproute2 = COALESCE(${update.iproute2 ?? null}, iproute2),
          collector_version = ${update.collectorVersion}, clock_skew_ms = COALESCE(${skewOf(update)}::bigint, clock_skew_ms)
        WHERE id = ${guard.nodeId} AND last_snapshot_id = ${guard.lastSnapshotId}::uuid AND state_hash = ${guard.stateHash}
          AND last_seen_at < ${update.takenAt}
          AND NOT EXISTS (SELECT 1 FROM snapshot WHERE id = ${snapshotId}::uuid)
        RETURNING id, state_version
      ), extended AS (
        UPDATE coverage SET end_at = ${update.takenAt}, snapshots = snapshots + 1
        WHERE node_id = ${guard.nodeId} AND id = ${guard.coverageId}::int AND EXISTS (SELECT 1 FROM n)
        RETURNING id
      ), opened AS (
        INSERT INTO coverage (node_id, start_at, end_at, snapshots)
        SELECT id, ${update.takenAt}, ${update.takenAt}, 1 FROM n WHERE ${guard.coverageId}::int IS NULL
        RETURNING id
      )
      SELECT n.state_version AS "stateVersion", COALESCE((SELECT id FROM extended), (SELECT id FROM opened)) AS "coverageId" FROM n`;
    return rows[0];
  }

  /** Records a snapshot (changed, late or backfilled); false when its id is already recorded (by another node). */
  async recordSnapshot(tx: TransactionClient, row: SnapshotRecord): Promise<boolean> {
    // ON CONFLICT: another node's transaction recording the same id at the same moment commits
    // first; this one learns it here (false) instead of failing on the primary key.
    const inserted = await tx.$executeRaw`
      INSERT INTO snapshot (id, node_id, taken_at, received_at, hash, changes, boot_id, seq, source, warnings, clock_skew_ms, arrival, late_reason)
      VALUES (${row.id}::uuid, ${row.nodeId}, ${row.takenAt}, ${row.receivedAt}, ${row.hash}, ${row.changes}, ${row.bootId}, ${row.seq}, ${row.source}, ${JSON.stringify(row.warnings)}::jsonb,
              ${row.clockSkewMs ?? null}::bigint, ${row.arrival ?? 'in_order'}, ${row.lateReason ?? null})
      ON CONFLICT (node_id, id) DO NOTHING`;
    return inserted === 1;
  }

  /** Moves the node's head to this snapshot; `stateHash` is given only when the state changed. */
  async advanceNode(tx: TransactionClient, nodeId: number, update: NodeUpdate, stateHash?: string): Promise<number> {
    const rows = await tx.$queryRaw<{ stateVersion: number }[]>`
      UPDATE node SET
        last_seen_at = ${update.takenAt}, last_received_at = ${update.receivedAt}, last_snapshot_id = ${update.snapshotId}::uuid,
        last_boot_id = ${update.bootId}, last_seq = ${update.seq}, interval_ms = ${update.intervalMs},
        kernel = COALESCE(${update.kernel ?? null}, kernel), iproute2 = COALESCE(${update.iproute2 ?? null}, iproute2),
        collector_version = ${update.collectorVersion}, clock_skew_ms = COALESCE(${skewOf(update)}::bigint, clock_skew_ms),
        state_hash = COALESCE(${stateHash ?? null}, state_hash),
        state_version = state_version + ${stateHash === undefined ? 0 : 1}
      WHERE id = ${nodeId}
      RETURNING state_version AS "stateVersion"`;
    return rows[0].stateVersion;
  }

  // --- late snapshots (older than the node's head) -------------------------------------------

  /**
   * The coverage around `at`: the interval holding it (start_at <= at <= end_at), else the last
   * interval before it and the first after it. Intervals of a node do not overlap.
   */
  async coverageAround(tx: TransactionClient, nodeId: number, at: Date): Promise<{ covering?: CoverageInterval; before?: CoverageInterval; after?: CoverageInterval }> {
    const [latestStarted] = await tx.$queryRaw<CoverageInterval[]>`
      SELECT id, start_at AS "startAt", end_at AS "endAt", snapshots FROM coverage
      WHERE node_id = ${nodeId} AND start_at <= ${at} ORDER BY start_at DESC LIMIT 1`;
    const [after] = await tx.$queryRaw<CoverageInterval[]>`
      SELECT id, start_at AS "startAt", end_at AS "endAt", snapshots FROM coverage
      WHERE node_id = ${nodeId} AND start_at > ${at} ORDER BY start_at ASC LIMIT 1`;
    if (latestStarted && latestStarted.endAt.getTime() >= at.getTime()) return { covering: latestStarted, after };
    return { before: latestStarted, after };
  }

  /** The node's facts valid at `at`, with their intervals. */
  async factsAt(tx: TransactionClient, nodeId: number, at: Date): Promise<FactInterval[]> {
    return tx.$queryRaw<FactInterval[]>`
      SELECT f.id, f.ns, f.kind, f.key, a.attrs, f.valid_from AS "validFrom", f.valid_to AS "validTo" FROM fact f JOIN fact_attrs a ON a.id = f.attrs_id
      WHERE f.node_id = ${nodeId} AND f.valid_from <= ${at} AND (f.valid_to IS NULL OR f.valid_to > ${at})`;
  }

  /** The node's facts that begin exactly at `at` (opened by the snapshot taken then). */
  async factsStartingAt(tx: TransactionClient, nodeId: number, at: Date): Promise<FactInterval[]> {
    return tx.$queryRaw<FactInterval[]>`
      SELECT f.id, f.ns, f.kind, f.key, a.attrs, f.valid_from AS "validFrom", f.valid_to AS "validTo" FROM fact f JOIN fact_attrs a ON a.id = f.attrs_id
      WHERE f.node_id = ${nodeId} AND f.valid_from = ${at}`;
  }

  /** Whether any fact of the node begins or ends strictly between `from` and `to`. */
  async changesBetween(tx: TransactionClient, nodeId: number, from: Date, to: Date): Promise<boolean> {
    const rows = await tx.$queryRaw<{ found: number }[]>`
      SELECT 1 AS found FROM fact WHERE node_id = ${nodeId} AND ((valid_from > ${from} AND valid_from < ${to}) OR (valid_to > ${from} AND valid_to < ${to})) LIMIT 1`;
    return rows.length > 0;
  }

  /** Inserts fact rows with explicit intervals (valid_to null = still true). */
  async insertIntervals(tx: TransactionClient, nodeId: number, rows: readonly NewInterval[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.$executeRaw`
      WITH f AS (
        SELECT f.ns, f.kind, f.key, f.attrs::jsonb AS attrs, md5(f.attrs::jsonb::text)::uuid AS attrs_id, f.valid_from, f.valid_to
        FROM unnest(${rows.map((r) => r.ns)}::text[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => JSON.stringify(r.attrs))}::text[],
                    ${rows.map((r) => r.validFrom.toISOString())}::timestamptz[], ${rows.map((r) => r.validTo?.toISOString() ?? null)}::timestamptz[])
          AS f(ns, kind, key, attrs, valid_from, valid_to)
      ), ${storeAttrs}
      INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from, valid_to)
      SELECT ${nodeId}, f.ns, f.kind, f.key, f.attrs_id, f.valid_from, f.valid_to FROM f`;
  }

  /** Moves the start of fact rows back to `at` (a late snapshot showed them earlier). */
  async moveFactStart(tx: TransactionClient, nodeId: number, ids: readonly bigint[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await tx.$executeRaw`UPDATE fact SET valid_from = ${at} WHERE node_id = ${nodeId} AND id = ANY(${ids.map(String)}::bigint[])`;
  }

  /** A coverage interval now starts at `at` (a late snapshot just before it). */
  async extendCoverageBack(tx: TransactionClient, nodeId: number, coverageId: number, startAt: Date): Promise<void> {
    await tx.$executeRaw`UPDATE coverage SET start_at = ${startAt}, snapshots = snapshots + 1 WHERE node_id = ${nodeId} AND id = ${coverageId}`;
  }

  /**
   * A late snapshot closed the gap between two intervals: the later one (which may be the node's
   * head coverage, whose id the state cache and the unchanged path keep) absorbs the earlier one.
   */
  async joinCoverage(tx: TransactionClient, nodeId: number, earlier: CoverageInterval, later: CoverageInterval): Promise<void> {
    await tx.$executeRaw`UPDATE coverage SET start_at = ${earlier.startAt}, snapshots = snapshots + ${earlier.snapshots + 1} WHERE node_id = ${nodeId} AND id = ${later.id}`;
    await tx.$executeRaw`DELETE FROM coverage WHERE node_id = ${nodeId} AND id = ${earlier.id}`;
  }

  /**
   * After a late snapshot changed history: the node's first sighting may move back, and its
   * state version moves on, so that every replica's cached open facts (whose row ids a split may
   * have replaced) are refetched.
   */
  async markHistoryRewritten(tx: TransactionClient, nodeId: number, at: Date): Promise<number> {
    const rows = await tx.$queryRaw<{ stateVersion: number }[]>`
      UPDATE node SET first_seen_at = LEAST(first_seen_at, ${at}), state_version = state_version + 1
      WHERE id = ${nodeId} RETURNING state_version AS "stateVersion"`;
    return rows[0].stateVersion;
  }
}

/** First key of the transaction-level advisory locks on snapshot ids (the second is hashtext(id)). */
const SNAPSHOT_ID_LOCK = 0x52535349; // 'RSSI'

/**
 * The CTE (after one named `f` with `attrs` jsonb and `attrs_id`, md5 of its text) that stores each distinct attrs value
 * of `f` in fact_attrs if absent (content-addressed: the id is md5 of the jsonb text, which the
 * fact rows then reference). Inserted in id order so that two transactions adding overlapping
 * sets of new values wait for each other in one order instead of deadlocking.
 */
const storeAttrs = Prisma.sql`stored_attrs AS (
        INSERT INTO fact_attrs (id, attrs)
        SELECT DISTINCT ON (attrs_id) attrs_id, attrs FROM f ORDER BY attrs_id
        ON CONFLICT (id) DO NOTHING
      )`;

/** The reported skew as a bigint parameter (null when the snapshot carried none). */
function skewOf(update: NodeUpdate): string | null {
  return update.clockSkewMs === undefined ? null : String(update.clockSkewMs);
}
