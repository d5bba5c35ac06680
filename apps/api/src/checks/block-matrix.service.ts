import { Injectable } from '@nestjs/common';
import { blockMatrix, clusterView, type BlockMatrix, type ClusterContext, type ClusterView } from '@routescope/checks';
import { ClusterContextService } from '../cluster/cluster-context.service';
import { FactStore } from '../history/fact-store.service';
import type { StateVersionCache } from '../history/state-version-cache';
import { FindingsEvaluator } from './findings-evaluator.service';

/**
 * Matrices rebuilt from history, kept for paging: the pages, filters and evidence of one instant
 * come from one rebuild. Late data (a collector's spool) can still change the recent past, so a
 * matrix of the last few minutes is kept briefly.
 */
const PAST_CACHE_ENTRIES = 8;
const PAST_CACHE_MS = 5 * 60_000;
const RECENT_PAST_MS = 10 * 60_000;
const RECENT_PAST_CACHE_MS = 15_000;
/**
 * Past cluster views kept by (node, state version), weighed by their routes, pods and addresses
 * (route facts are shared between views, so a route costs a pointer): ~3 M entries is three
 * instants of a 1,000-node cluster whose every node changed in between, and many more instants
 * close together, where most nodes are at the same version.
 */
const CACHED_VIEW_ENTRIES = 3_000_000;

/**
 * The block × node routing consistency matrix (libs/checks blockMatrix), now or at an instant.
 * "Now" is computed from the checks' in-memory views and kept until a view or the cluster
 * context changes (views are immutable and replaced on change, so identity says it); the past is
 * rebuilt from the facts valid then, one rebuild at a time (each holds every node's facts), and
 * kept for paging. A node's view depends on its facts alone, so the past views are kept by
 * (node, state version) (FactStore.clusterDerivedAt): a rebuild reads and derives only the nodes
 * whose state at the instant is not held.
 */
@Injectable()
export class BlockMatrixService {
  private current?: { views: readonly ClusterView[]; context: ClusterContext | undefined; matrix: BlockMatrix };
  private readonly past = new Map<string, { expiresAt: number; matrix: Promise<BlockMatrix> }>();
  private rebuilds: Promise<unknown> = Promise.resolve();
  private readonly views: StateVersionCache<ClusterView>;

  constructor(
    private readonly evaluator: FindingsEvaluator,
    private readonly history: FactStore,
    private readonly cluster: ClusterContextService,
  ) {
    this.views = history.derivedStateCache<ClusterView>(CACHED_VIEW_ENTRIES, (v) => 1 + v.routes.length + v.pods.length + v.addresses.length);
  }

  /** The matrix at `at`, or now when `at` is null. */
  matrix(at: Date | null): Promise<BlockMatrix> {
    return at ? this.matrixAt(at) : Promise.resolve(this.matrixNow());
  }

  private matrixNow(): BlockMatrix {
    const views = this.evaluator.currentViews();
    const context = this.cluster.context();
    const cached = this.current;
    if (cached && cached.context === context && sameViews(cached.views, views)) return cached.matrix;
    const matrix = blockMatrix(views, context ?? {});
    this.current = { views, context, matrix };
    return matrix;
  }

  private matrixAt(at: Date): Promise<BlockMatrix> {
    const watching = this.cluster.context() !== undefined;
    const key = `${at.toISOString()}|${watching}`;
    const now = Date.now();
    for (const [k, entry] of this.past) if (entry.expiresAt <= now) this.past.delete(k);
    const cached = this.past.get(key);
    if (cached) return cached.matrix;
    const matrix = this.enqueue(async () => {
      const context = watching ? await this.cluster.contextAt(at) : undefined;
      // Views are built from one chunk of nodes while the database reads the next.
      const views = await this.history.clusterDerivedAt(at, this.views, (node, facts) => clusterView({ node, facts }));
      return blockMatrix(views, context ?? {});
    });
    const recent = now - at.getTime() < RECENT_PAST_MS;
    this.past.set(key, { expiresAt: now + (recent ? RECENT_PAST_CACHE_MS : PAST_CACHE_MS), matrix });
    while (this.past.size > PAST_CACHE_ENTRIES) this.past.delete(this.past.keys().next().value as string);
    matrix.catch(() => {
      if (this.past.get(key)?.matrix === matrix) this.past.delete(key);
    });
    return matrix;
  }

  /** Rebuilds from history run one at a time. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.rebuilds.then(work, work);
    this.rebuilds = next.catch(() => undefined);
    return next;
  }
}

function sameViews(a: readonly ClusterView[], b: readonly ClusterView[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
