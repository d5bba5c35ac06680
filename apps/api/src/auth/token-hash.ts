import { createHash, createHmac, randomBytes } from 'node:crypto';

export type HashScheme = 'hmac-sha256' | 'sha256';

/**
 * Tokens are stored as HMAC-SHA256 under the server's token secret (ROUTESCOPE_TOKEN_SECRET, or
 * one the server generated into its database, token-secret.ts): a copy of the token table alone
 * does not let anyone test guesses, and a token chosen by a person (an env value) is not exposed
 * to precomputed tables. Deterministic, so a presented token is found by one index lookup.
 */
export class TokenHasher {
  constructor(private readonly secret: string) {}

  hash(token: string): string {
    return createHmac('sha256', this.secret).update(token, 'utf8').digest('hex');
  }
}

/** How rows written before keyed hashes were stored; read only to rehash them (migration 20261206090000). */
export function legacySha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(prefix: string): string {
  return `rs_${prefix}_${randomBytes(32).toString('base64url')}`;
}
