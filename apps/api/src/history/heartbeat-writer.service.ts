import { Inject, Injectable } from '@nestjs/common';
import type { Heartbeat } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { estimateInterval, FactWriter, headOf } from './fact-writer.service';
import { HistoryError, HistoryErrorCode } from './history.errors';
import type { CachedNode } from './node-state-cache';
import { HeartbeatRepository, type HeartbeatHead } from './store/heartbeat.repository';
import { HistoryWriterRepository, type NodeUpdate } from './store/history-writer.repository';

/**
 * What a heartbeat did (contract v1.1). `unchanged`: the node's stored state has the heartbeat's
 * hash, so its coverage and head moved to the heartbeat's instant, exactly as for an unchanged
 * snapshot. `duplicate`: this snapshotId is already stored for the node (a retry). `resend`:
 * nothing was stored; post the full snapshot (`reason` says why).
 */
export type HeartbeatStatus = 'unchanged' | 'duplicate' | 'resend';

export interface HeartbeatResult {
  status: HeartbeatStatus;
  node: string;
  /** unchanged, duplicate: the node's state version */
  stateVersion?: number;
  /** unchanged (and a duplicate of the node's latest): the node's state hash, still acknowledged */
  stateHash?: string;
  /** resend: why the heartbeat could not stand for the snapshot */
  reason?: string;
}

/**
 * Applies heartbeats: "extend coverage if the node's state hash is still X". Reads the node's
 * head from this replica's cache (FactWriter's) or, on a miss, in one statement, and writes with
 * the unchanged snapshot's compare-and-set (HistoryWriterRepository.recordUnchanged), so a head
 * that moved meanwhile (another replica, a changed snapshot) is never overwritten: `resend`.
 */
@Injectable()
export class HeartbeatWriter {
  constructor(
    private readonly facts: FactWriter,
    private readonly heads: HeartbeatRepository,
    private readonly writer: HistoryWriterRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async record(beat: Heartbeat, receivedAt: Date): Promise<HeartbeatResult> {
    const cached = this.facts.cache.get(beat.node);
    if (cached?.coverage) {
      // The cached head is a hint: only its success is trusted; anything else is judged again on the stored head.
      const outcome = await this.judge(beat, cached, receivedAt, false);
      if (outcome && outcome.status !== 'resend') return outcome;
    }
    const row = await this.heads.head(beat.node, beat.snapshotId);
    if (!row) return resend(beat, `node ${beat.node} has no stored state: post the full snapshot`);
    if (row.snapshotOwner !== null && row.snapshotOwner !== beat.node) {
      throw new HistoryError(
        HistoryErrorCode.SnapshotIdConflict,
        `snapshotId ${beat.snapshotId} already belongs to node ${row.snapshotOwner}, not ${beat.node}: every snapshot needs its own id; nothing was stored`,
      );
    }
    const outcome = await this.judge(beat, toCached(row, cached), receivedAt, row.snapshotOwner === beat.node);
    return outcome ?? resend(beat, `node ${beat.node}'s latest snapshot changed while this heartbeat was applied: post the full snapshot`);
  }

  /** The heartbeat against one head; undefined when the compare-and-set found the head moved. */
  private async judge(beat: Heartbeat, head: CachedNode, receivedAt: Date, recorded: boolean): Promise<HeartbeatResult | undefined> {
    if (beat.snapshotId === head.lastSnapshotId) return { status: 'duplicate', node: beat.node, stateVersion: head.stateVersion, stateHash: head.stateHash };
    if (recorded) return { status: 'duplicate', node: beat.node, stateVersion: head.stateVersion };
    if (beat.stateHash !== head.stateHash) {
      return resend(beat, `node ${beat.node}'s stored state has another hash than ${beat.stateHash} (it changed since, or was repaired): post the full snapshot`);
    }
    const takenAt = new Date(beat.takenAt);
    if (takenAt.getTime() <= head.lastSeenAt.getTime()) {
      return resend(beat, `taken at ${beat.takenAt}, not after node ${beat.node}'s latest snapshot (${head.lastSeenAt.toISOString()}): post the full snapshot, which is placed in history`);
    }
    const { version, bootId, seq, clockSkewMs } = beat.collector;
    const update: NodeUpdate = { takenAt, receivedAt, snapshotId: beat.snapshotId, bootId, seq: BigInt(seq), intervalMs: head.intervalMs, collectorVersion: version, clockSkewMs };
    update.intervalMs = estimateInterval({ ...head, id: head.nodeId }, beat, takenAt);
    // Within the gap threshold the newest coverage interval grows; after a silence a new one opens.
    const extend = head.coverage && takenAt.getTime() - head.coverage.endAt.getTime() <= this.config.gapFactor * update.intervalMs ? head.coverage : undefined;
    const row = await this.writer.recordUnchanged(
      { nodeId: head.nodeId, lastSnapshotId: head.lastSnapshotId, stateHash: head.stateHash, coverageId: extend?.id ?? null },
      beat.snapshotId,
      update,
    );
    if (!row) {
      this.facts.cache.delete(beat.node);
      return undefined;
    }
    const coverage = row.coverageId === null ? undefined : { id: row.coverageId, endAt: takenAt };
    this.facts.cache.set(beat.node, headOf(head.nodeId, update, head.stateHash, row.stateVersion, coverage, head.facts));
    return { status: 'unchanged', node: beat.node, stateVersion: row.stateVersion, stateHash: head.stateHash };
  }
}

function resend(beat: Heartbeat, reason: string): HeartbeatResult {
  return { status: 'resend', node: beat.node, reason };
}

/** A head read from the database, keeping the cached open facts when they belong to its state version. */
function toCached(row: HeartbeatHead, cached: CachedNode | undefined): CachedNode {
  const facts = cached?.nodeId === row.id && cached.stateVersion === row.stateVersion && cached.stateHash === row.stateHash ? cached.facts : undefined;
  return {
    nodeId: row.id,
    lastSnapshotId: row.lastSnapshotId,
    lastSeenAt: row.lastSeenAt,
    lastBootId: row.lastBootId,
    lastSeq: row.lastSeq,
    intervalMs: row.intervalMs,
    stateHash: row.stateHash,
    stateVersion: row.stateVersion,
    coverage: row.coverageId === null || row.coverageEndAt === null ? undefined : { id: row.coverageId, endAt: row.coverageEndAt },
    facts,
  };
}
