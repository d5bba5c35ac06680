import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';
import { compareFacts, FACT_KINDS, type Fact, type FactAttributes, type FactKind } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { toAttributes, toStoredFacts } from './fact-entry.mapper';

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
  /** node.clock_skew_ms as a float8 (a JS number; the contract bounds it to ten years) */
  clockSkewMs: number | null;
}

export interface NodeListFilter {
  nameContains?: string;
  seenSince?: Date;
  /** true: REPORTING at the query's `asOf`, false: SILENT (see `reportingSql`) */
  reporting?: boolean;
  /** true: at least one finding open at `asOf`, false: none */
  hasOpenFindings?: boolean;
}

export type NodeSortKey = 'name' | 'status' | 'lastSeen' | 'openFindings' | 'changes';

/** One page of `nodes` in some order; `after` is the last row of the previous page (its sort key and name). */
export interface NodeListQuery {
  filter: NodeListFilter;
  sort: NodeSortKey;
  descending: boolean;
  /** the instant status, open findings and recent changes are judged at */
  asOf: Date;
  /** sort 'changes' counts the changes in (changesSince, asOf] */
  changesSince: Date;
  /** a node is SILENT once asOf is later than its last snapshot + gapFactor x its interval */
  gapFactor: number;
  after?: { sortKey: string | null; name: string };
  limit: number;
}

/** A node and the value it was sorted by (a bigint as text; null when sorted by name). */
export interface NodeListRow extends NodeRow {
  sortKey: string | null;
}

export interface ChangeCountRow {
  nodeId: number;
  count: number;
}

export interface ChangeRateRow {
  /** 0-based bucket index */
  bucket: number;
  count: number;
  nodeCount: number;
  /** nodes whose first snapshot is in the bucket */
  firstSeen: number;
}

export interface FactRow {
  nodeId: number;
  ns: string;
  kind: string;
  key: string;
  attrs: unknown;
}

/** A node's facts over a window, reduced to the keys that changed in it (windowFacts). */
export interface WindowFacts {
  /** facts of the changed keys valid at `from` */
  before: FactRow[];
  /** facts of the changed keys valid at `to` */
  after: FactRow[];
  /** of the changed keys' namespaces, those with any fact at `from` / at `to` */
  namespacesBefore: Set<string>;
  namespacesAfter: Set<string>;
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

  /**
   * One page of nodes in the order asked for, ties broken by name (ascending, COLLATE "C"), so
   * that (sort key, name) is a total order and a page continues strictly after the last row of
   * the previous one. The node table has a row per node: filters and sort keys are computed for
   * every matching node (open findings: one scan of the findings open at asOf; recent changes:
   * one range scan of the snapshot records, see changeCounts; each joined only when sorting by
   * it), then sorted; ~100 ms at 1,000 nodes.
   */
  async listNodes(query: NodeListQuery): Promise<NodeListRow[]> {
    const { asOf, descending } = query;
    const direction = Prisma.raw(descending ? 'DESC' : 'ASC');
    let sortKey: Prisma.Sql;
    let join = Prisma.empty;
    switch (query.sort) {
      case 'name':
        sortKey = Prisma.sql`NULL::bigint`;
        break;
      case 'status':
        sortKey = Prisma.sql`(CASE WHEN ${reportingSql(asOf, query.gapFactor)} THEN 1 ELSE 0 END)::bigint`;
        break;
      case 'lastSeen':
        sortKey = Prisma.sql`(extract(epoch FROM n.last_seen_at) * 1000)::bigint`;
        break;
      case 'openFindings':
        sortKey = Prisma.sql`coalesce(open_findings.weight, 0)::bigint`;
        join = Prisma.sql`LEFT JOIN (
          SELECT node_id,
                 least(count(*) FILTER (WHERE severity = 'critical'), 999) * 1000000000::bigint
                 + least(count(*) FILTER (WHERE severity = 'error'), 999) * 1000000
                 + least(count(*) FILTER (WHERE severity = 'warning'), 999) * 1000
                 + least(count(*) FILTER (WHERE severity = 'info'), 999) AS weight
          FROM finding
          WHERE ${findingOpenAtSql(asOf)}
          GROUP BY node_id
        ) open_findings ON open_findings.node_id = n.id`;
        break;
      case 'changes':
        // One range scan of snapshot(taken_at) for the whole cluster, grouped; a LATERAL per node costs about the same but is planned (and JIT-compiled) as far dearer.
        sortKey = Prisma.sql`coalesce(recent.changes, 0)::bigint`;
        join = Prisma.sql`LEFT JOIN (
          SELECT s.node_id, sum(s.changes) AS changes
          FROM snapshot s JOIN node seen ON seen.id = s.node_id
          WHERE s.taken_at > ${query.changesSince}::timestamptz AND s.taken_at <= ${asOf}::timestamptz AND s.taken_at > seen.first_seen_at
          GROUP BY s.node_id
        ) recent ON recent.node_id = n.id`;
        break;
    }
    const after = query.after;
    let cursor = Prisma.sql`TRUE`;
    if (after && query.sort === 'name') {
      cursor = descending ? Prisma.sql`x.name COLLATE "C" < ${after.name}::text` : Prisma.sql`x.name COLLATE "C" > ${after.name}::text`;
    } else if (after) {
      const beyond = descending ? Prisma.sql`x.sort_key < ${after.sortKey}::bigint` : Prisma.sql`x.sort_key > ${after.sortKey}::bigint`;
      cursor = Prisma.sql`(${beyond} OR (x.sort_key = ${after.sortKey}::bigint AND x.name COLLATE "C" > ${after.name}::text))`;
    }
    const order = query.sort === 'name' ? Prisma.sql`x.name COLLATE "C" ${direction}` : Prisma.sql`x.sort_key ${direction}, x.name COLLATE "C" ASC`;
    return this.database.prisma.$queryRaw<NodeListRow[]>`
      SELECT x.id, x.name, x."firstSeenAt", x."lastSeenAt", x."lastReceivedAt", x."intervalMs", x."stateVersion", x.kernel, x.iproute2, x."collectorVersion", x."clockSkewMs",
             x.sort_key::text AS "sortKey"
      FROM (
        SELECT n.id, n.name, n.first_seen_at AS "firstSeenAt", n.last_seen_at AS "lastSeenAt", n.last_received_at AS "lastReceivedAt",
               n.interval_ms AS "intervalMs", n.state_version AS "stateVersion", n.kernel, n.iproute2, n.collector_version AS "collectorVersion",
               n.clock_skew_ms::float8 AS "clockSkewMs", ${sortKey} AS sort_key
        FROM node n
        ${join}
        WHERE ${nodeFilterSql(query)}
      ) x
      WHERE ${cursor}
      ORDER BY ${order}
      LIMIT ${query.limit}::int`;
  }

  async countNodes(query: Pick<NodeListQuery, 'filter' | 'asOf' | 'gapFactor'>): Promise<number> {
    const rows = await this.database.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count
      FROM node n
      WHERE ${nodeFilterSql(query)}`;
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * How many changes each node recorded in (from, to], counted like the edges of `changes`: the
   * sum of `snapshot.changes` over the snapshots taken in the window. Ingest writes a snapshot
   * record with every change in the same transaction, its `changes` being the fact keys that
   * snapshot added, removed or changed (one per key, at its takenAt, which is the instant of
   * those rows' valid_from/valid_to), and retention removes both with the same cutoff; so the
   * sum is exactly the number of distinct (key, at) changes, without reading the fact rows
   * (EXPLAIN at 1,000 nodes: counting from fact needs ~400 heap rows per node-day plus a
   * de-duplication; this is ~110 index-ordered rows per node-day). Nodes without a change in
   * the window have no row. A node's first snapshot (at its first_seen_at) is its first-seen
   * event, not changes: its facts are not counted.
   */
  async changeCounts(nodeIds: readonly number[], from: Date, to: Date): Promise<ChangeCountRow[]> {
    return this.database.prisma.$queryRaw<ChangeCountRow[]>`
      SELECT s.node_id AS "nodeId", sum(s.changes)::int AS count
      FROM snapshot s JOIN node n ON n.id = s.node_id
      WHERE s.node_id = ANY(${[...nodeIds]}::int[]) AND s.taken_at > ${from}::timestamptz AND s.taken_at <= ${to}::timestamptz
        AND s.taken_at > n.first_seen_at
      GROUP BY s.node_id`;
  }

  /**
   * The changes of every node in (from, to] counted per bucket: `buckets` equal parts of the
   * window, a change at t in bucket ceil((t - from) x buckets / (to - from)) - 1, so that a
   * change exactly on a boundary ends the bucket before it, like the (from, to] windows.
   * Integer milliseconds throughout (timestamps are stored to the millisecond): no rounding.
   * Counted from the snapshot records like changeCounts (one range scan of snapshot(taken_at);
   * the same count from fact rows needs both interval ends of every change and a
   * de-duplication, ~7x slower at 1,000 nodes). Only non-empty buckets are returned. Nodes'
   * first snapshots are not changes (see changeCounts): they are counted apart, as `firstSeen`,
   * from node.first_seen_at.
   */
  async clusterChangeRate(from: Date, to: Date, buckets: number): Promise<ChangeRateRow[]> {
    const spanMs = to.getTime() - from.getTime();
    const bucketOf = (at: Prisma.Sql) =>
      Prisma.sql`((((extract(epoch FROM ${at} - ${from}::timestamptz) * 1000)::bigint * ${buckets}::bigint) + ${spanMs}::bigint - 1) / ${spanMs}::bigint - 1)::int`;
    return this.database.prisma.$queryRaw<ChangeRateRow[]>`
      SELECT bucket, sum(changes)::int AS count, count(DISTINCT node_id) FILTER (WHERE changes > 0)::int AS "nodeCount", sum(first_seen)::int AS "firstSeen"
      FROM (
        SELECT ${bucketOf(Prisma.sql`s.taken_at`)} AS bucket, s.changes, s.node_id, 0 AS first_seen
        FROM snapshot s JOIN node n ON n.id = s.node_id
        WHERE s.taken_at > ${from}::timestamptz AND s.taken_at <= ${to}::timestamptz AND s.changes > 0 AND s.taken_at > n.first_seen_at
        UNION ALL
        SELECT ${bucketOf(Prisma.sql`first_seen_at`)}, 0, id, 1
        FROM node
        WHERE first_seen_at > ${from}::timestamptz AND first_seen_at <= ${to}::timestamptz
      ) s
      GROUP BY bucket
      ORDER BY bucket`;
  }

  async nodesByName(names: readonly string[]): Promise<NodeRow[]> {
    return this.database.prisma.$queryRaw<NodeRow[]>`
      SELECT id, name, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", last_received_at AS "lastReceivedAt",
             interval_ms AS "intervalMs", state_version AS "stateVersion", kernel, iproute2, collector_version AS "collectorVersion",
             clock_skew_ms::float8 AS "clockSkewMs"
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
    // One JSON text per node instead of ~1,500 rows: the driver decodes a row at a time, and at
    // this size that decoding, not the index scans, was most of state(at) (bench, issue #6).
    const rows = await this.database.prisma.$queryRaw<Array<{ nodeId: number; facts: string }>>`
      SELECT f.node_id AS "nodeId", json_agg(json_build_array(f.ns, f.kind, f.key, f.attrs))::text AS facts
      FROM (
        SELECT node_id, ns, kind, key, attrs FROM fact
        WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
        UNION ALL
        SELECT node_id, ns, kind, key, attrs FROM fact
        WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
      ) f
      GROUP BY f.node_id`;
    const facts: FactRow[] = [];
    for (const row of rows) {
      for (const [ns, kind, key, attrs] of JSON.parse(row.facts) as Array<[string, string, string, unknown]>) facts.push({ nodeId: row.nodeId, ns, kind, key, attrs });
    }
    return facts;
  }

  /**
   * What a diff of one node over (from, to] needs, without shipping its whole state twice: the
   * keys that changed in the window (rows opened or closed in it: the (node_id, valid_from) and
   * (node_id, valid_to, valid_from) indexes), the facts of those keys valid at `from` and at `to`,
   * and which of their namespaces had any fact at `from` and at `to`. The states are filtered in
   * SQL, so a 1,500-fact node with 15 changes sends back ~30 rows.
   */
  async windowFacts(nodeId: number, from: Date, to: Date): Promise<WindowFacts> {
    const rows = await this.database.prisma.$queryRaw<Array<{ side: 'before' | 'after'; ns: string; kind: string | null; key: string | null; attrs: unknown }>>`
      WITH touched AS (
        SELECT ns, kind, key FROM fact WHERE node_id = ${nodeId} AND valid_from > ${from}::timestamptz AND valid_from <= ${to}::timestamptz
        UNION
        SELECT ns, kind, key FROM fact WHERE node_id = ${nodeId} AND valid_to > ${from}::timestamptz AND valid_to <= ${to}::timestamptz
      ), before AS (
        SELECT ns, kind, key, attrs FROM fact WHERE node_id = ${nodeId} AND valid_to IS NULL AND valid_from <= ${from}::timestamptz
        UNION ALL
        SELECT ns, kind, key, attrs FROM fact WHERE node_id = ${nodeId} AND valid_to > ${from}::timestamptz AND valid_from <= ${from}::timestamptz
      ), after AS (
        SELECT ns, kind, key, attrs FROM fact WHERE node_id = ${nodeId} AND valid_to IS NULL AND valid_from <= ${to}::timestamptz
        UNION ALL
        SELECT ns, kind, key, attrs FROM fact WHERE node_id = ${nodeId} AND valid_to > ${to}::timestamptz AND valid_from <= ${to}::timestamptz
      )
      SELECT 'before' AS side, b.ns, b.kind, b.key, b.attrs FROM before b WHERE (b.ns, b.kind, b.key) IN (SELECT ns, kind, key FROM touched)
      UNION ALL
      SELECT 'after', a.ns, a.kind, a.key, a.attrs FROM after a WHERE (a.ns, a.kind, a.key) IN (SELECT ns, kind, key FROM touched)
      UNION ALL
      SELECT DISTINCT 'before', b.ns, NULL, NULL, NULL::jsonb FROM before b WHERE b.ns IN (SELECT ns FROM touched)
      UNION ALL
      SELECT DISTINCT 'after', a.ns, NULL, NULL, NULL::jsonb FROM after a WHERE a.ns IN (SELECT ns FROM touched)`;
    const result: WindowFacts = { before: [], after: [], namespacesBefore: new Set(), namespacesAfter: new Set() };
    for (const row of rows) {
      if (row.kind === null || row.key === null) (row.side === 'before' ? result.namespacesBefore : result.namespacesAfter).add(row.ns);
      else result[row.side].push({ nodeId, ns: row.ns, kind: row.kind, key: row.key, attrs: row.attrs });
    }
    return result;
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

  /**
   * Up to `limit` changes of every node in (from, to], strictly after `after` in (at, node, ns, kind, key) order;
   * without `includeFirstSeen`, not the facts of nodes' first snapshots (at their first_seen_at).
   */
  async clusterChanges(from: Date, to: Date, after: ChangePosition | undefined, limit: number, includeFirstSeen = false): Promise<ChangeRow[]> {
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
      WHERE e.at > ${from}::timestamptz AND (${includeFirstSeen}::boolean OR e.at > n.first_seen_at)
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

  /**
   * What the checks' cluster views read (the kinds clusterFactsAt reads) of nodes whose history
   * has a boundary at or after `from`: every row still valid just before `from` or later, with
   * its interval, so that a caller can replay each node's state from just before `from` through
   * every change since. `nodeIds` narrows it; without it, every node changed since `from`.
   */
  async clusterFactIntervalsSince(from: Date, nodeIds?: readonly number[]): Promise<FactIntervalRow[]> {
    const nodes = nodeIds
      ? Prisma.sql`${[...nodeIds]}::int[]`
      : Prisma.sql`ARRAY(SELECT node_id FROM fact WHERE valid_from >= ${from}::timestamptz UNION SELECT node_id FROM fact WHERE valid_to >= ${from}::timestamptz)`;
    return this.database.prisma.$queryRaw<FactIntervalRow[]>`
      SELECT n.name AS node, f.ns, f.kind, f.key, f.attrs, f.valid_from AS "validFrom", f.valid_to AS "validTo"
      FROM fact f JOIN node n ON n.id = f.node_id
      WHERE f.node_id = ANY(${nodes}) AND (f.valid_to IS NULL OR f.valid_to >= ${from}::timestamptz)
        AND f.kind <> 'sysctl' AND NOT (f.ns = 'host' AND f.kind = 'neighbor')`;
  }

  /** The newest head of any node: no node's state has changed after it. */
  async latestHead(): Promise<Date | undefined> {
    const rows = await this.database.prisma.$queryRaw<Array<{ at: Date | null }>>`SELECT max(last_seen_at) AS at FROM node`;
    return rows[0]?.at ?? undefined;
  }

  /**
   * What the checks' cluster views read (libs/checks clusterView) of every node at `at`: every
   * kind but sysctls, and no host neighbours (ARP entries; pod namespaces' neighbours stay,
   * Calico detection reads them), each node's facts in canonical order. Yields the nodes (by id)
   * a chunk at a time, and fetches the next chunk while the caller works on this one: the
   * database and the caller's CPU work overlap, and only a chunk of facts is held at once.
   *
   * Per node the two index scans of factsAt (open rows: node_id, valid_to IS NULL, valid_from;
   * closed rows: node_id, valid_to > at, valid_from filtered inside (node_id, valid_to,
   * valid_from)). A node's facts come back as ONE text (string_agg): a 1,000-node cluster
   * (≈1.3 M facts, most of them the same block routes on every node) crosses as 1,000 rows, and
   * each distinct attrs text is parsed once and its object shared by every fact that has it
   * (across chunks): treat the facts as immutable.
   */
  async *clusterFactsAt(at: Date, chunkSize = 250): AsyncGenerator<Array<[node: string, facts: Fact[]]>> {
    const nodes = await this.database.prisma.$queryRaw<Array<{ id: number }>>`
      SELECT id FROM node WHERE first_seen_at <= ${at}::timestamptz ORDER BY id`;
    const chunks: number[][] = [];
    for (let i = 0; i < nodes.length; i += chunkSize) chunks.push(nodes.slice(i, i + chunkSize).map((n) => n.id));
    const attrsByText = new Map<string, FactAttributes>();
    let next = chunks.length > 0 ? this.aggregatedFactsAt(chunks[0], at) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      const rows = await (next as Promise<Array<{ node: string; facts: string | null }>>);
      next = i + 1 < chunks.length ? this.aggregatedFactsAt(chunks[i + 1], at) : undefined;
      // Awaited on the next round; this only keeps a caller that stops early from leaving it unhandled.
      next?.catch(() => undefined);
      const out: Array<[string, Fact[]]> = [];
      for (const row of rows) if (row.facts) out.push([row.node, parseAggregatedFacts(row.facts, attrsByText)]);
      yield out;
    }
  }

  private async aggregatedFactsAt(nodeIds: number[], at: Date): Promise<Array<{ node: string; facts: string | null }>> {
    const prisma = this.database.prisma;
    // Planned as a subplan per node, the statement looks expensive enough for PostgreSQL to
    // JIT-compile it, which costs more than it saves (≈0.8 s on 1,000 nodes): off for this transaction.
    const [, rows] = await prisma.$transaction(
      [
        prisma.$executeRaw`SET LOCAL jit = off`,
        prisma.$queryRaw<Array<{ node: string; facts: string | null }>>`
          SELECT n.name AS node, (
            SELECT string_agg(to_json(f.ns)::text || chr(31) || f.kind || chr(31) || to_json(f.key)::text || chr(31) || f.attrs::text, chr(30))
            FROM (
              SELECT ns, kind, key, attrs FROM fact
                WHERE node_id = n.id AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
                  AND kind <> 'sysctl' AND NOT (ns = 'host' AND kind = 'neighbor')
              UNION ALL
              SELECT ns, kind, key, attrs FROM fact
                WHERE node_id = n.id AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
                  AND kind <> 'sysctl' AND NOT (ns = 'host' AND kind = 'neighbor')
            ) f) AS facts
          FROM node n
          WHERE n.id = ANY(${nodeIds}::int[])
          ORDER BY n.id`,
      ],
      // A big chunk on a busy server can take seconds: not Prisma's default 5 s limit.
      { timeout: 120_000, maxWait: 30_000 },
    );
    return rows;
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

/**
 * Whether node `n` is REPORTING at `asOf`: its newest snapshot is no older than gapFactor x its
 * reporting interval, the threshold that also ends coverage. NodeDirectoryService.status is
 * the same rule for one node in memory.
 */
function reportingSql(asOf: Date, gapFactor: number): Prisma.Sql {
  return Prisma.sql`(n.last_seen_at + (n.interval_ms::float8 * ${gapFactor}::float8) * interval '1 millisecond' >= ${asOf}::timestamptz)`;
}

/** A finding (of the `finding` table in scope) open at `at`: as Node.findings(openAt) reads it. */
function findingOpenAtSql(at: Date): Prisma.Sql {
  return Prisma.sql`opened_at <= ${at}::timestamptz AND (resolved_at IS NULL OR resolved_at > ${at}::timestamptz)`;
}

function nodeFilterSql(query: Pick<NodeListQuery, 'filter' | 'asOf' | 'gapFactor'>): Prisma.Sql {
  const { filter, asOf } = query;
  const conditions: Prisma.Sql[] = [];
  if (filter.nameContains) conditions.push(Prisma.sql`strpos(lower(n.name), lower(${filter.nameContains}::text)) > 0`);
  if (filter.seenSince) conditions.push(Prisma.sql`n.last_seen_at >= ${filter.seenSince}::timestamptz`);
  if (filter.reporting !== undefined) conditions.push(filter.reporting ? reportingSql(asOf, query.gapFactor) : Prisma.sql`NOT ${reportingSql(asOf, query.gapFactor)}`);
  if (filter.hasOpenFindings !== undefined) {
    const exists = Prisma.sql`EXISTS (SELECT 1 FROM finding WHERE finding.node_id = n.id AND ${findingOpenAtSql(asOf)})`;
    conditions.push(filter.hasOpenFindings ? exists : Prisma.sql`NOT ${exists}`);
  }
  return conditions.length > 0 ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

export interface FactIntervalRow {
  node: string;
  ns: string;
  kind: string;
  key: string;
  attrs: unknown;
  validFrom: Date;
  validTo: Date | null;
}

interface NamedFactRow {
  node: string;
  ns: string;
  kind: string;
  key: string;
  attrs: unknown;
}

const FACT_KIND_SET = new Set<string>(FACT_KINDS);

/**
 * One node's facts as clusterFactsAt aggregates them: `"ns"␟kind␟"key"␟attrs` records separated
 * by ␞ (U+001E). ns and key are JSON strings and attrs is jsonb text, in which both separators
 * can only appear escaped. Identical attrs texts give one shared object.
 */
function parseAggregatedFacts(text: string, attrsByText: Map<string, FactAttributes>): Fact[] {
  const facts: Fact[] = [];
  let sorted = true;
  for (const record of text.split('\u001e')) {
    const a = record.indexOf('\u001f');
    const b = record.indexOf('\u001f', a + 1);
    const c = record.indexOf('\u001f', b + 1);
    const kind = record.slice(a + 1, b);
    if (a < 0 || b < 0 || c < 0 || !FACT_KIND_SET.has(kind)) continue;
    const attrsText = record.slice(c + 1);
    let attrs = attrsByText.get(attrsText);
    if (!attrs) {
      attrs = toAttributes(JSON.parse(attrsText));
      attrsByText.set(attrsText, attrs);
    }
    const fact: Fact = { ns: jsonString(record.slice(0, a)), kind: kind as FactKind, key: jsonString(record.slice(b + 1, c)), attrs };
    if (sorted && facts.length > 0 && compareFacts(facts[facts.length - 1], fact) > 0) sorted = false;
    facts.push(fact);
  }
  // Canonical order, as ingest and toStoredFacts give it. Sorted here rather than by the SQL
  // (ORDER BY in string_agg doubled the statement's cost): rows come in index order, runs of
  // facts recorded together that are already in order, which V8's merge sort takes as they are.
  return sorted ? facts : facts.sort(compareFacts);
}

function jsonString(text: string): string {
  return text.includes('\\') ? (JSON.parse(text) as string) : text.slice(1, -1);
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
