import { Injectable } from '@nestjs/common';
import { AuthError, AuthErrorCode } from './auth.errors';
import { AuthService } from './auth.service';
import { isScope, SCOPES, type Scope } from './scopes';
import { generateToken, TokenHasher } from './token-hash';
import { TokenRepository, type StoredToken } from './token.repository';
import { TokenRevocations } from './token-revocations';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Names the start-up seeder owns (token-seeder.ts): they follow env variables or tokens.json. */
const SEEDED_PREFIXES = ['env-', 'generated-'];

export interface TokenWithSecret {
  token: StoredToken;
  secret: string;
}

/** Create, list, revoke and rotate tokens (the admin GraphQL mutations and routescope-admin). */
@Injectable()
export class TokenAdminService {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly hasher: TokenHasher,
    private readonly auth: AuthService,
    private readonly revocations: TokenRevocations,
  ) {}

  list(): Promise<StoredToken[]> {
    return this.tokens.list();
  }

  async create(name: string, scopes: readonly string[], expiresAt: Date | null, now = new Date()): Promise<TokenWithSecret> {
    checkName(name);
    if (isSeeded(name)) {
      throw new AuthError(AuthErrorCode.InvalidTokenRequest, `name: "${name}" starts with ${SEEDED_PREFIXES.map((p) => `"${p}"`).join(' or ')}, which the API keeps for tokens seeded from its environment; choose another name`);
    }
    const checked = checkScopes(scopes);
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw new AuthError(AuthErrorCode.InvalidTokenRequest, `expiresAt: ${expiresAt.toISOString()} is not in the future (server time ${now.toISOString()})`);
    }
    const secret = generateToken(checked.includes('admin') ? 'admin' : checked.includes('ingest') ? 'ingest' : 'read');
    const token = await this.tokens.create({ name, tokenHash: this.hasher.hash(secret), scopes: checked, expiresAt });
    return { token, secret };
  }

  /** Revokes the active token called `name`: refused at once on this replica, on the others within the cache TTL (sooner through Redis). */
  async revoke(name: string): Promise<StoredToken> {
    checkName(name);
    const revoked = await this.tokens.revoke(name);
    if (!revoked) throw notFound(name);
    this.forget(revoked.id);
    return revoked;
  }

  /** A new secret for the token called `name` (same scopes and expiry); the old secret is revoked. */
  async rotate(name: string): Promise<TokenWithSecret> {
    checkName(name);
    if (isSeeded(name)) {
      throw new AuthError(AuthErrorCode.EnvSeededToken, `token "${name}" is seeded at start-up (from its ROUTESCOPE_*_TOKEN variable or tokens.json): change the value there and restart, or revoke it and create a token of your own`);
    }
    const current = await this.tokens.findActive(name);
    if (!current) throw notFound(name);
    const secret = generateToken(current.scopes.includes('admin') ? 'admin' : current.scopes.includes('ingest') ? 'ingest' : 'read');
    const { previous, token } = await this.tokens.replace(name, { name, tokenHash: this.hasher.hash(secret), scopes: current.scopes, expiresAt: current.expiresAt });
    if (previous) this.forget(previous.id);
    return { token, secret };
  }

  private forget(tokenId: number): void {
    this.auth.forgetToken(tokenId);
    this.revocations.announce(tokenId);
  }
}

export function isSeeded(name: string): boolean {
  return SEEDED_PREFIXES.some((p) => name.startsWith(p));
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new AuthError(AuthErrorCode.InvalidTokenRequest, `name: "${name.slice(0, 80)}" is not a token name (1-64 characters: letters, digits, ".", "_", "-", starting with a letter or digit)`);
  }
}

function checkScopes(scopes: readonly string[]): Scope[] {
  if (scopes.length === 0) throw new AuthError(AuthErrorCode.InvalidTokenRequest, `scopes: give at least one of ${SCOPES.join(', ')}`);
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined) throw new AuthError(AuthErrorCode.InvalidTokenRequest, `scopes: "${unknown}" is not a scope (${SCOPES.join(', ')})`);
  return [...new Set(scopes as Scope[])];
}

function notFound(name: string): AuthError {
  return new AuthError(AuthErrorCode.TokenNotFound, `no active token is called "${name}" (list them with the tokens query or \`routescope-admin tokens list\`)`);
}
