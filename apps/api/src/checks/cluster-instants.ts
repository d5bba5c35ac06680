import { createHash } from 'node:crypto';
import { checkCluster, withSharedRoutes, type ClusterContext, type ClusterView, type Finding } from '@routescope/checks';
import { canonicalJson } from '@routescope/snapshot';

/** A node's cluster view from an instant on; null: the node had no facts then. */
export type ViewChange = readonly [node: string, view: ClusterView | null];

/** Every node's cluster view, with a digest of it (to tell a changed view from an unchanged one). */
export type ClusterViews = Map<string, { view: ClusterView; text: string }>;

/** One cross-node evaluation: the views it starts from and their changes, instant by instant. */
export interface ClusterEvaluationRequest {
  /** start from no views (a new leader, a new thread) instead of the views the last evaluation left */
  full: boolean;
  /** nodes a repair removed: dropped first */
  removed: readonly string[];
  /** views replayed from the store as they were just before the first instant */
  base: readonly ViewChange[];
  /** in time order: the views that changed at each instant (ms) */
  steps: ReadonlyArray<readonly [instant: number, changes: readonly ViewChange[]]>;
  context?: ClusterContext;
}

/** A cross-node finding by what it is about: a finding keeps its row while this holds. */
export type FindingKey = Pick<Finding, 'rule' | 'node' | 'subject'>;

/** One instant's findings by identity, each with the text that tells it changed. */
type FindingsByIdentity = Map<string, { finding: Finding; text: string }>;

/** What changed in the cross-node findings at one instant, from the previous instant checked. */
export interface FindingsChange {
  at: number;
  /** findings that did not hold at the previous instant */
  opened: Finding[];
  /** findings that held at the previous instant and no longer do */
  resolved: FindingKey[];
  /** findings that still hold but say something else (message, evidence, severity) */
  refreshed: Finding[];
}

export interface ClusterEvaluation {
  /** every cross-node finding at the first instant checked (reconciled with what is stored) */
  first?: { at: number; drafts: Finding[] };
  /**
   * then, in time order, what changed at each later instant whose findings differ from the
   * previous instant's. Changes, not every instant's whole list: a backlog of n instants with f
   * findings open costs f + the changes, not n × f (1,000 nodes catching up on an hour of churn
   * made that reply several GB and the API ran out of memory receiving it).
   */
  changes: FindingsChange[];
  /** checkCluster calls: one per instant at which some node's view changed */
  instantsChecked: number;
}

/**
 * The cross-node rules at every instant of the request, in order (pure: views in, findings
 * out). Works on a copy of `committed`; returns the views as the last instant left them, which
 * the caller keeps only once the findings are committed.
 */
export function evaluateClusterInstants(committed: ClusterViews, request: ClusterEvaluationRequest): { views: ClusterViews; evaluation: ClusterEvaluation } {
  const views: ClusterViews = request.full ? new Map() : new Map(committed);
  for (const node of request.removed) views.delete(node);
  for (const [node, view] of request.base) setView(views, node, view);
  const evaluation: ClusterEvaluation = { changes: [], instantsChecked: 0 };
  let previous: FindingsByIdentity | undefined;
  for (const [instant, changes] of request.steps) {
    let changed = false;
    for (const [node, view] of changes) changed = setView(views, node, view) || changed;
    if (!changed) continue;
    evaluation.instantsChecked++;
    const drafts = checkCluster([...views.values()].map((v) => v.view), request.context);
    const current = byIdentity(drafts);
    if (!previous) evaluation.first = { at: instant, drafts };
    else {
      const change = changeBetween(previous, current, instant);
      if (change) evaluation.changes.push(change);
    }
    previous = current;
  }
  return { views, evaluation };
}

/**
 * Findings by identity (rule, node, subject); the first of two with one identity is the one stored.
 * The text only tells a changed finding (JSON.stringify, native: canonical key order is not needed,
 * since the same content in another order is at worst one refresh too many).
 */
function byIdentity(drafts: readonly Finding[]): FindingsByIdentity {
  const map: FindingsByIdentity = new Map();
  for (const finding of drafts) {
    const id = findingIdentity(finding);
    if (!map.has(id)) map.set(id, { finding, text: JSON.stringify(finding) });
  }
  return map;
}

/** What changed from one instant's findings to the next; undefined when nothing did. */
function changeBetween(before: FindingsByIdentity, after: FindingsByIdentity, at: number): FindingsChange | undefined {
  const change: FindingsChange = { at, opened: [], resolved: [], refreshed: [] };
  for (const [id, { finding, text }] of after) {
    const was = before.get(id);
    if (!was) change.opened.push(finding);
    else if (was.text !== text) change.refreshed.push(finding);
  }
  for (const [id, { finding }] of before) if (!after.has(id)) change.resolved.push({ rule: finding.rule, node: finding.node, subject: finding.subject });
  return change.opened.length + change.resolved.length + change.refreshed.length > 0 ? change : undefined;
}

export function findingIdentity(key: FindingKey): string {
  return `${key.rule}\u0000${key.node}\u0000${key.subject}`;
}

/** Sets a node's view (null: the node had no facts then); true when it changed. */
function setView(views: ClusterViews, node: string, view: ClusterView | null): boolean {
  const previous = views.get(node);
  if (!view) return views.delete(node);
  const text = viewText(view);
  if (previous?.text === text) return false;
  // the thread receives each view as its own copy (structured clone): routes are shared again
  views.set(node, { view: withSharedRoutes(view), text });
  return true;
}

/** A digest of the view's canonical JSON: enough to tell a changed view, without keeping a second copy of every view. */
function viewText(view: ClusterView): string {
  return createHash('sha256').update(canonicalJson(view as never)).digest('base64');
}
