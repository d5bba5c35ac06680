import { Injectable, Logger } from '@nestjs/common';
import { HistoryEvents } from '../events/history-events';
import { FactStore } from '../history/fact-store.service';
import { HistoryError, HistoryErrorCode } from '../history/history.errors';
import type { ResetNodeHeadResult } from './types/reset-node-head.type';

/**
 * The operator's repair for a node whose head was poisoned before takenAt was bounded (e.g. a
 * snapshot taken "at" 9999-12-31, behind which no later snapshot could be stored): history
 * recorded after `to` is removed, what was true at `to` is the node's current state again,
 * and the act is audited (audit_log: the token's name, when, what, and the counts).
 */
@Injectable()
export class NodeHeadRepairService {
  private readonly logger = new Logger(NodeHeadRepairService.name);

  constructor(
    private readonly store: FactStore,
    private readonly events: HistoryEvents,
  ) {}

  async resetNodeHead(name: string, to: Date, actor: string): Promise<ResetNodeHeadResult> {
    // The DateTime scalar turns text that is no date into an invalid Date rather than an error.
    if (Number.isNaN(to.getTime())) throw new HistoryError(HistoryErrorCode.InvalidArgument, 'to must be an ISO-8601 date-time, e.g. 2026-11-26T03:00:00Z');
    const outcome = await this.store.resetNodeHead(name, to, actor);
    const { repaired, audit } = outcome;
    this.logger.warn(`resetNodeHead by ${actor}: node ${name} to ${to.toISOString()} (audit ${audit.id}): ${JSON.stringify(outcome.details)}`);
    // The checks re-evaluate the node's state as it now is, at its new head.
    // Cross-node findings after `to` are recomputed without what was removed.
    this.events.historyRewritten({ node: name, nodeId: repaired.nodeId, from: to, removed: repaired.head === null });
    if (repaired.head !== null) this.events.stateChanged({ node: name, nodeId: repaired.nodeId, takenAt: repaired.head, facts: outcome.facts });
    return {
      node: name,
      to,
      previousHead: repaired.previousHead,
      head: repaired.head,
      removed: repaired.head === null,
      factsDeleted: repaired.factsDeleted,
      factsReopened: repaired.factsReopened,
      coverageDeleted: repaired.coverageDeleted,
      snapshotsDeleted: repaired.snapshotsDeleted,
      findingsDeleted: repaired.findingsDeleted,
      auditId: audit.id.toString(),
    };
  }
}
