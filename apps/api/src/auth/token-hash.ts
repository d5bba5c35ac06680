import { createHash, randomBytes } from 'node:crypto';

/** Tokens are random 256-bit secrets, so a plain sha256 is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(prefix: string): string {
  return `rs_${prefix}_${randomBytes(32).toString('base64url')}`;
}
