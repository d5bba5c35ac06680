import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import type { FactAttributes } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';
import { toAttributesOrNull } from './fact-rows';

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
  /** the attributes before the change (null: added) and after it (null: removed) */
  before: FactAttributes | null;
  after: FactAttributes | null;
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
 * Changes of fact keys: a change at t is a row closed at t and/or a row opened at t. Pages are
 * ordered by (at, node, ns, kind, key), text COLLATE "C" (see NodeRepository).
 */
@Injectable()
export class FactChangeRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /**
   * Up to `limit` changes per node in (from, to], strictly after `after` in (at, ns, kind, key)
   * order (its `node` is ignored): one statement for all the nodes, a LATERAL page each.
   */
  async nodeChanges(nodeIds: readonly number[], from: Date, to: Date, after: ChangePosition | undefined, limit: number): Promise<ChangeRow[]> {
    const start = pageStart(from, after);
    return decodeChanges(await this.database.prisma.$queryRaw<RawChangeRow[]>`
      SELECT n.id AS "nodeId", n.name AS node, c.at, c.ns, c.kind, c.key, c.before, c.after, c."afterGap"
      FROM node n
      CROSS JOIN LATERAL (
        SELECT e.at, e.ns, e.kind, e.key,
          (SELECT v.attrs FROM fact b JOIN fact_attrs v ON v.id = b.attrs_id
            WHERE b.node_id = n.id AND b.ns = e.ns AND b.kind = e.kind AND b.key = e.key AND b.valid_to = e.at LIMIT 1) AS before,
          (SELECT v.attrs FROM fact a JOIN fact_attrs v ON v.id = a.attrs_id
            WHERE a.node_id = n.id AND a.ns = e.ns AND a.kind = e.kind AND a.key = e.key AND a.valid_from = e.at
              AND (a.valid_to IS NULL OR a.valid_to > e.at) LIMIT 1) AS after,
          EXISTS (SELECT 1 FROM coverage cv WHERE cv.node_id = n.id AND cv.start_at = e.at) AS "afterGap"
        FROM (
          SELECT ns, kind, key, valid_from AS at FROM fact
            WHERE node_id = n.id AND valid_from >= ${start.at}::timestamptz AND valid_from <= ${to}::timestamptz
              AND (valid_to IS NULL OR valid_to > ${start.at}::timestamptz)
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
      ORDER BY n.id, c.at, c.ns COLLATE "C", c.kind COLLATE "C", c.key COLLATE "C"`);
  }

  /**
   * Up to `limit` changes of every node in (from, to], strictly after `after` in (at, node, ns, kind, key) order;
   * without `includeFirstSeen`, not the facts of nodes' first snapshots (at their first_seen_at).
   *
   * A change at t is a row opened at t, or a row closed at t with no row of its key opened at t
   * (a changed value is both: counted once, on the opened side). The two sides are a UNION ALL of
   * two scans in instant order (the valid_from and valid_to indexes, ties put in order by an
   * incremental sort), each cut to one page, merged and cut again: PostgreSQL reads about a page
   * of rows per side instead of sorting every change of the window (a UNION of the window's
   * ~16,000 changes per hour at 1,000 nodes took 51–123 ms; docs/scaling.md has the plans).
   * The old and new values are looked up for the page's rows only.
   *
   * `valid_to IS NULL OR valid_to > t` beside `valid_from >= t` says nothing new (an interval ends
   * after it starts) but lets PostgreSQL skip the week partitions of `fact` that ended before t:
   * reading by valid_from otherwise probes every week (1 h at 200 nodes × 14 days: 28 → 5 ms).
   */
  async clusterChanges(from: Date, to: Date, after: ChangePosition | undefined, limit: number, includeFirstSeen = false): Promise<ChangeRow[]> {
    const start = pageStart(from, after);
    return decodeChanges(await this.database.prisma.$queryRaw<RawChangeRow[]>`
      SELECT e."nodeId", e.node, e.at, e.ns, e.kind, e.key,
        (SELECT v.attrs FROM fact b JOIN fact_attrs v ON v.id = b.attrs_id
          WHERE b.node_id = e."nodeId" AND b.ns = e.ns AND b.kind = e.kind AND b.key = e.key AND b.valid_to = e.at LIMIT 1) AS before,
        (SELECT v.attrs FROM fact a JOIN fact_attrs v ON v.id = a.attrs_id
          WHERE a.node_id = e."nodeId" AND a.ns = e.ns AND a.kind = e.kind AND a.key = e.key AND a.valid_from = e.at
            AND (a.valid_to IS NULL OR a.valid_to > e.at) LIMIT 1) AS after,
        -- a probe of (node_id, start_at) per row of the page; as EXISTS it was planned as a hashed scan of all coverage
        COALESCE((SELECT true FROM coverage cv WHERE cv.node_id = e."nodeId" AND cv.start_at = e.at LIMIT 1), false) AS "afterGap"
      FROM (
        SELECT u.* FROM (
          (SELECT f.node_id AS "nodeId", n.name AS node, f.valid_from AS at, f.ns, f.kind, f.key
            FROM fact f JOIN node n ON n.id = f.node_id
            WHERE f.valid_from >= ${start.at}::timestamptz AND f.valid_from <= ${to}::timestamptz AND f.valid_from > ${from}::timestamptz
              AND (f.valid_to IS NULL OR f.valid_to > ${start.at}::timestamptz)
              AND (${includeFirstSeen}::boolean OR f.valid_from > n.first_seen_at)
              AND (f.valid_from, n.name COLLATE "C", f.ns COLLATE "C", f.kind COLLATE "C", f.key COLLATE "C")
                  > (${start.at}::timestamptz, ${start.node}::text, ${start.ns}::text, ${start.kind}::text, ${start.key}::text)
            ORDER BY f.valid_from, n.name COLLATE "C", f.ns COLLATE "C", f.kind COLLATE "C", f.key COLLATE "C"
            LIMIT ${limit}::int)
          UNION ALL
          (SELECT f.node_id, n.name, f.valid_to, f.ns, f.kind, f.key
            FROM fact f JOIN node n ON n.id = f.node_id
            WHERE f.valid_to >= ${start.at}::timestamptz AND f.valid_to <= ${to}::timestamptz AND f.valid_to > ${from}::timestamptz
              AND (${includeFirstSeen}::boolean OR f.valid_to > n.first_seen_at)
              AND (f.valid_to, n.name COLLATE "C", f.ns COLLATE "C", f.kind COLLATE "C", f.key COLLATE "C")
                  > (${start.at}::timestamptz, ${start.node}::text, ${start.ns}::text, ${start.kind}::text, ${start.key}::text)
              AND NOT EXISTS (SELECT 1 FROM fact o
                WHERE o.node_id = f.node_id AND o.valid_from = f.valid_to AND o.ns = f.ns AND o.kind = f.kind AND o.key = f.key
                  AND (o.valid_to IS NULL OR o.valid_to > f.valid_to))
            ORDER BY f.valid_to, n.name COLLATE "C", f.ns COLLATE "C", f.kind COLLATE "C", f.key COLLATE "C"
            LIMIT ${limit}::int)
        ) u
        ORDER BY u.at, u.node COLLATE "C", u.ns COLLATE "C", u.kind COLLATE "C", u.key COLLATE "C"
        LIMIT ${limit}::int
      ) e
      ORDER BY e.at, e.node COLLATE "C", e.ns COLLATE "C", e.kind COLLATE "C", e.key COLLATE "C"`);
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

interface RawChangeRow extends Omit<ChangeRow, 'before' | 'after'> {
  before: unknown;
  after: unknown;
}

function decodeChanges(rows: readonly RawChangeRow[]): ChangeRow[] {
  return rows.map((row) => ({ ...row, before: toAttributesOrNull(row.before), after: toAttributesOrNull(row.after) }));
}
