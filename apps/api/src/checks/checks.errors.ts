export enum ChecksErrorCode {
  CaptureTooLarge = 'CAPTURE_TOO_LARGE',
  InvalidCaptureContext = 'INVALID_CAPTURE_CONTEXT',
  InvalidArgument = 'INVALID_ARGUMENT',
  InvalidTimeRange = 'INVALID_TIME_RANGE',
  InvalidCursor = 'INVALID_CURSOR',
}

export class ChecksError extends Error {
  constructor(
    readonly code: ChecksErrorCode,
    message: string,
  ) {
    super(message);
  }
}
