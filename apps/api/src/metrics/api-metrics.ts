import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a scrape reads from the database: one small aggregate, cached (see MetricsService). */
export interface StoredState {
  findingsOpen: Array<{ rule: string; severity: string; count: number }>;
  nodes: { reporting: number; silent: number };
  coverageGaps: number;
}

/** What a scrape reads from the findings evaluator (FindingsEvaluator.stats()). */
export interface EvaluatorView {
  pending: number;
  /** a run under way, or a cross-node evaluation owed (waiting out its spacing) */
  running: boolean;
  /** nothing pending, running or still being handed to the cross-node queue */
  idle: boolean;
  nodeEvaluations: number;
  clusterEvaluations: number;
  failures: number;
  lastClusterMs?: number;
  /** this replica evaluates the cross-node rules (ClusterLeadership) */
  leader: boolean;
  /** this replica's name (host:pid) */
  replica: string;
}

/** The ApiMetrics of the application, for providers that only count (MetricsModule provides it). */
export const API_METRICS = Symbol('API_METRICS');

/** GraphQL operation names kept as labels; later new names are counted as `other` (bounded cardinality). */
export const MAX_OPERATION_NAMES = 100;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BYTES_BUCKETS = [1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 16 * 1024 * 1024, 64 * 1024 * 1024];

/**
 * Every series the API exposes on /metrics, in one registry per application (tests run several
 * in one process, so never prom-client's global one). Names follow Prometheus conventions:
 * `routescope_` prefix, `_total` counters, `_seconds` and `_bytes` units.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly ingestRequests: Counter<'code' | 'outcome'>;
  readonly ingestDuration: Histogram<'outcome'>;
  readonly heartbeats: Counter<'code' | 'outcome'>;
  readonly snapshotBytes: Histogram;
  readonly factsChanged: Counter;
  readonly rateLimited: Counter<'route'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  readonly websocketConnections: Gauge;
  readonly retentionDeleted: Counter<'table'>;
  readonly checksDuration: Histogram<'scope'>;
  private readonly operationNames = new Set<string>();

  constructor(sources: { stored: () => Promise<StoredState>; evaluator: () => EvaluatorView | undefined; pool: () => { total: number; idle: number; waiting: number } | undefined }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'routescope_api_' });
    this.ingestRequests = new Counter({ name: 'routescope_ingest_requests_total', help: 'POST /api/v1/snapshots answers by HTTP status and outcome (created, changed, unchanged, duplicate, backfilled, late, or the rejection reason in lower case)', labelNames: ['code', 'outcome'], registers });
    this.ingestDuration = new Histogram({ name: 'routescope_ingest_duration_seconds', help: 'Time from receiving an ingest request to its answer', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers });
    this.heartbeats = new Counter({ name: 'routescope_heartbeats_total', help: 'POST /api/v1/heartbeats answers (contract v1.1) by HTTP status and outcome (unchanged, duplicate, resend, or the rejection reason in lower case)', labelNames: ['code', 'outcome'], registers });
    this.snapshotBytes = new Histogram({ name: 'routescope_ingest_snapshot_bytes', help: 'Size of the snapshot bodies posted (content-length)', buckets: BYTES_BUCKETS, registers });
    this.factsChanged = new Counter({ name: 'routescope_ingest_facts_changed_total', help: 'Facts opened plus facts closed by accepted snapshots', registers });
    this.rateLimited = new Counter({ name: 'routescope_rate_limited_requests_total', help: 'Requests refused with 429 by the per-token rate limit', labelNames: ['route'], registers });
    this.graphqlDuration = new Histogram({ name: 'routescope_graphql_operation_duration_seconds', help: `GraphQL operation latency by operation name (anonymous when unnamed; other past ${MAX_OPERATION_NAMES} names)`, labelNames: ['operation', 'type'], buckets: LATENCY_BUCKETS, registers });
    this.websocketConnections = new Gauge({ name: 'routescope_graphql_websocket_connections', help: 'Open graphql-ws connections (subscription clients)', registers });
    this.checksDuration = new Histogram({ name: 'routescope_checks_evaluation_duration_seconds', help: 'Time one evaluation of the checks took: node (node and history rules of one node state) or cluster (cross-node rules)', labelNames: ['scope'], buckets: LATENCY_BUCKETS, registers });
    this.retentionDeleted = new Counter({ name: 'routescope_retention_deleted_rows_total', help: 'Rows of closed history deleted by retention, by table', labelNames: ['table'], registers });

    const evaluatorGauge = (name: string, help: string, read: (view: EvaluatorView) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const view = sources.evaluator();
          const value = view && read(view);
          if (value !== undefined) this.set(value);
        },
      });
    new Gauge({
      name: 'routescope_checks_leader',
      help: 'Whether this replica evaluates the cross-node rules (1: the elected leader; 0: a follower), labelled with the replica (host:pid)',
      labelNames: ['replica'],
      registers,
      collect() {
        const view = sources.evaluator();
        if (!view) return;
        this.reset();
        this.set({ replica: view.replica }, view.leader ? 1 : 0);
      },
    });
    evaluatorGauge('routescope_checks_backlog', 'Node states waiting for the checks to evaluate them', (v) => v.pending);
    // What a test or an operator waits for after ingest answered: every state taken in evaluated.
    evaluatorGauge('routescope_checks_evaluating', 'Whether the checks have work under way or owed (1) or have evaluated every state taken in (0)', (v) => (v.idle ? 0 : 1));
    evaluatorGauge('routescope_checks_last_cluster_evaluation_seconds', 'How long the last cross-node evaluation of the checks took', (v) => (v.lastClusterMs === undefined ? undefined : v.lastClusterMs / 1000));
    // Counters owned by the evaluator, exposed as counters: prom-client's collect() may set them.
    for (const [name, help, read] of [
      ['routescope_checks_node_evaluations_total', 'Node and history evaluations of the checks done', (v: EvaluatorView) => v.nodeEvaluations],
      ['routescope_checks_cluster_evaluations_total', 'Cross-node evaluations of the checks done', (v: EvaluatorView) => v.clusterEvaluations],
      ['routescope_checks_failures_total', 'Evaluations of the checks that failed (logged)', (v: EvaluatorView) => v.failures],
    ] as const) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          const view = sources.evaluator();
          if (!view) return;
          this.reset();
          this.inc(read(view));
        },
      });
    }

    const pool = (name: string, help: string, read: (p: { total: number; idle: number; waiting: number }) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const stats = sources.pool();
          if (stats) this.set(read(stats));
        },
      });
    pool('routescope_db_pool_connections', 'PostgreSQL pool connections open (PostgreSQL only)', (p) => p.total);
    pool('routescope_db_pool_idle_connections', 'PostgreSQL pool connections idle', (p) => p.idle);
    pool('routescope_db_pool_waiting_requests', 'Queries waiting for a PostgreSQL pool connection', (p) => p.waiting);

    new Gauge({
      name: 'routescope_findings_open',
      help: 'Findings open now, by rule and severity',
      labelNames: ['rule', 'severity'],
      registers,
      async collect() {
        const state = await sources.stored();
        this.reset();
        for (const row of state.findingsOpen) this.set({ rule: row.rule, severity: row.severity }, row.count);
      },
    });
    new Gauge({
      name: 'routescope_nodes',
      help: 'Known nodes by status: reporting, or silent (no snapshot for longer than the gap factor x its interval)',
      labelNames: ['status'],
      registers,
      async collect() {
        const state = await sources.stored();
        this.set({ status: 'reporting' }, state.nodes.reporting);
        this.set({ status: 'silent' }, state.nodes.silent);
      },
    });
    new Gauge({
      name: 'routescope_coverage_gaps',
      help: 'Gaps in the retained coverage history (silences longer than the gap factor x the interval), all nodes',
      registers,
      async collect() {
        this.set((await sources.stored()).coverageGaps);
      },
    });
  }

  /** The label for a GraphQL operation name: the name while fewer than MAX_OPERATION_NAMES were seen, else `other`. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }
}
