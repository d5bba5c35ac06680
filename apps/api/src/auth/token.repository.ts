import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@routescope/db';
import { DATABASE } from '../database/database.module';
import type { Scope } from './scopes';

export interface StoredToken {
  id: number;
  name: string;
  scopes: Scope[];
  revokedAt: Date | null;
}

@Injectable()
export class TokenRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async findByHash(tokenHash: string): Promise<StoredToken | undefined> {
    const row = await this.database.prisma.apiToken.findUnique({ where: { tokenHash }, select: { id: true, name: true, scopes: true, revokedAt: true } });
    return row ? { ...row, scopes: row.scopes as Scope[] } : undefined;
  }

  /** Creates or replaces the token called `name` (seeded tokens follow their env variable). */
  async upsert(name: string, tokenHash: string, scopes: readonly Scope[]): Promise<void> {
    await this.database.prisma.apiToken.upsert({
      where: { name },
      create: { name, tokenHash, scopes: [...scopes] },
      update: { tokenHash, scopes: [...scopes], revokedAt: null },
    });
  }

  async count(): Promise<number> {
    return this.database.prisma.apiToken.count();
  }

  async revoke(name: string): Promise<void> {
    await this.database.prisma.apiToken.update({ where: { name }, data: { revokedAt: new Date() } });
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.database.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: at } });
  }
}
