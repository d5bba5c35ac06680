// What the soak records: per operation, the latencies and errors of each 30 s window; per window,
// the API's memory after a full GC. Pure, so the figures in docs/reliability.md come from tested code.

export const OPERATIONS = ['ingest', 'state', 'diff', 'findings', 'nodes'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface LatencySummary {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Read inside the API process: process.memoryUsage() right after a full GC (bytes), and process.cpuUsage(). */
export interface ApiSample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** user + system CPU time of the API process since it started, µs */
  cpuMicros: number;
}

export interface WindowSample {
  /** seconds since the load started, at the end of the window */
  atSeconds: number;
  memory: ApiSample;
  /** the API's CPU use over the window, % of one core (NaN for the first sample) */
  apiCpuPercent: number;
  /** the machine's 1-minute load average at the end of the window: other work competing for the CPUs */
  loadAverage: number;
  operations: Record<Operation, LatencySummary>;
  /** error texts of the window, at most a few per operation, for the log */
  errorExamples: string[];
}

/** Nearest-rank percentile of sorted values (NaN for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarise(latenciesMs: readonly number[], errors: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (v: number) => (Number.isNaN(v) ? NaN : Math.round(v * 10) / 10);
  return { count: sorted.length, errors, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)) };
}

const EXAMPLES_PER_OPERATION = 3;

/** Collects one window's outcomes; `take()` summarises them and starts the next window. */
export class WindowRecorder {
  private latencies = new Map<Operation, number[]>();
  private errors = new Map<Operation, string[]>();
  private readonly totals = new Map<Operation, { latencies: number[]; errors: number }>();
  private previous: { atSeconds: number; cpuMicros: number } | undefined;

  /** A successful operation and its latency. */
  ok(operation: Operation, latencyMs: number): void {
    this.list(this.latencies, operation).push(latencyMs);
    this.total(operation).latencies.push(latencyMs);
  }

  /** A failed operation: an HTTP error, a GraphQL error, a network error. */
  failed(operation: Operation, error: string): void {
    this.list(this.errors, operation).push(error);
    this.total(operation).errors++;
  }

  take(atSeconds: number, memory: ApiSample, loadAverage: number): WindowSample {
    const operations = {} as Record<Operation, LatencySummary>;
    const errorExamples: string[] = [];
    for (const operation of OPERATIONS) {
      const errors = this.errors.get(operation) ?? [];
      operations[operation] = summarise(this.latencies.get(operation) ?? [], errors.length);
      for (const error of errors.slice(0, EXAMPLES_PER_OPERATION)) errorExamples.push(`${operation}: ${error}`);
    }
    this.latencies = new Map();
    this.errors = new Map();
    const elapsed = this.previous ? atSeconds - this.previous.atSeconds : 0;
    const apiCpuPercent = this.previous && elapsed > 0 ? Math.round(((memory.cpuMicros - this.previous.cpuMicros) / 1e6 / elapsed) * 1000) / 10 : NaN;
    this.previous = { atSeconds, cpuMicros: memory.cpuMicros };
    return { atSeconds, memory, apiCpuPercent, loadAverage: Math.round(loadAverage * 10) / 10, operations, errorExamples };
  }

  /** Every operation over the whole run (latencies of successes only). */
  overall(): Record<Operation, LatencySummary> {
    const result = {} as Record<Operation, LatencySummary>;
    for (const operation of OPERATIONS) {
      const total = this.totals.get(operation) ?? { latencies: [], errors: 0 };
      result[operation] = summarise(total.latencies, total.errors);
    }
    return result;
  }

  private list<T>(map: Map<Operation, T[]>, operation: Operation): T[] {
    let list = map.get(operation);
    if (!list) map.set(operation, (list = []));
    return list;
  }

  private total(operation: Operation): { latencies: number[]; errors: number } {
    let total = this.totals.get(operation);
    if (!total) this.totals.set(operation, (total = { latencies: [], errors: 0 }));
    return total;
  }
}

export interface HeapTrend {
  /** windows the trend is computed over (after the warm-up) */
  windows: number;
  /** median heap after GC of the first and of the last third of those windows, MB */
  firstThirdMb: number;
  lastThirdMb: number;
  /** the largest heap after GC of those windows, MB */
  maxMb: number;
  /** least-squares slope of heap after GC, MB per 10 minutes (for information: noisy on short runs) */
  slopeMbPer10Min: number;
  /** flat: the last third's median is at most `toleranceMb` above the first third's */
  flat: boolean;
}

const MB = 1024 * 1024;

/**
 * Whether heap after GC is flat over the windows after `warmupSeconds` (caches fill, JIT settles).
 * Each sample is taken under load, so it also holds the requests in flight (a few MB either way):
 * medians of the first and last thirds, not two single samples, are compared. Needs 3 windows.
 */
export function heapTrend(windows: readonly WindowSample[], warmupSeconds: number, toleranceMb: number): HeapTrend | undefined {
  const points = windows.filter((w) => w.atSeconds > warmupSeconds).map((w) => ({ x: w.atSeconds, y: w.memory.heapUsed / MB }));
  if (points.length < 3) return undefined;
  const third = Math.floor(points.length / 3);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const first = median(points.slice(0, third).map((p) => p.y));
  const last = median(points.slice(points.length - third).map((p) => p.y));
  const meanX = points.reduce((s, p) => s + p.x, 0) / points.length;
  const meanY = points.reduce((s, p) => s + p.y, 0) / points.length;
  const sxx = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    windows: points.length,
    firstThirdMb: round(first),
    lastThirdMb: round(last),
    maxMb: round(Math.max(...points.map((p) => p.y))),
    slopeMbPer10Min: round(sxx === 0 ? 0 : (sxy / sxx) * 600),
    flat: last - first <= toleranceMb,
  };
}

/** One line per window for the console: memory, then p50/p95/p99 and errors per operation. */
export function formatWindow(sample: WindowSample): string {
  const mb = (bytes: number) => `${(bytes / MB).toFixed(1)}`;
  const ops = OPERATIONS.map((op) => {
    const s = sample.operations[op];
    return s.count === 0 && s.errors === 0 ? `${op} -` : `${op} ${s.count} ${fmt(s.p50)}/${fmt(s.p95)}/${fmt(s.p99)}ms${s.errors > 0 ? ` ERR ${s.errors}` : ''}`;
  });
  return `[${String(Math.round(sample.atSeconds)).padStart(5)} s] rss ${mb(sample.memory.rss)} MB, heap after GC ${mb(sample.memory.heapUsed)} MB, API CPU ${fmt(sample.apiCpuPercent)}%, load ${sample.loadAverage} | ${ops.join(' | ')}`;
}

const fmt = (v: number) => (Number.isNaN(v) ? '-' : String(v));

/** The Markdown tables docs/reliability.md shows: every window, then the whole run per operation. */
export function markdownReport(windows: readonly WindowSample[], overall: Record<Operation, LatencySummary>, trend: HeapTrend | undefined): string {
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  const header = ['t (s)', 'RSS MB', 'heap after GC MB', 'API CPU %', 'load', ...OPERATIONS.map((op) => `${op} n / p50 / p95 / p99 ms`), 'errors'];
  const rows = windows.map((w) => [
    String(Math.round(w.atSeconds)),
    mb(w.memory.rss),
    mb(w.memory.heapUsed),
    fmt(w.apiCpuPercent),
    String(w.loadAverage),
    ...OPERATIONS.map((op) => {
      const s = w.operations[op];
      return `${s.count} / ${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)}`;
    }),
    String(OPERATIONS.reduce((n, op) => n + w.operations[op].errors, 0)),
  ]);
  const table = (head: string[], body: string[][]) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const totals = table(
    ['operation', 'count', 'errors', 'p50 ms', 'p95 ms', 'p99 ms'],
    OPERATIONS.map((op) => [op, String(overall[op].count), String(overall[op].errors), fmt(overall[op].p50), fmt(overall[op].p95), fmt(overall[op].p99)]),
  );
  const verdict = trend
    ? `Heap after GC over the ${trend.windows} windows after the warm-up: median of the first third ${trend.firstThirdMb} MB, of the last third ${trend.lastThirdMb} MB (max ${trend.maxMb} MB; fitted slope ${trend.slopeMbPer10Min} MB per 10 min): **${trend.flat ? 'flat' : 'GROWING'}**.`
    : 'Too few windows after the warm-up to judge the heap trend.';
  return `${table(header, rows)}\n\n${totals}\n\n${verdict}\n`;
}
