import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';
import type { Fact, FactAttributes } from '@routescope/snapshot';
import { DATABASE } from '../../database/database.module';
import { FactAttrsRepository } from './fact-attrs.repository';
import { stateVersionAt } from './fact-state.repository';
import { AGGREGATED_FACT_REFS, attrsIdsOf, parseAggregatedFactRefs, parseAggregatedFacts, toFact, type FactRow } from './fact-rows';

/** A fact with its interval (validTo null = still true), of node `node`. */
export interface NodeFactInterval {
  node: string;
  fact: Fact;
  validFrom: Date;
  validTo: Date | null;
}

/**
 * Whole-cluster reads for the checks and the block matrix: every node's current facts, every
 * node's facts at an instant (chunked), and the intervals to replay since an instant.
 */
@Injectable()
export class ClusterStateRepository {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly attrs: FactAttrsRepository,
  ) {}

  /** Every node's open facts, grouped by node name (warms the checks' in-memory cluster view). */
  async allCurrentFacts(): Promise<Map<string, Fact[]>> {
    const rows = await this.database.prisma.$queryRaw<NamedFactRow[]>`
      SELECT n.name AS node, f.ns, f.kind, f.key, a.attrs FROM fact f JOIN node n ON n.id = f.node_id JOIN fact_attrs a ON a.id = f.attrs_id WHERE f.valid_to IS NULL`;
    return groupFactsByNode(rows);
  }

  /**
   * What the checks' cluster views read (the kinds clusterFactsAt reads) of nodes whose history
   * has a boundary at or after `from`: every row still valid just before `from` or later, with
   * its interval, so that a caller can replay each node's state from just before `from` through
   * every change since. `nodeIds` narrows it; without it, every node changed since `from`.
   */
  async clusterFactIntervalsSince(from: Date, nodeIds?: readonly number[]): Promise<NodeFactInterval[]> {
    const nodes = nodeIds
      ? Prisma.sql`${[...nodeIds]}::int[]`
      : Prisma.sql`ARRAY(SELECT node_id FROM fact WHERE valid_from >= ${from}::timestamptz UNION SELECT node_id FROM fact WHERE valid_to >= ${from}::timestamptz)`;
    const rows = await this.database.prisma.$queryRaw<FactIntervalRow[]>`
      SELECT n.name AS node, f.ns, f.kind, f.key, a.attrs, f.valid_from AS "validFrom", f.valid_to AS "validTo"
      FROM fact f JOIN node n ON n.id = f.node_id JOIN fact_attrs a ON a.id = f.attrs_id
      WHERE f.node_id = ANY(${nodes}) AND (f.valid_to IS NULL OR f.valid_to >= ${from}::timestamptz)
        AND f.kind <> 'sysctl' AND NOT (f.ns = 'host' AND f.kind = 'neighbor')`;
    const intervals: NodeFactInterval[] = [];
    for (const row of rows) {
      const fact = toFact(row);
      if (fact) intervals.push({ node: row.node, fact, validFrom: row.validFrom, validTo: row.validTo });
    }
    return intervals;
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

  /**
   * clusterFactsAt with each node's state version at `at` (NodeStateVersion, as
   * FactStateRepository.versionedFactsAt finds it), in the same statement as its facts so the
   * facts are that version's; the attributes cross as attrs ids (at an instant of a 300-node
   * cluster 218,585 facts have 38,293 distinct attrs: block routes to one block are the same on
   * every node) and come from FactAttrsRepository. `knownVersions(nodeId)` lists the versions of a node whose derived
   * state the caller holds: a node at one of them comes back without facts (not read).
   * `nodeIds` narrows it to those nodes.
   */
  async *clusterVersionedFactsAt(at: Date, knownVersions: (nodeId: number) => readonly Date[], nodeIds?: readonly number[], chunkSize = 250): AsyncGenerator<VersionedNodeFacts[]> {
    const nodes = nodeIds
      ? [...nodeIds].sort((a, b) => a - b)
      : (await this.database.prisma.$queryRaw<Array<{ id: number }>>`SELECT id FROM node WHERE first_seen_at <= ${at}::timestamptz ORDER BY id`).map((n) => n.id);
    const chunks: number[][] = [];
    for (let i = 0; i < nodes.length; i += chunkSize) chunks.push(nodes.slice(i, i + chunkSize));
    const read = (ids: number[]) => this.aggregatedVersionedFactsAt(ids, at, ids.flatMap((nodeId) => knownVersions(nodeId).map((changedAt) => ({ nodeId, changedAt }))));
    let next = chunks.length > 0 ? read(chunks[0]) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      const rows = await (next as ReturnType<typeof read>);
      next = i + 1 < chunks.length ? read(chunks[i + 1]) : undefined;
      next?.catch(() => undefined);
      const attrs = await this.attrs.byIds(attrsIdsOf(rows.map((row) => row.facts)));
      yield rows.map((row) => ({
        nodeId: row.nodeId,
        node: row.node,
        changedAt: row.changedAt,
        ...(row.known ? {} : { facts: row.facts ? parseAggregatedFactRefs(row.facts, attrs) : null }),
      }));
    }
  }

  private async aggregatedVersionedFactsAt(nodeIds: number[], at: Date, known: ReadonlyArray<{ nodeId: number; changedAt: Date }>) {
    const prisma = this.database.prisma;
    const knownNodes = known.map((k) => k.nodeId);
    const knownAt = known.map((k) => k.changedAt.toISOString());
    const [, rows] = await prisma.$transaction(
      [
        prisma.$executeRaw`SET LOCAL jit = off`,
        prisma.$queryRaw<Array<{ nodeId: number; node: string; changedAt: Date | null; known: boolean; facts: string | null }>>`
          SELECT v.id AS "nodeId", v.name AS node, v.changed_at AS "changedAt", v.known,
            CASE WHEN v.known THEN NULL ELSE (
              SELECT ${AGGREGATED_FACT_REFS}
              FROM (
                SELECT ns, kind, key, attrs_id FROM fact
                  WHERE node_id = v.id AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
                    AND kind <> 'sysctl' AND NOT (ns = 'host' AND kind = 'neighbor')
                UNION ALL
                SELECT ns, kind, key, attrs_id FROM fact
                  WHERE node_id = v.id AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
                    AND kind <> 'sysctl' AND NOT (ns = 'host' AND kind = 'neighbor')
              ) f) END AS facts
          FROM (
            SELECT s.id, s.name, s.changed_at,
              s.changed_at IS NOT NULL AND (s.id, s.changed_at) IN (SELECT * FROM unnest(${knownNodes}::int[], ${knownAt}::timestamptz[])) AS known
            FROM (
              SELECT n.id, n.name, ${stateVersionAt(Prisma.sql`n.id`, at)} AS changed_at
              FROM node n WHERE n.id = ANY(${nodeIds}::int[])
              -- OFFSET 0 keeps this subquery whole: flattened, changed_at's subqueries were copied into
              -- each of its three uses (planned and run three times per node)
              OFFSET 0
            ) s
          ) v
          ORDER BY v.id`,
      ],
      { timeout: 120_000, maxWait: 30_000 },
    );
    return rows;
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
            SELECT string_agg(to_json(f.ns)::text || chr(31) || f.kind || chr(31) || to_json(f.key)::text || chr(31) || a.attrs::text, chr(30))
            FROM (
              SELECT ns, kind, key, attrs_id FROM fact
                WHERE node_id = n.id AND valid_to IS NULL AND valid_from <= ${at}::timestamptz
                  AND kind <> 'sysctl' AND NOT (ns = 'host' AND kind = 'neighbor')
              UNION ALL
              SELECT ns, kind, key, attrs_id FROM fact
                WHERE node_id = n.id AND valid_to > ${at}::timestamptz AND valid_from <= ${at}::timestamptz
                  AND kind <> 'sysctl' AND NOT (ns = 'host' AND kind = 'neighbor')
            ) f JOIN fact_attrs a ON a.id = f.attrs_id) AS facts
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

/** A node's state version at an instant and, unless the caller said it holds that version, its facts (clusterFactsAt's kinds). */
export interface VersionedNodeFacts {
  nodeId: number;
  node: string;
  /** the last instant at or before the asked one at which a fact of the node began or ended; null: none */
  changedAt: Date | null;
  /** absent: not read (the caller holds this version); null: no fact of the node valid then */
  facts?: Fact[] | null;
}

interface NamedFactRow extends FactRow {
  node: string;
}

interface FactIntervalRow extends NamedFactRow {
  validFrom: Date;
  validTo: Date | null;
}

function groupFactsByNode(rows: readonly NamedFactRow[]): Map<string, Fact[]> {
  const out = new Map<string, Fact[]>();
  for (const row of rows) {
    const list = out.get(row.node) ?? [];
    const fact = toFact(row);
    if (fact) list.push(fact);
    out.set(row.node, list);
  }
  return out;
}
