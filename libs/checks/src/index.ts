export * from './check-types';
export { RULES, ruleById, NETLAB_FAULT_RULES } from './rules/catalogue';
export { detectCni, TUNNEL_DEVICES } from './cni-detection';
export { checkNode } from './node-rules';
export { clusterView, isClusterView, withSharedRoutes, type ClusterView, type ViewFact } from './cluster-view';
export { checkCluster, blockOwners, blockRouting, type BlockOwner } from './cluster-rules';
export { checkCaptureEvidence, monitorChanges, frameEvidence, type CaptureEvidenceInput, type CaptureEvidenceResult } from './capture-evidence-rules';
export {
  checkCapture,
  withKubernetes,
  UNNAMED_CAPTURE_NODE,
  type CaptureImportInput,
  type CaptureNodeInput,
  type CaptureNodeReport,
  type CaptureReport,
} from './capture-check';
export { checkHistory, DEFAULT_FLAP_THRESHOLD, DEFAULT_HISTORY_WINDOW_MS } from './history-rules';
export {
  blockMatrix,
  blockCell,
  blockCells,
  compareBlocks,
  canonicalCidr,
  emptyCounts,
  BLOCK_CELL_STATUSES,
  BLOCK_PROBLEM_STATUSES,
  type BlockMatrix,
  type BlockRow,
  type BlockCell,
  type BlockCellStatus,
  type BlockStatusCounts,
} from './block-matrix';
export { probeFinding, podSubject, PROBE_PROXY_ARP_FAILED, PROBE_EVIDENCE_FRAMES, type ProbeOutcome, type ProbeFindingChange } from './probe-rules';
