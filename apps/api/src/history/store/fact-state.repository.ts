import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import type { Fact } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';
import { toStoredFacts, type FactRow } from './fact-rows';

/** One node's facts valid at an instant, in canonical order. */
export interface NodeFacts {
  nodeId: number;
  facts: Fact[];
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
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /**
   * The facts of each node valid at `at`: its open rows that had begun by then (the partial
   * current-key index) plus its rows closed after `at` that had begun by then ((node_id, valid_to,
   * valid_from), filtered inside the index). Two index scans that each touch only what they
   * return, instead of every row the node ever had before `at`.
   */
  async factsAt(nodeIds: readonly number[], at: Date): Promise<NodeFacts[]> {
    // One JSON text per node instead of ~1,500 rows: the driver decodes a row at a time, and at
    // this size that decoding, not the index scans, was most of state(at) (bench, issue #6).
    const rows = await this.database.prisma.$queryRaw<Array<{ nodeId: number; facts: string }>>`
      SELECT f.node_id AS "nodeId", json_agg(json_build_array(f.ns, f.kind, f.key, a.attrs))::text AS facts
      FROM (
        SELECT node_id, ns, kind, key, attrs_id FROM fact
        WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
        UNION ALL
        SELECT node_id, ns, kind, key, attrs_id FROM fact
        WHERE node_id = ANY(${[...nodeIds]}::int[]) AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
      ) f
      JOIN fact_attrs a ON a.id = f.attrs_id
      GROUP BY f.node_id`;
    return rows.map((row) => ({
      nodeId: row.nodeId,
      facts: toStoredFacts((JSON.parse(row.facts) as Array<[string, string, string, unknown]>).map(([ns, kind, key, attrs]) => ({ ns, kind, key, attrs }))),
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
