import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SyntheticCluster, type FaultRequest } from '@routescope/synth';

// Loads a synthetic Calico cluster (libs/synth) into a running API through its real ingest
// endpoint, as collectors would: every node's snapshots in time order, a few posts in flight.
// With `hours`, the churn model plays that much history first, one snapshot per node every
// `intervalMs`, so the overview's change counts and rate chart have data.

export interface SeedOptions {
  /** the API's base URL, e.g. http://127.0.0.1:4000 */
  api: string;
  /** a token with the ingest scope (or admin) */
  token: string;
  /** nodes in the synthetic cluster */
  nodes: number;
  /** the cluster's seed (same seed, same cluster); default 1 */
  seed?: string | number;
  podsPerNode?: number;
  /** hours of churn history before `now`; default 0 (one snapshot per node) */
  hours?: number;
  /** spacing of each node's snapshots in the history (and with follow); default 5 min */
  intervalMs?: number;
  /** netlab-named faults to inject (default none: the cluster raises no finding) */
  faults?: readonly FaultRequest[];
  /** snapshots in flight; default 4 */
  concurrency?: number;
  /** post only the cluster's nodes [from, to) (default all), e.g. one node first, the rest later */
  range?: { from: number; to: number };
  /** the history's end (ms since the epoch); default the time seeding starts */
  now?: number;
  /** give up after this many snapshots failed (after retries); default 10 */
  maxFailures?: number;
  /** called at most every `progressEveryMs` (default 2 s), and once when the history is posted */
  onProgress?: (progress: SeedProgress) => void;
  progressEveryMs?: number;
  /** stops scheduling new posts (those in flight finish) */
  signal?: AbortSignal;
}

export interface SeedProgress {
  phase: string;
  posted: number;
  total: number;
  failed: number;
  elapsedMs: number;
  perSecond: number;
}

export interface SeedFailure {
  node: string;
  takenAt: string;
  /** the HTTP status, or `network` */
  status: number | 'network';
  /** the API's error code (`TAKEN_AT_OUT_OF_RANGE`, `INVALID_SNAPSHOT`, …) or the network error's */
  code: string;
  error: string;
}

export interface SeedReport {
  /** snapshots the API accepted, by its answer (created, changed, unchanged, duplicate) */
  statuses: Record<string, number>;
  posted: number;
  /** facts opened plus facts closed, summed over the API's answers */
  changes: number;
  failures: SeedFailure[];
  /** set when seeding stopped early: why */
  stopped?: string;
  elapsedMs: number;
  /** mean size of a snapshot body */
  meanBodyBytes: number;
  /** per-post latency in ms (including retries) of the history, for callers that report it */
  latenciesMs: number[];
}

/** A problem that ends seeding at once: the API is unreachable or refuses the token. */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

const RETRIES = 3;
/** A 429 asking for a longer wait than this counts as a failed attempt instead. */
const MAX_RETRY_AFTER_S = 120;
const REQUEST_TIMEOUT_MS = 120_000;

interface IngestAnswer {
  status?: string;
  changes?: number;
  error?: string;
  message?: string;
}

export class ClusterSeeder {
  readonly cluster: SyntheticCluster;
  readonly intervalMs: number;
  private readonly from: number;
  private readonly to: number;
  private readonly concurrency: number;
  private readonly maxFailures: number;
  private readonly report: SeedReport = { statuses: {}, posted: 0, changes: 0, failures: [], elapsedMs: 0, meanBodyBytes: 0, latenciesMs: [] };
  private bodyBytes = 0;
  private readonly ticks: number[];
  /** per-node phase within the interval, so that nodes do not all report at the same instant */
  private readonly staggered: boolean;

  constructor(private readonly o: SeedOptions) {
    this.intervalMs = o.intervalMs ?? 300_000;
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.maxFailures = o.maxFailures ?? 10;
    this.from = o.range?.from ?? 0;
    this.to = o.range?.to ?? o.nodes;
    if (!(this.from >= 0 && this.to <= o.nodes && this.from < this.to)) throw new SeedError(`range [${this.from}, ${this.to}) is not within the cluster's ${o.nodes} nodes`);
    const end = o.now ?? Date.now();
    const steps = Math.floor(((o.hours ?? 0) * 3_600_000) / this.intervalMs);
    this.ticks = Array.from({ length: steps + 1 }, (_, k) => end - (steps - k) * this.intervalMs);
    this.staggered = steps > 0;
    this.cluster = new SyntheticCluster({ seed: o.seed ?? 1, nodes: o.nodes, podsPerNode: o.podsPerNode ?? 30, start: new Date(this.ticks[0]), faults: o.faults ?? [] });
  }

  /** Snapshots the history will post: one per node per tick. */
  get plannedSnapshots(): number {
    return this.ticks.length * (this.to - this.from);
  }

  get ticksPerNode(): number {
    return this.ticks.length;
  }

  /** Posts the history (or the single snapshot per node) and returns what the API answered. */
  async seed(): Promise<SeedReport> {
    await checkApi(this.o.api);
    const started = performance.now();
    const total = this.plannedSnapshots;
    const progress = this.progress(total, started);
    let phase = 'one snapshot per node';
    for (const [k, at] of this.ticks.entries()) {
      if (k > 0) this.cluster.advance(at - this.cluster.now);
      if (this.ticks.length > 1) phase = `history ${k + 1}/${this.ticks.length} (${new Date(at).toISOString().slice(0, 16)}Z)`;
      // a single snapshot per node is taken as it is sent: "now"
      await this.postTick(this.ticks.length === 1 ? undefined : at, phase, progress);
      if (this.report.stopped) break;
    }
    progress.end(phase);
    this.report.elapsedMs = performance.now() - started;
    return this.report;
  }

  /**
   * Keeps posting every node each interval, the churn model playing in real time, until
   * `signal` aborts (then resolves after the posts in flight).
   */
  async follow(signal: AbortSignal, onTick?: (report: SeedReport, at: number) => void): Promise<void> {
    let next = Math.max(Date.now(), this.cluster.now + this.intervalMs);
    const started = performance.now();
    while (!signal.aborted && !this.report.stopped) {
      // a timer may fire a millisecond before the wall clock reaches `next`: never tick early
      while (Date.now() < next && !signal.aborted) await sleep(next - Date.now(), signal);
      if (signal.aborted) break;
      const at = Date.now();
      this.cluster.advance(Math.max(0, at - this.cluster.now));
      const progress = this.progress(this.to - this.from, performance.now());
      await this.postTick(at, `follow (${new Date(at).toISOString().slice(11, 19)}Z)`, progress, signal, true);
      this.report.elapsedMs = performance.now() - started;
      onTick?.(this.report, at);
      next = Math.max(Date.now(), at + this.intervalMs);
    }
  }

  private async postTick(at: number | undefined, phase: string, progress: Progress, signal = this.o.signal, following = false): Promise<void> {
    let nextNode = this.from;
    const lane = async () => {
      while (nextNode < this.to && !this.report.stopped) {
        if (signal?.aborted) {
          this.report.stopped ??= 'interrupted';
          return;
        }
        const i = nextNode++;
        const offset = this.staggered ? Math.floor((i * this.intervalMs) / this.o.nodes) : 0;
        const snapshot = this.cluster.snapshot(i, (at ?? Date.now()) - offset);
        // fresh ids: seeding the same cluster again later is new data, not duplicates
        snapshot.snapshotId = randomUUID();
        const body = JSON.stringify(snapshot);
        this.bodyBytes += body.length;
        const t = performance.now();
        const outcome = await this.post(body);
        if (!following) this.report.latenciesMs.push(performance.now() - t);
        if ('failure' in outcome) {
          this.report.failures.push({ node: snapshot.node, takenAt: snapshot.takenAt, ...outcome.failure });
          if (this.report.failures.length >= this.maxFailures) this.report.stopped ??= `${this.report.failures.length} snapshots failed`;
        } else {
          this.report.posted++;
          this.report.statuses[outcome.status] = (this.report.statuses[outcome.status] ?? 0) + 1;
          this.report.changes += outcome.changes;
        }
        this.report.meanBodyBytes = Math.round(this.bodyBytes / (this.report.posted + this.report.failures.length));
        progress.tick(phase);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, this.to - this.from) }, lane));
  }

  /** One snapshot, retried on network errors, 429 and 5xx; 401/403 end seeding. */
  private async post(body: string): Promise<{ status: string; changes: number } | { failure: Omit<SeedFailure, 'node' | 'takenAt'> }> {
    let last: Omit<SeedFailure, 'node' | 'takenAt'> = { status: 'network', code: 'NOT_SENT', error: 'not sent' };
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      if (attempt > 0) await sleep(500 * 2 ** (attempt - 1));
      let response: Response;
      try {
        response = await fetch(`${this.o.api}/api/v1/snapshots`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.token}` },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        const description = describeNetworkError(error);
        last = { status: 'network', code: description, error: description };
        continue;
      }
      const text = await response.text();
      let answer: IngestAnswer = {};
      try {
        answer = JSON.parse(text) as IngestAnswer;
      } catch {
        answer = { message: text.slice(0, 200) };
      }
      if (response.ok) return { status: answer.status ?? String(response.status), changes: answer.changes ?? 0 };
      const error = [answer.error, answer.message].filter(Boolean).join(': ') || response.statusText;
      if (response.status === 401 || response.status === 403) {
        throw new SeedError(`the API refused the token (${response.status} ${error}); it needs the ingest or admin scope`);
      }
      last = { status: response.status, code: answer.error ?? String(response.status), error };
      if (response.status === 429) {
        // The API's rate limit (per token and window): wait as long as it says, without spending an attempt.
        const retryAfter = Number(response.headers.get('retry-after'));
        if (retryAfter > 0 && retryAfter <= MAX_RETRY_AFTER_S) {
          await sleep(retryAfter * 1000);
          attempt--;
          continue;
        }
      }
      if (response.status !== 429 && response.status < 500) break;
    }
    return { failure: last };
  }

  private progress(total: number, started: number): Progress {
    let lastAt = performance.now();
    let done = 0;
    const report = (phase: string) => {
      const elapsedMs = performance.now() - started;
      this.o.onProgress?.({ phase, posted: done, total, failed: this.report.failures.length, elapsedMs, perSecond: Math.round((done / Math.max(1, elapsedMs)) * 10_000) / 10 });
      lastAt = performance.now();
    };
    return {
      tick: (phase) => {
        done++;
        if (performance.now() - lastAt >= (this.o.progressEveryMs ?? 2000)) report(phase);
      },
      end: report,
    };
  }
}

interface Progress {
  /** one snapshot done (posted or failed) */
  tick(phase: string): void;
  /** the phase's last report */
  end(phase: string): void;
}

/** Seeds and returns the report (the bench's entry point). */
export async function seedCluster(options: SeedOptions): Promise<SeedReport> {
  return new ClusterSeeder(options).seed();
}

/** Fails with a clear message when nothing answers at `api`, or it is not a Routescope API, or not ready. */
export async function checkApi(api: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new SeedError(`cannot reach the API at ${api} (${describeNetworkError(error)}): start it (\`npm start\`) or pass --api`);
  }
  if (response.status === 404) throw new SeedError(`${api} answers, but has no /readyz: is it a Routescope API? (pass --api)`);
  if (!response.ok) throw new SeedError(`the API at ${api} is not ready (${response.status}): ${(await response.text()).slice(0, 300)}`);
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
