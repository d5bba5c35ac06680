import { Inject, Injectable } from '@nestjs/common';
import type { Prisma } from '@routescope/db';
import { diffAgainstCanonical, type CanonicalDelta } from '@routescope/diff';
import { canonicaliseFacts, canonicalJson, factIdentity, sameJson, snapshotToFacts, type Fact, type Snapshot } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { HistoryError, HistoryErrorCode } from './history.errors';
import { FactPartitions, isMissingFactWeek } from './fact-partitions.service';
import { HistoryWriterRepository, type CurrentFact, type FactInterval, type NewInterval, type NodeHead, type NodeUpdate, type OpenedFact, type SnapshotRecord } from './store/history-writer.repository';
import { NodeStateCache, type CachedFact, type CachedNode } from './node-state-cache';

type TransactionClient = Prisma.TransactionClient;

/** Nodes whose head and open facts one replica keeps in memory (~0.4 MB each at 1,400 facts). */
export const STATE_CACHE_NODES = 2000;

/**
 * How a snapshot joined history. `backfilled`: older than the node's head, it fell in a gap of
 * coverage and was applied there (history split at its instant). `late`: older than the head
 * and inside covered history, where applying it would rewrite closed history: kept as a
 * snapshot record, not applied (`reason` says why). See "Late snapshots" in the README.
 */
export type ApplyStatus = 'created' | 'changed' | 'unchanged' | 'duplicate' | 'backfilled' | 'late';

export interface ApplyResult {
  status: ApplyStatus;
  /** facts opened plus facts closed by this snapshot. */
  changes: number;
  node: string;
  stateVersion: number;
  /** late: why it was kept as a record rather than applied */
  reason?: string;
  /**
   * The node's state hash when this snapshot is now its latest (created, changed, unchanged in
   * order): a collector sends a heartbeat instead of a later snapshot whose facts hash to it (v1.1).
   */
  stateHash?: string;
}

/** What apply did, for the caller that announces it: the node's id when its history changed, and the snapshot's facts. */
export interface AppliedSnapshot extends ApplyResult {
  /** set when the snapshot changed the node's history (created, changed, backfilled) */
  nodeId?: number;
  takenAt: Date;
  facts: readonly Fact[];
}

/**
 * The write path of the fact store, for a validated snapshot: normalise → hash → (same hash:
 * extend coverage) → diff against the node's open facts → one transaction that closes and
 * opens intervals, records the snapshot and moves the node's head. Keeps this replica's cache
 * of each node's head and open facts. Reached through FactStore.apply.
 */
@Injectable()
export class FactWriter {
  /** This replica's node heads; HeartbeatWriter reads and moves them too (the same heads). */
  readonly cache = new NodeStateCache(STATE_CACHE_NODES);

  constructor(
    private readonly writer: HistoryWriterRepository,
    private readonly partitions: FactPartitions,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Drops this replica's cached head of a node (after a repair rewrote it). */
  forget(node: string): void {
    this.cache.delete(node);
  }

  async apply(snapshot: Snapshot, receivedAt: Date): Promise<AppliedSnapshot> {
    const takenAt = new Date(snapshot.takenAt);
    const facts = snapshotToFacts(snapshot);
    // Each fact's attributes serialised once, for the hash and for the diff below.
    const canonical = canonicaliseFacts(facts);
    const hash = canonical.hash;
    const update: NodeUpdate = {
      takenAt,
      receivedAt,
      snapshotId: snapshot.snapshotId,
      bootId: snapshot.collector.bootId,
      seq: BigInt(snapshot.collector.seq),
      intervalMs: 30000,
      kernel: snapshot.kernel,
      iproute2: snapshot.iproute2,
      collectorVersion: snapshot.collector.version,
      clockSkewMs: snapshot.collector.clockSkewMs,
    };

    const fast = await this.unchangedFastPath(snapshot, hash, takenAt, update);
    if (fast) return { ...fast, stateHash: hash, takenAt, facts };

    let cacheAfter: CachedNode | undefined;
    let lateArrival = false;
    const attempt = () => this.writer.transaction(async (tx): Promise<ApplyResult & { nodeId?: number }> => {
      const { node, created } = await this.writer.lockNode(tx, snapshot.node, update);
      let coverageHead: CachedNode['coverage'];
      // A snapshotId is one snapshot of one node: the same id again from this node is a replay,
      // from another node a conflict (never a silent duplicate, never a primary-key failure).
      const owner = !created && node.lastSnapshotId === snapshot.snapshotId ? snapshot.node : await this.writer.snapshotOwner(tx, snapshot.snapshotId, node.id);
      if (owner !== undefined && owner !== snapshot.node) throw snapshotIdConflict(snapshot, owner);
      if (!created) {
        if (owner === snapshot.node) {
          return { status: 'duplicate' as const, changes: 0, node: snapshot.node, stateVersion: node.stateVersion };
        }
        if (takenAt.getTime() <= node.lastSeenAt.getTime()) {
          lateArrival = true;
          return this.lateSnapshot(tx, node, snapshot, facts, hash, takenAt, receivedAt);
        }
        update.intervalMs = estimateInterval(node, snapshot, takenAt);
        const coverage = await this.writer.latestCoverage(tx, node.id);
        const silentMs = coverage ? takenAt.getTime() - coverage.endAt.getTime() : Infinity;
        if (coverage && silentMs <= this.config.gapFactor * update.intervalMs) {
          await this.writer.extendCoverage(tx, node.id, coverage.id, takenAt);
          coverageHead = { id: coverage.id, endAt: takenAt };
        } else {
          await this.writer.openCoverage(tx, node.id, takenAt);
        }

        if (hash === node.stateHash) {
          const stateVersion = await this.writer.advanceNode(tx, node.id, update);
          const cached = this.cache.get(snapshot.node);
          cacheAfter = headOf(node.id, update, hash, stateVersion, coverageHead, cached?.stateVersion === stateVersion ? cached.facts : undefined);
          return { status: 'unchanged' as const, changes: 0, node: snapshot.node, stateVersion };
        }
      } else {
        await this.writer.openCoverage(tx, node.id, takenAt);
      }

      // The open facts: from this replica's memory when they belong to the locked head's version.
      const cached = this.cache.get(snapshot.node);
      const current =
        !created && cached?.facts && cached.nodeId === node.id && cached.stateVersion === node.stateVersion && cached.stateHash === node.stateHash
          ? cached.facts
          : toCanonical(await this.writer.currentFacts(tx, node.id));
      const delta = diffAgainstCanonical(current, facts, canonical.attrs);
      await this.writer.closeFacts(tx, node.id, delta.close, takenAt);
      const opened = await this.writer.openFacts(tx, node.id, delta.open, takenAt);
      await this.recordOrConflict(tx, snapshot, {
        id: snapshot.snapshotId,
        nodeId: node.id,
        takenAt,
        receivedAt,
        hash,
        changes: delta.changes,
        bootId: snapshot.collector.bootId,
        seq: update.seq,
        source: snapshot.collector.source,
        warnings: snapshot.warnings,
        clockSkewMs: snapshot.collector.clockSkewMs,
      });
      const stateVersion = await this.writer.advanceNode(tx, node.id, update, hash);
      cacheAfter = headOf(node.id, update, hash, stateVersion, coverageHead, applyDelta(current, delta, opened));
      return { status: created ? ('created' as const) : ('changed' as const), changes: delta.changes, node: snapshot.node, stateVersion, nodeId: node.id };
    });
    // fact is partitioned by week on valid_to, and a row closed in a week without a partition is
    // refused (docs/scaling.md, "Time partitioning"). The week of takenAt, the valid_to this
    // snapshot closes rows at, is made sure of before the transaction: partition DDL inside it
    // would deadlock with other ingests. A late snapshot also ends rows where the next coverage
    // interval starts (known only inside): if a week was still missing (or another replica's
    // retention dropped a cached one), every week from takenAt to now is made sure of and the
    // transaction runs again, once.
    await this.partitions.ensureWeeksOf([takenAt]);
    const result = await attempt()
      .catch(async (error: unknown) => {
        if (!isMissingFactWeek(error)) throw error;
        this.partitions.forget();
        await this.partitions.ensureWeeksBetween(takenAt, new Date(Math.max(Date.now(), takenAt.getTime())));
        return attempt();
      })
      .catch((error: unknown) => {
        this.cache.delete(snapshot.node);
        throw error;
      });
    // Only what committed is remembered. A late snapshot may have replaced open rows (a split).
    if (cacheAfter) this.cache.set(snapshot.node, cacheAfter);
    if (lateArrival) this.cache.delete(snapshot.node);

    const latest = !lateArrival && (result.status === 'created' || result.status === 'changed' || result.status === 'unchanged');
    return { ...result, ...(latest ? { stateHash: hash } : {}), takenAt, facts };
  }

  /**
   * A snapshot taken at or before the node's head (a spool replayed after an outage, a retry that
   * lost a race). Inside the node's lock. Where it falls:
   * - inside a covered interval, and it agrees with the state recorded there: nothing to learn
   *   (`unchanged`; a duplicate delivery of an unchanged snapshot lands here too);
   * - inside a covered interval and it disagrees: applying it would rewrite closed history, so it
   *   is kept as a snapshot record with the reason (`late`), not applied;
   * - in a gap of coverage (no snapshot between the one before and the one after it): applied
   *   there, exactly as in-order delivery would have: each fact whose value differs is split at
   *   its instant, the snapshot's value holds from it until the next snapshot, and coverage is
   *   recorded (joined to a neighbouring interval within the gap threshold) (`backfilled`).
   */
  private async lateSnapshot(
    tx: TransactionClient,
    node: NodeHead,
    snapshot: Snapshot,
    facts: readonly Fact[],
    hash: string,
    takenAt: Date,
    receivedAt: Date,
  ): Promise<ApplyResult & { nodeId?: number }> {
    const answer = { node: snapshot.node, stateVersion: node.stateVersion };
    const record = {
      id: snapshot.snapshotId,
      nodeId: node.id,
      takenAt,
      receivedAt,
      hash,
      bootId: snapshot.collector.bootId,
      seq: BigInt(snapshot.collector.seq),
      source: snapshot.collector.source,
      warnings: snapshot.warnings,
      clockSkewMs: snapshot.collector.clockSkewMs,
    };
    const keepAside = async (reason: string): Promise<ApplyResult> => {
      await this.recordOrConflict(tx, snapshot, { ...record, changes: 0, arrival: 'late', lateReason: reason });
      return { status: 'late', changes: 0, reason, ...answer };
    };
    const around = await this.writer.coverageAround(tx, node.id, takenAt);
    const before = await this.writer.factsAt(tx, node.id, takenAt);
    const plan = planLateSplit(before, facts);
    const latest = node.lastSeenAt.toISOString();
    if (around.covering) {
      if (plan.changes === 0) return { status: 'unchanged', changes: 0, ...answer };
      const span = `${around.covering.startAt.toISOString()} – ${around.covering.endAt.toISOString()}`;
      return keepAside(
        `taken at ${snapshot.takenAt}, inside node ${snapshot.node}'s covered history (${span}; latest ${latest}) and different from the state recorded there: applying it would rewrite closed history, so it is kept as a record, not applied`,
      );
    }
    const next = around.after;
    if (!next || (await this.writer.changesBetween(tx, node.id, takenAt, next.startAt))) {
      // Not a clean gap (coverage deleted by retention, or history written before coverage was kept).
      return keepAside(`taken at ${snapshot.takenAt}, before node ${snapshot.node}'s latest (${latest}), where no clean gap of coverage holds it: kept as a record, not applied`);
    }
    const after = await this.writer.factsStartingAt(tx, node.id, next.startAt);
    const writes = plan.writes(takenAt, next.startAt, after);
    await this.writer.closeFacts(tx, node.id, writes.close, takenAt);
    await this.writer.moveFactStart(tx, node.id, writes.moveStart, takenAt);
    await this.writer.insertIntervals(tx, node.id, writes.insert);

    const gapMs = this.config.gapFactor * node.intervalMs;
    const previous = around.before;
    const joinsPrevious = previous !== undefined && takenAt.getTime() - previous.endAt.getTime() <= gapMs;
    const joinsNext = next.startAt.getTime() - takenAt.getTime() <= gapMs;
    if (joinsPrevious && joinsNext) await this.writer.joinCoverage(tx, node.id, previous, next);
    else if (joinsPrevious) await this.writer.extendCoverage(tx, node.id, previous.id, takenAt);
    else if (joinsNext) await this.writer.extendCoverageBack(tx, node.id, next.id, takenAt);
    else await this.writer.openCoverage(tx, node.id, takenAt);

    await this.recordOrConflict(tx, snapshot, { ...record, changes: plan.changes, arrival: 'backfilled' });
    const stateVersion = await this.writer.markHistoryRewritten(tx, node.id, takenAt);
    return { status: 'backfilled', changes: plan.changes, node: snapshot.node, stateVersion, nodeId: node.id };
  }

  /** Records the snapshot, or fails with 409 when another node's transaction took its id first. */
  private async recordOrConflict(tx: TransactionClient, snapshot: Snapshot, row: SnapshotRecord): Promise<void> {
    if (await this.writer.recordSnapshot(tx, row)) return;
    throw snapshotIdConflict(snapshot, (await this.writer.snapshotOwner(tx, snapshot.snapshotId, row.nodeId)) ?? 'another node');
  }

  /**
   * An unchanged snapshot of a node this replica knows: one statement (head compare-and-set +
   * coverage), no transaction, no lock. Undefined = not applicable or the head moved meanwhile
   * (another replica, a gap, a replay): the caller takes the full path.
   */
  private async unchangedFastPath(snapshot: Snapshot, hash: string, takenAt: Date, update: NodeUpdate): Promise<ApplyResult | undefined> {
    const cached = this.cache.get(snapshot.node);
    if (!cached?.coverage || hash !== cached.stateHash || takenAt.getTime() <= cached.lastSeenAt.getTime() || snapshot.snapshotId === cached.lastSnapshotId) return undefined;
    update.intervalMs = estimateInterval({ ...cached, id: cached.nodeId }, snapshot, takenAt);
    const extend = takenAt.getTime() - cached.coverage.endAt.getTime() <= this.config.gapFactor * update.intervalMs;
    const row = await this.writer.recordUnchanged(
      { nodeId: cached.nodeId, lastSnapshotId: cached.lastSnapshotId, stateHash: cached.stateHash, coverageId: extend ? cached.coverage.id : null },
      snapshot.snapshotId,
      update,
    );
    if (!row) {
      this.cache.delete(snapshot.node);
      return undefined;
    }
    const coverage = row.coverageId === null ? undefined : { id: row.coverageId, endAt: takenAt };
    this.cache.set(snapshot.node, headOf(cached.nodeId, update, hash, row.stateVersion, coverage, cached.facts));
    return { status: 'unchanged', changes: 0, node: snapshot.node, stateVersion: row.stateVersion };
  }
}

function snapshotIdConflict(snapshot: Snapshot, owner: string): HistoryError {
  return new HistoryError(
    HistoryErrorCode.SnapshotIdConflict,
    `snapshotId ${snapshot.snapshotId} already belongs to node ${owner}, not ${snapshot.node}: every snapshot needs its own id (a collector must not copy another node's snapshot); nothing was stored`,
  );
}

export function headOf(nodeId: number, update: NodeUpdate, stateHash: string, stateVersion: number, coverage: CachedNode['coverage'], facts: CachedNode['facts']): CachedNode {
  return {
    nodeId,
    lastSnapshotId: update.snapshotId,
    lastSeenAt: update.takenAt,
    lastBootId: update.bootId,
    lastSeq: update.seq,
    intervalMs: update.intervalMs,
    stateHash,
    stateVersion,
    coverage,
    facts,
  };
}

function toCanonical(rows: readonly CurrentFact[]): Map<string, CachedFact> {
  const map = new Map<string, CachedFact>();
  for (const row of rows) map.set(factIdentity(row as Pick<Fact, 'ns' | 'kind' | 'key'>), { id: row.id, attrs: canonicalJson(row.attrs) });
  return map;
}

/** The open facts after a delta committed: the cache's next value (a new map; the old one may still be read). */
function applyDelta(current: ReadonlyMap<string, CachedFact>, delta: CanonicalDelta, opened: readonly OpenedFact[]): Map<string, CachedFact> {
  const closed = new Set(delta.close);
  const next = new Map<string, CachedFact>();
  for (const [id, fact] of current) if (!closed.has(fact.id)) next.set(id, fact);
  const attrsById = new Map<string, string>();
  delta.open.forEach((fact, i) => attrsById.set(factIdentity(fact), delta.openAttrs[i]));
  for (const row of opened) {
    const id = factIdentity(row as Pick<Fact, 'ns' | 'kind' | 'key'>);
    next.set(id, { id: row.id, attrs: attrsById.get(id) ?? '' });
  }
  return next;
}

/**
 * The reporting interval, learnt from consecutive snapshots of one collector boot (same
 * bootId, seq + 1): their spacing is one interval even when it is long. Anything else (a
 * restart, a dropped snapshot) keeps the previous estimate, so a silence still reads as a gap.
 */
export function estimateInterval(node: NodeHead, snapshot: { collector: { bootId: string; seq: number } }, takenAt: Date): number {
  const consecutive = snapshot.collector.bootId === node.lastBootId && BigInt(snapshot.collector.seq) === node.lastSeq + 1n;
  if (!consecutive) return node.intervalMs;
  // Capped: a collector suspended for weeks (same boot, next seq) must not push interval_ms past
  // what an INTEGER holds (~24.8 days), which failed that snapshot, and its retries, forever.
  const spacing = Math.min(MAX_INTERVAL_MS, Math.max(1, takenAt.getTime() - node.lastSeenAt.getTime()));
  // The first measured spacing replaces the 30 s default outright; later ones are smoothed.
  return node.lastSeq === 0n ? spacing : Math.round(0.7 * node.intervalMs + 0.3 * spacing);
}

/** The longest reporting interval believed: a day (a longer silence is a gap, whatever the seq). */
export const MAX_INTERVAL_MS = 86_400_000;

/** The writes that put a late snapshot's facts into a gap [at, next) of a node's history. */
export interface LateSplitWrites {
  /** rows valid at `at` whose value the late snapshot changes: they end at `at` */
  close: bigint[];
  /** rows beginning at `next` with the late snapshot's value: they begin at `at` instead */
  moveStart: bigint[];
  /** the late snapshot's values over [at, next), and what a closed row held after `next` */
  insert: NewInterval[];
}

export interface LateSplitPlan {
  /** facts whose value at the late instant differs from the stored history (0 = it agrees) */
  changes: number;
  writes(at: Date, next: Date, startingAtNext: readonly FactInterval[]): LateSplitWrites;
}

/**
 * Compares a late snapshot's facts with the facts valid at its instant. In a gap there is no
 * change strictly between the snapshot before and the one after (`next`), so every row valid at
 * the instant runs to `next` or beyond; a differing row ends at the instant and, when it ran
 * past `next`, its remainder is re-inserted from `next`; the late value holds from the instant
 * until `next` (by moving back the start of an equal row that begins at `next`, or as a new row).
 */
export function planLateSplit(validAt: readonly FactInterval[], facts: readonly Fact[]): LateSplitPlan {
  const present = new Map(validAt.map((row) => [factIdentity(row as Pick<Fact, 'ns' | 'kind' | 'key'>), row]));
  const incoming = new Map(facts.map((fact) => [factIdentity(fact), fact]));
  const differing: string[] = [];
  for (const [id, fact] of incoming) {
    const row = present.get(id);
    if (!row || !sameJson(row.attrs, fact.attrs)) differing.push(id);
  }
  for (const id of present.keys()) if (!incoming.has(id)) differing.push(id);
  return {
    changes: differing.length,
    writes(at, next, startingAtNext) {
      const startsAtNext = new Map(startingAtNext.map((row) => [factIdentity(row as Pick<Fact, 'ns' | 'kind' | 'key'>), row]));
      const writes: LateSplitWrites = { close: [], moveStart: [], insert: [] };
      for (const id of differing) {
        const row = present.get(id);
        const fact = incoming.get(id);
        if (row) {
          writes.close.push(row.id);
          if (row.validTo === null || row.validTo.getTime() > next.getTime()) {
            writes.insert.push({ ns: row.ns, kind: row.kind, key: row.key, attrs: row.attrs, validFrom: next, validTo: row.validTo });
          }
        }
        if (fact) {
          const following = startsAtNext.get(id);
          if (following && sameJson(following.attrs, fact.attrs)) writes.moveStart.push(following.id);
          else writes.insert.push({ ns: fact.ns, kind: fact.kind, key: fact.key, attrs: fact.attrs, validFrom: at, validTo: next });
        }
      }
      return writes;
    },
  };
}
