import type { SqlExecutor } from './api-under-test';

/** What sizes() needs of a database: one session to run SQL in (a Database has it). */
export interface SqlSession {
  withExecutor<T>(fn: (sql: Pick<SqlExecutor, 'exec' | 'query'>) => Promise<T>): Promise<T>;
}

/** table → bytes on disk (its TOAST and indexes included) */
export type TableSizes = Record<string, number>;

/**
 * SQL for the bytes of the table named by the text expression `table`, TOAST and indexes
 * included. A partitioned table (fact) has no storage of its own — pg_total_relation_size of
 * it is 0 — so its partitions are summed; pg_partition_tree lists nothing for a plain table.
 */
export function tableBytesSql(table: string): string {
  return `coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree((${table})::regclass)), pg_total_relation_size((${table})::regclass))`;
}

/** Each table's bytes after VACUUM ANALYZE (dead rows reclaimed within the files). */
export async function sizes(database: SqlSession, tables: readonly string[]): Promise<TableSizes> {
  return database.withExecutor(async (sql) => {
    await sql.exec(`VACUUM ANALYZE ${tables.join(', ')}`);
    const rows = await sql.query<{ t: string; bytes: string }>(`SELECT t, ${tableBytesSql('t')}::text AS bytes FROM unnest($1::text[]) t`, [tables]);
    return Object.fromEntries(rows.map((r) => [r.t, Number(r.bytes)]));
  });
}
