import type { ValidationIssue } from '@routescope/snapshot';

export enum IngestErrorCode {
  InvalidSnapshot = 'INVALID_SNAPSHOT',
  /** POST /api/v1/heartbeats: the body is not a heartbeat (contract v1.1) */
  InvalidHeartbeat = 'INVALID_HEARTBEAT',
  SnapshotTooLarge = 'SNAPSHOT_TOO_LARGE',
  /** takenAt too far in the future (clock skew) or older than the retention window */
  TakenAtOutOfRange = 'TAKEN_AT_OUT_OF_RANGE',
}

/** What a TAKEN_AT_OUT_OF_RANGE answer carries besides its message: the field and the bounds by the server's clock. */
export interface TakenAtBounds {
  field: 'takenAt';
  takenAt: string;
  serverTime: string;
  earliest: string;
  latest: string;
}

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly issues: ValidationIssue[] = [],
    readonly bounds?: TakenAtBounds,
  ) {
    super(message);
  }
}
