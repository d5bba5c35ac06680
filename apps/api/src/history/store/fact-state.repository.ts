import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';
import type { Fact } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';
import { FactAttrsRepository } from './fact-attrs.repository';
import { AGGREGATED_FACT_REFS, attrsIdsOf, parseAggregatedFactRefs, toStoredFacts, type FactRow } from './fact-rows';

/** One node's facts valid at an instant, in canonical order. */
export interface NodeFacts {
  nodeId: number;
  facts: Fact[];
}

/**
 * The version of a node's state at an instant: the last instant at or before it at which any
 * of the node's facts began or ended (null: none had yet). Two instants of a node with the same
 * version have the same state, as long as history at or before them is not rewritten.
 */
export interface NodeStateVersion {
  nodeId: number;
  changedAt: Date | null;
}


/** A node's facts over a window, reduced to the keys that changed in it (windowFacts). */
export interface WindowFacts {
  /** facts of the changed keys valid at `from`, in canonical order */
  before: Fact[];
  /** facts of the changed keys valid at `to`, in canonical order */
  after: Fact[];
  /** of the changed keys' namespaces, those with any fact at `from` / at `to` */
  namespacesBefore: Set<string>;
  namespacesAfter: Set<string>;
}

/**
 * One node's state at an instant and over a window. State at T is the rows with
 * valid_from <= T < valid_to (null = open).
 */
@Injectable()
export class FactStateRepository {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly attrs: FactAttrsRepository,
  ) {}

  /**
   * The facts of each node valid at `at`: its open rows that had begun by then (the partial
   * current-key index) plus its rows closed after `at` that had begun by then ((node_id, valid_to,
   * valid_from), filtered inside the index). Two index scans that each touch only what they
   * return, instead of every row the node ever had before `at`.
   */
  async factsAt(nodeIds: readonly number[], at: Date): Promise<NodeFacts[]> {
    // One text per node instead of ~1,500 rows (the driver decodes a row at a time; at this size
    // that decoding, not the index scans, was most of state(at): bench, issue #6), with each
    // fact's attributes as its attrs id, resolved through FactAttrsRepository.
    const rows = await this.database.prisma.$queryRaw<Array<{ nodeId: number; facts: string }>>`
      SELECT f.node_id AS "nodeId", ${AGGREGATED_FACT_REFS} AS facts
      FROM (
        SELECT node_id, ns, kind, key, attrs_id FROM fact
        WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
        UNION ALL
        SELECT node_id, ns, kind, key, attrs_id FROM fact
        WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
      ) f
      GROUP BY f.node_id`;
    const attrs = await this.attrs.byIds(attrsIdsOf(rows.map((row) => row.facts)));
    return rows.map((row) => ({ nodeId: row.nodeId, facts: parseAggregatedFactRefs(row.facts, attrs) }));
  }

  /**
   * The facts of each node valid at `at` with the version of that state (NodeStateVersion, found
   * by stateVersionAt's backward index probes), in one statement, so that the facts are the state
   * of exactly that version even while ingest commits beside it (their attributes, read after by
   * id, never change). `known` lists states
   * the caller already holds: a node whose version at `at` is one of them comes back with
   * `facts: undefined` and is not read. A node with no fact valid at `at` comes back with none.
   */
  async versionedFactsAt(nodeIds: readonly number[], at: Date, known: readonly NodeStateVersion[] = []): Promise<Array<NodeStateVersion & { facts?: Fact[] }>> {
    const knownNodes = known.map((k) => k.nodeId);
    const knownAt = known.map((k) => k.changedAt?.toISOString() ?? null);
    const rows = await this.database.prisma.$queryRaw<Array<{ nodeId: number; changedAt: Date | null; read: boolean; facts: string | null }>>`
      WITH version AS (
        SELECT n.id, ${stateVersionAt(Prisma.sql`n.id`, at)} AS changed_at
        FROM unnest(${[...nodeIds]}::int[]) AS n(id)
      ), wanted AS (
        SELECT v.id FROM version v
        WHERE NOT EXISTS (
          SELECT 1 FROM unnest(${knownNodes}::int[], ${knownAt}::timestamptz[]) AS k(node_id, changed_at)
          WHERE k.node_id = v.id AND k.changed_at IS NOT DISTINCT FROM v.changed_at)
      ), state AS (
        SELECT f.node_id, ${AGGREGATED_FACT_REFS} AS facts
        FROM (
          SELECT node_id, ns, kind, key, attrs_id FROM fact
          WHERE node_id = ANY(ARRAY(SELECT id FROM wanted)) AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
          UNION ALL
          SELECT node_id, ns, kind, key, attrs_id FROM fact
          WHERE node_id = ANY(ARRAY(SELECT id FROM wanted)) AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
        ) f
        GROUP BY f.node_id
      )
      SELECT v.id AS "nodeId", v.changed_at AS "changedAt", v.id IN (SELECT id FROM wanted) AS read, s.facts
      FROM version v LEFT JOIN state s ON s.node_id = v.id`;
    const attrs = await this.attrs.byIds(attrsIdsOf(rows.map((row) => row.facts)));
    return rows.map((row) => ({
      nodeId: row.nodeId,
      changedAt: row.changedAt,
      ...(row.read ? { facts: row.facts ? parseAggregatedFactRefs(row.facts, attrs) : [] } : {}),
    }));
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
        SELECT ns, kind, key, attrs_id FROM fact WHERE node_id = ${nodeId} AND valid_to IS NULL AND valid_from <= ${from}::timestamptz
        UNION ALL
        SELECT ns, kind, key, attrs_id FROM fact WHERE node_id = ${nodeId} AND valid_to > ${from}::timestamptz AND valid_from <= ${from}::timestamptz
      ), after AS (
        SELECT ns, kind, key, attrs_id FROM fact WHERE node_id = ${nodeId} AND valid_to IS NULL AND valid_from <= ${to}::timestamptz
        UNION ALL
        SELECT ns, kind, key, attrs_id FROM fact WHERE node_id = ${nodeId} AND valid_to > ${to}::timestamptz AND valid_from <= ${to}::timestamptz
      )
      SELECT 'before' AS side, b.ns, b.kind, b.key, v.attrs FROM before b JOIN fact_attrs v ON v.id = b.attrs_id WHERE (b.ns, b.kind, b.key) IN (SELECT ns, kind, key FROM touched)
      UNION ALL
      SELECT 'after', a.ns, a.kind, a.key, v.attrs FROM after a JOIN fact_attrs v ON v.id = a.attrs_id WHERE (a.ns, a.kind, a.key) IN (SELECT ns, kind, key FROM touched)
      UNION ALL
      SELECT DISTINCT 'before', b.ns, NULL, NULL, NULL::jsonb FROM before b WHERE b.ns IN (SELECT ns FROM touched)
      UNION ALL
      SELECT DISTINCT 'after', a.ns, NULL, NULL, NULL::jsonb FROM after a WHERE a.ns IN (SELECT ns FROM touched)`;
    const sides: Record<'before' | 'after', FactRow[]> = { before: [], after: [] };
    const result: WindowFacts = { before: [], after: [], namespacesBefore: new Set(), namespacesAfter: new Set() };
    for (const row of rows) {
      if (row.kind === null || row.key === null) (row.side === 'before' ? result.namespacesBefore : result.namespacesAfter).add(row.ns);
      else sides[row.side].push({ ns: row.ns, kind: row.kind, key: row.key, attrs: row.attrs });
    }
    result.before = toStoredFacts(sides.before);
    result.after = toStoredFacts(sides.after);
    return result;
  }
}

/**
 * NodeStateVersion of the node `nodeId` (an SQL expression) at `at`: the later of the last
 * valid_to at or before `at` and the last valid_from at or before `at` of a row still valid at
 * `at`. A row that began and ended by `at` has its valid_to counted, which is later than its
 * valid_from, so this is the last boundary of any row at or before `at`; put this way, each part
 * is pruned at planning to the week partitions it can touch (valid_to ≤ at: the weeks up to
 * `at`; valid_to > at: the weeks from `at` on; open rows: the default partition) instead of
 * probing every week per node. The open and the closed rows valid at `at` are two maxima, not one
 * with `valid_to IS NULL OR valid_to > at`: an OR prunes nothing, and planning the statement over
 * every partition cost more than running it (10 of 11 ms for blocks(at) of 3 nodes).
 */
export function stateVersionAt(nodeId: Prisma.Sql, at: Date): Prisma.Sql {
  const closedBy = Prisma.sql`(SELECT max(valid_to) FROM fact WHERE node_id = ${nodeId} AND valid_to <= ${at}::timestamptz)`;
  const openSince = Prisma.sql`(SELECT max(valid_from) FROM fact WHERE node_id = ${nodeId} AND valid_from <= ${at}::timestamptz AND valid_to IS NULL)`;
  const closedSince = Prisma.sql`(SELECT max(valid_from) FROM fact WHERE node_id = ${nodeId} AND valid_from <= ${at}::timestamptz AND valid_to > ${at}::timestamptz)`;
  return Prisma.sql`GREATEST(${closedBy}, ${openSince}, ${closedSince})`;
}
