import 'server-only';
import { query } from './api-client';
import { ApiProblemError, type Loaded } from './api-problem';
import type {
  BlockMatrixQuery as BlockMatrixQueryResult,
  ClusterChangeTimesQuery as ClusterChangeTimesQueryResult,
  FactKind,
  FindingFieldsFragment,
  NodeChangesQuery as NodeChangesQueryResult,
  NodeStateQuery,
  NodeStatus,
  RulesQuery as RulesQueryResult,
  Severity,
  StateDiffQuery,
} from './generated/graphql';
import { BlockMatrixQuery } from './operations/blocks.operations';
import { OpenFindingsQuery, RulesQuery, WindowFindingsQuery } from './operations/findings.operations';
import { StateDiffQuery as StateDiffDocument } from './operations/diff.operations';
import { NodeChangesQuery, NodeStateQuery as NodeStateDocument } from './operations/node.operations';
import { ClusterChangeTimesQuery, NodeNamesQuery, OverviewNodesQuery } from './operations/nodes.operations';
import { ReviewChangesQuery } from './operations/review.operations';
import type { DiffParams, NodeSortKey, OverviewParams } from './search-params';
import { clipIntervals, totalMs, type TimedEvent } from './timeline-buckets';
import { DAY, toIso } from './time';

// Data fetching for the pages (server components call these; next-learn's app/lib/data.ts).
// Each function is one or a few typed GraphQL operations; nothing here touches the browser.

/** Runs a loader and turns API problems into a value the page renders in place. */
export async function load<T>(loader: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await loader() };
  } catch (error) {
    if (error instanceof ApiProblemError) return { ok: false, problem: error.problem };
    throw error;
  }
}

/** Pages of a connection fetched one after another, up to a cap (the charts say when they hit it). */
const MAX_CHART_PAGES = 5;
const CHART_PAGE_SIZE = 1000;

// --- overview ---------------------------------------------------------------------------------

export interface NodeRow {
  name: string;
  status: NodeStatus;
  lastSeenAt: string;
  reportingIntervalSeconds: number;
  gapCount: number;
  gapMs: number;
  /** changes in the last 24 h; `changesCapped` when there are more than counted */
  changes: number;
  changesCapped: boolean;
  /** open findings by severity */
  findings: Partial<Record<Severity, number>>;
}

export interface OverviewNodes {
  rows: NodeRow[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
  /** rows of this page hidden by the status filter */
  hiddenByStatus: number;
}

const STATUS_ORDER: Record<NodeStatus, number> = { SILENT: 0, REPORTING: 1 };

/** Orders nodes by their worst open findings: one critical outweighs any number of errors, and so on. */
function findingWeight(counts: Partial<Record<Severity, number>>): number {
  return (counts.CRITICAL ?? 0) * 1e9 + (counts.ERROR ?? 0) * 1e6 + (counts.WARNING ?? 0) * 1e3 + (counts.INFO ?? 0);
}

function compareRows(key: NodeSortKey): (a: NodeRow, b: NodeRow) => number {
  switch (key) {
    case 'status':
      return (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    case 'lastSeen':
      return (a, b) => Date.parse(a.lastSeenAt) - Date.parse(b.lastSeenAt);
    case 'gaps':
      return (a, b) => a.gapMs - b.gapMs || a.gapCount - b.gapCount;
    case 'changes':
      return (a, b) => a.changes - b.changes;
    case 'findings':
      return (a, b) => findingWeight(a.findings) - findingWeight(b.findings);
    case 'name':
      return () => 0;
  }
}

export async function fetchOverviewNodes(params: OverviewParams, now: Date): Promise<OverviewNodes> {
  const since = new Date(now.getTime() - DAY);
  const data = await query(OverviewNodesQuery, {
    first: params.size,
    after: params.after ?? null,
    filter: params.q ? { nameContains: params.q } : null,
    since: toIso(since),
    now: toIso(now),
  });
  const all: NodeRow[] = data.nodes.edges.map(({ node }) => {
    // Before its first snapshot a node did not exist yet: that is not a gap in its data.
    const gaps = clipIntervals(node.gaps, Math.max(since.getTime(), Date.parse(node.firstSeenAt)), now.getTime());
    return {
      name: node.name,
      status: node.status,
      lastSeenAt: node.lastSeenAt,
      reportingIntervalSeconds: node.reportingIntervalSeconds,
      gapCount: gaps.length,
      gapMs: totalMs(gaps),
      changes: node.changes.edges.length,
      changesCapped: node.changes.pageInfo.hasNextPage,
      findings: node.findings.reduce<Partial<Record<Severity, number>>>((counts, f) => ({ ...counts, [f.severity]: (counts[f.severity] ?? 0) + 1 }), {}),
    };
  });
  const rows = params.status === 'all' ? all : all.filter((r) => r.status === params.status);
  // The API orders by name; other orders apply to this page (stable, then by name).
  const compare = compareRows(params.sort);
  const sign = params.dir === 'desc' ? -1 : 1;
  rows.sort((a, b) => sign * (compare(a, b) || a.name.localeCompare(b.name)));
  return { rows, totalCount: data.nodes.totalCount, endCursor: data.nodes.pageInfo.endCursor, hasNextPage: data.nodes.pageInfo.hasNextPage, hiddenByStatus: all.length - rows.length };
}

export interface ChangeEvents {
  events: TimedEvent[];
  /** more changes exist than were fetched */
  truncated: boolean;
}

/** Every change of the cluster in (from, to], as (time, node) pairs for the rate chart. */
export async function fetchClusterChangeEvents(from: Date, to: Date): Promise<ChangeEvents> {
  const events: TimedEvent[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_CHART_PAGES; page++) {
    const data: ClusterChangeTimesQueryResult = await query(ClusterChangeTimesQuery, { from: toIso(from), to: toIso(to), first: CHART_PAGE_SIZE, after });
    for (const { node } of data.clusterChanges.edges) events.push({ at: node.at, group: node.node });
    if (!data.clusterChanges.pageInfo.hasNextPage) return { events, truncated: false };
    after = data.clusterChanges.pageInfo.endCursor;
  }
  return { events, truncated: true };
}

export async function fetchNodeNames(limit = 500): Promise<{ names: string[]; totalCount: number }> {
  const data = await query(NodeNamesQuery, { first: limit, filter: null });
  return { names: data.nodes.edges.map((e) => e.node.name), totalCount: data.nodes.totalCount };
}

// --- node -------------------------------------------------------------------------------------

export type NodeDetail = NodeStateQuery['node'];

/** The node, its state at `at` (now when absent) and its coverage in [from, to]; null when it never posted. */
export async function fetchNode(name: string, at: Date | undefined, from: Date, to: Date): Promise<NodeDetail | null> {
  try {
    const data = await query(NodeStateDocument, { name, at: at ? toIso(at) : null, from: toIso(from), to: toIso(to) });
    return data.node;
  } catch (error) {
    if (error instanceof ApiProblemError && error.problem.kind === 'not-found') return null;
    throw error;
  }
}

export interface NodeChange {
  at: string;
  change: 'ADDED' | 'REMOVED' | 'CHANGED';
  kind: FactKind;
  namespace: string;
  key: string;
  afterGap: boolean;
}

export async function fetchNodeChanges(name: string, from: Date, to: Date): Promise<{ changes: NodeChange[]; truncated: boolean }> {
  const changes: NodeChange[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_CHART_PAGES; page++) {
    const data: NodeChangesQueryResult = await query(NodeChangesQuery, { name, from: toIso(from), to: toIso(to), first: CHART_PAGE_SIZE, after });
    for (const { node } of data.node.changes.edges) changes.push(node);
    if (!data.node.changes.pageInfo.hasNextPage) return { changes, truncated: false };
    after = data.node.changes.pageInfo.endCursor;
  }
  return { changes, truncated: true };
}

// --- diff -------------------------------------------------------------------------------------

export type StateDiff = StateDiffQuery['diff'];

export async function fetchDiff(node: string, params: DiffParams): Promise<StateDiff> {
  const variables =
    params.mode === 'TIME'
      ? { node, from: toIso(params.from), to: toIso(params.to), otherNode: null, at: null }
      : { node, otherNode: params.otherNode, at: toIso(params.at), from: null, to: null };
  return (await query(StateDiffDocument, variables)).diff;
}

// --- review -----------------------------------------------------------------------------------

export interface ReviewChange {
  cursor: string;
  at: string;
  node: string;
  namespace: string;
  kind: FactKind;
  key: string;
  change: 'ADDED' | 'REMOVED' | 'CHANGED';
  before: unknown;
  after: unknown;
  afterGap: boolean;
}

export const REVIEW_PAGE_SIZE = 1000;

export async function fetchReviewChanges(from: Date, to: Date, after: string | undefined): Promise<{ changes: ReviewChange[]; hasNextPage: boolean; endCursor: string | null }> {
  const data = await query(ReviewChangesQuery, { from: toIso(from), to: toIso(to), first: REVIEW_PAGE_SIZE, after: after ?? null });
  return {
    changes: data.clusterChanges.edges.map((e) => ({ cursor: e.cursor, ...e.node })),
    hasNextPage: data.clusterChanges.pageInfo.hasNextPage,
    endCursor: data.clusterChanges.pageInfo.endCursor,
  };
}

// --- findings ---------------------------------------------------------------------------------

export type Finding = FindingFieldsFragment;
export type Rule = RulesQueryResult['rules'][number];

const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 0, ERROR: 1, WARNING: 2, INFO: 3 };

/** Worst first, then newest first. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => Number(b.open) - Number(a.open) || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.openedAt.localeCompare(a.openedAt));
}

export const FINDINGS_PAGE = 200;

export async function fetchOpenFindings(now: Date): Promise<{ findings: Finding[]; more: boolean }> {
  const data = await query(OpenFindingsQuery, { now: toIso(now), first: FINDINGS_PAGE });
  return { findings: sortFindings(data.findings.edges.map((e) => e.node)), more: data.findings.pageInfo.hasNextPage };
}

export async function fetchWindowFindings(from: Date, to: Date): Promise<{ findings: Finding[]; more: boolean }> {
  const data = await query(WindowFindingsQuery, { from: toIso(from), to: toIso(to), first: FINDINGS_PAGE });
  return { findings: sortFindings(data.findings.edges.map((e) => e.node)), more: data.findings.pageInfo.hasNextPage };
}

export async function fetchRules(): Promise<Map<string, Rule>> {
  const data = await query(RulesQuery, {});
  return new Map(data.rules.map((r) => [r.id, r]));
}

// --- cluster blocks ---------------------------------------------------------------------------

export type BlockMatrix = BlockMatrixQueryResult['blocks'];

export async function fetchBlockMatrix(at: Date | undefined): Promise<BlockMatrix> {
  return (await query(BlockMatrixQuery, { at: at ? toIso(at) : null })).blocks;
}
