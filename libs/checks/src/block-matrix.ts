import type { ClusterContext, EvidenceFact, NodeFacts } from './check-types';
import { blockRouting } from './cluster-rules';
import type { ClusterView } from './cluster-view';
import { parseCidr } from './net/ip';

export type BlockCellStatus = 'OWNER' | 'OK' | 'MISSING' | 'WRONG_NODE' | 'SPLIT' | 'STALE';

export const BLOCK_CELL_STATUSES: readonly BlockCellStatus[] = ['OWNER', 'OK', 'MISSING', 'WRONG_NODE', 'SPLIT', 'STALE'];

/** Statuses that need attention: every status but OWNER and OK. */
export const BLOCK_PROBLEM_STATUSES: readonly BlockCellStatus[] = ['MISSING', 'WRONG_NODE', 'SPLIT', 'STALE'];

export type BlockStatusCounts = Record<BlockCellStatus, number>;

export interface BlockCell {
  node: string;
  status: BlockCellStatus;
  /** the finding's message for a cell that is not OK */
  detail?: string;
  evidence: EvidenceFact[];
}

export interface BlockRow {
  cidr: string;
  owner: string;
  /** how the owner was decided: the block affinity, its blackhole route, or inferred from its pods' addresses */
  ownerSource: 'affinity' | 'blackhole' | 'inferred';
  /** the facts that make `owner` the owner (the OWNER cell's evidence) */
  ownerEvidence: EvidenceFact[];
  /**
   * The cells that need attention (MISSING, WRONG_NODE, SPLIT, STALE), in node order. A node of
   * the matrix with no cell here is the owner or routes the block to its owner (OK).
   */
  problems: BlockCell[];
  counts: BlockStatusCounts;
}

/**
 * The block × node routing consistency matrix, kept sparse: a cluster of n nodes has about n
 * blocks, so n² cells, nearly all OK. Only the cells that are not are listed (with their
 * evidence); counts say how many of each there are.
 */
export interface BlockMatrix {
  /** the columns: every Calico node, by name */
  nodes: string[];
  /** every block with a single owner, in address order */
  blocks: BlockRow[];
  /** cells of every block, by status */
  counts: BlockStatusCounts;
  /** blocks with at least one cell that needs attention */
  problemBlocks: number;
}

/** Which cross-node rule decides which cell status. */
const STATUS_OF_RULE: Record<string, BlockCellStatus> = {
  CALICO_BLOCK_ROUTE_MISSING: 'MISSING',
  CALICO_BLOCK_ROUTE_WRONG_NODE: 'WRONG_NODE',
  CALICO_BLOCK_ROUTE_SPLIT: 'SPLIT',
  CALICO_BLOCK_ROUTE_STALE: 'STALE',
};

export function emptyCounts(): BlockStatusCounts {
  return { OWNER: 0, OK: 0, MISSING: 0, WRONG_NODE: 0, SPLIT: 0, STALE: 0 };
}

/**
 * The block × node routing consistency matrix: for every owned block, how each Calico node
 * routes it. It is the block rules of checkCluster laid out as a table (the same findings, from
 * the same code), so the matrix and the findings can never disagree.
 */
export function blockMatrix(nodes: ReadonlyArray<NodeFacts | ClusterView>, context: ClusterContext = {}): BlockMatrix {
  const routing = blockRouting(nodes, context);
  const columns = new Map(routing.nodes.map((node, i) => [node, i]));
  const problemsByBlock = new Map<string, BlockCell[]>();
  for (const finding of routing.findings) {
    const status = STATUS_OF_RULE[finding.rule];
    if (!status || !finding.subject.startsWith('block:') || !columns.has(finding.node)) continue;
    const cidr = finding.subject.slice('block:'.length);
    const cells = problemsByBlock.get(cidr) ?? [];
    // One cell per node: a later finding for the same cell replaces the earlier one.
    const cell: BlockCell = { node: finding.node, status, detail: finding.message, evidence: finding.evidence };
    const same = cells.findIndex((c) => c.node === finding.node);
    if (same >= 0) cells[same] = cell;
    else cells.push(cell);
    problemsByBlock.set(cidr, cells);
  }
  const counts = emptyCounts();
  let problemBlocks = 0;
  const blocks = routing.owners.map((owner): BlockRow => {
    const problems = (problemsByBlock.get(owner.cidr) ?? []).filter((c) => c.node !== owner.owner).sort((a, b) => (columns.get(a.node) as number) - (columns.get(b.node) as number));
    const row = emptyCounts();
    if (columns.has(owner.owner)) row.OWNER = 1;
    for (const cell of problems) row[cell.status]++;
    row.OK = routing.nodes.length - row.OWNER - problems.length;
    for (const status of BLOCK_CELL_STATUSES) counts[status] += row[status];
    if (problems.length > 0) problemBlocks++;
    return { cidr: owner.cidr, owner: owner.owner, ownerSource: owner.source, ownerEvidence: owner.evidence, problems, counts: row };
  });
  return { nodes: routing.nodes, blocks: blocks.sort((a, b) => compareBlocks(a.cidr, b.cidr)), counts, problemBlocks };
}

/** The cell of `node` in `row`: OWNER, a listed problem, OK for any other node of the matrix; undefined for a node that is not a column. */
export function blockCell(matrix: Pick<BlockMatrix, 'nodes'>, row: BlockRow, node: string): BlockCell | undefined {
  if (node === row.owner && matrix.nodes.includes(node)) return { node, status: 'OWNER', evidence: row.ownerEvidence };
  const problem = row.problems.find((c) => c.node === node);
  if (problem) return problem;
  return matrix.nodes.includes(node) ? { node, status: 'OK', evidence: [] } : undefined;
}

/** Every cell of a row, one per node of the matrix, in node order (what a dense matrix would list). */
export function blockCells(matrix: Pick<BlockMatrix, 'nodes'>, row: BlockRow): BlockCell[] {
  const problems = new Map(row.problems.map((c) => [c.node, c]));
  return matrix.nodes.map((node): BlockCell => {
    if (node === row.owner) return { node, status: 'OWNER', evidence: row.ownerEvidence };
    return problems.get(node) ?? { node, status: 'OK', evidence: [] };
  });
}

/**
 * Address order for block CIDRs: IPv4 before IPv6, then by network address, then shorter
 * prefix first (`172.17.8.0/26` < `172.17.8.64/26` < `172.17.10.0/26`). Text that is not a prefix
 * sorts after every prefix, by text.
 */
export function compareBlocks(a: string, b: string): number {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (x && y) {
    if (x.family !== y.family) return x.family === 'inet' ? -1 : 1;
    if (x.network !== y.network) return x.network < y.network ? -1 : 1;
    if (x.prefixlen !== y.prefixlen) return x.prefixlen - y.prefixlen;
  } else if (x || y) return x ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical text of a prefix (`172.17.8.70/26` → `172.17.8.64/26`); undefined for text that is not one. */
export function canonicalCidr(text: string): string | undefined {
  return parseCidr(text)?.text;
}
