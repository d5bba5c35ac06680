export enum AuthErrorCode {
  MissingToken = 'MISSING_TOKEN',
  InvalidToken = 'INVALID_TOKEN',
  RevokedToken = 'REVOKED_TOKEN',
  ExpiredToken = 'EXPIRED_TOKEN',
  InsufficientScope = 'INSUFFICIENT_SCOPE',
  /** token administration: no active token has that name */
  TokenNotFound = 'TOKEN_NOT_FOUND',
  /** token administration: an active token already has that name */
  TokenNameTaken = 'TOKEN_NAME_TAKEN',
  /** token administration: a name, scope list or expiry that cannot be used */
  InvalidTokenRequest = 'INVALID_TOKEN_REQUEST',
  /** token administration: tokens seeded from the environment follow their variable */
  EnvSeededToken = 'ENV_SEEDED_TOKEN',
}

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}
