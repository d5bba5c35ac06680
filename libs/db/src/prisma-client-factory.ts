// One entry point for the API's storage: PostgreSQL when a URL is configured, otherwise the
// embedded PGlite (the no-install default, DESIGN.md "Where it runs"). Both give the same
// generated PrismaClient and the same migration runner.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { withNamedStatements } from './pglite-named-statements';
import { preparedStatementNames } from './prepared-statement-names';
import { PrismaClient, type Prisma } from './generated/prisma/client';
import {
  applyMigrations,
  migrationStatus,
  type MigrateOptions,
  type MigrateResult,
  type MigrationOptions,
  type MigrationStatus,
} from './migration-runner';
import { pgExecutor, pgliteExecutor, type SqlExecutor } from './sql-executor';

export type DatabaseKind = 'postgres' | 'pglite';

/** The PGlite data directory that keeps everything in memory (tests, demos). */
export const IN_MEMORY = 'memory://';

export interface CreateDatabaseOptions {
  /** `postgres://…` or `postgresql://…`: PostgreSQL through @prisma/adapter-pg. Wins over dataDir. */
  databaseUrl?: string;
  /**
   * Without databaseUrl: the folder of the embedded PGlite database (created if missing), or
   * `memory://` for a throw-away in-memory one. The caller picks the default
   * (the API: ROUTESCOPE_DATA_DIR, else ./.routescope/data).
   */
  dataDir?: string;
  /** Same as `dataDir: 'memory://'`. */
  inMemory?: boolean;
  /** Default for migrate()/status(): the repository's prisma/migrations. */
  migrationsDir?: string;
  /** Prisma Client log levels. */
  log?: Prisma.LogLevel[];
  /** pg pool size (PostgreSQL only); pg's default is 10. */
  poolSize?: number;
  /**
   * In-memory PGlite only: start from this data directory image (PGlite's dumpDataDir) instead
   * of running initdb, which takes seconds. The test databases start from a migrated image.
   */
  pgliteImage?: Blob;
}

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** Where the data lives, for logs: the URL without its password, or the data folder. */
  readonly location: string;
  /** Applies pending migrations (see applyMigrations); throws MigrationError, start-up must stop. */
  migrate(options?: MigrateOptions): Promise<MigrateResult>;
  /** Applied/pending/modified/failed migrations, for /readyz; changes nothing. */
  status(options?: MigrationOptions): Promise<MigrationStatus>;
  /**
   * Runs fn on one session outside Prisma (maintenance, drift checks): a pooled connection on
   * PostgreSQL; on PGlite the instance itself, queued behind migrate() (so fn must not call
   * migrate() itself).
   */
  withExecutor<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL only: a new session outside the pool (not connected yet), for what must own a
   * session of its own: a session advisory lock, LISTEN (the API's cross-node checks leader).
   */
  dedicatedSession?(options?: { applicationName?: string }): Client;
  /** The pg pool's connections, for metrics (PostgreSQL only; PGlite has no pool). */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** Disconnects Prisma and closes the pool or the PGlite instance. */
  close(): Promise<void>;
}

export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return createPostgres(options.databaseUrl, options);
  const dataDir = options.inMemory ? IN_MEMORY : options.dataDir;
  if (!dataDir) {
    // Refuse rather than silently fall back to memory: losing a node's history on restart
    // because a setting was missing would look like "nothing happened".
    throw new Error('createDatabase: pass databaseUrl, dataDir, or inMemory: true');
  }
  return createPglite(dataDir, options);
}

async function createPostgres(databaseUrl: string, options: CreateDatabaseOptions): Promise<Database> {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`createDatabase: databaseUrl must start with postgres:// or postgresql:// (got ${redact(databaseUrl)})`);
  }
  // Our own pool (rather than PrismaPg(connectionString)) so that the runner checks out a
  // session from the same pool, and so that an idle connection dying (server restart) is
  // logged instead of crashing the process with an unhandled 'error' event.
  // parallel_setup_cost ×10: the API's reads are many small index probes (one node's state at T:
  // ~1,400 rows over a few week partitions), for which PostgreSQL planned 2 parallel workers whose
  // start-up took 2/3 of the statement (23 → 8 ms); only large scans are worth workers now.
  // An `?options=` in DATABASE_URL takes precedence (pg reads the URL last).
  const pool = new Pool({ connectionString: databaseUrl, max: options.poolSize, options: '-c parallel_setup_cost=10000' });
  pool.on('error', (error) => console.error(`routescope db: idle PostgreSQL connection failed: ${error.message}`));
  // Named statements: each pooled session parses a statement once, and PostgreSQL may keep a
  // generic plan for it (prepared-statement-names.ts says why planning is what costs).
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: preparedStatementNames() }), log: options.log });

  const withExecutor = async <T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(pgExecutor(client));
    } catch (error) {
      // A failed session may hold session state (locks, an aborted transaction): discard it.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  };

  return {
    kind: 'postgres',
    prisma,
    location: redact(databaseUrl),
    migrate: (o) => withExecutor((sql) => applyMigrations(sql, { migrationsDir: options.migrationsDir, ...o })),
    status: (o) => withExecutor((sql) => migrationStatus(sql, { migrationsDir: options.migrationsDir, ...o })),
    withExecutor,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    dedicatedSession: (o) => new Client({ connectionString: databaseUrl, application_name: o?.applicationName, keepAlive: true, keepAliveInitialDelayMillis: 2000 }),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function createPglite(dataDir: string, options: CreateDatabaseOptions): Promise<Database> {
  const inMemory = dataDir === IN_MEMORY;
  const location = inMemory ? IN_MEMORY : resolve(dataDir);
  if (!inMemory) {
    await mkdir(location, { recursive: true, mode: 0o700 });
    await chmod(location, 0o700);
  }
  if (options.pgliteImage && !inMemory) throw new Error('createDatabase: pgliteImage needs an in-memory database');
  const pglite = options.pgliteImage ? await PGlite.create(location, { loadDataDir: options.pgliteImage }) : await PGlite.create(location);
  // PGlite's file system layer creates every file 0666 whatever the umask (the token table
  // included): the folder is 0700 so nobody else reaches them, and the files are set to 0600
  // once PGlite has created them, after migrations, and at close (for files it added since).
  const restrict = () => (inMemory ? Promise.resolve() : restrictToOwner(location));
  await restrict();
  // Named statements here too: PGlite parses and plans in WASM, slower than PostgreSQL does
  // (pglite-named-statements.ts).
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(withNamedStatements(pglite, preparedStatementNames())), log: options.log });
  const sql = pgliteExecutor(pglite);

  // One PGlite instance is one session, on which pg_advisory_lock is re-entrant: it cannot
  // keep two migrate() calls of this process apart, so they are queued here instead.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    kind: 'pglite',
    prisma,
    location,
    migrate: (o) => serialised(async () => {
      const result = await applyMigrations(sql, { migrationsDir: options.migrationsDir, ...o });
      await restrict();
      return result;
    }),
    status: (o) => migrationStatus(sql, { migrationsDir: options.migrationsDir, ...o }),
    withExecutor: (fn) => serialised(() => fn(sql)),
    async close() {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
      await restrict();
    },
  };
}

/** Folders 0700 and files 0600 below `dir` (and `dir` itself): a database folder is its owner's alone. */
export async function restrictToOwner(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await restrictToOwner(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

/** The URL with its password replaced by `***`, for logs and error messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
