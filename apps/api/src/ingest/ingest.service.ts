import { Inject, Injectable } from '@nestjs/common';
import { validateHeartbeat, validateSnapshot } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { HistoryEvents } from '../events/history-events';
import { FactStore } from '../history/fact-store.service';
import type { ApplyResult, ApplyStatus } from '../history/fact-writer.service';
import type { HeartbeatResult } from '../history/fact-store.service';
import { IngestError, IngestErrorCode } from './ingest.errors';

/**
 * How a snapshot joined history. `backfilled`: older than the node's head, it fell in a gap of
 * coverage and was applied there (history split at its instant). `late`: older than the head
 * and inside covered history, where applying it would rewrite closed history: kept as a
 * snapshot record, not applied (`reason` says why). See "Late snapshots" in the README.
 */
export type IngestStatus = ApplyStatus;

/** The answer to a posted snapshot (REST body). */
export type IngestResult = ApplyResult;

const DAY_MS = 86_400_000;

/**
 * The one path from a posted snapshot to history: validate → bound takenAt → the fact store
 * applies it (normalise, hash, diff, one transaction) → events to the checks and subscribers.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly store: FactStore,
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
    this.checkTakenAt(snapshot.takenAt, new Date(snapshot.takenAt), receivedAt);
    const { nodeId, takenAt, facts, ...answer } = await this.store.apply(snapshot, receivedAt);
    if (answer.status === 'backfilled' && nodeId !== undefined) {
      // History, not the present: node rules keep evaluating the latest state (which did not
      // move); cross-node findings are recomputed from the late snapshot's instant.
      this.events.historyRewritten({ node: snapshot.node, nodeId, from: takenAt });
      this.events.changesRecorded({ node: snapshot.node, snapshotId: snapshot.snapshotId, takenAt, changes: answer.changes, stateVersion: answer.stateVersion });
    } else if (nodeId !== undefined) {
      // Handed over, not awaited: the checks evaluate in the background (findings follow shortly).
      this.events.stateChanged({ node: snapshot.node, nodeId, takenAt, facts });
      this.events.changesRecorded({ node: snapshot.node, snapshotId: snapshot.snapshotId, takenAt, changes: answer.changes, stateVersion: answer.stateVersion });
    }
    return answer;
  }

  /**
   * A heartbeat (contract v1.1) stands for a snapshot whose facts hash to the node's stored state:
   * validated and bounded in time like a snapshot, then the fact store extends the node's coverage
   * or answers `resend`. Nothing changes in the node's facts, so nothing is announced (as for an
   * unchanged snapshot); the node's head moves, which is what tells it is still reporting.
   */
  async heartbeat(body: unknown, receivedAt = new Date()): Promise<HeartbeatResult> {
    const validation = validateHeartbeat(body);
    if (!validation.ok) {
      const first = validation.issues[0];
      throw new IngestError(IngestErrorCode.InvalidHeartbeat, `invalid heartbeat: ${first.path || '(document)'}: ${first.message}`, validation.issues);
    }
    const beat = validation.heartbeat;
    this.checkTakenAt(beat.takenAt, new Date(beat.takenAt), receivedAt);
    return this.store.heartbeat(beat, receivedAt);
  }

  /**
   * takenAt is the instant of the facts, so it must be one the store can trust: no further into
   * the future than ROUTESCOPE_MAX_CLOCK_SKEW by this server's clock (a collector with a wrong
   * clock would otherwise move the node's head where no later snapshot can follow), and not older
   * than the retention window (history there is being deleted; 0001-01-01 or 1970 is a clock
   * that was never set).
   */
  private checkTakenAt(text: string, takenAt: Date, now: Date): void {
    const latest = new Date(now.getTime() + this.config.maxClockSkewMs);
    const earliest = new Date(now.getTime() - this.config.retentionDays * DAY_MS);
    const bounds = { field: 'takenAt' as const, takenAt: text, serverTime: now.toISOString(), earliest: earliest.toISOString(), latest: latest.toISOString() };
    if (!(takenAt.getTime() <= latest.getTime())) {
      throw new IngestError(
        IngestErrorCode.TakenAtOutOfRange,
        `takenAt ${text} is more than ${this.config.maxClockSkewMs} ms (ROUTESCOPE_MAX_CLOCK_SKEW) ahead of the server time ${bounds.serverTime}: check the collector's clock`,
        [],
        bounds,
      );
    }
    if (!(takenAt.getTime() >= earliest.getTime())) {
      throw new IngestError(
        IngestErrorCode.TakenAtOutOfRange,
        `takenAt ${text} is older than the retention window (${this.config.retentionDays} days, ROUTESCOPE_RETENTION_DAYS) before the server time ${bounds.serverTime}: history that old is not kept`,
        [],
        bounds,
      );
    }
  }
}
