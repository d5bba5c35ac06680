import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { pageSize, PAGE_SIZES } from './history-arguments';
import { decodeNodeCursor, encodeNodeCursor } from './history-cursors';
import { HistoryError, HistoryErrorCode } from './history.errors';
import type { HistoryLoaders } from './history-loaders';
import { HistoryQueryRepository, type NodeListFilter, type NodeRow } from './history-query.repository';
import { forwardPage } from './relay-connection';
import { Node, NodeStatus, type NodeConnection, type NodeFilter } from './types/node.type';

/** Which nodes exist, one page or one name at a time, and whether each is still reporting. */
@Injectable()
export class NodeDirectoryService {
  constructor(
    private readonly repository: HistoryQueryRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async list(filter: NodeFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<NodeConnection> {
    const size = pageSize(first, PAGE_SIZES.nodes);
    const afterName = after ? decodeNodeCursor(after) : undefined;
    const where: NodeListFilter = { nameContains: filter?.nameContains || undefined, seenSince: filter?.seenSince ?? undefined };
    const [rows, totalCount] = await Promise.all([this.repository.listNodes(where, afterName, size + 1), this.repository.countNodes(where)]);
    return { ...forwardPage(rows, size, (row) => ({ cursor: encodeNodeCursor(row.name), node: toNode(row) })), totalCount };
  }

  /** The node called `name`, or NOT_FOUND naming `argument`. */
  async get(loaders: HistoryLoaders, name: string, argument = 'name'): Promise<Node> {
    const row = await loaders.nodeByName.load(name);
    if (!row) throw new HistoryError(HistoryErrorCode.NodeNotFound, `no node called "${name}" (${argument}) has posted a snapshot`);
    return toNode(row);
  }

  /** SILENT once the newest snapshot is older than gap factor x the reporting interval: the same threshold that closes coverage. */
  status(node: Node, now: Date): NodeStatus {
    const silentAfterMs = this.config.gapFactor * node.reportingIntervalSeconds * 1000;
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
    reportingIntervalSeconds: row.intervalMs / 1000,
    stateVersion: row.stateVersion,
    kernel: row.kernel,
    iproute2: row.iproute2,
    collectorVersion: row.collectorVersion,
  };
}
