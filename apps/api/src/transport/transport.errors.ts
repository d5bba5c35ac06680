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
  /** the path exists, but not for this method (the Allow header lists those it answers) */
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  /** a request with a body to a path no route has */
  RouteNotFound = 'ROUTE_NOT_FOUND',
}

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    /** for RATE_LIMITED: seconds until the window ends (the Retry-After header) */
    readonly retryAfterSeconds?: number,
    /** for METHOD_NOT_ALLOWED: the methods the path answers (the Allow header) */
    readonly allow?: readonly string[],
  ) {
    super(message);
  }
}
