import { Injectable } from '@nestjs/common';
import type { Fact, Heartbeat, Snapshot } from '@routescope/snapshot';
import { HistoryError, HistoryErrorCode } from './history.errors';
import { FactPartitions } from './fact-partitions.service';
import { FactWriter, type AppliedSnapshot } from './fact-writer.service';
import { HeartbeatWriter, type HeartbeatResult } from './heartbeat-writer.service';
import { ClusterStateReader } from './cluster-state-reader';
import { NodeStateReader } from './node-state-reader';
import type { StateVersionCache } from './state-version-cache';
import { AddressHolderRepository, type AddressHolderRow } from './store/address-holder.repository';
import { ClusterStateRepository, type NodeFactInterval } from './store/cluster-state.repository';
import { CoverageRepository } from './store/coverage.repository';
import { FactChangeRepository, type ChangeRow } from './store/fact-change.repository';
import { HistoryRetentionRepository, type HistoryTable } from './store/history-retention.repository';
import { NodeHeadRepairRepository, type RepairedHead } from './store/node-head-repair.repository';
import { NodeRepository, type NodeRow } from './store/node.repository';

export type { AppliedSnapshot } from './fact-writer.service';
export type { HeartbeatResult, HeartbeatStatus } from './heartbeat-writer.service';
export type { AddressHolderRow } from './store/address-holder.repository';
export type { NodeFactInterval } from './store/cluster-state.repository';
export type { ChangeRow } from './store/fact-change.repository';
export { HISTORY_TABLES, type HistoryTable } from './store/history-retention.repository';

/** What resetNodeHead did, with the audit record written in the same transaction. */
export interface NodeHeadReset {
  repaired: RepairedHead;
  /** the audit record's details: what was asked and what was removed */
  details: Record<string, unknown>;
  audit: { id: bigint; at: Date };
  /** the node's open facts after the reset (none when the node was removed) */
  facts: Fact[];
}

/**
 * The fact store: the one way into the history tables (fact, coverage, snapshot) for the rest
 * of the API. Writes go through `apply` (a validated snapshot → intervals closed and opened,
 * coverage, the snapshot record, the node's head), reads through the methods below; the SQL
 * lives in the repositories of history/store, one per concern, and returns decoded facts.
 *
 * - apply(snapshot) → what changed (status, change count, node id when history changed)
 * - heartbeat(beat) → extends the node's coverage if its state hash is still the heartbeat's (v1.1)
 * - stateAt(node, at) → the node's facts valid at `at`
 * - changes(node, from, to) → the fact changes of one node in (from, to]
 * - coverageGapCount() → how many gaps the whole cluster's coverage has
 * - currentStateOfCluster() → every node's open facts
 * - holdersNow(addresses, macs) → which nodes hold addresses (or VXLAN MACs) now, by index
 * - clusterStateAt(at) → every node's facts at `at` (what the cluster views read), in chunks
 * - clusterDerivedAt(at, cache, derive) → the same turned into per-node values, cached by state version
 * - clusterIntervalsSince(from) → the fact intervals to replay nodes' history since `from`
 * - resetNodeHead / deleteEndedBefore → the operator's repair and retention (facts: whole weeks dropped)
 *
 * The GraphQL read side (history/*.service.ts) uses the repositories directly, inside history/.
 */
@Injectable()
export class FactStore {
  constructor(
    private readonly writer: FactWriter,
    private readonly nodes: NodeRepository,
    private readonly states: NodeStateReader,
    private readonly factChanges: FactChangeRepository,
    private readonly coverage: CoverageRepository,
    private readonly cluster: ClusterStateRepository,
    private readonly repair: NodeHeadRepairRepository,
    private readonly retention: HistoryRetentionRepository,
    private readonly heartbeats: HeartbeatWriter,
    private readonly clusterStates: ClusterStateReader,
    private readonly addressHolders: AddressHolderRepository,
    private readonly partitions: FactPartitions,
  ) {}

  /** Applies a validated snapshot to its node's history (see FactWriter). */
  apply(snapshot: Snapshot, receivedAt: Date): Promise<AppliedSnapshot> {
    return this.writer.apply(snapshot, receivedAt);
  }

  /**
   * A heartbeat (contract v1.1): when the node's stored state hash equals the heartbeat's, its head
   * and coverage move to the heartbeat's instant (as an unchanged snapshot's would); otherwise
   * nothing is written and the answer is `resend` (see HeartbeatWriter).
   */
  heartbeat(beat: Heartbeat, receivedAt: Date): Promise<HeartbeatResult> {
    return this.heartbeats.record(beat, receivedAt);
  }

  /** The id of each named node that has posted a snapshot. */
  async nodeIds(names: readonly string[]): Promise<Map<string, number>> {
    return new Map((await this.nodes.nodesByName(names)).map((node) => [node.name, node.id]));
  }

  /** The head of the node called `name` (undefined when it never posted a snapshot). */
  async node(name: string): Promise<NodeRow | undefined> {
    const [node] = await this.nodes.nodesByName([name]);
    return node;
  }

  /** One node's facts valid at `at`, in canonical order (none for an unknown node). */
  async stateAt(nodeId: number, at: Date): Promise<Fact[]> {
    const [state] = await this.states.factsAt([nodeId], at);
    return state?.facts ?? [];
  }

  /** Up to `limit` changes of one node in (from, to], in (at, ns, kind, key) order. */
  changes(nodeId: number, from: Date, to: Date, limit: number): Promise<ChangeRow[]> {
    return this.factChanges.nodeChanges([nodeId], from, to, undefined, limit);
  }

  /** Up to `limit` changes of each of several nodes in (from, to], in (node, at, ns, kind, key) order. */
  changesOfNodes(nodeIds: readonly number[], from: Date, to: Date, limit: number): Promise<ChangeRow[]> {
    return this.factChanges.nodeChanges(nodeIds, from, to, undefined, limit);
  }

  /** Coverage intervals beyond each node's first: each began after the node fell silent. */
  coverageGapCount(): Promise<number> {
    return this.coverage.gapCount();
  }

  /** Every node's open facts, by node name. */
  currentStateOfCluster(): Promise<Map<string, Fact[]>> {
    return this.cluster.allCurrentFacts();
  }

  /** The nodes whose open facts hold one of `addresses` (an address fact's local address) or one of `macs` (a VXLAN link's MAC, lower case), by index. */
  holdersNow(addresses: readonly string[], macs: readonly string[]): Promise<{ addresses: AddressHolderRow[]; macs: AddressHolderRow[] }> {
    return this.addressHolders.holdersOf(addresses, macs);
  }

  /** The newest head of any node: no node's state has changed after it. */
  latestHead(): Promise<Date | undefined> {
    return this.nodes.latestHead();
  }

  /** Every node's facts at `at` as the cluster views read them, a chunk of nodes at a time (ClusterStateRepository.clusterFactsAt). */
  clusterStateAt(at: Date, chunkSize?: number): AsyncGenerator<Array<[node: string, facts: Fact[]]>> {
    return this.cluster.clusterFactsAt(at, chunkSize);
  }

  /** A cache for clusterDerivedAt (ClusterStateReader.derivedCache): up to `capacity` by `sizeOf`, forgotten per node by resetNodeHead. */
  derivedStateCache<V>(capacity: number, sizeOf: (value: V) => number): StateVersionCache<V> {
    return this.clusterStates.derivedCache(capacity, sizeOf);
  }

  /** `derive(node, facts)` of every node's facts at `at` (as clusterStateAt yields them), in node order, reusing `cache` by state version (ClusterStateReader.derivedAt). */
  clusterDerivedAt<V>(at: Date, cache: StateVersionCache<V>, derive: (node: string, facts: Fact[]) => V): Promise<V[]> {
    return this.clusterStates.derivedAt(at, cache, derive);
  }

  /** The fact intervals to replay nodes' cluster views from just before `from` (ClusterStateRepository.clusterFactIntervalsSince). */
  clusterIntervalsSince(from: Date, nodeIds?: readonly number[]): Promise<NodeFactInterval[]> {
    return this.cluster.clusterFactIntervalsSince(from, nodeIds);
  }

  /**
   * Rolls node `name` back to `to` in one transaction with its row locked (as ingest locks it),
   * audited as done by `actor`; drops this replica's cached head of it.
   */
  async resetNodeHead(name: string, to: Date, actor: string): Promise<NodeHeadReset> {
    const outcome = await this.repair.transaction(async (tx) => {
      const node = await this.repair.lockNode(tx, name);
      if (!node) throw new HistoryError(HistoryErrorCode.NodeNotFound, `no node called "${name}" (node) has posted a snapshot`);
      const repaired = await this.repair.resetTo(tx, node, to);
      const details = {
        to: to.toISOString(),
        previousHead: repaired.previousHead.toISOString(),
        head: repaired.head?.toISOString() ?? null,
        removed: repaired.head === null,
        factsDeleted: repaired.factsDeleted,
        factsReopened: repaired.factsReopened,
        coverageDeleted: repaired.coverageDeleted,
        snapshotsDeleted: repaired.snapshotsDeleted,
        findingsDeleted: repaired.findingsDeleted,
        findingsReopened: repaired.findingsReopened,
      };
      const audit = await this.repair.audit(tx, { actor, action: 'resetNodeHead', subject: `node:${name}`, details });
      const facts = repaired.head === null ? [] : await this.repair.openFacts(tx, node.id);
      return { repaired, details, audit, facts };
    });
    this.writer.forget(name);
    this.states.forgetNode(outcome.repaired.nodeId);
    this.clusterStates.forgetNode(outcome.repaired.nodeId);
    return outcome;
  }

  /**
   * Retention: removes history of `table` that ended before `cutoff`; returns how many rows went.
   * Coverage and snapshot records: up to `limit` rows, one DELETE. Facts: every week partition whose
   * week ended at or before the cutoff, dropped whole in one call (no DELETE, no bloat), so closed
   * facts stay up to a week longer than the window; none while another replica is dropping, and
   * none (until the next run) when ingest kept fact locked past the drop's lock_timeout.
   */
  async deleteEndedBefore(table: HistoryTable, cutoff: Date, limit: number): Promise<number> {
    if (table !== 'fact') return this.retention.deleteBatch(table, cutoff, limit);
    const dropped = await this.partitions.dropWeeksEndedBy(cutoff);
    return dropped.reduce((sum, week) => sum + week.rows, 0);
  }
}
