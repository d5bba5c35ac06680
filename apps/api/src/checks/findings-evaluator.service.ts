import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { checkCluster, checkHistory, checkNode, clusterView, type ClusterContext, type ClusterView, type FactChangeEvent, type Finding as FindingDraft, type RuleScope } from '@routescope/checks';
import { canonicalJson, type FactAttributes, type FactKind } from '@routescope/snapshot';
import { ClusterContextService } from '../cluster/cluster-context.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { HistoryEvents, type StateChangedEvent } from '../events/history-events';
import { HistoryQueryRepository } from '../history/history-query.repository';
import { API_METRICS, type ApiMetrics } from '../metrics/api-metrics';
import { FindingsRepository, type FindingRow, type TransactionClient } from './findings.repository';
import { FindingEvents } from './finding-events';

/** How far back history rules look (route flapping, MAC flaps, proxy_arp toggles). */
export const HISTORY_WINDOW_MS = 15 * 60 * 1000;
const HISTORY_KINDS = new Set<string>(['neighbor', 'route', 'sysctl']);

/** What the evaluator has done since start-up (counters) and what it holds now; for tests and diagnostics. */
export interface EvaluatorStats {
  /** state changes handed over by ingest */
  received: number;
  /** states replaced, before they were evaluated, by a newer state of the same node */
  coalesced: number;
  /** nodes waiting for their node and history rules (latest state of each) */
  pending: number;
  /** a run is under way (evaluating, or waiting out the spacing before a cluster evaluation) */
  running: boolean;
  /** node + history evaluations done (one per node state taken from the pending set) */
  nodeEvaluations: number;
  /** checkCluster evaluations done (each over every node's view) */
  clusterEvaluations: number;
  /** evaluations that failed (logged; the next change of the node, or of any node for the cluster, retries) */
  failures: number;
  /** the largest number of node states one cluster evaluation covered */
  largestClusterBatch: number;
  /** how long the last cluster evaluation took (checkCluster + reconcile), ms */
  lastClusterMs?: number;
}

type Counters = Omit<EvaluatorStats, 'pending' | 'running'>;

/**
 * Evaluates the checks when nodes' states change, off the ingest path, and keeps findings as
 * intervals: a finding that still holds stays one row, one that no longer holds is resolved.
 *
 * Ingest hands over each committed state change (HistoryEvents.stateChanged) and answers; the
 * change lands in a pending set holding the latest state per node. One worker drains it, so at
 * most one evaluation runs at a time and changes arriving during a run are taken by the next
 * round of the same run:
 * - node + history rules, for every pending node (its latest state), reconciled at that
 *   snapshot's takenAt, as soon as the worker gets to it;
 * - then ONE checkCluster over every node's view for all the nodes evaluated since the last
 *   one, no sooner than the spacing after the previous cluster evaluation ended: the larger of
 *   ROUTESCOPE_CHECKS_DEBOUNCE_MS and that evaluation's own duration (so the cross-node rules,
 *   whose cost grows with the cluster, never take more than about half of one core however many
 *   nodes change). Node rules of states that arrive while it waits are evaluated meanwhile.
 *
 * Times: node and history findings open and resolve at the takenAt of the node's snapshot that
 * showed or cleared them (as when evaluation was inline). Cluster findings open and resolve at
 * the batch's time: the latest takenAt among the states the evaluation covered, and never
 * earlier than the previous cluster evaluation's time (collector clocks differ, spooled
 * snapshots arrive late) — the first instant at which every state that evaluation saw had been
 * taken, so a cross-node finding is never dated before its evidence; it may be dated up to one
 * batch (the spacing plus an evaluation) after the snapshot that caused it.
 *
 * When a node posts twice before the worker reaches it, only its latest state is evaluated: a
 * node finding that held only in the intermediate state is not recorded (history rules still
 * see the intermediate changes: they read them from the history store).
 *
 * Cluster rules see every node's compact view, kept in memory (updated by the worker) and
 * warmed from the database at start-up. On shutdown, what is pending is evaluated (no spacing)
 * before the database closes.
 */
@Injectable()
export class FindingsEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FindingsEvaluator.name);
  private readonly views = new Map<string, ClusterView>();
  /** latest unevaluated state per node name */
  private readonly pending = new Map<string, StateChangedEvent>();
  private readonly counters: Counters = { received: 0, coalesced: 0, nodeEvaluations: 0, clusterEvaluations: 0, failures: 0, largestClusterBatch: 0 };
  private readonly debounceMs: number;
  /** the run under way; `running` is cleared in the same tick the run finds nothing left to do */
  private worker: Promise<void> = Promise.resolve();
  private running = false;
  /** a cluster evaluation is owed for node states up to this takenAt (undefined: none owed) */
  private clusterOwedAt?: Date;
  /** node states evaluated since the last cluster evaluation */
  private clusterOwedNodes = 0;
  /** the time of the last cluster evaluation: the next one is never dated earlier */
  private lastClusterAt?: Date;
  /** no cluster evaluation before this (ms since the epoch) */
  private nextClusterAt = 0;
  /** ends the spacing wait early (a new state arrived, or shutdown) */
  private wake?: () => void;
  /** shutdown: evaluate what is owed without waiting for the spacing */
  private flushing = false;
  private closed = false;

  constructor(
    private readonly findings: FindingsRepository,
    private readonly history: HistoryQueryRepository,
    private readonly events: HistoryEvents,
    private readonly findingEvents: FindingEvents,
    private readonly clusterContext: ClusterContextService,
    @Inject(API_CONFIG) config: ApiConfig,
    @Optional() @Inject(API_METRICS) private readonly metrics?: ApiMetrics,
  ) {
    this.debounceMs = config.checksDebounceMs;
    this.events.onStateChanged((event) => this.accept(event));
  }

  async onApplicationBootstrap(): Promise<void> {
    const nodes = await this.history.allCurrentFacts();
    for (const [node, facts] of nodes) if (!this.views.has(node)) this.views.set(node, clusterView({ node, facts }));
    if (nodes.size > 0) this.logger.log(`cluster view warmed with ${nodes.size} node(s)`);
  }

  /**
   * Runs after the HTTP server stopped (every ingest has answered, so every state change has
   * been handed over) and before the database and Redis connections close (global modules
   * shut down last): evaluates what is pending, without the spacing, then closes FindingEvents.
   */
  async onApplicationShutdown(): Promise<void> {
    this.flushing = true;
    this.wake?.();
    await this.settled();
    this.closed = true;
    await this.findingEvents.close();
  }

  /** The current compact views of every node, for the block matrix at "now". */
  currentViews(): ClusterView[] {
    return [...this.views.values()];
  }

  /**
   * Resolves when nothing is pending or running: every state handed over before the call (and
   * any that arrived while waiting) has been evaluated and its findings are committed and
   * announced. Never rejects (failed evaluations are logged and counted in stats()).
   */
  async settled(): Promise<void> {
    while (this.running) await this.worker;
  }

  stats(): EvaluatorStats {
    return { ...this.counters, pending: this.pending.size, running: this.running };
  }

  /** The state listener: queue, never wait, never throw. */
  private accept(event: StateChangedEvent): void {
    if (this.closed) {
      this.logger.warn(`state of ${event.node} at ${event.takenAt.toISOString()} arrived after shutdown: not evaluated`);
      return;
    }
    this.counters.received++;
    const previous = this.pending.get(event.node);
    if (previous) {
      this.counters.coalesced++;
      // An older state arriving late (two ingests of one node racing after commit) never replaces a newer one.
      if (previous.takenAt.getTime() > event.takenAt.getTime()) return;
    }
    this.pending.set(event.node, event);
    this.wake?.();
    if (!this.running) {
      this.running = true;
      this.worker = this.run();
    }
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.pending.size > 0) {
          const batch = [...this.pending.values()];
          this.pending.clear();
          await this.evaluateNodes(batch);
        }
        if (this.clusterOwedAt === undefined) {
          if (this.pending.size > 0) continue;
          return; // `running` is cleared below, in this same tick: a later accept() starts a new run
        }
        const wait = this.flushing ? 0 : this.nextClusterAt - Date.now();
        if (wait > 0) {
          // Node rules of states arriving meanwhile are evaluated first, then the wait resumes.
          if (this.pending.size === 0) await this.pause(wait);
          continue;
        }
        await this.evaluateCluster(this.clusterOwedAt);
      }
    } catch (error) {
      // evaluateNodes/evaluateCluster catch their own failures; this is a bug, not a bad evaluation.
      this.counters.failures++;
      this.logger.error(`checks worker stopped: ${(error as Error).stack ?? String(error)}`);
    } finally {
      this.running = false;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async evaluateNodes(batch: readonly StateChangedEvent[]): Promise<void> {
    const context: ClusterContext | undefined = this.clusterContext.context();
    for (const event of batch) {
      const node = { node: event.node, facts: event.facts };
      this.clusterOwedAt = this.clusterOwedAt && this.clusterOwedAt.getTime() >= event.takenAt.getTime() ? this.clusterOwedAt : event.takenAt;
      this.clusterOwedNodes++;
      const started = Date.now();
      try {
        this.views.set(event.node, clusterView(node));
        const recent = await this.recentChanges(event.nodeId, event.takenAt);
        const drafts = { node: checkNode(node, context), history: checkHistory(event.node, recent) };
        const changes = await this.findings.transaction(async (tx) => [
          await this.reconcile(tx, 'node', drafts.node, event.takenAt, event.nodeId),
          await this.reconcile(tx, 'history', drafts.history, event.takenAt, event.nodeId),
        ]);
        for (const change of changes) this.announce(change);
        this.counters.nodeEvaluations++;
        this.metrics?.checksDuration.observe({ scope: 'node' }, (Date.now() - started) / 1000);
      } catch (error) {
        this.counters.failures++;
        this.logger.error(`checks of ${event.node} at ${event.takenAt.toISOString()} failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  private async evaluateCluster(owed: Date): Promise<void> {
    const at = this.lastClusterAt && this.lastClusterAt.getTime() > owed.getTime() ? this.lastClusterAt : owed;
    this.counters.largestClusterBatch = Math.max(this.counters.largestClusterBatch, this.clusterOwedNodes);
    this.clusterOwedAt = undefined;
    this.clusterOwedNodes = 0;
    const started = Date.now();
    try {
      const drafts = checkCluster([...this.views.values()], this.clusterContext.context());
      this.announce(await this.findings.transaction((tx) => this.reconcile(tx, 'cluster', drafts, at)));
      this.lastClusterAt = at;
      this.counters.clusterEvaluations++;
    } catch (error) {
      this.counters.failures++;
      this.logger.error(`cluster checks at ${at.toISOString()} failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      const ended = Date.now();
      this.counters.lastClusterMs = ended - started;
      this.metrics?.checksDuration.observe({ scope: 'cluster' }, (ended - started) / 1000);
      this.nextClusterAt = ended + Math.max(this.debounceMs, ended - started);
    }
  }

  private async recentChanges(nodeId: number, until: Date): Promise<FactChangeEvent[]> {
    const rows = await this.history.nodeChanges([nodeId], new Date(until.getTime() - HISTORY_WINDOW_MS), until, undefined, 10000);
    return rows
      .filter((r) => HISTORY_KINDS.has(r.kind))
      .map((r) => ({ at: r.at, ns: r.ns, kind: r.kind as FactKind, key: r.key, before: (r.before ?? null) as FactAttributes | null, after: (r.after ?? null) as FactAttributes | null }));
  }

  /** Opens new findings, refreshes the ones that still hold, resolves the rest (in the caller's transaction). */
  private async reconcile(tx: TransactionClient, scope: RuleScope, drafts: FindingDraft[], at: Date, nodeId?: number): Promise<Reconciled> {
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
    return { at, opened, resolved: [...byIdentity.values()] };
  }

  /** After commit: subscribers hear about what changed (through Redis with several replicas). */
  private announce({ at, opened, resolved }: Reconciled): void {
    for (const draft of opened) this.findingEvents.changed('OPENED', { node: draft.node, rule: draft.rule, subject: draft.subject, severity: draft.severity, at });
    for (const row of resolved) this.findingEvents.changed('RESOLVED', { node: row.node, rule: row.rule, subject: row.subject, severity: row.severity, at });
  }
}

interface Reconciled {
  at: Date;
  opened: FindingDraft[];
  resolved: FindingRow[];
}

function identity(rule: string, node: string, subject: string): string {
  return `${rule}\u0000${node}\u0000${subject}`;
}

function differs(row: FindingRow, draft: FindingDraft): boolean {
  return row.severity !== draft.severity || row.title !== draft.title || row.message !== draft.message || canonicalJson(row.evidence as never) !== canonicalJson(draft.evidence as never);
}
