import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Database } from '@routescope/db';
import type { ProbeKind } from '@routescope/probe';
import { DATABASE } from '../database/database.module';

export const PROBE_STATES = ['queued', 'dispatched', 'done', 'expired', 'collector-unreachable'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];

export interface ProbeRow {
  id: string;
  node: string;
  pod: string;
  kind: ProbeKind;
  target: string | null;
  state: ProbeState;
  verdict: string | null;
  reason: string | null;
  requestedBy: string;
  requestedAt: Date;
  dispatchedAt: Date | null;
  finishedAt: Date | null;
  timeoutMs: number;
  maxPackets: number;
  result: unknown;
  stateVersionAt: number | null;
  snapshotTakenAt: Date | null;
}

export type NewProbe = Pick<ProbeRow, 'id' | 'node' | 'pod' | 'kind' | 'target' | 'requestedBy' | 'requestedAt' | 'timeoutMs' | 'maxPackets' | 'stateVersionAt' | 'snapshotTakenAt'>;

export interface ProbeQuery {
  node?: string;
  pod?: string;
  kind?: ProbeKind;
  verdict?: string;
  from?: Date;
  to?: Date;
  /** keyset: rows strictly after (requestedAt desc, id desc) */
  after?: { requestedAt: Date; id: string };
  limit: number;
}

const COLUMNS = `id::text AS id, node, pod, kind, target, state, verdict, reason, requested_by AS "requestedBy", requested_at AS "requestedAt",
  dispatched_at AS "dispatchedAt", finished_at AS "finishedAt", timeout_ms AS "timeoutMs", max_packets AS "maxPackets", result,
  state_version_at AS "stateVersionAt", snapshot_taken_at AS "snapshotTakenAt"`;

/** The probe table: the only code that reads or writes it (retention, apps/api/src/retention, deletes finished probes past the retention period). */
@Injectable()
export class ProbesRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Queues a probe; `busy` when the node already has one queued or dispatched (the partial unique index decides, across replicas). */
  async insert(probe: NewProbe): Promise<ProbeRow | 'busy'> {
    try {
      await this.database.prisma.probe.create({ data: { ...probe, state: 'queued' } });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return 'busy';
      throw error;
    }
    const row = await this.get(probe.id);
    if (!row) throw new Error(`probe ${probe.id} was inserted but cannot be read back`);
    return row;
  }

  async get(id: string): Promise<ProbeRow | undefined> {
    const rows = await this.database.prisma.$queryRawUnsafe<ProbeRow[]>(`SELECT ${COLUMNS} FROM probe WHERE id = $1::uuid`, id);
    return rows[0];
  }

  /** The active (queued or dispatched) probe of a node, if any. */
  async active(node: string): Promise<ProbeRow | undefined> {
    const rows = await this.database.prisma.$queryRawUnsafe<ProbeRow[]>(`SELECT ${COLUMNS} FROM probe WHERE node = $1 AND state IN ('queued', 'dispatched')`, node);
    return rows[0];
  }

  /** Marks the node's queued probe dispatched and returns it; one caller wins when several collectors (or replicas) ask at once. */
  async claimNext(node: string, at: Date): Promise<ProbeRow | undefined> {
    const rows = await this.database.prisma.$queryRawUnsafe<ProbeRow[]>(
      `UPDATE probe SET state = 'dispatched', dispatched_at = $2::timestamptz
       WHERE id = (SELECT id FROM probe WHERE node = $1 AND state = 'queued' ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 'queued'
       RETURNING ${COLUMNS}`,
      node,
      at,
    );
    return rows[0];
  }

  /** Stores a dispatched probe's result; undefined when it was not dispatched (any more). */
  async finish(id: string, outcome: { verdict: string; reason: string | null; result: unknown; at: Date }): Promise<ProbeRow | undefined> {
    const rows = await this.database.prisma.$queryRawUnsafe<ProbeRow[]>(
      `UPDATE probe SET state = 'done', verdict = $2, reason = $3, result = $4::jsonb, finished_at = $5::timestamptz
       WHERE id = $1::uuid AND state = 'dispatched' RETURNING ${COLUMNS}`,
      id,
      outcome.verdict,
      outcome.reason,
      JSON.stringify(outcome.result),
      outcome.at,
    );
    return rows[0];
  }

  /**
   * Gives up on probes: queued since before `queuedBefore` → expired; dispatched and past their
   * own timeout plus `marginMs` → collector-unreachable. Returns what changed (each row once,
   * whichever replica sweeps).
   */
  async expire(now: Date, queuedBefore: Date, marginMs: number): Promise<ProbeRow[]> {
    const expired = await this.database.prisma.$queryRawUnsafe<ProbeRow[]>(
      `UPDATE probe SET state = 'expired', finished_at = $1::timestamptz, reason = 'no collector of the node asked for it in time'
       WHERE state = 'queued' AND requested_at < $2::timestamptz RETURNING ${COLUMNS}`,
      now,
      queuedBefore,
    );
    const unreachable = await this.database.prisma.$queryRawUnsafe<ProbeRow[]>(
      `UPDATE probe SET state = 'collector-unreachable', finished_at = $1::timestamptz, reason = 'the collector took the probe but sent no result in time'
       WHERE state = 'dispatched' AND dispatched_at + make_interval(secs => (timeout_ms + $2::int) / 1000.0) < $1::timestamptz RETURNING ${COLUMNS}`,
      now,
      marginMs,
    );
    return [...expired, ...unreachable];
  }

  async find(query: ProbeQuery): Promise<ProbeRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.node !== undefined) where.push(`node = ${param(query.node)}`);
    if (query.pod !== undefined) where.push(`pod = ${param(query.pod)}`);
    if (query.kind !== undefined) where.push(`kind = ${param(query.kind)}`);
    if (query.verdict !== undefined) where.push(`verdict = ${param(query.verdict)}`);
    if (query.from) where.push(`requested_at >= ${param(query.from)}::timestamptz`);
    if (query.to) where.push(`requested_at <= ${param(query.to)}::timestamptz`);
    if (query.after) {
      const at = param(query.after.requestedAt);
      const id = param(query.after.id);
      where.push(`(requested_at < ${at}::timestamptz OR (requested_at = ${at}::timestamptz AND id < ${id}::uuid))`);
    }
    const sql = `SELECT ${COLUMNS} FROM probe ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY requested_at DESC, id DESC LIMIT ${param(query.limit)}`;
    return this.database.prisma.$queryRawUnsafe<ProbeRow[]>(sql, ...params);
  }
}
