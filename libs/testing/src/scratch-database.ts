import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// A throw-away database on a PostgreSQL server, for the suites, tools and the bench that run the
// API (or SQL) against real PostgreSQL but may not import libs/db (Nx tags): one way to make one,
// name it, reach it and drop it. libs/db's own suites use its migrated template instead.

/** The PostgreSQL server the tests use: $ROUTESCOPE_TEST_PG_URL, or the machine's on 127.0.0.1:5432. */
export function testServerUrl(): string {
  return process.env['ROUTESCOPE_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

/** One short-lived connection to `serverUrl` for `fn` (an administrative statement, say). */
export async function onPostgresServer<T>(serverUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  name: string;
  /** `serverUrl` with this database as its path */
  url: string;
  /** Terminates every connection to it and refuses new ones: the database goes away under its clients. */
  takeOffline(): Promise<void>;
  bringOnline(): Promise<void>;
  /** Drops it, disconnecting whoever is still connected; safe to call twice. */
  drop(): Promise<void>;
}

const PREFIX = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * A new, empty database `<prefix>_<12 random hex digits>` on the server at `serverUrl` (default
 * {@link testServerUrl}); the API migrates it at start. The prefix says who made it, so a database
 * a killed run left behind can be told apart.
 */
export async function scratchDatabase(prefix: string, serverUrl = testServerUrl()): Promise<ScratchDatabase> {
  // the name goes into SQL unquoted: only a lowercase identifier, so it cannot carry a statement
  if (!PREFIX.test(prefix)) throw new Error(`scratchDatabase: prefix ${JSON.stringify(prefix)} must be a lowercase SQL identifier (a-z, 0-9, _; ≤ 41 characters)`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onPostgresServer(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const run = (fn: (c: Client) => Promise<unknown>) => onPostgresServer(serverUrl, fn).then(() => undefined);
  return {
    name,
    url,
    takeOffline: () =>
      run(async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      }),
    bringOnline: () => run((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`)),
    drop: () => run((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}
