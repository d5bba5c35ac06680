import { Injectable, Logger } from '@nestjs/common';
import { AuthError, AuthErrorCode } from './auth.errors';
import { grants, type Principal, type Scope } from './scopes';
import { hashToken } from './token-hash';
import { TokenRepository } from './token.repository';

/** How long a verified token is trusted before the database is asked again (revocation delay). */
const CACHE_MS = 5000;
/** lastUsedAt is a hint for operators; writing it at most once a minute keeps reads write-free. */
const LAST_USED_RESOLUTION_MS = 60000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly cache = new Map<string, { principal: Principal | AuthError; until: number }>();
  private readonly lastUsedWritten = new Map<number, number>();

  constructor(private readonly tokens: TokenRepository) {}

  /** Resolves an `Authorization` header value to a principal that has `scope`, or throws an AuthError. */
  async authorize(authorization: string | undefined, scope: Scope): Promise<Principal> {
    const principal = await this.authenticate(authorization);
    if (!grants(principal, scope)) {
      throw new AuthError(AuthErrorCode.InsufficientScope, `token "${principal.tokenName}" lacks the "${scope}" scope`);
    }
    return principal;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new AuthError(AuthErrorCode.MissingToken, 'a bearer token is required (Authorization: Bearer <token>)');
    const tokenHash = hashToken(match[1]);
    const now = Date.now();
    const cached = this.cache.get(tokenHash);
    const outcome = cached && cached.until > now ? cached.principal : await this.lookup(tokenHash);
    if (!cached || cached.until <= now) this.cache.set(tokenHash, { principal: outcome, until: now + CACHE_MS });
    if (outcome instanceof AuthError) throw outcome;
    this.noteUse(outcome.tokenId, now);
    return outcome;
  }

  /** Forget cached verdicts, e.g. right after a token was revoked. */
  forget(): void {
    this.cache.clear();
  }

  private async lookup(tokenHash: string): Promise<Principal | AuthError> {
    const token = await this.tokens.findByHash(tokenHash);
    if (!token) return new AuthError(AuthErrorCode.InvalidToken, 'the token is not valid');
    if (token.revokedAt) return new AuthError(AuthErrorCode.RevokedToken, `token "${token.name}" was revoked`);
    return { tokenId: token.id, tokenName: token.name, scopes: token.scopes };
  }

  private noteUse(tokenId: number, now: number): void {
    if ((this.lastUsedWritten.get(tokenId) ?? 0) + LAST_USED_RESOLUTION_MS > now) return;
    this.lastUsedWritten.set(tokenId, now);
    this.tokens.markUsed(tokenId, new Date(now)).catch((error: Error) => this.logger.warn(`could not record token use: ${error.message}`));
  }
}
