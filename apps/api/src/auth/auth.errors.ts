export enum AuthErrorCode {
  MissingToken = 'MISSING_TOKEN',
  InvalidToken = 'INVALID_TOKEN',
  RevokedToken = 'REVOKED_TOKEN',
  InsufficientScope = 'INSUFFICIENT_SCOPE',
}

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}
