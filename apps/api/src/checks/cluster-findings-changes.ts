import type { Finding as FindingDraft } from '@routescope/checks';
import { findingIdentity, type FindingsChange } from './cluster-instants';
import type { FindingRow, FindingsRepository, TransactionClient } from './findings.repository';

/** A finding as announced after commit. */
export type AnnouncedFinding = Pick<FindingRow, 'node' | 'rule' | 'subject' | 'severity'>;

/** What one instant did to the stored findings, announced once committed. */
export interface Reconciled {
  at: Date;
  opened: FindingDraft[];
  resolved: AnnouncedFinding[];
}

/**
 * Applies the cross-node evaluation's later instants (ClusterEvaluation.changes) to the stored
 * cluster findings, in the caller's transaction, after the first instant was reconciled. The open
 * findings are read once and followed in memory: an instant costs its changes, not a read of
 * every open finding.
 */
export async function applyClusterChanges(findings: FindingsRepository, tx: TransactionClient, changes: readonly FindingsChange[]): Promise<Reconciled[]> {
  if (changes.length === 0) return [];
  const open = new Map<string, { id: bigint } & AnnouncedFinding>();
  for (const row of await findings.openFindings(tx, 'cluster')) open.set(findingIdentity(row), row);
  const names = new Set(changes.flatMap((c) => [...c.opened, ...c.refreshed].map((d) => d.node)));
  const nodeIds = await findings.nodeIds(tx, [...names]);
  const openDraft = async (draft: FindingDraft, at: Date): Promise<boolean> => {
    const nodeId = nodeIds.get(draft.node);
    // a node removed meanwhile (reset): nothing to attach the finding to, as in reconcile
    if (nodeId === undefined) return false;
    const id = await findings.open(tx, 'cluster', nodeId, draft, at);
    open.set(findingIdentity(draft), { id, node: draft.node, rule: draft.rule, subject: draft.subject, severity: draft.severity });
    return true;
  };
  const reconciled: Reconciled[] = [];
  for (const change of changes) {
    const at = new Date(change.at);
    const done: Reconciled = { at, opened: [], resolved: [] };
    for (const key of change.resolved) {
      const id = findingIdentity(key);
      const row = open.get(id);
      if (!row) continue;
      await findings.resolve(tx, row.id, at);
      open.delete(id);
      done.resolved.push(row);
    }
    // A refreshed finding not stored (its node was missing) is opened; an opened one already
    // stored is refreshed: what is stored follows the instant's findings either way.
    for (const draft of [...change.refreshed, ...change.opened]) {
      const row = open.get(findingIdentity(draft));
      if (row) {
        await findings.refresh(tx, row.id, draft);
        row.severity = draft.severity;
      } else if (await openDraft(draft, at)) done.opened.push(draft);
    }
    reconciled.push(done);
  }
  return reconciled;
}
