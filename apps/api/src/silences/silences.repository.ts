import { Inject, Injectable } from '@nestjs/common';
import type { Database, Prisma } from '@routescope/db';
import { DATABASE } from '../database/database.module';

export interface SilenceRow {
  id: bigint;
  rule: string;
  node: string | null;
  subjectPattern: string | null;
  reason: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface NewSilence {
  rule: string;
  node: string | null;
  subjectPattern: string | null;
  subjectLike: string | null;
  reason: string;
  createdBy: string;
  expiresAt: Date;
}

const COLUMNS = `id, rule, node, subject_pattern AS "subjectPattern", reason, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"`;

/**
 * SQL condition: silence `s` is active at the timestamptz expression `at`. Shared with the
 * findings queries (filter `silenced`, group counts) so that one rule decides "silenced".
 */
export function silenceActiveSql(s: string, at: string): string {
  return `${s}.created_at <= ${at} AND ${s}.expires_at > ${at} AND (${s}.revoked_at IS NULL OR ${s}.revoked_at > ${at})`;
}

/** SQL condition: some silence active at `at` covers finding `f` (rule, node name `nodeName`, subject). */
export function findingSilencedSql(f: string, nodeName: string, at: string): string {
  return `EXISTS (SELECT 1 FROM silence s WHERE s.rule = ${f}.rule AND (s.node IS NULL OR s.node = ${nodeName})
    AND (s.subject_like IS NULL OR ${f}.subject LIKE s.subject_like) AND ${silenceActiveSql('s', at)})`;
}

/** Silences: the only code that reads or writes the silence table (and its audit rows). */
@Injectable()
export class SilencesRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Stores the silence and its audit row in one transaction. */
  async create(silence: NewSilence): Promise<SilenceRow> {
    return this.database.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRawUnsafe<SilenceRow[]>(
        `INSERT INTO silence (rule, node, subject_pattern, subject_like, reason, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) RETURNING ${COLUMNS}`,
        silence.rule,
        silence.node,
        silence.subjectPattern,
        silence.subjectLike,
        silence.reason,
        silence.createdBy,
        silence.expiresAt,
      );
      await this.audit(tx, silence.createdBy, 'silenceFindings', row);
      return row;
    });
  }

  /** Revokes an active silence at `at` (an expired or revoked one is returned unchanged, not audited again). */
  async revoke(id: bigint, actor: string, at: Date): Promise<{ row: SilenceRow | undefined; revoked: boolean }> {
    return this.database.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRawUnsafe<SilenceRow[]>(
        `UPDATE silence SET revoked_at = $2::timestamptz WHERE id = $1::bigint AND revoked_at IS NULL AND expires_at > $2::timestamptz RETURNING ${COLUMNS}`,
        id.toString(),
        at,
      );
      if (row) {
        await this.audit(tx, actor, 'revokeSilence', row);
        return { row, revoked: true };
      }
      const [existing] = await tx.$queryRawUnsafe<SilenceRow[]>(`SELECT ${COLUMNS} FROM silence WHERE id = $1::bigint`, id.toString());
      return { row: existing, revoked: false };
    });
  }

  /** Every silence newest first, or those active at `activeAt`. */
  async list(activeAt?: Date): Promise<SilenceRow[]> {
    if (activeAt) {
      return this.database.prisma.$queryRawUnsafe<SilenceRow[]>(`SELECT ${COLUMNS} FROM silence s WHERE ${silenceActiveSql('s', '$1::timestamptz')} ORDER BY created_at DESC, id DESC`, activeAt);
    }
    return this.database.prisma.$queryRawUnsafe<SilenceRow[]>(`SELECT ${COLUMNS} FROM silence ORDER BY created_at DESC, id DESC`);
  }

  private async audit(tx: Prisma.TransactionClient, actor: string, action: string, row: SilenceRow): Promise<void> {
    const details = { rule: row.rule, node: row.node, subjectPattern: row.subjectPattern, reason: row.reason, expiresAt: row.expiresAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
    await tx.$executeRawUnsafe(`INSERT INTO audit_log (actor, action, subject, details) VALUES ($1, $2, $3, $4::jsonb)`, actor, action, `silence:${row.id}`, JSON.stringify(details));
  }
}
