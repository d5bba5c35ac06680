// Applies prisma/migrations/*/migration.sql ourselves, because `prisma migrate deploy` needs the
// native schema engine, which cannot be downloaded where Routescope is built and run. The
// bookkeeping is Prisma's own (`_prisma_migrations`, same columns, same checksums), so a
// database migrated here is one `prisma migrate` recognises, and the other way round.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { SqlExecutor } from './sql-executor';

export const MIGRATIONS_TABLE = '_prisma_migrations';

/**
 * The advisory-lock key Prisma Migrate itself takes (`SELECT pg_advisory_lock(72707369)` in
 * prisma-engines' Postgres connector). Sharing it makes this runner and a real
 * `prisma migrate deploy` exclude each other too, not only our replicas.
 */
export const MIGRATION_LOCK_KEY = 72707369;

/** Prisma's DDL for its bookkeeping table (prisma-engines, Postgres flavour), made idempotent. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export interface LocalMigration {
  /** The folder name, e.g. `20261126180000_init`; migrations apply in this name's order. */
  name: string;
  /** Absolute path of its migration.sql. */
  file: string;
  /** sha256 (hex) of the file's bytes: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
  script: string;
}

export interface MigrationRow {
  id: string;
  migrationName: string;
  checksum: string;
  startedAt: Date;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
  appliedStepsCount: number;
  logs: string | null;
}

export interface MigrationStatus {
  migrationsDir: string;
  /** Local migrations recorded as applied, with a matching checksum. */
  applied: string[];
  /** Local migrations not applied yet. */
  pending: string[];
  /** Applied, but the local file changed since (Prisma: "modified after it was applied"). */
  modified: string[];
  /** Recorded as started and never finished (Prisma's P3009 state), e.g. by `prisma migrate deploy`. */
  failed: string[];
  /** Applied in the database but absent locally: the database is newer than this code. */
  unknown: string[];
  /** True when nothing is pending, modified or failed: what /readyz wants. */
  upToDate: boolean;
}

export interface MigrateResult {
  migrationsDir: string;
  /** Migrations this call applied, in order. */
  applied: string[];
  /** Migrations that were already applied before this call. */
  alreadyApplied: string[];
}

export interface MigrationOptions {
  /** Folder holding `<name>/migration.sql`; default: the repository's prisma/migrations. */
  migrationsDir?: string;
}

export interface MigrateOptions extends MigrationOptions {
  /** How long to wait for another migrator (replica, or `prisma migrate`) to finish. Default 5 min. */
  lockTimeoutMs?: number;
  /** Progress lines (one per migration applied). */
  log?: (line: string) => void;
}

export type MigrationErrorReason =
  | 'no-migrations-dir'
  | 'missing-script'
  | 'modified'
  | 'failed-in-database'
  | 'apply-failed'
  | 'lock-timeout';

/** Every refusal or failure of the runner; start-up must stop on it. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly reason: MigrationErrorReason,
    message: string,
    /** The migrations concerned, when there are. */
    readonly migrations: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Finds the repository's prisma/migrations: the nearest ancestor folder, from this module's
 * location and then from the working directory, holding prisma/migrations/migration_lock.toml
 * (Prisma always writes that file, so it tells the real folder from look-alikes). Works from
 * sources (jest), from a bundle in libs/db/dist, and from an app built under dist/; a
 * container image without the repository layout should pass `migrationsDir` explicitly.
 */
export function defaultMigrationsDir(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, 'prisma', 'migrations');
      if (existsSync(join(candidate, 'migration_lock.toml'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new MigrationError(
    'no-migrations-dir',
    `No prisma/migrations folder (with migration_lock.toml) above ${__dirname} or ${process.cwd()}; pass migrationsDir explicitly`,
  );
}

/** Reads the migrations of a folder, sorted by name as Prisma does. */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: unknown) => {
    throw new MigrationError('no-migrations-dir', `Cannot read migrations folder ${migrationsDir}: ${String(error)}`, [], {
      cause: error,
    });
  });
  const names = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    // Plain code-unit order (not localeCompare): timestamps prefixes sort the same everywhere.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = join(migrationsDir, name, 'migration.sql');
    const isFile = await stat(file).then((s) => s.isFile(), () => false);
    if (!isFile) {
      throw new MigrationError('missing-script', `Migration ${name} has no migration.sql (${file})`, [name]);
    }
    const bytes = await readFile(file);
    migrations.push({ name, file, checksum: sha256Hex(bytes), script: bytes.toString('utf8') });
  }
  return migrations;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Prisma's `script_matches_checksum` (prisma-engines, schema-connector/src/checksum.rs): the
 * file matches if its sha256 does, or that of its CRLF→LF or LF→CRLF variant (git may change
 * line endings on checkout), also in the non-zero-padded hex an old Prisma wrote.
 */
export function checksumMatches(script: string, recorded: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((variant) => {
    const digest = createHash('sha256').update(variant, 'utf8').digest();
    const rendered = recorded.length === 64 ? digest.toString('hex') : [...digest].map((b) => b.toString(16)).join('');
    return rendered === recorded;
  });
}

/**
 * Applies the pending migrations, in name order, each in its own transaction together with
 * its `_prisma_migrations` row, under Prisma's advisory lock.
 *
 * Refuses (MigrationError) before applying anything when an applied migration was modified
 * or when the database records a failed migration. When a migration fails, its transaction
 * is rolled back, NOTHING is recorded, and the error names the migration and the database
 * error. Prisma would instead leave a failed row (P3009) that blocks every later deploy until
 * `prisma migrate resolve`; since the failed DDL was rolled back there is nothing to resolve,
 * so fixing the file and restarting is enough.
 *
 * The executor must be a single session. Scripts must not contain transaction control
 * (BEGIN/COMMIT) or statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
 */
export async function applyMigrations(sql: SqlExecutor, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir();
  const local = await readMigrations(migrationsDir);
  await acquireLock(sql, options.lockTimeoutMs ?? 5 * 60_000);
  try {
    await sql.exec(CREATE_MIGRATIONS_TABLE);
    const status = compare(migrationsDir, local, await readRows(sql));
    if (status.failed.length > 0) {
      throw new MigrationError(
        'failed-in-database',
        `The database records failed migration(s) ${status.failed.join(', ')} (started, never finished). ` +
          `Check what they left behind, then mark them with \`prisma migrate resolve --rolled-back <name>\` ` +
          `(or set rolled_back_at) before migrating again.`,
        status.failed,
      );
    }
    if (status.modified.length > 0) {
      throw new MigrationError(
        'modified',
        `Migration(s) ${status.modified.join(', ')} were modified after they were applied ` +
          `(checksum differs from _prisma_migrations). Restore the applied file(s) and put changes in a new migration.`,
        status.modified,
      );
    }
    const applied: string[] = [];
    for (const migration of local.filter((m) => status.pending.includes(m.name))) {
      await applyOne(sql, migration);
      applied.push(migration.name);
      options.log?.(`applied ${migration.name}`);
    }
    return { migrationsDir, applied, alreadyApplied: status.applied };
  } finally {
    // Session-level lock: release it even on failure, or the next start-up waits forever.
    await sql.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}

/** What is applied, pending, modified… without changing anything (no lock, no table creation). */
export async function migrationStatus(sql: SqlExecutor, options: MigrationOptions = {}): Promise<MigrationStatus> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir();
  return compare(migrationsDir, await readMigrations(migrationsDir), await readMigrationRows(sql));
}

/** The `_prisma_migrations` rows, oldest first (none if the table does not exist yet). */
export async function readMigrationRows(sql: SqlExecutor): Promise<MigrationRow[]> {
  // to_regclass follows search_path, like the unqualified DDL that creates the table.
  const [{ exists }] = await sql.query<{ exists: boolean }>(
    `SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS exists`,
  );
  return exists ? readRows(sql) : [];
}

async function readRows(sql: SqlExecutor): Promise<MigrationRow[]> {
  return sql.query<MigrationRow>(
    `SELECT id, migration_name AS "migrationName", checksum, started_at AS "startedAt",
            finished_at AS "finishedAt", rolled_back_at AS "rolledBackAt",
            applied_steps_count AS "appliedStepsCount", logs
       FROM ${MIGRATIONS_TABLE} ORDER BY started_at, migration_name`,
  );
}

function compare(migrationsDir: string, local: LocalMigration[], rows: MigrationRow[]): MigrationStatus {
  // Rows marked rolled back do not count, as in Prisma: the migration is pending again.
  const live = rows.filter((row) => row.rolledBackAt === null);
  const failed = live.filter((row) => row.finishedAt === null).map((row) => row.migrationName);
  const finished = new Map(live.filter((row) => row.finishedAt !== null).map((row) => [row.migrationName, row]));
  const applied: string[] = [];
  const pending: string[] = [];
  const modified: string[] = [];
  for (const migration of local) {
    const row = finished.get(migration.name);
    if (!row) {
      if (!failed.includes(migration.name)) pending.push(migration.name);
    } else if (checksumMatches(migration.script, row.checksum)) {
      applied.push(migration.name);
    } else {
      modified.push(migration.name);
    }
  }
  const localNames = new Set(local.map((m) => m.name));
  const unknown = [...finished.keys()].filter((name) => !localNames.has(name));
  return {
    migrationsDir,
    applied,
    pending,
    modified,
    failed,
    unknown,
    upToDate: pending.length === 0 && modified.length === 0 && failed.length === 0,
  };
}

async function applyOne(sql: SqlExecutor, migration: LocalMigration): Promise<void> {
  try {
    await sql.transaction(async (tx) => {
      await tx.exec(migration.script);
      // started_at = now() is the transaction's start, finished_at = clock_timestamp() the
      // real end: the same two instants Prisma records around the script.
      await tx.query(
        `INSERT INTO ${MIGRATIONS_TABLE}
           (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
    });
  } catch (error) {
    throw new MigrationError(
      'apply-failed',
      `Migration ${migration.name} failed and was rolled back (nothing recorded): ${describeDbError(error, migration.script)}`,
      [migration.name],
      { cause: error },
    );
  }
}

async function acquireLock(sql: SqlExecutor, timeoutMs: number): Promise<void> {
  // Polling pg_try_advisory_lock rather than a blocking pg_advisory_lock: a timeout without
  // touching the session's lock_timeout, which would also apply to the migrations' own DDL.
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const [{ locked }] = await sql.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (locked) return;
    if (Date.now() + delay > deadline) {
      throw new MigrationError(
        'lock-timeout',
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${MIGRATION_LOCK_KEY})), ` +
          `held by another migrator: an API replica or prisma migrate`,
      );
    }
    await new Promise((done) => setTimeout(done, delay));
  }
}

/** "message (SQLSTATE x) at line n: <that line>" from a pg or PGlite DatabaseError. */
function describeDbError(error: unknown, script: string): string {
  if (!(error instanceof Error)) return String(error);
  const { code, position, detail } = error as Error & { code?: string; position?: string | number; detail?: string };
  let text = error.message;
  if (code) text += ` (SQLSTATE ${code})`;
  const offset = Number(position);
  // Both drivers report a 1-based character offset into the string that was sent (the script).
  if (Number.isInteger(offset) && offset > 0 && offset <= script.length) {
    const before = script.slice(0, offset - 1).split('\n');
    const lineText = script.split('\n')[before.length - 1] ?? '';
    text += ` at line ${before.length}: ${lineText.trim()}`;
  }
  if (detail) text += ` — ${detail}`;
  return text;
}
