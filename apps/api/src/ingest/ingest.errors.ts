import type { ValidationIssue } from '@routescope/snapshot';

export enum IngestErrorCode {
  InvalidSnapshot = 'INVALID_SNAPSHOT',
  /** the body is not sent as application/json, so it was not read at all. */
  SnapshotTooLarge = 'SNAPSHOT_TOO_LARGE',
  OutOfOrder = 'OUT_OF_ORDER',
  /** the snapshotId was already used by another node: ids identify one snapshot of one node. */
  SnapshotIdConflict = 'SNAPSHOT_ID_CONFLICT',
}

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
  }
}
