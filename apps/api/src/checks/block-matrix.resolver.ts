import { Args, GraphQLISODateTime, Int, Query, Resolver } from '@nestjs/graphql';
import {
  blockMatrix,
  canonicalCidr,
  clusterView,
  compareBlocks,
  type BlockCell as BlockCellData,
  type BlockMatrix as BlockMatrixData,
  type BlockRow as BlockRowData,
  type BlockStatusCounts as BlockStatusCountsData,
  type ClusterContext,
  type ClusterView,
} from '@routescope/checks';
import { RequireScope } from '../auth/scopes';
import { ClusterContextService } from '../cluster/cluster-context.service';
import { pageSize } from '../history/history-arguments';
import { HistoryError, HistoryErrorCode } from '../history/history.errors';
import { HistoryQueryRepository } from '../history/history-query.repository';
import { forwardPage } from '../history/relay-connection';
import { FindingsEvaluator } from './findings-evaluator.service';
import { BlockCell, BlockCellStatusValue, BlockFilter, BlockMatrix, BlockOwnerSourceValue, BlockRow, BlockStatusCounts } from './types/block-matrix.type';

/** Blocks per page: a dashboard page; at most a whole 1,000-node cluster's blocks. */
export const BLOCK_PAGE = { default: 50, max: 1000 } as const;
const MAX_CIDR_FILTER = 100;

/**
 * Matrices rebuilt from history, kept for paging: the pages, filters and evidence of one instant
 * come from one rebuild. Late data (a collector's spool) can still change the recent past, so a
 * matrix of the last few minutes is kept briefly.
 */
const PAST_CACHE_ENTRIES = 8;
const PAST_CACHE_MS = 5 * 60_000;
const RECENT_PAST_MS = 10 * 60_000;
const RECENT_PAST_CACHE_MS = 15_000;

/**
 * The block × node routing consistency matrix (libs/checks blockMatrix) over GraphQL, paged by
 * block. "Now" is computed from the checks' in-memory views and kept until a view or the cluster
 * context changes (views are immutable and replaced on change, so identity says it); the past is
 * rebuilt from the facts valid then, one rebuild at a time (each holds every node's facts).
 */
@Resolver(() => BlockMatrix)
@RequireScope('read')
export class BlockMatrixResolver {
  private current?: { views: readonly ClusterView[]; context: ClusterContext | undefined; matrix: BlockMatrixData };
  private readonly past = new Map<string, { expiresAt: number; matrix: Promise<BlockMatrixData> }>();
  private rebuilds: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly evaluator: FindingsEvaluator,
    private readonly history: HistoryQueryRepository,
    private readonly cluster: ClusterContextService,
  ) {}

  @Query(() => BlockMatrix, {
    description:
      'The block × node routing consistency matrix now, or at `at` (rebuilt from history): a page of the blocks in address order, each with the cells that need attention, and the counts of the whole matrix.',
  })
  async blocks(
    @Args('at', { type: () => GraphQLISODateTime, nullable: true }) at: Date | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: BLOCK_PAGE.default, description: `blocks per page (1–${BLOCK_PAGE.max})` }) first: number | null,
    @Args('after', { type: () => String, nullable: true, description: 'pageInfo.endCursor of the previous page' }) after: string | null,
    @Args('filter', { type: () => BlockFilter, nullable: true }) filter: BlockFilter | null,
  ): Promise<BlockMatrix> {
    const size = pageSize(first, BLOCK_PAGE);
    const start = after ? decodeBlockCursor(after) : undefined;
    const cidrs = filter?.cidrs ? cidrFilter(filter.cidrs) : undefined;
    const instant = at ?? new Date();
    const matrix = at ? await this.matrixAt(at) : this.matrixNow();

    let rows = matrix.blocks;
    if (filter?.problemsOnly) rows = rows.filter((r) => r.problems.length > 0);
    if (cidrs) rows = rows.filter((r) => cidrs.has(r.cidr));
    const from = start === undefined ? 0 : firstAfter(rows, start);
    const page = forwardPage(rows.slice(from, from + size + 1), size, (row) => ({ cursor: encodeBlockCursor(row.cidr), row }));
    return {
      at: instant,
      nodes: matrix.nodes,
      nodeCount: matrix.nodes.length,
      blockCount: matrix.blocks.length,
      problemBlockCount: matrix.problemBlocks,
      counts: toCounts(matrix.counts),
      totalCount: rows.length,
      blocks: page.edges.map((e) => toRow(e.row)),
      pageInfo: page.pageInfo,
    };
  }

  private matrixNow(): BlockMatrixData {
    const views = this.evaluator.currentViews();
    const context = this.cluster.context();
    const cached = this.current;
    if (cached && cached.context === context && sameViews(cached.views, views)) return cached.matrix;
    const matrix = blockMatrix(views, context ?? {});
    this.current = { views, context, matrix };
    return matrix;
  }

  private matrixAt(at: Date): Promise<BlockMatrixData> {
    const watching = this.cluster.context() !== undefined;
    const key = `${at.toISOString()}|${watching}`;
    const now = Date.now();
    for (const [k, entry] of this.past) if (entry.expiresAt <= now) this.past.delete(k);
    const cached = this.past.get(key);
    if (cached) return cached.matrix;
    const matrix = this.enqueue(async () => {
      const context = watching ? await this.cluster.contextAt(at) : undefined;
      const views: ClusterView[] = [];
      // Views are built from one chunk of nodes while the database reads the next.
      for await (const chunk of this.history.clusterFactsAt(at)) for (const [node, facts] of chunk) views.push(clusterView({ node, facts }));
      return blockMatrix(views, context ?? {});
    });
    const recent = now - at.getTime() < RECENT_PAST_MS;
    this.past.set(key, { expiresAt: now + (recent ? RECENT_PAST_CACHE_MS : PAST_CACHE_MS), matrix });
    while (this.past.size > PAST_CACHE_ENTRIES) this.past.delete(this.past.keys().next().value as string);
    matrix.catch(() => {
      if (this.past.get(key)?.matrix === matrix) this.past.delete(key);
    });
    return matrix;
  }

  /** Rebuilds from history run one at a time. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.rebuilds.then(work, work);
    this.rebuilds = next.catch(() => undefined);
    return next;
  }
}

function sameViews(a: readonly ClusterView[], b: readonly ClusterView[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the first row after the block `cidr` (rows are in address order; the block itself may be gone). */
function firstAfter(rows: readonly BlockRowData[], cidr: string): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareBlocks(rows[middle].cidr, cidr) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function cidrFilter(cidrs: readonly string[]): Set<string> {
  if (cidrs.length > MAX_CIDR_FILTER) throw new HistoryError(HistoryErrorCode.InvalidArgument, `filter.cidrs takes at most ${MAX_CIDR_FILTER} blocks, got ${cidrs.length}`);
  return new Set(
    cidrs.map((text) => {
      const cidr = canonicalCidr(text.trim());
      if (!cidr) throw new HistoryError(HistoryErrorCode.InvalidArgument, `filter.cidrs: ${JSON.stringify(text.slice(0, 64))} is not a CIDR`);
      return cidr;
    }),
  );
}

// Cursors: base64url of ["blk", cidr] (opaque to clients, like the other connections').
function encodeBlockCursor(cidr: string): string {
  return Buffer.from(JSON.stringify(['blk', cidr]), 'utf8').toString('base64url');
}

function decodeBlockCursor(cursor: string): string {
  const invalid = () => new HistoryError(HistoryErrorCode.InvalidCursor, 'after is not a cursor returned by blocks');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== 'blk' || typeof value[1] !== 'string' || canonicalCidr(value[1]) !== value[1]) throw invalid();
  return value[1];
}

function toCounts(counts: BlockStatusCountsData): BlockStatusCounts {
  return {
    owner: counts.OWNER,
    ok: counts.OK,
    missing: counts.MISSING,
    wrongNode: counts.WRONG_NODE,
    split: counts.SPLIT,
    stale: counts.STALE,
    problems: counts.MISSING + counts.WRONG_NODE + counts.SPLIT + counts.STALE,
  };
}

const OWNER_SOURCE: Record<BlockRowData['ownerSource'], BlockOwnerSourceValue> = {
  affinity: BlockOwnerSourceValue.AFFINITY,
  blackhole: BlockOwnerSourceValue.BLACKHOLE,
  inferred: BlockOwnerSourceValue.INFERRED,
};

function toRow(row: BlockRowData): BlockRow {
  return {
    cidr: row.cidr,
    owner: row.owner,
    ownerSource: OWNER_SOURCE[row.ownerSource],
    ownerEvidence: row.ownerEvidence,
    counts: toCounts(row.counts),
    problems: row.problems.map(toCell),
  };
}

function toCell(cell: BlockCellData): BlockCell {
  return { node: cell.node, status: cell.status as BlockCellStatusValue, detail: cell.detail ?? null, evidence: cell.evidence };
}
