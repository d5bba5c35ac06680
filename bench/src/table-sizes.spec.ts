import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { scratchDatabase } from '@routescope/testing';
import { sizes, tableBytesSql, type SqlSession } from './table-sizes';

// The storage and retention figures are table sizes: a partitioned table (fact, by week) has no
// storage of its own, so measuring only the parent reported the fact history as 0 bytes. Real
// PostgreSQL (a fresh database on the test server) and real PGlite, a table partitioned like
// fact and a plain one. (The bench may not import libs/db, so the sessions are opened here, the
// PostgreSQL one on a scratch database from @routescope/testing.)

interface OpenSession extends SqlSession {
  close(): Promise<void>;
}

async function postgres(): Promise<OpenSession> {
  const database = await scratchDatabase('rs_bench_sizes');
  const client = new Client({ connectionString: database.url });
  await client.connect();
  return {
    withExecutor: (fn) => fn({ exec: async (sql) => void (await client.query(sql)), query: async (sql, params) => (await client.query(sql, params as unknown[])).rows }),
    close: async () => {
      await client.end();
      await database.drop();
    },
  };
}

async function pglite(): Promise<OpenSession> {
  const db = await PGlite.create();
  return {
    withExecutor: (fn) => fn({ exec: async (sql) => void (await db.exec(sql)), query: async <R>(sql: string, params?: readonly unknown[]) => (await db.query<R>(sql, params as unknown[])).rows }),
    close: () => db.close(),
  };
}

describe.each([
  ['postgres', postgres],
  ['pglite', pglite],
])('table sizes [%s]', (_kind, open) => {
  let session: OpenSession;
  beforeAll(async () => {
    session = await open();
    await session.withExecutor((sql) =>
      sql.exec(`
        CREATE TABLE week_parted (id bigint, valid_to timestamptz, body text) PARTITION BY RANGE (valid_to);
        CREATE TABLE week_parted_1 PARTITION OF week_parted FOR VALUES FROM ('2026-01-01') TO ('2026-01-08');
        CREATE TABLE week_parted_open PARTITION OF week_parted DEFAULT;
        CREATE INDEX ON week_parted (id);
        INSERT INTO week_parted SELECT i, CASE WHEN i % 2 = 0 THEN TIMESTAMPTZ '2026-01-02' END, repeat('x', 200) FROM generate_series(1, 2000) i;
        CREATE TABLE plain (id bigint PRIMARY KEY, body text);
        INSERT INTO plain SELECT i, repeat('y', 200) FROM generate_series(1, 2000) i;`),
    );
  });
  afterAll(() => session?.close());

  it('counts a partitioned table as the sum of its partitions, indexes included', async () => {
    const measured = await sizes(session, ['week_parted', 'plain']);
    const [partitions] = await session.withExecutor((sql) =>
      sql.query<{ bytes: string }>(`SELECT sum(pg_total_relation_size(c)::bigint)::text AS bytes FROM unnest(array['week_parted_1', 'week_parted_open']::regclass[]) c`),
    );
    expect(measured['week_parted']).toBeGreaterThan(2000 * 200);
    expect(measured['week_parted']).toBe(Number(partitions.bytes));
  });

  it('counts a plain table as pg_total_relation_size does', async () => {
    const [plain] = await session.withExecutor((sql) => sql.query<{ own: string; measured: string }>(`SELECT pg_total_relation_size('plain')::text AS own, ${tableBytesSql(`'plain'`)}::text AS measured`));
    expect(Number(plain.measured)).toBe(Number(plain.own));
    expect(Number(plain.own)).toBeGreaterThan(2000 * 200);
  });
});
