import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import type { Fact } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { toStoredFacts } from './fact-entry.mapper';

// Rows as the read side gets them from the database; services map them to GraphQL types.

export interface NodeRow {
  id: number;
  name: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  lastReceivedAt: Date;
  intervalMs: number;
  stateVersion: number;
  kernel: string | null;
  iproute2: string | null;
  collectorVersion: string | null;
}

export interface NodeListFilter {
  nameContains?: string;
  seenSince?: Date;
}

export interface FactRow {
  nodeId: number;
  ns: string;
  kind: string;
  key: string;
  attrs: unknown;
}

export interface CoverageRow {
  nodeId: number;
  startAt: Date;
  endAt: Date;
  snapshots: number;
  /** the node's current reporting interval, for the grace after endAt. */
  intervalMs: number;
}

/**
 * One change of one fact key at `at`: the row closed at `at` (before) and/or the row opened
 * at `at` (after). Both present = changed, only after = added, only before = removed.
 */
export interface ChangeRow {
  nodeId: number;
  node: string;
  at: Date;
  ns: string;
  kind: string;
  key: string;
  before: unknown;
  after: unknown;
  /** the snapshot that recorded it opened a coverage interval (the first one, or one after a gap). */
  afterGap: boolean;
}

/** Where a page starts: changes strictly after this position in (at, node, ns, kind, key) order. */
export interface ChangePosition {
  at: Date;
  node: string;
  ns: string;
  kind: string;
  key: string;
}

/**
 * Every read of the history tables. State at T is the rows with valid_from <= T < valid_to
 * (null = open); a change at t is a row closed at t and/or a row opened at t. Text ordering
 * uses COLLATE "C" everywhere, so that Postgres and PGlite page identically whatever the
 * database's collation, and so that cursors compare the way the ORDER BY sorts.
 */
@Injectable()
export class HistoryQueryRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Nodes ordered by name, strictly after `afterName` when given. */
  async listNodes(filter: NodeListFilter, afterName: string | undefined, limit: number): Promise<NodeRow[]> {
    return this.database.prisma.$queryRaw<NodeRow[]>`
      SELECT id, name, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", last_received_at AS "lastReceivedAt",
             interval_ms AS "intervalMs", state_version AS "stateVersion", kernel, iproute2, collector_version AS "collectorVersion"
      FROM node
      WHERE (${filter.nameContains ?? null}::text IS NULL OR strpos(lower(name), lower(${filter.nameContains ?? null}::text)) > 0)
        AND (${filter.seenSince ?? null}::timestamptz IS NULL OR last_seen_at >= ${filter.seenSince ?? null}::timestamptz)
        AND (${afterName ?? null}::text IS NULL OR name COLLATE "C" > ${afterName ?? null}::text COLLATE "C")
      ORDER BY name COLLATE "C"
      LIMIT ${limit}::int`;
  }

  async countNodes(filter: NodeListFilter): Promise<number> {
    const rows = await this.database.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count
      FROM node
      WHERE (${filter.nameContains ?? null}::text IS NULL OR strpos(lower(name), lower(${filter.nameContains ?? null}::text)) > 0)
        AND (${filter.seenSince ?? null}::timestamptz IS NULL OR last_seen_at >= ${filter.seenSince ?? null}::timestamptz)`;
    return Number(rows[0]?.count ?? 0);
  }

  async nodesByName(names: readonly string[]): Promise<NodeRow[]> {
    return this.database.prisma.$queryRaw<NodeRow[]>`
      SELECT id, name, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", last_received_at AS "lastReceivedAt",
             interval_ms AS "intervalMs", state_version AS "stateVersion", kernel, iproute2, collector_version AS "collectorVersion"
      FROM node
      WHERE name = ANY(${[...names]}::text[])`;
  }

  /**
   * The facts of each node valid at `at`: its open rows that had begun by then (the partial
   * current-key index) plus its rows closed after `at` that had begun by then ((node_id, valid_to,
   * valid_from), filtered inside the index). Two index scans that each touch only what they
   * return, instead of every row the node ever had before `at`.
   */
  async factsAt(nodeIds: readonly number[], at: Date): Promise<FactRow[]> {
    return this.database.prisma.$queryRaw<FactRow[]>`
      SELECT node_id AS "nodeId", ns, kind, key, attrs
      FROM fact
      WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
      UNION ALL
      SELECT node_id AS "nodeId", ns, kind, key, attrs
      FROM fact
      WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz`;
  }

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

  /**
   * Up to `limit` changes per node in (from, to], strictly after `after` in (at, ns, kind, key)
   * order (its `node` is ignored): one statement for all the nodes, a LATERAL page each.
   */
  async nodeChanges(nodeIds: readonly number[], from: Date, to: Date, after: ChangePosition | undefined, limit: number): Promise<ChangeRow[]> {
    const start = pageStart(from, after);
    return this.database.prisma.$queryRaw<ChangeRow[]>`
      SELECT n.id AS "nodeId", n.name AS node, c.at, c.ns, c.kind, c.key, c.before, c.after, c."afterGap"
      FROM node n
      CROSS JOIN LATERAL (
        SELECT e.at, e.ns, e.kind, e.key,
          (SELECT b.attrs FROM fact b
            WHERE b.node_id = n.id AND b.ns = e.ns AND b.kind = e.kind AND b.key = e.key AND b.valid_to = e.at LIMIT 1) AS before,
          (SELECT a.attrs FROM fact a
            WHERE a.node_id = n.id AND a.ns = e.ns AND a.kind = e.kind AND a.key = e.key AND a.valid_from = e.at LIMIT 1) AS after,
          EXISTS (SELECT 1 FROM coverage cv WHERE cv.node_id = n.id AND cv.start_at = e.at) AS "afterGap"
        FROM (
          SELECT ns, kind, key, valid_from AS at FROM fact
            WHERE node_id = n.id AND valid_from >= ${start.at}::timestamptz AND valid_from <= ${to}::timestamptz
          UNION
          SELECT ns, kind, key, valid_to AS at FROM fact
            WHERE node_id = n.id AND valid_to >= ${start.at}::timestamptz AND valid_to <= ${to}::timestamptz
        ) e
        WHERE e.at > ${from}::timestamptz
          AND (e.at, e.ns COLLATE "C", e.kind COLLATE "C", e.key COLLATE "C")
              > (${start.at}::timestamptz, ${start.ns}::text, ${start.kind}::text, ${start.key}::text)
        ORDER BY e.at, e.ns COLLATE "C", e.kind COLLATE "C", e.key COLLATE "C"
        LIMIT ${limit}::int
      ) c
      WHERE n.id = ANY(${[...nodeIds]}::int[])
      ORDER BY n.id, c.at, c.ns COLLATE "C", c.kind COLLATE "C", c.key COLLATE "C"`;
  }

  /** Up to `limit` changes of every node in (from, to], strictly after `after` in (at, node, ns, kind, key) order. */
  async clusterChanges(from: Date, to: Date, after: ChangePosition | undefined, limit: number): Promise<ChangeRow[]> {
    const start = pageStart(from, after);
    return this.database.prisma.$queryRaw<ChangeRow[]>`
      SELECT n.id AS "nodeId", n.name AS node, e.at, e.ns, e.kind, e.key,
        (SELECT b.attrs FROM fact b
          WHERE b.node_id = e.node_id AND b.ns = e.ns AND b.kind = e.kind AND b.key = e.key AND b.valid_to = e.at LIMIT 1) AS before,
        (SELECT a.attrs FROM fact a
          WHERE a.node_id = e.node_id AND a.ns = e.ns AND a.kind = e.kind AND a.key = e.key AND a.valid_from = e.at LIMIT 1) AS after,
        EXISTS (SELECT 1 FROM coverage cv WHERE cv.node_id = e.node_id AND cv.start_at = e.at) AS "afterGap"
      FROM (
        SELECT node_id, ns, kind, key, valid_from AS at FROM fact
          WHERE valid_from >= ${start.at}::timestamptz AND valid_from <= ${to}::timestamptz
        UNION
        SELECT node_id, ns, kind, key, valid_to AS at FROM fact
          WHERE valid_to >= ${start.at}::timestamptz AND valid_to <= ${to}::timestamptz
      ) e
      JOIN node n ON n.id = e.node_id
      WHERE e.at > ${from}::timestamptz
        AND (e.at, n.name COLLATE "C", e.ns COLLATE "C", e.kind COLLATE "C", e.key COLLATE "C")
            > (${start.at}::timestamptz, ${start.node}::text, ${start.ns}::text, ${start.kind}::text, ${start.key}::text)
      ORDER BY e.at, n.name COLLATE "C", e.ns COLLATE "C", e.kind COLLATE "C", e.key COLLATE "C"
      LIMIT ${limit}::int`;
  }

  /** Every node's open facts, grouped by node name (warms the checks' in-memory cluster view). */
  async allCurrentFacts(): Promise<Map<string, Fact[]>> {
    const rows = await this.database.prisma.$queryRaw<NamedFactRow[]>`
      SELECT n.name AS node, f.ns, f.kind, f.key, f.attrs FROM fact f JOIN node n ON n.id = f.node_id WHERE f.valid_to IS NULL`;
    return groupFactsByNode(rows);
  }

  /** Every node's facts valid at `at`, grouped by node name. */
  async allFactsAt(at: Date): Promise<Map<string, Fact[]>> {
    const rows = await this.database.prisma.$queryRaw<NamedFactRow[]>`
      SELECT n.name AS node, f.ns, f.kind, f.key, f.attrs FROM fact f JOIN node n ON n.id = f.node_id
      WHERE f.valid_from <= ${at}::timestamptz AND (f.valid_to IS NULL OR f.valid_to > ${at}::timestamptz)`;
    return groupFactsByNode(rows);
  }
}

/**
 * Without a cursor a page starts at (from, '', '', '', ''), which every change in the window
 * (at > from) follows; a cursor from before the window is moved up to it.
 */
function pageStart(from: Date, after: ChangePosition | undefined): ChangePosition {
  if (!after || after.at.getTime() < from.getTime()) return { at: from, node: '', ns: '', kind: '', key: '' };
  return after;

}

interface NamedFactRow {
  node: string;
  ns: string;
  kind: string;
  key: string;
  attrs: unknown;
}

function groupFactsByNode(rows: readonly NamedFactRow[]): Map<string, Fact[]> {
  const out = new Map<string, Fact[]>();
  for (const row of rows) {
    const list = out.get(row.node) ?? [];
    list.push(...toStoredFacts([{ nodeId: 0, ns: row.ns, kind: row.kind, key: row.key, attrs: row.attrs }]));
    out.set(row.node, list);
  }
  return out;
}
