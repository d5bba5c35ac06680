import { Inject, Injectable, Logger } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { AuthError, AuthErrorCode } from './auth.errors';
import { grants, type Principal, type Scope } from './scopes';
import { legacySha256, TokenHasher } from './token-hash';
import { TokenRepository, type StoredToken } from './token.repository';
import { TokenRevocations } from './token-revocations';
import { VerdictCache } from './verdict-cache';

/** Valid tokens whose verdict is kept; a few hundred collectors and readers fit many times over. */
const CACHE_CAPACITY = 10000;
/** lastUsedAt is a hint for operators; writing it at most once a minute per token keeps reads write-free. */
const LAST_USED_RESOLUTION_MS = 60000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly cache = new VerdictCache(CACHE_CAPACITY);
  private readonly cacheMs: number;
  /** whether rows hashed before keyed hashes may remain; once none do, no second lookup */
  private legacyRows?: Promise<boolean>;

  constructor(
    private readonly tokens: TokenRepository,
    private readonly hasher: TokenHasher,
    revocations: TokenRevocations,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.cacheMs = config.tokenCacheSeconds * 1000;
    revocations.onRevoked((tokenId) => this.cache.forgetToken(tokenId));
  }

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
    const tokenHash = this.hasher.hash(match[1]);
    const now = Date.now();
    const cached = this.cache.get(tokenHash, now);
    if (cached) {
      this.noteUse(cached, now);
      return cached.principal;
    }
    const token = await this.find(match[1], tokenHash);
    const principal = verdict(token, now);
    const entry = { principal, until: Math.min(now + this.cacheMs, token?.expiresAt?.getTime() ?? Infinity), lastUseWritten: 0 };
    if (this.cacheMs > 0) this.cache.set(tokenHash, entry);
    this.noteUse(entry, now);
    return principal;
  }

  /** The stored token a secret belongs to, rehashing a row stored before keyed hashes. */
  async find(secret: string, tokenHash = this.hasher.hash(secret)): Promise<StoredToken | undefined> {
    const token = await this.tokens.findByHash(tokenHash);
    if (token || !(await this.mayHaveLegacyRows())) return token;
    const legacy = await this.tokens.findByHash(legacySha256(secret), 'sha256');
    if (!legacy) return undefined;
    await this.tokens.rehash(legacy.id, tokenHash);
    this.legacyRows = undefined;
    return legacy;
  }

  /** Drops this replica's cached verdicts of a token (revoked or rotated here). */
  forgetToken(tokenId: number): void {
    this.cache.forgetToken(tokenId);
  }

  /** Forget every cached verdict, and whether rows with legacy hashes remain (they are counted again). */
  forget(): void {
    this.cache.clear();
    this.legacyRows = undefined;
  }

  /** Verdicts cached now (tests: the cache keeps valid tokens only). */
  get cachedVerdicts(): number {
    return this.cache.size;
  }

  private mayHaveLegacyRows(): Promise<boolean> {
    this.legacyRows ??= this.tokens.countLegacy().then((n) => n > 0);
    return this.legacyRows;
  }

  private noteUse(entry: { principal: Principal; lastUseWritten: number }, now: number): void {
    if (entry.lastUseWritten + LAST_USED_RESOLUTION_MS > now) return;
    entry.lastUseWritten = now;
    this.tokens.markUsed(entry.principal.tokenId, new Date(now)).catch((error: Error) => this.logger.warn(`could not record token use: ${error.message}`));
  }
}

function verdict(token: StoredToken | undefined, now: number): Principal {
  if (!token) throw new AuthError(AuthErrorCode.InvalidToken, 'the token is not valid');
  if (token.revokedAt) throw new AuthError(AuthErrorCode.RevokedToken, `token "${token.name}" was revoked`);
  if (token.expiresAt && token.expiresAt.getTime() <= now) throw new AuthError(AuthErrorCode.ExpiredToken, `token "${token.name}" expired at ${token.expiresAt.toISOString()}`);
  return { tokenId: token.id, tokenName: token.name, scopes: token.scopes };
}
