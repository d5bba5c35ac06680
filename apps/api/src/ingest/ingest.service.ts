import { Inject, Injectable } from '@nestjs/common';
import { canonicalJson, factIdentity, hashFacts, snapshotToFacts, validateSnapshot, type Fact, type Snapshot } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { HistoryEvents } from '../events/history-events';
import { IngestError, IngestErrorCode } from './ingest.errors';
import { HistoryWriterRepository, type CurrentFact, type NodeHead, type NodeUpdate } from './history-writer.repository';

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

/**
 * The one path from a posted snapshot to history: validate → normalise → hash → (same hash:
 * extend coverage) → diff against the node's open facts → one transaction that closes and
 * opens intervals, records the snapshot and moves the node's head → event.
 */
@Injectable()
export class IngestService {
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

    const result = await this.writer.transaction(async (tx): Promise<IngestResult & { nodeId?: number }> => {
      const { node, created } = await this.writer.lockNode(tx, snapshot.node, update);
      if (!created) {
        if (node.lastSnapshotId === snapshot.snapshotId || (await this.writer.snapshotExists(tx, snapshot.snapshotId))) {
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
        if (coverage && silentMs <= this.config.gapFactor * update.intervalMs) await this.writer.extendCoverage(tx, coverage.id, takenAt);
        else await this.writer.openCoverage(tx, node.id, takenAt);

        if (hash === node.stateHash) {
          const stateVersion = await this.writer.advanceNode(tx, node.id, update);
          return { status: 'unchanged' as const, changes: 0, node: snapshot.node, stateVersion };
        }
      } else {
        await this.writer.openCoverage(tx, node.id, takenAt);
      }

      const delta = diffAgainstCurrent(await this.writer.currentFacts(tx, node.id), facts);
      await this.writer.closeFacts(tx, delta.close.map((f) => f.id), takenAt);
      await this.writer.openFacts(tx, node.id, delta.open, takenAt);
      await this.writer.recordSnapshot(tx, {
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
      const stateVersion = await this.writer.advanceNode(tx, node.id, update, hash);
      return { status: created ? ('created' as const) : ('changed' as const), changes: delta.changes, node: snapshot.node, stateVersion, nodeId: node.id };
    });

    const { nodeId, ...answer } = result;
    if (nodeId !== undefined) {
      await this.events.stateChanged({ node: snapshot.node, nodeId, takenAt, facts });
      this.events.changesRecorded({ node: snapshot.node, snapshotId: snapshot.snapshotId, takenAt, changes: answer.changes, stateVersion: answer.stateVersion });
    }
    return answer;
  }
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
  const spacing = Math.max(1, takenAt.getTime() - node.lastSeenAt.getTime());
  // The first measured spacing replaces the 30 s default outright; later ones are smoothed.
  return node.lastSeq === 0n ? spacing : Math.round(0.7 * node.intervalMs + 0.3 * spacing);
}
