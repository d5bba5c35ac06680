import { Inject, Injectable } from '@nestjs/common';
import type { Database, Prisma } from '@routescope/db';
import { DATABASE } from '../database/database.module';
import type { ClusterKind } from './cluster-objects';

type TransactionClient = Prisma.TransactionClient;

export interface OpenClusterObject {
  id: bigint;
  key: string;
  attrs: unknown;
  validFrom: Date;
}

export interface ClusterObjectRow {
  id: bigint;
  kind: ClusterKind;
  key: string;
  attrs: unknown;
  validFrom: Date;
  validTo: Date | null;
}

export interface IntervalClose {
  id: bigint;
  at: Date;
}

export interface IntervalOpen {
  key: string;
  /** canonical JSON of the attributes */
  attrs: string;
  at: Date;
}

/**
 * SQL of the cluster_object history (one row per validity interval of one object). Writes
 * run inside a transaction of ClusterHistoryService; the open row of an object is locked
 * before it is compared, and a new open row is inserted with ON CONFLICT DO NOTHING against
 * the partial unique index (kind, key) WHERE valid_to IS NULL, so two API replicas applying
 * the same watch event cannot open two rows.
 */
@Injectable()
export class ClusterHistoryRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  transaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return this.database.prisma.$transaction(work, { timeout: 60000, maxWait: 30000 });
  }

  /** The open rows of one kind (keys given: only those), locked until the transaction ends. */
  async lockOpen(tx: TransactionClient, kind: ClusterKind, keys?: readonly string[]): Promise<OpenClusterObject[]> {
    if (keys) {
      if (keys.length === 0) return [];
      return tx.$queryRaw<OpenClusterObject[]>`
        SELECT id, key, attrs, valid_from AS "validFrom" FROM cluster_object
        WHERE kind = ${kind} AND key = ANY(${[...keys]}::text[]) AND valid_to IS NULL
        FOR UPDATE`;
    }
    return tx.$queryRaw<OpenClusterObject[]>`
      SELECT id, key, attrs, valid_from AS "validFrom" FROM cluster_object
      WHERE kind = ${kind} AND valid_to IS NULL
      FOR UPDATE`;
  }

  async close(tx: TransactionClient, closes: readonly IntervalClose[]): Promise<void> {
    if (closes.length === 0) return;
    await tx.$executeRaw`
      UPDATE cluster_object AS c SET valid_to = u.at
      FROM unnest(${closes.map((c) => String(c.id))}::bigint[], ${closes.map((c) => c.at.toISOString())}::timestamptz[]) AS u(id, at)
      WHERE c.id = u.id AND c.valid_to IS NULL`;
  }

  async open(tx: TransactionClient, kind: ClusterKind, opens: readonly IntervalOpen[]): Promise<number> {
    if (opens.length === 0) return 0;
    return tx.$executeRaw`
      INSERT INTO cluster_object (kind, key, attrs, valid_from)
      SELECT ${kind}, o.key, o.attrs::jsonb, o.at
      FROM unnest(${opens.map((o) => o.key)}::text[], ${opens.map((o) => o.attrs)}::text[], ${opens.map((o) => o.at.toISOString())}::timestamptz[]) AS o(key, attrs, at)
      ON CONFLICT (kind, key) WHERE valid_to IS NULL DO NOTHING`;
  }

  /** Every interval of one object, oldest first. */
  async intervals(kind: ClusterKind, key: string): Promise<ClusterObjectRow[]> {
    return this.database.prisma.$queryRaw<ClusterObjectRow[]>`
      SELECT id, kind, key, attrs, valid_from AS "validFrom", valid_to AS "validTo" FROM cluster_object
      WHERE kind = ${kind} AND key = ${key} ORDER BY valid_from`;
  }

  /** The objects of the given kinds valid at `at` (validFrom <= at < validTo). */
  async validAt(kinds: readonly ClusterKind[], at: Date): Promise<ClusterObjectRow[]> {
    return this.database.prisma.$queryRaw<ClusterObjectRow[]>`
      SELECT id, kind, key, attrs, valid_from AS "validFrom", valid_to AS "validTo" FROM cluster_object
      WHERE kind = ANY(${[...kinds]}::text[]) AND valid_from <= ${at} AND (valid_to IS NULL OR valid_to > ${at})
      ORDER BY kind, key`;
  }

  /** The pod interval(s) that held `ip` at `at`, latest first. */
  async podsWithIpAt(ip: string, at: Date): Promise<ClusterObjectRow[]> {
    return this.database.prisma.$queryRaw<ClusterObjectRow[]>`
      SELECT id, kind, key, attrs, valid_from AS "validFrom", valid_to AS "validTo" FROM cluster_object
      WHERE kind = 'pod' AND valid_from <= ${at} AND (valid_to IS NULL OR valid_to > ${at})
        AND attrs->'ips' @> jsonb_build_array(${ip}::text)
      ORDER BY valid_from DESC`;
  }
}
