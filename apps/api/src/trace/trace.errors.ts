export enum TraceErrorCode {
  /** the source node never posted a snapshot */
  UnknownNode = 'UNKNOWN_NODE',
  /** the source node had no such pod namespace at the instant */
  UnknownPod = 'UNKNOWN_POD',
  /** `to` is not an IPv4 or IPv6 address */
  InvalidAddress = 'INVALID_ADDRESS',
  /** a size, date or window argument out of its range */
  InvalidArgument = 'INVALID_ARGUMENT',
  /** a traceChanges window longer than it scans */
  WindowTooLarge = 'WINDOW_TOO_LARGE',
}

export class TraceError extends Error {
  constructor(
    readonly code: TraceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
