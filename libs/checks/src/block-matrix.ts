import type { ClusterContext, EvidenceFact, NodeFacts } from './check-types';
import { blockOwners, checkCluster } from './cluster-rules';
import { clusterView, isClusterView, type ClusterView } from './cluster-view';

export type BlockCellStatus = 'OWNER' | 'OK' | 'MISSING' | 'WRONG_NODE' | 'SPLIT' | 'STALE';

export interface BlockCell {
  node: string;
  status: BlockCellStatus;
  /** the finding's message for a cell that is not OK */
  detail?: string;
  evidence: EvidenceFact[];
}

export interface BlockMatrix {
  nodes: string[];
  blocks: Array<{ cidr: string; owner: string; cells: BlockCell[] }>;
}

/** Which cross-node rule decides which cell status. */
const STATUS_OF_RULE: Record<string, BlockCellStatus> = {
  CALICO_BLOCK_ROUTE_MISSING: 'MISSING',
  CALICO_BLOCK_ROUTE_WRONG_NODE: 'WRONG_NODE',
  CALICO_BLOCK_ROUTE_SPLIT: 'SPLIT',
  CALICO_BLOCK_ROUTE_STALE: 'STALE',
};

/**
 * The block × node routing consistency matrix: for every owned block, how each Calico node
 * routes it. It is the block rules of checkCluster laid out as a table, so the matrix and the
 * findings can never disagree.
 */
export function blockMatrix(nodes: ReadonlyArray<NodeFacts | ClusterView>, context: ClusterContext = {}): BlockMatrix {
  const views = nodes.map((n) => (isClusterView(n) ? n : clusterView(n, context)));
  const calico = views.filter((v) => v.cni === 'calico' || v.cni === 'canal').map((v) => v.node).sort();
  const cellFindings = new Map<string, { status: BlockCellStatus; detail: string; evidence: EvidenceFact[] }>();
  for (const finding of checkCluster(views, context)) {
    const status = STATUS_OF_RULE[finding.rule];
    if (status && finding.subject.startsWith('block:')) {
      cellFindings.set(`${finding.subject.slice('block:'.length)}|${finding.node}`, { status, detail: finding.message, evidence: finding.evidence });
    }
  }
  const blocks = blockOwners(views, context).map((block) => ({
    cidr: block.cidr,
    owner: block.owner,
    cells: calico.map((node): BlockCell => {
      if (node === block.owner) return { node, status: 'OWNER', evidence: block.evidence };
      const finding = cellFindings.get(`${block.cidr}|${node}`);
      return finding ? { node, ...finding } : { node, status: 'OK', evidence: [] };
    }),
  }));
  return { nodes: calico, blocks };
}
