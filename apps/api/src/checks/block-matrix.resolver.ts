import { Args, GraphQLISODateTime, Int, Query, Resolver } from '@nestjs/graphql';
import {
  canonicalCidr,
  compareBlocks,
  type BlockCell as BlockCellData,
  type BlockRow as BlockRowData,
  type BlockStatusCounts as BlockStatusCountsData,
} from '@routescope/checks';
import { RequireScope } from '../auth/scopes';
import { pageSize } from '../history/history-arguments';
import { forwardPage } from '../history/relay-connection';
import { BlockMatrixService } from './block-matrix.service';
import { ChecksError, ChecksErrorCode } from './checks.errors';
import { BlockCell, BlockCellStatusValue, BlockFilter, BlockMatrix, BlockOwnerSourceValue, BlockRow, BlockStatusCounts } from './types/block-matrix.type';

/** Blocks per page: a dashboard page; at most a whole 1,000-node cluster's blocks. */
export const BLOCK_PAGE = { default: 50, max: 1000 } as const;
const MAX_CIDR_FILTER = 100;

/** The block matrix over GraphQL (BlockMatrixService), paged by block in address order. */
@Resolver(() => BlockMatrix)
@RequireScope('read')
export class BlockMatrixResolver {
  constructor(private readonly matrices: BlockMatrixService) {}

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
    const matrix = await this.matrices.matrix(at);

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
  if (cidrs.length > MAX_CIDR_FILTER) throw new ChecksError(ChecksErrorCode.InvalidArgument, `filter.cidrs takes at most ${MAX_CIDR_FILTER} blocks, got ${cidrs.length}`);
  return new Set(
    cidrs.map((text) => {
      const cidr = canonicalCidr(text.trim());
      if (!cidr) throw new ChecksError(ChecksErrorCode.InvalidArgument, `filter.cidrs: ${JSON.stringify(text.slice(0, 64))} is not a CIDR`);
      return cidr;
    }),
  );
}

// Cursors: base64url of ["blk", cidr] (opaque to clients, like the other connections').
function encodeBlockCursor(cidr: string): string {
  return Buffer.from(JSON.stringify(['blk', cidr]), 'utf8').toString('base64url');
}

function decodeBlockCursor(cursor: string): string {
  const invalid = () => new ChecksError(ChecksErrorCode.InvalidCursor, 'after is not a cursor returned by blocks');
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
