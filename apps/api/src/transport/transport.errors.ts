/** What the HTTP edge refuses before a request reaches a controller or GraphQL (transport/request-gate.ts). */
export enum TransportErrorCode {
  /** the token spent its request budget for the current window */
  RateLimited = 'RATE_LIMITED',
  /** the body is larger than the route accepts (or the route takes no body at all) */
  BodyTooLarge = 'BODY_TOO_LARGE',
  InvalidJson = 'INVALID_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  /** an array of GraphQL operations in one request */
  BatchingNotSupported = 'BATCHING_NOT_SUPPORTED',
}

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    /** for RATE_LIMITED: seconds until the window ends (the Retry-After header) */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
