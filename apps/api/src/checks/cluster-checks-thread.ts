import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClusterEvaluation, ClusterEvaluationRequest } from './cluster-instants';

export type ThreadRequest = { kind: 'evaluate'; id: number; request: ClusterEvaluationRequest } | { kind: 'commit' } | { kind: 'discard' };
export type ThreadReply = { kind: 'ready' } | { kind: 'evaluated'; id: number; evaluation: ClusterEvaluation } | { kind: 'failed'; id: number; message: string };

/** The built worker's file name, next to the bundle that starts it (apps/api/dist, bench/dist). */
export const CLUSTER_CHECKS_WORKER_FILE = 'cluster-checks.worker.js';

/**
 * The cross-node rules in a worker thread (cluster-checks.worker.ts), so that checkCluster over
 * every node's view (~240 ms at 1,000 nodes) never holds the event loop: ingest and queries are
 * answered while it runs. The thread keeps the views between evaluations; a request sends only
 * the views that changed. One evaluation at a time (the evaluator runs one); `commit()` keeps
 * the views the last evaluation left, `discard()` drops them.
 *
 * When the thread has no views the caller relies on (never started, or it died), `fresh` is true
 * and the next request must be `full` (every node's view).
 */
export class ClusterChecksThread {
  private worker?: Worker;
  private inFlight?: { id: number; resolve: (evaluation: ClusterEvaluation) => void; reject: (error: Error) => void };
  private nextId = 1;
  private hasViews = false;
  /** resolves once the thread has loaded (or failed to) */
  private ready?: Promise<void>;

  get fresh(): boolean {
    return !this.worker || !this.hasViews;
  }

  evaluate(request: ClusterEvaluationRequest): Promise<ClusterEvaluation> {
    if (this.inFlight) return Promise.reject(new Error('ClusterChecksThread: one evaluation at a time'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<ClusterEvaluation>((resolve, reject) => {
      this.inFlight = { id, resolve, reject };
      worker.postMessage({ kind: 'evaluate', id, request } satisfies ThreadRequest);
    });
  }

  /** Starts the thread ahead of its first evaluation (a new leader); resolves once it has loaded. */
  async prestart(): Promise<void> {
    this.worker ??= this.start();
    await this.ready;
  }

  /** The findings of the last evaluation were committed: its views become the thread's. */
  commit(): void {
    this.worker?.postMessage({ kind: 'commit' } satisfies ThreadRequest);
    if (this.worker) this.hasViews = true;
  }

  /** The findings of the last evaluation were not committed: its views are dropped. */
  discard(): void {
    this.worker?.postMessage({ kind: 'discard' } satisfies ThreadRequest);
  }

  /** Forgets the views (a new leader starts from the store): the next request must be full. */
  reset(): void {
    this.hasViews = false;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.hasViews = false;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(workerEntry().file);
    worker.unref();
    let loaded!: () => void;
    this.ready = new Promise<void>((resolve) => (loaded = resolve));
    worker.on('message', (reply: ThreadReply) => {
      if (reply.kind === 'ready') return loaded();
      const inFlight = this.inFlight;
      if (!inFlight || inFlight.id !== reply.id) return;
      this.inFlight = undefined;
      if (reply.kind === 'evaluated') inFlight.resolve(reply.evaluation);
      else inFlight.reject(new Error(`cross-node evaluation failed in its thread: ${reply.message}`));
    });
    const lost = (error: Error) => {
      loaded();
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.hasViews = false;
      this.inFlight?.reject(error);
      this.inFlight = undefined;
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the cross-node checks thread exited (${code})`)));
    this.worker = worker;
    this.hasViews = false;
    return worker;
  }
}

/**
 * The compiled worker next to this bundle (apps/api/dist/main.js, bench/dist/api.cjs); from the
 * TypeScript sources (jest), the test support that bundles the .ts entry once and loads that.
 */
function workerEntry(): { file: string } {
  const built = join(__dirname, CLUSTER_CHECKS_WORKER_FILE);
  if (existsSync(built)) return { file: built };
  const fromSource = join(__dirname, '../../test/cluster-checks-worker.cjs');
  if (existsSync(join(__dirname, 'cluster-checks.worker.ts')) && existsSync(fromSource)) return { file: fromSource };
  throw new Error(`the cross-node checks worker is missing: ${built} (build the API with its worker entry)`);
}
