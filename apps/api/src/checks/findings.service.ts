import { Injectable } from '@nestjs/common';
import { ruleById, RULES } from '@routescope/checks';
import DataLoader from 'dataloader';
import { ChecksError, ChecksErrorCode } from './checks.errors';
import { forwardPage } from '../history/relay-connection';
import { FindingsRepository, type FindingRow } from './findings.repository';
import type { Finding, FindingConnection, FindingFilter, FindingGroup, Rule, RuleScopeValue, SeverityValue } from './types/finding.type';

const PAGE = { default: 100, max: 1000 };

@Injectable()
export class FindingsService {
  /** per GraphQL operation: node findings batched into one query per instant */
  private readonly loaders = new WeakMap<object, DataLoader<{ nodeId: number; openAt: Date | null }, Finding[], string>>();

  constructor(private readonly repository: FindingsRepository) {}

  rules(): Rule[] {
    return RULES.map((r) => ({ ...r, scope: r.scope as RuleScopeValue, severity: r.severity as SeverityValue }));
  }

  async findings(filter: FindingFilter | null | undefined, first?: number | null, after?: string | null): Promise<FindingConnection> {
    const size = first ?? PAGE.default;
    if (!Number.isInteger(size) || size < 1 || size > PAGE.max) throw new ChecksError(ChecksErrorCode.InvalidArgument, `first must be between 1 and ${PAGE.max}`);
    const rows = await this.repository.find({ ...findingQuery(filter), after: after ? decodeFindingCursor(after) : undefined, limit: size + 1 });
    return forwardPage(rows, size, (row) => ({ cursor: encodeFindingCursor(row), node: toFinding(row) }));
  }

  /** The findings the filter selects, grouped by rule and subject kind and counted in SQL. */
  async groups(filter: FindingFilter | null | undefined): Promise<FindingGroup[]> {
    const groups = await this.repository.groups(findingQuery(filter));
    return groups.map((g) => ({
      rule: g.rule,
      severity: g.severity as SeverityValue,
      title: ruleById(g.rule)?.title ?? g.sample.title,
      subjectKind: g.subjectKind,
      findingCount: g.findingCount,
      nodeCount: g.nodeCount,
      subjectCount: g.subjectCount,
      silencedCount: g.silencedCount,
      sample: toFinding(g.sample),
    }));
  }

  /** Findings of one node open at `openAt` (all of them, open or not, when null), batched per operation. */
  nodeFindings(context: object, nodeId: number, openAt: Date | null): Promise<Finding[]> {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader(
        async (keys) => {
          const byInstant = new Map<string, number[]>();
          for (const k of keys) byInstant.set(k.openAt?.toISOString() ?? '', [...(byInstant.get(k.openAt?.toISOString() ?? '') ?? []), k.nodeId]);
          const results = new Map<string, Finding[]>();
          for (const [instant, nodeIds] of byInstant) {
            const rows = await this.repository.forNodes(nodeIds, instant ? new Date(instant) : undefined);
            for (const row of rows) {
              const key = `${row.nodeId}|${instant}`;
              results.set(key, [...(results.get(key) ?? []), toFinding(row)]);
            }
          }
          return keys.map((k) => results.get(`${k.nodeId}|${k.openAt?.toISOString() ?? ''}`) ?? []);
        },
        { cacheKeyFn: (k) => `${k.nodeId}|${k.openAt?.toISOString() ?? ''}` },
      );
      this.loaders.set(context, loader);
    }
    return loader.load({ nodeId, openAt });
  }
}

function findingQuery(filter: FindingFilter | null | undefined) {
  if (filter?.from && filter.to && filter.from > filter.to) throw new ChecksError(ChecksErrorCode.InvalidTimeRange, 'filter.from must not be after filter.to');
  return {
    node: filter?.node ?? undefined,
    rule: filter?.rule ?? undefined,
    severities: filter?.severity ?? undefined,
    openAt: filter?.openAt ?? undefined,
    from: filter?.from ?? undefined,
    to: filter?.to ?? undefined,
    silenced: filter?.silenced ?? undefined,
  };
}

export function toFinding(row: FindingRow): Finding {
  return {
    id: row.id.toString(),
    node: row.node,
    rule: row.rule,
    scope: row.scope as RuleScopeValue,
    severity: row.severity as SeverityValue,
    title: row.title,
    message: row.message,
    subject: row.subject,
    evidence: row.evidence,
    openedAt: row.openedAt,
    resolvedAt: row.resolvedAt,
    open: row.resolvedAt === null,
    nodeId: row.nodeId,
  };
}

function encodeFindingCursor(row: FindingRow): string {
  return Buffer.from(`${row.openedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeFindingCursor(cursor: string): { openedAt: Date; id: bigint } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const openedAt = new Date(at ?? '');
  if (Number.isNaN(openedAt.getTime()) || !/^\d+$/.test(id ?? '')) throw new ChecksError(ChecksErrorCode.InvalidCursor, `after: "${cursor}" is not a findings cursor`);
  return { openedAt, id: BigInt(id) };
}
