import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';
import { DATABASE } from '../../database/database.module';
import { recordedChanges } from './change-count.repository';

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

/**
 * The node table as the read side sees it: the node directory (listing, filters, sort keys,
 * lookup by name) and the newest head. Text ordering uses COLLATE "C" everywhere, so that
 * Postgres and PGlite page identically whatever the database's collation, and so that cursors
 * compare the way the ORDER BY sorts.
 */
@Injectable()
export class NodeRepository {
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
          SELECT c.node_id, sum(c.changes) AS changes
          FROM (${recordedChanges(query.changesSince, asOf)}) c
          GROUP BY c.node_id
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

  async nodesByName(names: readonly string[]): Promise<NodeRow[]> {
    return this.database.prisma.$queryRaw<NodeRow[]>`
      SELECT id, name, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", last_received_at AS "lastReceivedAt",
             interval_ms AS "intervalMs", state_version AS "stateVersion", kernel, iproute2, collector_version AS "collectorVersion",
             clock_skew_ms::float8 AS "clockSkewMs"
      FROM node
      WHERE name = ANY(${[...names]}::text[])`;
  }

  /** The newest head of any node: no node's state has changed after it. */
  async latestHead(): Promise<Date | undefined> {
    const rows = await this.database.prisma.$queryRaw<Array<{ at: Date | null }>>`SELECT max(last_seen_at) AS at FROM node`;
    return rows[0]?.at ?? undefined;
  }
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
