import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { pageSize, PAGE_SIZES } from './history-arguments';
import { decodeNodeCursor, encodeNodeCursor } from './history-cursors';
import { HistoryError, HistoryErrorCode } from './history.errors';
import type { HistoryLoaders } from './history-loaders';
import { NodeRepository, type NodeListFilter, type NodeListQuery, type NodeRow, type NodeSortKey } from './store/node.repository';
import { forwardPage } from './relay-connection';
import { Node, NodeOrderField, NodeStatus, OrderDirection, type NodeConnection, type NodeFilter, type NodeOrder } from './types/node.type';

/** The window of the CHANGES_24H order. */
export const RECENT_CHANGES_MS = 24 * 3600 * 1000;

const SORT_KEYS: Record<NodeOrderField, NodeSortKey> = {
  [NodeOrderField.NAME]: 'name',
  [NodeOrderField.STATUS]: 'status',
  [NodeOrderField.LAST_SEEN]: 'lastSeen',
  [NodeOrderField.OPEN_FINDINGS]: 'openFindings',
  [NodeOrderField.CHANGES_24H]: 'changes',
};

/** Which nodes exist, one page or one name at a time, and whether each is still reporting. */
@Injectable()
export class NodeDirectoryService {
  constructor(
    private readonly repository: NodeRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * One page of nodes in `order` (default NAME ASC). The status filter and the STATUS,
   * OPEN_FINDINGS and CHANGES_24H orders are judged at one instant: the operation's now on a
   * first page, and the instant the cursor carries on the next ones, so that a listing pages
   * through one consistent order even while nodes report, findings open and changes arrive.
   */
  async list(
    loaders: HistoryLoaders,
    filter: NodeFilter | null | undefined,
    order: NodeOrder | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<NodeConnection> {
    const size = pageSize(first, PAGE_SIZES.nodes);
    const field = order?.field ?? NodeOrderField.NAME;
    const direction = order?.direction ?? OrderDirection.ASC;
    const position = after ? decodeNodeCursor(after) : undefined;
    if (position && (position.field !== field || position.direction !== direction)) {
      throw new HistoryError(
        HistoryErrorCode.InvalidCursor,
        `after belongs to orderBy {field: ${position.field}, direction: ${position.direction}}, not {field: ${field}, direction: ${direction}}; start again without after`,
      );
    }
    const asOf = position?.asOf ?? loaders.now;
    const where: NodeListFilter = {
      nameContains: filter?.nameContains || undefined,
      seenSince: filter?.seenSince ?? undefined,
      reporting: filter?.status ? filter.status === NodeStatus.REPORTING : undefined,
      hasOpenFindings: filter?.hasOpenFindings ?? undefined,
    };
    const query: NodeListQuery = {
      filter: where,
      sort: SORT_KEYS[field],
      descending: direction === OrderDirection.DESC,
      asOf,
      changesSince: new Date(asOf.getTime() - RECENT_CHANGES_MS),
      gapFactor: this.config.gapFactor,
      after: position ? { sortKey: position.sortKey, name: position.name } : undefined,
      limit: size + 1,
    };
    const [rows, totalCount] = await Promise.all([this.repository.listNodes(query), this.repository.countNodes(query)]);
    const page = forwardPage(rows, size, (row) => ({ cursor: encodeNodeCursor({ field, direction, asOf, sortKey: row.sortKey, name: row.name }), node: toNode(row) }));
    return { ...page, totalCount, asOf };
  }

  /** The node called `name`, or NOT_FOUND naming `argument`. */
  async get(loaders: HistoryLoaders, name: string, argument = 'name'): Promise<Node> {
    const row = await loaders.nodeByName.load(name);
    if (!row) throw new HistoryError(HistoryErrorCode.NodeNotFound, `no node called "${name}" (${argument}) has posted a snapshot`);
    return toNode(row);
  }

  /**
   * SILENT once the newest snapshot is older than gap factor x the reporting interval: the same
   * threshold that closes coverage, and the rule the status filter applies in SQL (reportingSql).
   */
  status(node: Node, now: Date): NodeStatus {
    const silentAfterMs = node.intervalMs * this.config.gapFactor;
    return now.getTime() - node.lastSeenAt.getTime() > silentAfterMs ? NodeStatus.SILENT : NodeStatus.REPORTING;
  }
}

export function toNode(row: NodeRow): Node {
  return {
    nodeId: row.id,
    name: row.name,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    lastReceivedAt: row.lastReceivedAt,
    intervalMs: row.intervalMs,
    reportingIntervalSeconds: row.intervalMs / 1000,
    stateVersion: row.stateVersion,
    kernel: row.kernel,
    iproute2: row.iproute2,
    collectorVersion: row.collectorVersion,
    clockSkew: row.clockSkewMs,
  };
}
