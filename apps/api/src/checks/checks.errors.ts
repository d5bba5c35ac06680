export enum ChecksErrorCode {
  CaptureTooLarge = 'CAPTURE_TOO_LARGE',
  InvalidCaptureContext = 'INVALID_CAPTURE_CONTEXT',
}

export class ChecksError extends Error {
  constructor(
    readonly code: ChecksErrorCode,
    message: string,
  ) {
    super(message);
  }
}
