import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';
import { DATABASE } from '../database/database.module';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { Scope } from './scopes';
import type { HashScheme } from './token-hash';

export interface StoredToken {
  id: number;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface NewToken {
  name: string;
  tokenHash: string;
  scopes: readonly Scope[];
  expiresAt?: Date | null;
}

const TOKEN_FIELDS = { id: true, name: true, scopes: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true } as const;

/** The only code that touches api_token and server_secret. Never returns a hash. */
@Injectable()
export class TokenRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async findByHash(tokenHash: string, scheme: HashScheme = 'hmac-sha256'): Promise<StoredToken | undefined> {
    const row = await this.database.prisma.apiToken.findFirst({ where: { tokenHash, hashScheme: scheme }, select: TOKEN_FIELDS });
    return row ? toStored(row) : undefined;
  }

  /** The token called `name` that is not revoked (names are unique among those). */
  async findActive(name: string): Promise<StoredToken | undefined> {
    const row = await this.database.prisma.apiToken.findFirst({ where: { name, revokedAt: null }, select: TOKEN_FIELDS });
    return row ? toStored(row) : undefined;
  }

  /** Every token, revoked ones too, oldest first. */
  async list(): Promise<StoredToken[]> {
    const rows = await this.database.prisma.apiToken.findMany({ select: TOKEN_FIELDS, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toStored);
  }

  async countLegacy(): Promise<number> {
    return this.database.prisma.apiToken.count({ where: { hashScheme: 'sha256' } });
  }

  async count(): Promise<number> {
    return this.database.prisma.apiToken.count();
  }

  /** A row found by its legacy sha256 gets its keyed hash (its token was just presented). */
  async rehash(id: number, tokenHash: string): Promise<void> {
    await this.database.prisma.apiToken.update({ where: { id }, data: { tokenHash, hashScheme: 'hmac-sha256' } });
  }

  async create(token: NewToken): Promise<StoredToken> {
    try {
      const row = await this.database.prisma.apiToken.create({
        data: { name: token.name, tokenHash: token.tokenHash, hashScheme: 'hmac-sha256', scopes: [...token.scopes], expiresAt: token.expiresAt ?? null },
        select: TOKEN_FIELDS,
      });
      return toStored(row);
    } catch (error) {
      throw nameTaken(error, token.name);
    }
  }

  /** Revokes the active token called `name`; undefined when there is none. */
  async revoke(name: string, at = new Date()): Promise<StoredToken | undefined> {
    const active = await this.findActive(name);
    if (!active) return undefined;
    const row = await this.database.prisma.apiToken.update({ where: { id: active.id }, data: { revokedAt: at }, select: TOKEN_FIELDS });
    return toStored(row);
  }

  /**
   * Revokes the active token called `name` (if any) and creates its successor under the same
   * name, in one transaction: there is never a moment with both or neither.
   */
  async replace(name: string, successor: NewToken, at = new Date()): Promise<{ previous?: StoredToken; token: StoredToken }> {
    return this.database.prisma.$transaction(async (tx) => {
      const active = await tx.apiToken.findFirst({ where: { name, revokedAt: null }, select: TOKEN_FIELDS });
      const previous = active ? await tx.apiToken.update({ where: { id: active.id }, data: { revokedAt: at }, select: TOKEN_FIELDS }) : undefined;
      try {
        const row = await tx.apiToken.create({
          data: { name: successor.name, tokenHash: successor.tokenHash, hashScheme: 'hmac-sha256', scopes: [...successor.scopes], expiresAt: successor.expiresAt ?? null },
          select: TOKEN_FIELDS,
        });
        return { previous: previous ? toStored(previous) : undefined, token: toStored(row) };
      } catch (error) {
        throw nameTaken(error, successor.name);
      }
    });
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.database.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: at } });
  }

  /** The secret called `name`, generated (32 random bytes) by whichever replica asks first. */
  async serverSecret(name: string): Promise<string> {
    const value = randomBytes(32).toString('base64url');
    await this.database.prisma.serverSecret.createMany({ data: [{ name, value }], skipDuplicates: true });
    const row = await this.database.prisma.serverSecret.findUniqueOrThrow({ where: { name } });
    return row.value;
  }
}

function toStored(row: { id: number; name: string; scopes: string[]; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null }): StoredToken {
  return { ...row, scopes: row.scopes as Scope[] };
}

/** A unique violation on create: the name is taken by an active token (the hash is random). */
function nameTaken(error: unknown, name: string): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    return new AuthError(AuthErrorCode.TokenNameTaken, `a token called "${name}" already exists and is not revoked; revoke it first, rotate it, or choose another name`);
  }
  return error;
}
