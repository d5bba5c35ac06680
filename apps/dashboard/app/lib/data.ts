import 'server-only';
import { query } from './api-client';
import { ApiProblemError, type Loaded } from './api-problem';
import type {
  BlockEvidenceQuery as BlockEvidenceQueryResult,
  BlockMatrixQuery as BlockMatrixQueryResult,
  CaptureContextInput,
  CaptureFindingFieldsFragment,
  CheckCaptureQuery as CheckCaptureQueryResult,
  FactKind,
  FindingFieldsFragment,
  FindingFilter,
  FindingGroupsQuery as FindingGroupsQueryResult,
  SilenceFieldsFragment,
  SilenceInput,
  FindingsPageQuery as FindingsPageQueryResult,
  NodeChangesQuery as NodeChangesQueryResult,
  NodeFilter,
  NodeOrderField,
  NodeStateQuery,
  NodeStatus,
  RulesQuery as RulesQueryResult,
  Severity,
  StateDiffQuery,
} from './generated/graphql';
import { BlockEvidenceQuery, BlockMatrixQuery } from './operations/blocks.operations';
import { CheckCaptureQuery } from './operations/capture.operations';
import { ActiveSilencesQuery, FindingGroupsQuery, FindingsPageQuery, OpenFindingsQuery, RevokeSilenceMutation, RulesQuery, SilenceFindingsMutation, WindowFindingsQuery } from './operations/findings.operations';
import { StateDiffQuery as StateDiffDocument } from './operations/diff.operations';
import { NodeChangesQuery, NodeStateQuery as NodeStateDocument } from './operations/node.operations';
import { ClusterChangeRateQuery, NodeHeaderQuery, NodeNamesQuery, OverviewNodesQuery, SilentNodesQuery } from './operations/nodes.operations';
import { ReviewChangesQuery } from './operations/review.operations';
import type { DiffParams, NodeSortKey, OverviewParams } from './search-params';
import { alignedBuckets, chooseBucketMs, clipIntervals, totalMs, type ChangeCountBucket } from './timeline-buckets';
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
  /** changes in the last 24 h */
  changes: number;
  /** open findings by severity */
  findings: Partial<Record<Severity, number>>;
}

export interface OverviewNodes {
  rows: NodeRow[];
  /** nodes matching the filters, over all pages */
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
  /** the instant the API judged status, open findings and recent changes at for this listing */
  asOf: string;
}

const ORDER_FIELDS: Record<NodeSortKey, NodeOrderField> = {
  name: 'NAME',
  status: 'STATUS',
  lastSeen: 'LAST_SEEN',
  findings: 'OPEN_FINDINGS',
  changes: 'CHANGES_24H',
};

/** The API's filter for the overview's URL parameters (null: no filter). */
export function overviewFilter(params: Pick<OverviewParams, 'q' | 'status' | 'findings'>): NodeFilter | null {
  const filter: NodeFilter = {};
  if (params.q) filter.nameContains = params.q;
  if (params.status !== 'all') filter.status = params.status;
  if (params.findings !== 'any') filter.hasOpenFindings = params.findings === 'open';
  return Object.keys(filter).length > 0 ? filter : null;
}

/** One page of the node table, sorted, filtered and paged by the API (every node, not just the page shown). */
export async function fetchOverviewNodes(params: OverviewParams, now: Date): Promise<OverviewNodes> {
  const since = new Date(now.getTime() - DAY);
  const data = await query(OverviewNodesQuery, {
    first: params.size,
    after: params.after ?? null,
    filter: overviewFilter(params),
    orderBy: { field: ORDER_FIELDS[params.sort], direction: params.dir === 'desc' ? 'DESC' : 'ASC' },
    since: toIso(since),
    now: toIso(now),
  });
  const rows: NodeRow[] = data.nodes.edges.map(({ node }) => {
    // Before its first snapshot a node did not exist yet: that is not a gap in its data.
    const gaps = clipIntervals(node.gaps, Math.max(since.getTime(), Date.parse(node.firstSeenAt)), now.getTime());
    return {
      name: node.name,
      status: node.status,
      lastSeenAt: node.lastSeenAt,
      reportingIntervalSeconds: node.reportingIntervalSeconds,
      gapCount: gaps.length,
      gapMs: totalMs(gaps),
      changes: node.changeCount,
      findings: node.findings.reduce<Partial<Record<Severity, number>>>((counts, f) => ({ ...counts, [f.severity]: (counts[f.severity] ?? 0) + 1 }), {}),
    };
  });
  return { rows, totalCount: data.nodes.totalCount, endCursor: data.nodes.pageInfo.endCursor, hasNextPage: data.nodes.pageInfo.hasNextPage, asOf: data.nodes.asOf };
}

/**
 * The cluster's changes per bucket over (from, to], counted by the API. Buckets are `bucketMs`
 * wide and aligned on multiples of it (UTC), so the first may start before `from` and the
 * last end after `to`, as the charts draw them.
 */
export async function fetchClusterChangeRate(from: Date, to: Date, bucketMs = chooseBucketMs(to.getTime() - from.getTime())): Promise<ChangeCountBucket[]> {
  const { start, end, buckets } = alignedBuckets(from.getTime(), to.getTime(), bucketMs);
  const data = await query(ClusterChangeRateQuery, { from: toIso(new Date(start)), to: toIso(new Date(end)), buckets });
  return data.clusterChangeRate;
}

/**
 * The cluster's changes over exactly (from, to], in about as many buckets as the round ones:
 * the incident review's chart, whose total must be the window's (its change list pages through
 * (from, to]); round buckets would count changes up to a bucket before `from`.
 */
export async function fetchWindowChangeRate(from: Date, to: Date): Promise<ChangeCountBucket[]> {
  const spanMs = to.getTime() - from.getTime();
  const buckets = Math.max(1, Math.min(Math.ceil(spanMs / chooseBucketMs(spanMs)), spanMs));
  const data = await query(ClusterChangeRateQuery, { from: toIso(from), to: toIso(to), buckets });
  return data.clusterChangeRate;
}

export async function fetchNodeNames(limit = 500): Promise<{ names: string[]; totalCount: number }> {
  const data = await query(NodeNamesQuery, { first: limit, filter: null });
  return { names: data.nodes.edges.map((e) => e.node.name), totalCount: data.nodes.totalCount };
}

export const SILENT_NODES_SHOWN = 20;

/** Silent nodes, longest silent first, with the time of their last snapshot. */
export async function fetchSilentNodes(): Promise<{ nodes: Array<{ name: string; lastSeenAt: string }>; totalCount: number }> {
  const data = await query(SilentNodesQuery, { first: SILENT_NODES_SHOWN });
  return { nodes: data.nodes.edges.map((e) => e.node), totalCount: data.nodes.totalCount };
}

// --- node -------------------------------------------------------------------------------------

/** The node's name and first snapshot; null when it never posted one (the page answers 404). */
export async function fetchNodeHeader(name: string): Promise<{ name: string; firstSeenAt: string } | null> {
  try {
    return (await query(NodeHeaderQuery, { name })).node;
  } catch (error) {
    if (error instanceof ApiProblemError && error.problem.kind === 'not-found') return null;
    throw error;
  }
}

export type NodeDetail = NodeStateQuery['node'];

/** The node, its state at `at` (now when absent) and its coverage in [from, to]; null when it never posted. */
export async function fetchNode(name: string, at: Date | undefined, from: Date, to: Date, now: Date): Promise<NodeDetail | null> {
  try {
    const data = await query(NodeStateDocument, { name, at: at ? toIso(at) : null, openAt: toIso(at ?? now), from: toIso(from), to: toIso(to) });
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

/** The instant of the node's first change after `after` (up to `until`), for the state scrubber's "next change". */
export async function fetchNextChangeAt(name: string, after: Date, until: Date): Promise<string | null> {
  if (after.getTime() >= until.getTime()) return null;
  const from = after;
  const to = new Date(Math.min(until.getTime(), after.getTime() + 31 * DAY - 1000));
  const data = await query(NodeChangesQuery, { name, from: toIso(from), to: toIso(to), first: 1, after: null });
  return data.node.changes.edges[0]?.node.at ?? null;
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

export type FindingWithEvidence = FindingsPageQueryResult['findings']['edges'][number]['node'];
/** The findings page fetches this many and groups them (the page says when there were more). */
export const FINDINGS_PAGE_MAX = 1000;

export async function fetchFindingsPage(filter: FindingFilter): Promise<{ findings: FindingWithEvidence[]; more: boolean }> {
  const data = await query(FindingsPageQuery, { filter, first: FINDINGS_PAGE_MAX });
  return { findings: data.findings.edges.map((e) => e.node), more: data.findings.pageInfo.hasNextPage };
}

export type ServerFindingGroup = FindingGroupsQueryResult['findingGroups'][number];
export type Silence = SilenceFieldsFragment;

/** Groups counted by the API over every matching finding (not only the first page). */
export async function fetchFindingGroups(filter: FindingFilter): Promise<ServerFindingGroup[]> {
  return (await query(FindingGroupsQuery, { filter })).findingGroups;
}

export async function fetchActiveSilences(activeAt: Date): Promise<Silence[]> {
  return (await query(ActiveSilencesQuery, { activeAt: toIso(activeAt) })).silences;
}

export async function silenceFindings(input: SilenceInput): Promise<Silence> {
  return (await query(SilenceFindingsMutation, { input })).silenceFindings;
}

export async function revokeSilence(id: string): Promise<Silence> {
  return (await query(RevokeSilenceMutation, { id })).revokeSilence;
}

export async function fetchRules(): Promise<Map<string, Rule>> {
  const data = await query(RulesQuery, {});
  return new Map(data.rules.map((r) => [r.id, r]));
}

// --- cluster blocks ---------------------------------------------------------------------------

export type BlockMatrix = BlockMatrixQueryResult['blocks'];
export type BlockEvidence = BlockEvidenceQueryResult['blocks'];

/** One page of the matrix (blocks in address order); `problemsOnly`: only blocks with a cell that needs attention. */
export async function fetchBlockMatrix(at: Date | undefined, page: { first: number; after?: string; problemsOnly: boolean }): Promise<BlockMatrix> {
  return (await query(BlockMatrixQuery, { at: at ? toIso(at) : null, first: page.first, after: page.after ?? null, problemsOnly: page.problemsOnly })).blocks;
}

/** One block with the evidence of its owner and of its cells that need attention. */
export async function fetchBlockEvidence(at: Date | undefined, cidr: string): Promise<BlockEvidence> {
  return (await query(BlockEvidenceQuery, { at: at ? toIso(at) : null, cidr })).blocks;
}

// --- check a capture --------------------------------------------------------------------------

export type CaptureReport = CheckCaptureQueryResult['checkCapture'];
export type CaptureFinding = CaptureFindingFieldsFragment;

/** Pasted terminal output checked by the API (POSTed; nothing is stored, the text is never logged). */
export async function checkCaptureText(text: string, context: CaptureContextInput | null = null): Promise<CaptureReport> {
  return (await query(CheckCaptureQuery, { text, context })).checkCapture;
}
