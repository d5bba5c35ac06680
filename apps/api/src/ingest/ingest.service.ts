import { Inject, Injectable } from '@nestjs/common';
import { canonicalJson, factIdentity, hashFacts, snapshotToFacts, validateSnapshot, type Fact, type Snapshot } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { HistoryEvents } from '../events/history-events';
import { IngestError, IngestErrorCode } from './ingest.errors';
import { HistoryWriterRepository, type CurrentFact, type NodeHead, type NodeUpdate, type OpenedFact } from './history-writer.repository';
import { NodeStateCache, type CachedFact, type CachedNode } from './node-state-cache';

/** Nodes whose head and open facts one replica keeps in memory (~0.4 MB each at 1,400 facts). */
export const STATE_CACHE_NODES = 2000;

export type IngestStatus = 'created' | 'changed' | 'unchanged' | 'duplicate';

export interface IngestResult {
  status: IngestStatus;
  /** facts opened plus facts closed by this snapshot. */
  changes: number;
  node: string;
  stateVersion: number;
}

interface FactDelta {
  close: CurrentFact[];
  open: Fact[];
  changes: number;
}

interface CanonicalDelta {
  close: bigint[];
  open: Fact[];
  /** canonicalJson(attrs) of each opened fact, in `open` order */
  openAttrs: string[];
  changes: number;
}

/**
 * The one path from a posted snapshot to history: validate → normalise → hash → (same hash:
 * extend coverage) → diff against the node's open facts → one transaction that closes and
 * opens intervals, records the snapshot and moves the node's head → event.
 */
@Injectable()
export class IngestService {
  private readonly cache = new NodeStateCache(STATE_CACHE_NODES);

  constructor(
    private readonly writer: HistoryWriterRepository,
    private readonly events: HistoryEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async ingest(body: unknown, receivedAt = new Date()): Promise<IngestResult> {
    const validation = validateSnapshot(body);
    if (!validation.ok) {
      const first = validation.issues[0];
      throw new IngestError(IngestErrorCode.InvalidSnapshot, `invalid snapshot: ${first.path || '(document)'}: ${first.message}`, validation.issues);
    }
    const snapshot = validation.snapshot;
    const facts = snapshotToFacts(snapshot);
    const hash = hashFacts(facts);
    const takenAt = new Date(snapshot.takenAt);
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
    };

    const fast = await this.unchangedFastPath(snapshot, hash, takenAt, update);
    if (fast) return fast;

    let cacheAfter: CachedNode | undefined;
    const result = await this.writer.transaction(async (tx): Promise<IngestResult & { nodeId?: number }> => {
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
          throw new IngestError(
            IngestErrorCode.OutOfOrder,
            `snapshot ${snapshot.snapshotId} was taken at ${snapshot.takenAt}, not after node ${snapshot.node}'s latest (${node.lastSeenAt.toISOString()}); history only moves forward`,
          );
        }
        update.intervalMs = estimateInterval(node, snapshot, takenAt);
        const coverage = await this.writer.latestCoverage(tx, node.id);
        const silentMs = coverage ? takenAt.getTime() - coverage.endAt.getTime() : Infinity;
        if (coverage && silentMs <= this.config.gapFactor * update.intervalMs) {
          await this.writer.extendCoverage(tx, coverage.id, takenAt);
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
      const delta = diffAgainstCanonical(current, facts);
      await this.writer.closeFacts(tx, delta.close, takenAt);
      const opened = await this.writer.openFacts(tx, node.id, delta.open, takenAt);
      const recorded = await this.writer.recordSnapshot(tx, {
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
      });
      if (!recorded) throw snapshotIdConflict(snapshot, (await this.writer.snapshotOwner(tx, snapshot.snapshotId, node.id)) ?? 'another node');
      const stateVersion = await this.writer.advanceNode(tx, node.id, update, hash);
      cacheAfter = headOf(node.id, update, hash, stateVersion, coverageHead, applyDelta(current, delta, opened));
      return { status: created ? ('created' as const) : ('changed' as const), changes: delta.changes, node: snapshot.node, stateVersion, nodeId: node.id };
    }).catch((error: unknown) => {
      this.cache.delete(snapshot.node);
      throw error;
    });
    // Only what committed is remembered.
    if (cacheAfter) this.cache.set(snapshot.node, cacheAfter);

    const { nodeId, ...answer } = result;
    if (nodeId !== undefined) {
      // Handed over, not awaited: the checks evaluate in the background (findings follow shortly).
      this.events.stateChanged({ node: snapshot.node, nodeId, takenAt, facts });
      this.events.changesRecorded({ node: snapshot.node, snapshotId: snapshot.snapshotId, takenAt, changes: answer.changes, stateVersion: answer.stateVersion });
    }
    return answer;
  }

  /**
   * An unchanged snapshot of a node this replica knows: one statement (head compare-and-set +
   * coverage), no transaction, no lock. Undefined = not applicable or the head moved meanwhile
   * (another replica, a gap, a replay): the caller takes the full path.
   */
  private async unchangedFastPath(snapshot: Snapshot, hash: string, takenAt: Date, update: NodeUpdate): Promise<IngestResult | undefined> {
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

function snapshotIdConflict(snapshot: Snapshot, owner: string): IngestError {
  return new IngestError(
    IngestErrorCode.SnapshotIdConflict,
    `snapshotId ${snapshot.snapshotId} already belongs to node ${owner}, not ${snapshot.node}: every snapshot needs its own id (a collector must not copy another node's snapshot); nothing was stored`,
  );
}

function headOf(nodeId: number, update: NodeUpdate, stateHash: string, stateVersion: number, coverage: CachedNode['coverage'], facts: CachedNode['facts']): CachedNode {
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

/** diffAgainstCurrent over canonical attribute text (what the state cache holds). */
export function diffAgainstCanonical(current: ReadonlyMap<string, CachedFact>, next: readonly Fact[]): CanonicalDelta {
  const seen = new Set<string>();
  const close: bigint[] = [];
  const open: Fact[] = [];
  const openAttrs: string[] = [];
  let changes = 0;
  for (const fact of next) {
    const id = factIdentity(fact);
    seen.add(id);
    const existing = current.get(id);
    const attrs = canonicalJson(fact.attrs);
    if (!existing) {
      open.push(fact);
      openAttrs.push(attrs);
      changes++;
    } else if (existing.attrs !== attrs) {
      close.push(existing.id);
      open.push(fact);
      openAttrs.push(attrs);
      changes++;
    }
  }
  for (const [id, fact] of current) {
    if (!seen.has(id)) {
      close.push(fact.id);
      changes++;
    }
  }
  return { close, open, openAttrs, changes };
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

/** Closes facts that vanished or changed, opens facts that appeared or changed. */
export function diffAgainstCurrent(current: readonly CurrentFact[], next: readonly Fact[]): FactDelta {
  const open = new Map(current.map((f) => [factIdentity(f as Pick<Fact, 'ns' | 'kind' | 'key'>), f]));
  const close: CurrentFact[] = [];
  const opened: Fact[] = [];
  let changes = 0;
  for (const fact of next) {
    const id = factIdentity(fact);
    const existing = open.get(id);
    open.delete(id);
    if (!existing) {
      opened.push(fact);
      changes++;
    } else if (canonicalJson(existing.attrs) !== canonicalJson(fact.attrs)) {
      close.push(existing);
      opened.push(fact);
      changes++;
    }
  }
  for (const gone of open.values()) {
    close.push(gone);
    changes++;
  }
  return { close, open: opened, changes };
}

/**
 * The reporting interval, learnt from consecutive snapshots of one collector boot (same
 * bootId, seq + 1): their spacing is one interval even when it is long. Anything else (a
 * restart, a dropped snapshot) keeps the previous estimate, so a silence still reads as a gap.
 */
export function estimateInterval(node: NodeHead, snapshot: Snapshot, takenAt: Date): number {
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
