export enum DatabaseErrorCode {
  /** PostgreSQL cannot be reached or is restarting: the request may succeed if retried later. */
  Unavailable = 'DATABASE_UNAVAILABLE',
}

/** Seconds a client is told to wait (`Retry-After`) when the database is unavailable: a PostgreSQL restart takes a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export class DatabaseError extends Error {
  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Prisma's codes for "no connection": can't reach, timed out, server closed the connection, no pooled connection in time. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) that say the server is gone, not that the query is wrong. */
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Socket errors of the pg driver when it is not wrapped by Prisma. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01-57P03 (shut down by
 * the administrator, crashed, starting up or shutting down), 53300 (too many connections).
 */
function isUnavailableSqlState(code: unknown): boolean {
  return typeof code === 'string' && (/^08...$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300');
}

/**
 * A DatabaseError(Unavailable) when `error` says PostgreSQL is down or restarting, else undefined.
 * Walks Prisma's wrapper (code, meta.driverAdapterError.cause) and plain pg errors (SQLSTATE,
 * errno, "Connection terminated"), through `cause` chains.
 */
export function unavailableDatabaseError(error: unknown): DatabaseError | undefined {
  for (let current: unknown = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const e = current as { code?: unknown; errno?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } }; cause?: unknown };
    const adapter = e.meta?.driverAdapterError?.cause;
    const unavailable =
      (typeof e.code === 'string' && (UNAVAILABLE_PRISMA_CODES.has(e.code) || UNAVAILABLE_ERRNOS.has(e.code) || isUnavailableSqlState(e.code))) ||
      (adapter !== undefined && (UNAVAILABLE_ADAPTER_KINDS.has(String(adapter.kind)) || (adapter.kind === 'postgres' && isUnavailableSqlState(adapter.code)))) ||
      (typeof e.message === 'string' && /Connection terminated|Can't reach database server|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)/.test(e.message));
    if (unavailable) return new DatabaseError(DatabaseErrorCode.Unavailable, `the database is unavailable; retry in ${DATABASE_RETRY_AFTER_SECONDS} s`);
    current = e.cause;
  }
  return undefined;
}
