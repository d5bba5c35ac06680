export enum HistoryErrorCode {
  NodeNotFound = 'NODE_NOT_FOUND',
  InvalidTimeRange = 'INVALID_TIME_RANGE',
  InvalidCursor = 'INVALID_CURSOR',
  InvalidArgument = 'INVALID_ARGUMENT',
  /** the snapshotId was already used by another node: ids identify one snapshot of one node. */
  SnapshotIdConflict = 'SNAPSHOT_ID_CONFLICT',
}

export class HistoryError extends Error {
  constructor(
    readonly code: HistoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
