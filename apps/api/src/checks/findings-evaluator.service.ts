import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { checkCluster, checkHistory, checkNode, clusterView, type ClusterContext, type ClusterView, type FactChangeEvent, type Finding as FindingDraft, type RuleScope } from '@routescope/checks';
import { canonicalJson, type FactAttributes, type FactKind } from '@routescope/snapshot';
import { ClusterContextService } from '../cluster/cluster-context.service';
import { HistoryEvents, type StateChangedEvent } from '../events/history-events';
import { HistoryQueryRepository } from '../history/history-query.repository';
import { FindingsRepository, type FindingRow } from './findings.repository';
import { FindingEvents } from './finding-events';

/** How far back history rules look (route flapping, MAC flaps, proxy_arp toggles). */
export const HISTORY_WINDOW_MS = 15 * 60 * 1000;
const HISTORY_KINDS = new Set<string>(['neighbor', 'route', 'sysctl']);

/**
 * Evaluates the checks whenever a node's state changes, and keeps findings as intervals: a
 * finding that still holds stays one row, one that no longer holds is resolved at the time of
 * the snapshot that cleared it. Node rules see the node; cluster rules see every node's compact
 * view, kept in memory and warmed from the database at start-up.
 */
@Injectable()
export class FindingsEvaluator implements OnApplicationBootstrap {
  private readonly logger = new Logger(FindingsEvaluator.name);
  private readonly views = new Map<string, ClusterView>();
  /** evaluations run one at a time, so two ingests never reconcile the same findings at once. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly findings: FindingsRepository,
    private readonly history: HistoryQueryRepository,
    private readonly events: HistoryEvents,
    private readonly findingEvents: FindingEvents,
    private readonly clusterContext: ClusterContextService,
  ) {
    this.events.onStateChanged((event) => this.enqueue(() => this.evaluate(event)));
  }

  async onApplicationBootstrap(): Promise<void> {
    const nodes = await this.history.allCurrentFacts();
    for (const [node, facts] of nodes) this.views.set(node, clusterView({ node, facts }));
    if (nodes.size > 0) this.logger.log(`cluster view warmed with ${nodes.size} node(s)`);
  }

  /** The current compact views of every node, for the block matrix at "now". */
  currentViews(): ClusterView[] {
    return [...this.views.values()];
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async evaluate(event: StateChangedEvent): Promise<void> {
    const context: ClusterContext | undefined = this.clusterContext.context();
    const node = { node: event.node, facts: event.facts };
    this.views.set(event.node, clusterView(node));
    const recent = await this.recentChanges(event.nodeId, event.takenAt);
    await this.reconcile('node', checkNode(node, context), event.takenAt, event.nodeId);
    await this.reconcile('history', checkHistory(event.node, recent), event.takenAt, event.nodeId);
    await this.reconcile('cluster', checkCluster([...this.views.values()], context), event.takenAt);
  }

  private async recentChanges(nodeId: number, until: Date): Promise<FactChangeEvent[]> {
    const rows = await this.history.nodeChanges([nodeId], new Date(until.getTime() - HISTORY_WINDOW_MS), until, undefined, 10000);
    return rows
      .filter((r) => HISTORY_KINDS.has(r.kind))
      .map((r) => ({ at: r.at, ns: r.ns, kind: r.kind as FactKind, key: r.key, before: (r.before ?? null) as FactAttributes | null, after: (r.after ?? null) as FactAttributes | null }));
  }

  /** Opens new findings, refreshes the ones that still hold, resolves the rest — in one transaction. */
  private async reconcile(scope: RuleScope, drafts: FindingDraft[], at: Date, nodeId?: number): Promise<void> {
    const changes = await this.findings.transaction(async (tx) => {
      const open = await this.findings.openFindings(tx, scope, nodeId);
      const byIdentity = new Map(open.map((row) => [identity(row.rule, row.node, row.subject), row]));
      const ids = await this.findings.nodeIds(tx, [...new Set(drafts.map((d) => d.node))]);
      const opened: FindingDraft[] = [];
      const seen = new Set<string>();
      for (const draft of drafts) {
        const key = identity(draft.rule, draft.node, draft.subject);
        if (seen.has(key)) continue;
        seen.add(key);
        const existing = byIdentity.get(key);
        byIdentity.delete(key);
        if (existing) {
          if (differs(existing, draft)) await this.findings.refresh(tx, existing.id, draft);
          continue;
        }
        const draftNodeId = ids.get(draft.node);
        if (draftNodeId === undefined) continue;
        await this.findings.open(tx, scope, draftNodeId, draft, at);
        opened.push(draft);
      }
      for (const stale of byIdentity.values()) await this.findings.resolve(tx, stale.id, at);
      return { opened, resolved: [...byIdentity.values()] };
    });
    for (const draft of changes.opened) this.findingEvents.changed('OPENED', { node: draft.node, rule: draft.rule, subject: draft.subject, severity: draft.severity, at });
    for (const row of changes.resolved) this.findingEvents.changed('RESOLVED', { node: row.node, rule: row.rule, subject: row.subject, severity: row.severity, at });
  }
}

function identity(rule: string, node: string, subject: string): string {
  return `${rule}\u0000${node}\u0000${subject}`;
}

function differs(row: FindingRow, draft: FindingDraft): boolean {
  return row.severity !== draft.severity || row.title !== draft.title || row.message !== draft.message || canonicalJson(row.evidence as never) !== canonicalJson(draft.evidence as never);
}
