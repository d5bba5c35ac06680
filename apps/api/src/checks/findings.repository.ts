import { Inject, Injectable } from '@nestjs/common';
import type { Database, Prisma } from '@routescope/db';
import type { Finding as FindingDraft, RuleScope } from '@routescope/checks';
import { DATABASE } from '../database/database.module';
import { findingSilencedSql } from '../silences/silences.repository';

export type TransactionClient = Prisma.TransactionClient;

export interface FindingRow {
  id: bigint;
  node: string;
  nodeId: number;
  scope: RuleScope;
  rule: string;
  subject: string;
  severity: string;
  title: string;
  message: string;
  evidence: unknown;
  openedAt: Date;
  resolvedAt: Date | null;
}

export interface FindingQuery {
  node?: string;
  rule?: string;
  severities?: string[];
  openAt?: Date;
  from?: Date;
  to?: Date;
  /** true: only findings an active silence covers now; false: only those none covers */
  silenced?: boolean;
  /** keyset: rows strictly after (openedAt desc, id desc) */
  after?: { openedAt: Date; id: bigint };
  limit: number;
}

const SELECT = `SELECT f.id, n.name AS node, f.node_id AS "nodeId", f.scope, f.rule, f.subject, f.severity, f.title, f.message, f.evidence,
  f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt" FROM finding f JOIN node n ON n.id = f.node_id`;

/** Findings as intervals: the only code that reads or writes the finding table. */
@Injectable()
export class FindingsRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  transaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return this.database.prisma.$transaction(work, { timeout: 60000, maxWait: 30000 });
  }

  /** Open findings of one evaluation: one node's (node/history scope) or everyone's (cluster scope). */
  async openFindings(tx: TransactionClient, scope: RuleScope, nodeId?: number): Promise<FindingRow[]> {
    return nodeId === undefined
      ? tx.$queryRawUnsafe<FindingRow[]>(`${SELECT} WHERE f.scope = $1 AND f.resolved_at IS NULL`, scope)
      : tx.$queryRawUnsafe<FindingRow[]>(`${SELECT} WHERE f.scope = $1 AND f.node_id = $2 AND f.resolved_at IS NULL`, scope, nodeId);
  }

  /** Opens a finding; returns its id. */
  async open(tx: TransactionClient, scope: RuleScope, nodeId: number, draft: FindingDraft, at: Date): Promise<bigint> {
    const [row] = await tx.$queryRaw<Array<{ id: bigint }>>`
      INSERT INTO finding (node_id, scope, rule, subject, severity, title, message, evidence, opened_at)
      VALUES (${nodeId}, ${scope}, ${draft.rule}, ${draft.subject}, ${draft.severity}, ${draft.title}, ${draft.message}, ${JSON.stringify(draft.evidence)}::jsonb, ${at})
      RETURNING id`;
    return row.id;
  }

  /** A finding that still holds keeps its row; only what it says may be refreshed. */
  async refresh(tx: TransactionClient, id: bigint, draft: FindingDraft): Promise<void> {
    await tx.$executeRaw`
      UPDATE finding SET severity = ${draft.severity}, title = ${draft.title}, message = ${draft.message}, evidence = ${JSON.stringify(draft.evidence)}::jsonb
      WHERE id = ${id}`;
  }

  async resolve(tx: TransactionClient, id: bigint, at: Date): Promise<void> {
    await tx.$executeRaw`UPDATE finding SET resolved_at = GREATEST(${at}::timestamptz, opened_at) WHERE id = ${id}`;
  }

  /**
   * Cross-node findings back to what they were just before `from`: those opened at or after it
   * are deleted, those resolved at or after it are open again. Returns what was undone (to
   * announce only what the recomputation changes).
   */
  async rewindCluster(tx: TransactionClient, from: Date): Promise<Array<{ rule: string; node: string; subject: string; openedAt: Date; resolvedAt: Date | null }>> {
    const undone = await tx.$queryRaw<Array<{ rule: string; node: string; subject: string; openedAt: Date; resolvedAt: Date | null }>>`
      SELECT f.rule, n.name AS node, f.subject, f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt" FROM finding f JOIN node n ON n.id = f.node_id
      WHERE f.scope = 'cluster' AND (f.opened_at >= ${from} OR f.resolved_at >= ${from})`;
    await tx.$executeRaw`DELETE FROM finding WHERE scope = 'cluster' AND opened_at >= ${from}`;
    await tx.$executeRaw`UPDATE finding SET resolved_at = NULL WHERE scope = 'cluster' AND resolved_at >= ${from}`;
    return undone;
  }

  /**
   * The cross-node leader's fence, first in its findings transaction: true (and `evaluated_until`
   * moved on to `until`) only while `term` is still the current one. Its row lock orders it with
   * an election, which waits for this transaction and then increments the term.
   */
  async fenceClusterWrite(tx: TransactionClient, term: bigint, until: Date | undefined): Promise<boolean> {
    const updated = await tx.$executeRaw`
      UPDATE cluster_checks_leader SET evaluated_until = GREATEST(evaluated_until, ${until ?? null}::timestamptz)
      WHERE id = 1 AND term = ${term.toString()}::bigint`;
    return updated === 1;
  }

  async nodeIds(tx: TransactionClient, names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows = await tx.$queryRaw<Array<{ id: number; name: string }>>`SELECT id, name FROM node WHERE name = ANY(${[...names]}::text[])`;
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  async find(query: FindingQuery): Promise<FindingRow[]> {
    const { where, params, param } = findingConditions(query);
    if (query.after) {
      const openedAt = param(query.after.openedAt);
      const id = param(query.after.id.toString());
      where.push(`(f.opened_at < ${openedAt}::timestamptz OR (f.opened_at = ${openedAt}::timestamptz AND f.id < ${id}::bigint))`);
    }
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY f.opened_at DESC, f.id DESC LIMIT ${param(query.limit)}`;
    return this.database.prisma.$queryRawUnsafe<FindingRow[]>(sql, ...params);
  }

  /**
   * The findings the filter selects, grouped by rule and subject kind (the subject up to its
   * first ':'), counted in SQL: one aggregate and one fetch of each group's sample (its newest
   * finding), whatever the number of findings. Ordered by severity (critical first), then count.
   */
  async groups(query: Omit<FindingQuery, 'after' | 'limit'>): Promise<Array<FindingGroupRow & { sample: FindingRow }>> {
    const { where, params } = findingConditions(query);
    const groups = await this.database.prisma.$queryRawUnsafe<Array<FindingGroupRow & { sampleId: bigint }>>(
      `SELECT f.rule, split_part(f.subject, ':', 1) AS "subjectKind",
              (array_agg(f.severity ORDER BY ${SEVERITY_RANK} DESC))[1] AS severity,
              count(*)::int AS "findingCount", count(DISTINCT f.node_id)::int AS "nodeCount", count(DISTINCT f.subject)::int AS "subjectCount",
              count(*) FILTER (WHERE ${findingSilencedSql('f', 'n.name', 'now()')})::int AS "silencedCount",
              (array_agg(f.id ORDER BY f.opened_at DESC, f.id DESC))[1] AS "sampleId"
       FROM finding f JOIN node n ON n.id = f.node_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY f.rule, split_part(f.subject, ':', 1)
       ORDER BY max(${SEVERITY_RANK}) DESC, count(*) DESC, f.rule COLLATE "C", split_part(f.subject, ':', 1) COLLATE "C"`,
      ...params,
    );
    if (groups.length === 0) return [];
    const samples = await this.database.prisma.$queryRawUnsafe<FindingRow[]>(`${SELECT} WHERE f.id = ANY($1::bigint[])`, groups.map((g) => g.sampleId.toString()));
    const byId = new Map(samples.map((s) => [s.id, s]));
    // every group has its sample: the ids come from the rows just grouped
    return groups.flatMap(({ sampleId, ...group }) => {
      const sample = byId.get(sampleId);
      return sample ? [{ ...group, sample }] : [];
    });
  }

  /** Findings of these nodes: open at `openAt`, or every one when it is undefined; newest first. */
  async forNodes(nodeIds: readonly number[], openAt?: Date): Promise<FindingRow[]> {
    if (openAt) {
      return this.database.prisma.$queryRawUnsafe<FindingRow[]>(
        `${SELECT} WHERE f.node_id = ANY($1::int[]) AND f.opened_at <= $2::timestamptz AND (f.resolved_at IS NULL OR f.resolved_at > $2::timestamptz) ORDER BY f.opened_at DESC, f.id DESC`,
        [...nodeIds],
        openAt,
      );
    }
    return this.database.prisma.$queryRawUnsafe<FindingRow[]>(`${SELECT} WHERE f.node_id = ANY($1::int[]) ORDER BY f.opened_at DESC, f.id DESC LIMIT 10000`, [...nodeIds]);
  }
}

export interface FindingGroupRow {
  rule: string;
  subjectKind: string;
  severity: string;
  findingCount: number;
  nodeCount: number;
  subjectCount: number;
  silencedCount: number;
}

const SEVERITY_RANK = `CASE f.severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END`;

/** The WHERE conditions of a findings filter over `finding f JOIN node n`, with their parameters. */
function findingConditions(query: Omit<FindingQuery, 'after' | 'limit'>): { where: string[]; params: unknown[]; param: (value: unknown) => string } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.node !== undefined) where.push(`n.name = ${param(query.node)}`);
  if (query.rule !== undefined) where.push(`f.rule = ${param(query.rule)}`);
  if (query.severities?.length) where.push(`f.severity = ANY(${param(query.severities)}::text[])`);
  if (query.openAt) {
    const at = param(query.openAt);
    // opened_at <= at < coalesce(resolved_at, ∞), as the GiST index finding_open_during_idx states it
    where.push(`tstzrange(f.opened_at, f.resolved_at, '[)') @> ${at}::timestamptz`);
  }
  if (query.to) where.push(`f.opened_at <= ${param(query.to)}::timestamptz`);
  if (query.from) where.push(`(f.resolved_at IS NULL OR f.resolved_at >= ${param(query.from)}::timestamptz)`);
  if (query.silenced !== undefined) where.push(`${query.silenced ? '' : 'NOT '}${findingSilencedSql('f', 'n.name', 'now()')}`);
  return { where, params, param };
}
