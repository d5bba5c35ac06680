// Throw-away databases for tests, on both backends: a fresh `rs_test_<random>` database on the
// PostgreSQL server (dropped afterwards) and an in-memory PGlite. Shared with the API's tests.
//
// Nothing here imports jest: describeEachDatabase reaches jest's globals at call time, so this
// module can be exported from the library's index without dragging test types or runtime into
// production builds.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabase, type Database, type DatabaseKind } from '../prisma-client-factory';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

/** The server test databases are created on (any database on it; we connect to create/drop). */
export function testServerUrl(): string {
  return process.env['ROUTESCOPE_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

/** Both kinds, unless ROUTESCOPE_TEST_DATABASES (e.g. `pglite`) narrows the list. */
export function testDatabaseKinds(): DatabaseKind[] {
  const wanted = process.env['ROUTESCOPE_TEST_DATABASES'];
  if (!wanted) return [...DATABASE_KINDS];
  const kinds = wanted.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !DATABASE_KINDS.includes(k as DatabaseKind));
  if (unknown.length > 0) throw new Error(`ROUTESCOPE_TEST_DATABASES: unknown kind(s) ${unknown.join(', ')}`);
  return kinds as DatabaseKind[];
}

export interface TestDatabaseOptions {
  /** Apply the migrations before handing the database over (default true). */
  migrate?: boolean;
  /** Migrations folder for migrate()/status() (default: the repository's). */
  migrationsDir?: string;
}

export interface TestDatabase extends Database {
  /** PostgreSQL only: the URL of this database, for a second client or a child process. */
  readonly databaseUrl?: string;
  /** Closes the connections and drops the PostgreSQL database; safe to call twice. */
  dispose(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  let databaseUrl: string | undefined;
  let drop = async () => undefined as void;
  if (kind === 'postgres') {
    const name = `rs_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(testServerUrl());
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    drop = () => dropDatabase(name);
  }
  let db: Database;
  try {
    db = await createDatabase(kind === 'postgres' ? { databaseUrl, migrationsDir: options.migrationsDir } : { inMemory: true, migrationsDir: options.migrationsDir });
    if (options.migrate ?? true) await db.migrate();
  } catch (error) {
    await drop();
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= db.close());
  return {
    ...db,
    databaseUrl,
    close,
    async dispose() {
      await close();
      await drop();
    },
  };
}

/** Runs fn on a fresh test database and disposes of it afterwards, whatever happens. */
export async function withTestDatabase<T>(
  kind: DatabaseKind,
  fn: (db: TestDatabase) => Promise<T>,
  options?: TestDatabaseOptions,
): Promise<T> {
  const db = await createTestDatabase(kind, options);
  try {
    return await fn(db);
  } finally {
    await db.dispose();
  }
}

interface JestGlobals {
  describe(name: string, fn: () => void): void;
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
  beforeEach(fn: () => Promise<void>, timeout?: number): void;
  afterEach(fn: () => Promise<void>, timeout?: number): void;
}

export interface DescribeEachDatabaseOptions extends TestDatabaseOptions {
  /** 'all' (default): one database per describe block; 'each': a fresh one per test. */
  fresh?: 'all' | 'each';
}

/**
 * Declares the suite once per database kind (`name [postgres]`, `name [pglite]`), each with its
 * own fresh database. `db()` returns the current one inside hooks and tests.
 */
export function describeEachDatabase(
  name: string,
  fn: (db: () => TestDatabase, kind: DatabaseKind) => void,
  options: DescribeEachDatabaseOptions = {},
): void {
  const jest = globalThis as unknown as Partial<JestGlobals>;
  if (!jest.describe || !jest.beforeAll || !jest.afterAll || !jest.beforeEach || !jest.afterEach) {
    throw new Error('describeEachDatabase must be called from a jest test file');
  }
  const { describe, beforeAll, afterAll, beforeEach, afterEach } = jest as JestGlobals;
  const [setUp, tearDown] = options.fresh === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  for (const kind of testDatabaseKinds()) {
    describe(`${name} [${kind}]`, () => {
      let current: TestDatabase | undefined;
      setUp(async () => {
        current = await createTestDatabase(kind, options);
      });
      tearDown(async () => {
        await current?.dispose();
        current = undefined;
      });
      fn(() => {
        if (!current) throw new Error('describeEachDatabase: the database is only available inside hooks and tests');
        return current;
      }, kind);
    });
  }
}

/**
 * pg's Pool#end resolves before its connections have finished closing, so a plain DROP may
 * still see them for a moment: retry briefly, then FORCE (which kills the stragglers, e.g. of a
 * test that failed without closing) rather than leak the database.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return await admin(`DROP DATABASE IF EXISTS ${name}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '55006') throw error; // object_in_use
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function admin(statement: string): Promise<void> {
  const client = new Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
