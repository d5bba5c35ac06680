import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { checkHistory, checkNode, clusterView, type ClusterContext, type ClusterView, type FactChangeEvent, type Finding as FindingDraft, type RuleScope } from '@routescope/checks';
import { compareFacts, factIdentity, sameJson, type Fact, type FactKind } from '@routescope/snapshot';
import { ClusterContextService } from '../cluster/cluster-context.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { HistoryEvents, type HistoryRewrittenEvent, type StateChangedEvent } from '../events/history-events';
import { FactStore, type NodeFactInterval } from '../history/fact-store.service';
import { API_METRICS, type ApiMetrics } from '../metrics/api-metrics';
import { ClusterChangeQueue, type QueuedRow } from './cluster-change-queue';
import { ClusterChecksThread } from './cluster-checks-thread';
import { applyClusterChanges, type Reconciled } from './cluster-findings-changes';
import { findingIdentity, type ClusterEvaluationRequest } from './cluster-instants';
import { ClusterLeadership, type LeadershipListener } from './cluster-leadership.service';
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
  /** nothing pending, running or still being handed to the cross-node queue: what settled() waits for */
  idle: boolean;
  /** node + history evaluations done (one per node state taken from the pending set) */
  nodeEvaluations: number;
  /** cluster runs done: each evaluates the cross-node rules at every instant owed since the last one */
  clusterEvaluations: number;
  /** checkCluster calls: one per instant at which some node's cluster view changed */
  clusterInstants: number;
  /** cluster runs that first recomputed history: a change at or before the last instant evaluated */
  clusterRewinds: number;
  /** evaluations that failed (logged; the next change of the node, or of any node for the cluster, retries) */
  failures: number;
  /** the largest number of node states one cluster evaluation covered */
  largestClusterBatch: number;
  /** how long the last cluster evaluation took (checkCluster + reconcile), ms */
  lastClusterMs?: number;
  /** a cross-node evaluation is under way in its thread (checkCluster, off the event loop) */
  evaluatingCluster: boolean;
  /** this replica evaluates the cross-node rules (ClusterLeadership) */
  leader: boolean;
  /** this replica's name (host:pid) */
  replica: string;
}

type Counters = Omit<EvaluatorStats, 'pending' | 'running' | 'idle' | 'evaluatingCluster' | 'leader' | 'replica'>;

/** The leader's fence refused a write: another replica was elected since. */
class LeadershipLost extends Error {}

/** Queued changes read per round. */
const QUEUE_BATCH = 10_000;

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
 * Times: every finding opens at the takenAt of the snapshot whose change made it true and
 * resolves at the one that made it false, whatever order the snapshots arrive in. Node and
 * history findings: at the snapshot of the node that showed or cleared them. Cross-node
 * findings: the cluster is evaluated at each instant owed since the last cluster run at which
 * some node's cluster view changed, in time order, each node's view as of that instant (the
 * cluster view as of the last instant evaluated, plus each change at its own instant). A change
 * at or before the last instant evaluated (a node whose collector clock lags, a node's history
 * loaded after another's, a late snapshot applied in a gap, a repair) rewinds the cross-node
 * findings to just before it and evaluates again from there with every node's state replayed
 * from the store, so the finding intervals are those that in-order evaluation of every change
 * would give. Announcements follow what changed; a recomputation that reproduces a finding
 * announces nothing, one that drops a finding says nothing either (there is no "retracted").
 * Cost: one checkCluster per instant with a changed view (not per batch).
 *
 * When a node posts twice before the worker reaches it, only its latest state is evaluated by
 * the node rules: a node finding that held only in the intermediate state is not recorded
 * (history rules still see the intermediate changes: they read them from the history store).
 * The cross-node rules see every instant: the intermediate states are read back from the store.
 *
 * Replicas: node and history rules run on the replica that ingested the snapshot. The cross-node
 * rules run only on the leader (ClusterLeadership: one replica, elected with an advisory lock),
 * fed through the database (ClusterChangeQueue): every replica queues each committed change, the
 * leader reads the queue, evaluates, and deletes what it evaluated in the findings' transaction,
 * under its term (a fence). A new leader carries on from the instant its predecessor evaluated
 * until (cluster_checks_leader.evaluated_until), replaying from the store every node changed
 * since. Followers never write cross-node findings. checkCluster runs in a worker thread
 * (ClusterChecksThread), which keeps every node's view as of the last instant evaluated; the
 * views of nodes this replica did not ingest are replayed from the store.
 *
 * On shutdown, what is pending is evaluated (no spacing) before the database closes.
 */
@Injectable()
export class FindingsEvaluator implements OnApplicationBootstrap, OnApplicationShutdown, LeadershipListener {
  private readonly logger = new Logger(FindingsEvaluator.name);
  private readonly views = new Map<string, ClusterView>();
  /** latest unevaluated state per node name */
  private readonly pending = new Map<string, StateChangedEvent>();
  private readonly counters: Counters = { received: 0, coalesced: 0, nodeEvaluations: 0, clusterEvaluations: 0, clusterInstants: 0, clusterRewinds: 0, failures: 0, largestClusterBatch: 0 };
  /** the instant (ms) of the state each `views` entry holds */
  private readonly viewAt = new Map<string, number>();
  /** checkCluster off the event loop; it keeps every node's view as of `clusterAt` */
  private readonly thread = new ClusterChecksThread();
  /** every node's view when this replica was elected: the base of the thread's first (full) evaluation */
  private electedViews?: Map<string, ClusterView>;
  /** while this replica leads: its term (the fence of its writes) */
  private term?: bigint;
  /** bumped at every election and deposition: an evaluation of an earlier one keeps nothing */
  private generation = 0;
  /** queued changes read and owed, not yet evaluated (deleted with the findings that evaluated them) */
  private queuedRows = new Map<string, QueuedRow>();
  /** the queue has rows not read yet */
  private queueDirty = false;
  private evaluatingCluster = false;
  /** the last instant (ms) the cross-node rules were evaluated at; undefined: none known */
  private clusterAt?: number;
  /** change instants (ms) owed to the cross-node rules, per node: every state change, coalesced ones too */
  private owed = new Map<string, { nodeId: number; instants: Set<number> }>();
  /** cross-node findings from this instant (ms) on must be recomputed from the store */
  private rewindFrom?: number;
  /** nodes a repair removed: dropped from the cluster views by the next cluster run */
  private readonly removedNodes = new Set<string>();
  private readonly debounceMs: number;
  /** the run under way; `running` is cleared in the same tick the run finds nothing left to do */
  private worker: Promise<void> = Promise.resolve();
  private running = false;
  /** node states evaluated since the last cluster evaluation */
  private clusterOwedNodes = 0;
  /** no cluster evaluation before this (ms since the epoch) */
  private nextClusterAt = 0;
  /** ends the spacing wait early (a new state arrived, or shutdown) */
  private wake?: () => void;
  /** shutdown: evaluate what is owed without waiting for the spacing */
  private flushing = false;
  /** evaluateNow(): the next cluster evaluation does not wait for the spacing */
  private spacingWaived = false;
  private closed = false;

  constructor(
    private readonly findings: FindingsRepository,
    private readonly history: FactStore,
    private readonly events: HistoryEvents,
    private readonly findingEvents: FindingEvents,
    private readonly clusterContext: ClusterContextService,
    private readonly leadership: ClusterLeadership,
    private readonly queue: ClusterChangeQueue,
    @Inject(API_CONFIG) config: ApiConfig,
    @Optional() @Inject(API_METRICS) private readonly metrics?: ApiMetrics,
  ) {
    this.debounceMs = config.checksDebounceMs;
    this.events.onStateChanged((event) => this.accept(event));
    this.events.onHistoryRewritten((event) => this.rewound(event));
    this.queue.onWritten(() => this.queued());
  }

  async onApplicationBootstrap(): Promise<void> {
    // Elected now when nobody else leads (then the election warmed the views), else a follower.
    await this.leadership.start(this);
    if (this.term === undefined) await this.warmViews();
  }

  /** Every node's view from the store (what the block matrix "now" reads); returns them. */
  private async warmViews(): Promise<Map<string, ClusterView>> {
    const nodes = await this.history.currentStateOfCluster();
    const warmed = new Map<string, ClusterView>();
    for (const [node, facts] of nodes) {
      const view = clusterView({ node, facts });
      warmed.set(node, view);
      // a state evaluated meanwhile is newer than the store's read
      if (!this.viewAt.has(node)) this.views.set(node, view);
    }
    if (nodes.size > 0) this.logger.log(`cluster view warmed with ${nodes.size} node(s)`);
    return warmed;
  }

  /**
   * LeadershipListener: this replica evaluates the cross-node rules from now on. It carries on
   * from where the previous leader stopped; its thread starts from every node's view (full).
   */
  async elected(term: bigint, evaluatedUntil: Date | undefined): Promise<void> {
    this.generation++;
    this.owed.clear();
    this.queuedRows.clear();
    this.removedNodes.clear();
    this.rewindFrom = undefined;
    this.thread.reset();
    const threadLoaded = this.thread.prestart();
    this.electedViews = await this.warmViews();
    await threadLoaded;
    // The views are every node's state at any instant from the newest head on: a change dated
    // earlier than that is evaluated by rewinding (see the class comment).
    this.clusterAt = evaluatedUntil?.getTime() ?? (await this.history.latestHead())?.getTime();
    this.term = term;
    this.queueDirty = true;
    this.start();
  }

  /** LeadershipListener: another replica leads now; what was owed is its to evaluate (the queue keeps it). */
  deposed(): void {
    this.generation++;
    this.term = undefined;
    this.owed.clear();
    this.queuedRows.clear();
    this.removedNodes.clear();
    this.rewindFrom = undefined;
    this.electedViews = undefined;
    this.queueDirty = false;
    this.thread.reset();
  }

  /** LeadershipListener: changes were queued (by this replica, or another one's NOTIFY). */
  queued(): void {
    if (this.term === undefined || this.closed) return;
    this.queueDirty = true;
    this.start();
  }

  /**
   * Runs after the HTTP server stopped (every ingest has answered, so every state change has
   * been handed over) and before the database and Redis connections close (global modules
   * shut down last): evaluates what is pending, without the spacing, then closes FindingEvents.
   */
  async onApplicationShutdown(): Promise<void> {
    this.flushing = true; // from now on no run waits for the spacing
    await this.evaluateNow();
    this.closed = true;
    await this.leadership.stop();
    await this.thread.close();
    await this.findingEvents.close();
  }

  /**
   * Evaluates what is owed now instead of after the spacing, and resolves once settled: the
   * spacing then counts from this evaluation's end. Shutdown drains through it; suites use it
   * where they would otherwise wait out a long spacing.
   */
  async evaluateNow(): Promise<void> {
    this.spacingWaived = true;
    this.wake?.();
    await this.settled();
    this.spacingWaived = false;
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
    for (;;) {
      await this.queue.flushed();
      if (this.running) await this.worker;
      else if (!this.queue.busy) return;
    }
  }

  stats(): EvaluatorStats {
    return { ...this.counters, pending: this.pending.size, running: this.running, idle: !this.running && this.pending.size === 0 && !this.queue.busy, evaluatingCluster: this.evaluatingCluster, leader: this.term !== undefined, replica: this.leadership.replica };
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
    // The cross-node rules hear of it through the queue, on whichever replica leads.
    this.queue.publish({ nodeId: event.nodeId, node: event.node, at: event.takenAt, rewritten: false, removed: false });
    this.start();
  }

  /** A history rewrite: cross-node findings from `from` on are recomputed. */
  private rewound(event: HistoryRewrittenEvent): void {
    if (this.closed) return;
    if (event.removed) {
      this.views.delete(event.node);
      this.viewAt.delete(event.node);
    }
    this.queue.publish({ nodeId: event.nodeId, node: event.node, at: event.from, rewritten: true, removed: event.removed === true });
  }

  /** Reads the queue into what the cross-node rules owe (rows already read are skipped). */
  private async readQueue(): Promise<void> {
    const generation = this.generation;
    let rows: QueuedRow[];
    try {
      rows = await this.queue.read(QUEUE_BATCH);
    } catch (error) {
      this.counters.failures++;
      this.logger.error(`cross-node checks: reading the queue failed: ${(error as Error).message}`);
      return; // the next change, or notification, reads it again
    }
    if (generation !== this.generation) return;
    if (rows.length === QUEUE_BATCH) this.queueDirty = true;
    for (const row of rows) {
      const key = `${row.nodeId}:${row.id}`;
      if (this.queuedRows.has(key)) continue;
      this.queuedRows.set(key, row);
      if (row.removed) {
        // Its views go now; the thread's copy goes with the next cluster run.
        this.views.delete(row.node);
        this.viewAt.delete(row.node);
        this.removedNodes.add(row.node);
      }
      if (row.rewritten) this.rewindFrom = Math.min(this.rewindFrom ?? row.at.getTime(), row.at.getTime());
      else this.owe(row.node, row.nodeId, row.at.getTime());
    }
  }

  private owe(node: string, nodeId: number, instant: number): void {
    const entry = this.owed.get(node) ?? { nodeId, instants: new Set<number>() };
    entry.instants.add(instant);
    this.owed.set(node, entry);
  }

  private start(): void {
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
        if (this.queueDirty && this.term !== undefined) {
          this.queueDirty = false;
          await this.readQueue();
        }
        if (this.term === undefined || (this.owed.size === 0 && this.rewindFrom === undefined && this.removedNodes.size === 0)) {
          if (this.pending.size > 0 || (this.queueDirty && this.term !== undefined)) continue;
          return; // `running` is cleared below, in this same tick: a later accept() starts a new run
        }
        const wait = this.flushing || this.spacingWaived ? 0 : this.nextClusterAt - Date.now();
        if (wait > 0) {
          // Node rules of states arriving meanwhile are evaluated first, then the wait resumes.
          if (this.pending.size === 0) await this.pause(wait);
          continue;
        }
        await this.evaluateCluster();
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
      this.clusterOwedNodes++;
      const started = Date.now();
      try {
        this.views.set(event.node, clusterView(node));
        this.viewAt.set(event.node, event.takenAt.getTime());
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

  /**
   * The cross-node rules at every instant owed, in time order (see the class comment), in the
   * thread; then one transaction under this replica's term writes the findings and deletes the
   * queued changes evaluated. The thread keeps its views only when that committed; on failure
   * what was owed is owed again (the next change of any node retries).
   */
  private async evaluateCluster(): Promise<void> {
    const term = this.term;
    if (term === undefined) return;
    const generation = this.generation;
    const owed = this.owed;
    this.owed = new Map();
    const rows = [...this.queuedRows.values()];
    this.queuedRows.clear();
    let rewindFrom = this.rewindFrom;
    this.rewindFrom = undefined;
    const evaluatedUntil = this.clusterAt;
    for (const entry of owed.values()) {
      for (const instant of entry.instants) if (evaluatedUntil !== undefined && instant <= evaluatedUntil) rewindFrom = Math.min(rewindFrom ?? instant, instant);
    }
    const rewound = rewindFrom !== undefined;
    const full = this.thread.fresh;
    // A thread without views starts from every node's view at the election, and every node
    // changed since the last instant evaluated is replayed from the store.
    if (full && evaluatedUntil !== undefined) rewindFrom = Math.min(rewindFrom ?? evaluatedUntil + 1, evaluatedUntil + 1);
    this.counters.largestClusterBatch = Math.max(this.counters.largestClusterBatch, this.clusterOwedNodes);
    this.clusterOwedNodes = 0;
    const started = Date.now();
    const removed = [...this.removedNodes];
    this.removedNodes.clear();
    try {
      const base = new Map<string, ClusterView | null>(full ? (this.electedViews ?? (await this.warmViews())) : []);
      // instant → node → its view from then on (null: no facts then)
      const steps = new Map<number, Map<string, ClusterView | null>>();
      const step = (instant: number) => entryOf(steps, instant, () => new Map<string, ClusterView | null>());
      if (rewindFrom !== undefined) {
        this.replay(await this.history.clusterIntervalsSince(new Date(rewindFrom)), rewindFrom, base, step);
      } else {
        const fromStore: number[] = [];
        let earliest = Infinity;
        for (const [node, entry] of owed) {
          const [only] = entry.instants;
          const local = this.views.get(node);
          if (!full && entry.instants.size === 1 && this.viewAt.get(node) === only && local) {
            step(only).set(node, local);
          } else {
            fromStore.push(entry.nodeId);
            for (const instant of entry.instants) earliest = Math.min(earliest, instant);
          }
        }
        if (fromStore.length > 0) this.replay(await this.history.clusterIntervalsSince(new Date(earliest), fromStore), earliest, base, step);
      }
      const instants = [...steps.keys()].sort((a, b) => a - b);
      const request: ClusterEvaluationRequest = {
        full,
        removed,
        base: [...base],
        steps: instants.map((instant) => [instant, [...step(instant)]] as const),
        context: this.clusterContext.context(),
      };
      this.evaluatingCluster = true;
      const evaluation = await this.thread.evaluate(request).finally(() => (this.evaluatingCluster = false));
      this.counters.clusterInstants += evaluation.instantsChecked;
      // Evaluated up to the latest instant owed, not only the latest at which a view changed: a
      // change replayed from the store that moves no cluster view (a sysctl) is done too, and the
      // next leader must not wait for it (replicas e2e: evaluated_until stuck behind such a change).
      const owedInstants = [...owed.values()].flatMap((entry) => [...entry.instants]);
      const last = [...instants, ...owedInstants].reduce<number | undefined>((max, instant) => (max === undefined || instant > max ? instant : max), undefined);
      const until = last === undefined ? evaluatedUntil : Math.max(evaluatedUntil ?? last, last);
      const { reconciled, undone } = await this.findings.transaction(async (tx) => {
        // The fence: only under this replica's term (its row lock also orders it with an election).
        if (!(await this.findings.fenceClusterWrite(tx, term, until === undefined ? undefined : new Date(until)))) throw new LeadershipLost('another replica was elected');
        const undone = rewindFrom === undefined ? [] : await this.findings.rewindCluster(tx, new Date(rewindFrom));
        const reconciled: Reconciled[] = [];
        if (evaluation.first) {
          reconciled.push(await this.reconcile(tx, 'cluster', evaluation.first.drafts, new Date(evaluation.first.at)));
          reconciled.push(...(await applyClusterChanges(this.findings, tx, evaluation.changes)));
        }
        await this.queue.delete(tx, rows);
        return { reconciled, undone };
      });
      if (generation !== this.generation) return; // deposed meanwhile: the next leader carries on
      this.thread.commit();
      this.electedViews = undefined;
      this.clusterAt = until;
      // What a rewind undid and the recomputation did again was announced already.
      const said = new Set(undone.flatMap((row) => [`OPENED ${findingIdentity(row)} ${row.openedAt.getTime()}`, ...(row.resolvedAt ? [`RESOLVED ${findingIdentity(row)} ${row.resolvedAt.getTime()}`] : [])]));
      for (const change of reconciled) {
        this.announce({
          at: change.at,
          opened: change.opened.filter((d) => !said.has(`OPENED ${findingIdentity(d)} ${change.at.getTime()}`)),
          resolved: change.resolved.filter((r) => !said.has(`RESOLVED ${findingIdentity(r)} ${change.at.getTime()}`)),
        });
      }
      if (rewound) this.counters.clusterRewinds++;
      this.counters.clusterEvaluations++;
    } catch (error) {
      this.thread.discard();
      if (generation !== this.generation) return;
      this.counters.failures++;
      if (error instanceof LeadershipLost) {
        this.leadership.resign(error.message);
        return;
      }
      for (const [node, entry] of owed) for (const instant of entry.instants) this.owe(node, entry.nodeId, instant);
      for (const row of rows) this.queuedRows.set(`${row.nodeId}:${row.id}`, row);
      const again = rewound ? rewindFrom : undefined;
      if (again !== undefined) this.rewindFrom = Math.min(this.rewindFrom ?? again, again);
      for (const node of removed) this.removedNodes.add(node);
      this.logger.error(`cluster checks failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      const ended = Date.now();
      this.counters.lastClusterMs = ended - started;
      this.metrics?.checksDuration.observe({ scope: 'cluster' }, (ended - started) / 1000);
      this.nextClusterAt = ended + Math.max(this.debounceMs, ended - started);
    }
  }

  /**
   * Replays nodes' history from the store: each node's view just before `from` goes into
   * `base`, and its view after each change at or after `from` into `step(instant)`. The newest
   * view of each node also becomes this replica's current view of it (when it is newer).
   */
  private replay(rows: readonly NodeFactInterval[], from: number, base: Map<string, ClusterView | null>, step: (instant: number) => Map<string, ClusterView | null>): void {
    const byNode = new Map<string, NodeFactInterval[]>();
    for (const row of rows) entryOf(byNode, row.node, (): NodeFactInterval[] => []).push(row);
    for (const [node, nodeRows] of byNode) {
      const state = new Map<string, Fact>();
      const changes = new Map<number, { add: Fact[]; remove: string[] }>();
      const change = (instant: number) => entryOf(changes, instant, () => ({ add: [] as Fact[], remove: [] as string[] }));
      for (const { fact, ...row } of nodeRows) {
        const id = factIdentity(fact);
        if (row.validFrom.getTime() < from) state.set(id, fact);
        else change(row.validFrom.getTime()).add.push(fact);
        if (row.validTo) change(row.validTo.getTime()).remove.push(id);
      }
      const viewOf = () => (state.size === 0 ? null : clusterView({ node, facts: [...state.values()].sort(compareFacts) }));
      let latest: { at: number; view: ClusterView | null } | undefined;
      base.set(node, viewOf());
      for (const [instant, { add, remove }] of [...changes].sort(([a], [b]) => a - b)) {
        for (const id of remove) state.delete(id);
        for (const fact of add) state.set(factIdentity(fact), fact);
        latest = { at: instant, view: viewOf() };
        step(instant).set(node, latest.view);
      }
      if (latest && latest.at >= (this.viewAt.get(node) ?? -Infinity)) {
        if (latest.view) this.views.set(node, latest.view);
        else this.views.delete(node);
        this.viewAt.set(node, latest.at);
      }
    }
  }

  private async recentChanges(nodeId: number, until: Date): Promise<FactChangeEvent[]> {
    const rows = await this.history.changes(nodeId, new Date(until.getTime() - HISTORY_WINDOW_MS), until, 10000);
    return rows.filter((r) => HISTORY_KINDS.has(r.kind)).map((r) => ({ at: r.at, ns: r.ns, kind: r.kind as FactKind, key: r.key, before: r.before, after: r.after }));
  }

  /** Opens new findings, refreshes the ones that still hold, resolves the rest (in the caller's transaction). */
  private async reconcile(tx: TransactionClient, scope: RuleScope, drafts: FindingDraft[], at: Date, nodeId?: number): Promise<Reconciled> {
    const open = await this.findings.openFindings(tx, scope, nodeId);
    const byIdentity = new Map(open.map((row) => [findingIdentity(row), row]));
    const ids = await this.findings.nodeIds(tx, [...new Set(drafts.map((d) => d.node))]);
    const opened: FindingDraft[] = [];
    const seen = new Set<string>();
    for (const draft of drafts) {
      const key = findingIdentity(draft);
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

function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

function differs(row: FindingRow, draft: FindingDraft): boolean {
  return row.severity !== draft.severity || row.title !== draft.title || row.message !== draft.message || !sameJson(row.evidence, draft.evidence);
}
