import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { ClientBase } from 'pg';

/**
 * The little SQL surface the migration runner and the drift check need, so that one runner
 * drives a real PostgreSQL session (`pg`) and the embedded PGlite alike.
 *
 * Every executor is ONE session: advisory locks and transactions belong to it, so a pg
 * executor must wrap a single connected client (a pg.Client or a checked-out PoolClient),
 * never a Pool, whose queries may land on different connections.
 */
export interface SqlExecutor {
  /**
   * Runs a script of any number of statements, without parameters. On pg this is the simple
   * query protocol, the only one that accepts several statements in one call.
   */
  exec(sql: string): Promise<void>;
  /** Runs one statement with `$1`… parameters (extended protocol) and returns its rows. */
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

const noNesting = (): never => {
  throw new Error('SqlExecutor: nested transactions are not supported');
};

/** An executor over one connected pg client (pg.Client or a PoolClient checked out by the caller). */
export function pgExecutor(client: ClientBase): SqlExecutor {
  const base = {
    async exec(sql: string): Promise<void> {
      // No values → pg uses the simple query protocol, which allows multi-statement scripts.
      await client.query(sql);
    },
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await client.query(sql, [...params]);
      return result.rows as R[];
    },
  };
  return {
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      await client.query('BEGIN');
      try {
        const value = await fn({ ...base, transaction: noNesting });
        await client.query('COMMIT');
        return value;
      } catch (error) {
        // If ROLLBACK itself fails the connection is gone; the original error is the useful one.
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * An executor over a PGlite instance. Transactions go through PGlite#transaction, which holds
 * the instance's lock for their whole duration, so Prisma queries issued meanwhile on the same
 * instance wait instead of landing inside the migration's transaction.
 */
export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    ...pgliteStatements(db),
    transaction: (fn) => db.transaction((tx) => fn({ ...pgliteStatements(tx), transaction: noNesting })),
  };
}

function pgliteStatements(db: PGlite | PGliteTransaction): Omit<SqlExecutor, 'transaction'> {
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<R>(sql, [...params]);
      return result.rows;
    },
  };
}
