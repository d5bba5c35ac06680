export enum HistoryErrorCode {
  NodeNotFound = 'NODE_NOT_FOUND',
  InvalidTimeRange = 'INVALID_TIME_RANGE',
  InvalidCursor = 'INVALID_CURSOR',
  InvalidArgument = 'INVALID_ARGUMENT',
}

export class HistoryError extends Error {
  constructor(
    readonly code: HistoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
