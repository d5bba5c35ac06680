import { Injectable } from '@nestjs/common';
import { bucketCount, MAX_CHANGE_WINDOW_MS, PAGE_SIZES, pageSize, timeWindow } from './history-arguments';
import { decodeClusterChangeCursor, decodeNodeChangeCursor, encodeClusterChangeCursor, encodeNodeChangeCursor } from './history-cursors';
import type { HistoryLoaders } from './history-loaders';
import { ChangeCountRepository } from './store/change-count.repository';
import { FactChangeRepository, type ChangeRow } from './store/fact-change.repository';
import { NodeRepository } from './store/node.repository';
import { forwardPage } from './relay-connection';
import type { ChangeRateBucket } from './types/change-rate.type';
import { FactChangeType, type ClusterChange, type ClusterChangeConnection, type FactChange, type FactChangeConnection, type FactKindValue } from './types/fact-change.type';
import type { Node } from './types/node.type';

/**
 * Changes recorded in a window (from, to]: exactly what separates state(from) from state(to),
 * so consecutive windows neither overlap nor miss a change. Windows are capped at
 * MAX_CHANGE_WINDOW_DAYS; pages follow (at, [node,] namespace, kind, key).
 */
@Injectable()
export class FactChangeService {
  constructor(
    private readonly changes: FactChangeRepository,
    private readonly counts: ChangeCountRepository,
    private readonly nodes: NodeRepository,
  ) {}

  async nodeChanges(loaders: HistoryLoaders, node: Node, from: Date, to: Date, first?: number | null, after?: string | null): Promise<FactChangeConnection> {
    const window = timeWindow(from, to, ['from', 'to'], MAX_CHANGE_WINDOW_MS);
    const size = pageSize(first, PAGE_SIZES.changes);
    const position = after ? decodeNodeChangeCursor(after) : undefined;
    const rows = await loaders.changes.load({ nodeId: node.nodeId, from: window.from, to: window.to, after: position, limit: size + 1 });
    return forwardPage(rows, size, (row) => ({ cursor: encodeNodeChangeCursor(row), node: toFactChange(row) }));
  }

  async clusterChanges(from: Date, to: Date, first?: number | null, after?: string | null, includeFirstSeen = false): Promise<ClusterChangeConnection> {
    const window = timeWindow(from, to, ['from', 'to'], MAX_CHANGE_WINDOW_MS);
    const size = pageSize(first, PAGE_SIZES.clusterChanges);
    const position = after ? decodeClusterChangeCursor(after) : undefined;
    const rows = await this.changes.clusterChanges(window.from, window.to, position, size + 1, includeFirstSeen);
    return forwardPage(rows, size, (row) => ({ cursor: encodeClusterChangeCursor(row), node: toClusterChange(row) }));
  }

  /** How many changes `changes(from, to)` of this node would list over all its pages, less its first snapshot's facts; `to` defaults to now. */
  async nodeChangeCount(loaders: HistoryLoaders, node: Node, from: Date, to: Date | null | undefined): Promise<number> {
    const window = timeWindow(from, to ?? loaders.now, ['from', to ? 'to' : 'now'], MAX_CHANGE_WINDOW_MS);
    return loaders.changeCount.load({ nodeId: node.nodeId, from: window.from, to: window.to });
  }

  /**
   * The changes of every node in (from, to] counted in `buckets` equal buckets, every bucket
   * listed (empty ones with 0): what a rate-of-change chart needs, in one aggregate statement
   * instead of every change. Bucket i covers (from + i·w, from + (i+1)·w], w = (to − from) / buckets.
   */
  async clusterChangeRate(from: Date, to: Date, buckets: number): Promise<ChangeRateBucket[]> {
    const window = timeWindow(from, to, ['from', 'to'], MAX_CHANGE_WINDOW_MS);
    const n = bucketCount(buckets, window);
    const rows = await this.counts.clusterChangeRate(window.from, window.to, n);
    const byBucket = new Map(rows.map((row) => [row.bucket, row]));
    const fromMs = window.from.getTime();
    const spanMs = window.to.getTime() - fromMs;
    // Integer boundaries rounded down: a change at a whole millisecond t is in (floor(b_i), floor(b_i+1)] exactly when b_i < t <= b_i+1.
    const boundary = (i: number) => new Date(fromMs + Math.floor((spanMs * i) / n));
    return Array.from({ length: n }, (_, i) => ({ start: boundary(i), end: boundary(i + 1), count: byBucket.get(i)?.count ?? 0, nodeCount: byBucket.get(i)?.nodeCount ?? 0, firstSeen: byBucket.get(i)?.firstSeen ?? 0 }));
  }

  /**
   * The changes one snapshot recorded (those at exactly its takenAt). Subscriptions use it:
   * their context lives as long as the subscription, so it bypasses the per-operation loaders.
   */
  async snapshotChanges(nodeName: string, takenAt: Date, first?: number | null, after?: string | null): Promise<FactChangeConnection> {
    const size = pageSize(first, PAGE_SIZES.changes);
    const position = after ? decodeNodeChangeCursor(after) : undefined;
    const [node] = await this.nodes.nodesByName([nodeName]);
    const rows = node ? await this.changes.nodeChanges([node.id], new Date(takenAt.getTime() - 1), takenAt, position, size + 1) : [];
    return forwardPage(rows, size, (row) => ({ cursor: encodeNodeChangeCursor(row), node: toFactChange(row) }));
  }
}

export function toFactChange(row: ChangeRow): FactChange {
  const before = row.before ?? null;
  const after = row.after ?? null;
  return {
    at: row.at,
    afterGap: row.afterGap,
    namespace: row.ns,
    kind: row.kind as FactKindValue,
    key: row.key,
    change: before === null ? FactChangeType.ADDED : after === null ? FactChangeType.REMOVED : FactChangeType.CHANGED,
    before,
    after,
  };
}

function toClusterChange(row: ChangeRow): ClusterChange {
  return { ...toFactChange(row), node: row.node };
}
