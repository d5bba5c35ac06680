import { createHash } from 'node:crypto';
import { checkCluster, type ClusterContext, type ClusterView, type Finding } from '@routescope/checks';
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

export interface ClusterEvaluation {
  /** the cross-node findings at each instant whose findings differ from the previous instant's (the first changed instant always) */
  evaluations: Array<{ at: number; drafts: Finding[] }>;
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
  const evaluation: ClusterEvaluation = { evaluations: [], instantsChecked: 0 };
  let previous: string | undefined;
  for (const [instant, changes] of request.steps) {
    let changed = false;
    for (const [node, view] of changes) changed = setView(views, node, view) || changed;
    if (!changed) continue;
    evaluation.instantsChecked++;
    const drafts = checkCluster([...views.values()].map((v) => v.view), request.context);
    const text = canonicalJson(drafts as never);
    // An instant whose findings say the same as the previous one's needs no write.
    if (text === previous) continue;
    previous = text;
    evaluation.evaluations.push({ at: instant, drafts });
  }
  return { views, evaluation };
}

/** Sets a node's view (null: the node had no facts then); true when it changed. */
function setView(views: ClusterViews, node: string, view: ClusterView | null): boolean {
  const previous = views.get(node);
  if (!view) return views.delete(node);
  const text = viewText(view);
  if (previous?.text === text) return false;
  views.set(node, { view, text });
  return true;
}

/** A digest of the view's canonical JSON: enough to tell a changed view, without keeping a second copy of every view. */
function viewText(view: ClusterView): string {
  return createHash('sha256').update(canonicalJson(view as never)).digest('base64');
}
