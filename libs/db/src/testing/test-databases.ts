// Throw-away databases for tests, on both backends: a fresh `rs_test_<random>` database on the
// PostgreSQL server (dropped afterwards) and an in-memory PGlite. Shared with the API's tests.
//
// Nothing here imports jest: describeEachDatabase reaches jest's globals at call time, so this
// module can be exported from the library's index without dragging test types or runtime into
// production builds.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../migration-runner';
import { createDatabase, IN_MEMORY, type Database, type DatabaseKind } from '../prisma-client-factory';
import { pgliteExecutor } from '../sql-executor';

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

/**
 * A fresh database of the given kind. Migrating from scratch is the slow part (PGlite's initdb
 * alone takes seconds), so with the repository's migrations the database is a copy of one
 * migrated once: on PostgreSQL `CREATE DATABASE … TEMPLATE` of a template database named after
 * the migrations' content, on PGlite a data directory image cached in the temp folder (see
 * migratedTemplate and pgliteImage below). Any other case starts from an empty database.
 */
export async function createTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  const fromTemplate = migrate && (options.migrationsDir === undefined || options.migrationsDir === defaultMigrationsDir());
  let databaseUrl: string | undefined;
  let drop = async () => undefined as void;
  if (kind === 'postgres') {
    const name = `rs_test_${randomBytes(6).toString('hex')}`;
    await admin(fromTemplate ? `CREATE DATABASE ${name} TEMPLATE ${await migratedTemplate()}` : `CREATE DATABASE ${name}`);
    const url = new URL(testServerUrl());
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    drop = () => dropDatabase(name);
  }
  let db: Database;
  try {
    db = await createDatabase(
      kind === 'postgres'
        ? { databaseUrl, migrationsDir: options.migrationsDir }
        : { inMemory: true, migrationsDir: options.migrationsDir, pgliteImage: await pgliteImage(fromTemplate ? 'migrated' : 'empty') },
    );
    if (migrate && !fromTemplate) await db.migrate();
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

/** Names the repository's migrations by content: a changed or added migration makes new templates. */
async function migrationsKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const migration of await readMigrations(defaultMigrationsDir())) hash.update(migration.name).update('\0').update(migration.script).update('\0');
  return hash.digest('hex').slice(0, 16);
}

let template: Promise<string> | undefined;

/**
 * The PostgreSQL template database with the repository's migrations applied, made by the first
 * test process that needs it (under an advisory lock, so parallel workers make it once) and kept
 * for later runs: a finished template is marked IS_TEMPLATE, which is what the others look for.
 * Nobody may connect to it (ALLOW_CONNECTIONS false), because a session on a template makes
 * CREATE DATABASE … TEMPLATE fail.
 */
function migratedTemplate(): Promise<string> {
  return (template ??= (async () => {
    const name = `rs_template_${await migrationsKey()}`;
    const client = new Client({ connectionString: testServerUrl() });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      const existing = await client.query<{ ready: boolean }>('SELECT datistemplate AS ready FROM pg_database WHERE datname = $1', [name]);
      if (existing.rows[0]?.ready) return name;
      // Left half-made by a process that died: start again.
      if (existing.rows.length > 0) await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${name}`);
      const url = new URL(testServerUrl());
      url.pathname = `/${name}`;
      const db = await createDatabase({ databaseUrl: url.toString() });
      try {
        await db.migrate();
      } finally {
        await db.close();
      }
      await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
      return name;
    } catch (error) {
      template = undefined;
      throw error;
    } finally {
      await client.end(); // also releases the advisory lock
    }
  })());
}

/** pg_advisory_lock key of the template's creation (any constant no other code uses). */
const TEMPLATE_LOCK_KEY = 72707370;

const images = new Map<'empty' | 'migrated', Promise<Blob>>();

/**
 * A PGlite data directory image: just initialised ('empty') or with the repository's migrations
 * applied ('migrated'). Made once and cached as a file in the temp folder (named after PGlite's
 * version and the migrations' content), so every test process after the first loads it in a
 * fraction of initdb's time.
 */
function pgliteImage(content: 'empty' | 'migrated'): Promise<Blob> {
  let image = images.get(content);
  if (!image) {
    image = (async () => {
      const version = await pgliteVersion();
      // "-one-db": images without template0/template1 (below); older images in the folder had them
      const key = `${content === 'migrated' ? `migrated-${await migrationsKey()}` : 'empty'}-one-db`;
      const dir = join(tmpdir(), 'routescope-test-pglite');
      const file = join(dir, `pglite-${version}-${key}.tar`);
      const cached = await readFile(file).catch(() => undefined);
      if (cached) return new Blob([cached]);
      const pglite = await PGlite.create(IN_MEMORY);
      try {
        if (content === 'migrated') await applyMigrations(pgliteExecutor(pglite));
        // Only the database PGlite opens (postgres) goes into the image: template0 and template1
        // were a third of its 42 MB and 619 of its 1,178 files, which every test instance unpacked
        // again (~0.3 CPU-seconds of each instance's start). Nothing in a test creates a database.
        await pglite.exec('ALTER DATABASE template0 IS_TEMPLATE false; ALTER DATABASE template1 IS_TEMPLATE false');
        await pglite.exec('DROP DATABASE template0');
        await pglite.exec('DROP DATABASE template1');
        await pglite.exec('CHECKPOINT');
        const dumped = await pglite.dumpDataDir('none');
        const bytes = new Uint8Array(await dumped.arrayBuffer());
        // Written aside and renamed: a parallel process never reads half a file.
        await mkdir(dir, { recursive: true });
        const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
        await writeFile(partial, bytes);
        await rename(partial, file);
        return new Blob([bytes]);
      } finally {
        await pglite.close();
      }
    })();
    image.catch(() => images.delete(content));
    images.set(content, image);
  }
  return image;
}

/** An image holds PGlite's on-disk format: one made by another version is not reused. */
async function pgliteVersion(): Promise<string> {
  // The package's exports map hides package.json from require(); it sits above dist/.
  const manifest = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
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
