import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  checksumMatches,
  defaultMigrationsDir,
  MIGRATION_LOCK_KEY,
  MigrationError,
  readMigrationRows,
  readMigrations,
  sha256Hex,
} from './migration-runner';
import { createDatabase } from './prisma-client-factory';
import { describeEachDatabase } from './testing/test-databases';

const repoMigrations = defaultMigrationsDir();

describe('checksums (Prisma-compatible)', () => {
  // Test vectors from prisma-engines schema-connector/src/checksum.rs.
  it('is the zero-padded sha256 hex of the script', () => {
    expect(sha256Hex('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(sha256Hex('abcd')).toHaveLength(64);
  });

  it('matches across LF/CRLF line endings, like script_matches_checksum', () => {
    const groups = [
      ['ab\ncd\nef\ngh\rab', 'ab\r\ncd\r\nef\r\ngh\rab'],
      ['ab\ncd\nef\ngh\rab\n', 'ab\r\ncd\r\nef\r\ngh\rab\r\n'],
    ];
    for (const group of groups) {
      for (const script of group) for (const other of group) expect(checksumMatches(script, sha256Hex(other))).toBe(true);
    }
    expect(checksumMatches('abc', sha256Hex('abcd'))).toBe(false);
    expect(checksumMatches('abc\n', sha256Hex('abc'))).toBe(false);
  });

  it('accepts the non-zero-padded checksums old Prisma versions wrote', () => {
    const digest = createHash('sha256').update('hello').digest();
    expect(checksumMatches('hello', [...digest].map((b) => b.toString(16)).join(''))).toBe(true);
  });
});

describeEachDatabase(
  'migration runner',
  (db, kind) => {
    let local: Awaited<ReturnType<typeof readMigrations>>;
    let names: string[];
    let tmp: string;

    beforeAll(async () => {
      local = await readMigrations(repoMigrations);
      names = local.map((m) => m.name);
    });
    beforeEach(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'rs-migrations-'));
    });
    afterEach(() => rm(tmp, { recursive: true, force: true }));

    const exists = (relation: string) =>
      db().withExecutor(async (sql) => {
        const [row] = await sql.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [relation]);
        return row.ok;
      });
    const rows = () => db().withExecutor(readMigrationRows);

    it('applies every migration to an empty database, and a second run is a no-op', async () => {
      expect(names.length).toBeGreaterThan(0);
      expect(await db().status()).toMatchObject({ pending: names, applied: [], upToDate: false });

      const first = await db().migrate();
      expect(first).toEqual({ migrationsDir: repoMigrations, applied: names, alreadyApplied: [] });
      const second = await db().migrate();
      expect(second).toEqual({ migrationsDir: repoMigrations, applied: [], alreadyApplied: names });

      expect(await db().status()).toEqual({
        migrationsDir: repoMigrations,
        applied: names,
        pending: [],
        modified: [],
        failed: [],
        unknown: [],
        upToDate: true,
      });
      expect(await exists('fact')).toBe(true);
    });

    it('records each migration in _prisma_migrations as Prisma does', async () => {
      await db().migrate();
      const recorded = await rows();
      expect(recorded.map((r) => r.migrationName)).toEqual(names);
      for (const row of recorded) {
        // Recomputed independently of the runner: sha256 of the file's bytes.
        const bytes = await readFile(join(repoMigrations, row.migrationName, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(row).toMatchObject({ appliedStepsCount: 1, logs: null, rolledBackAt: null });
        expect(row.finishedAt).toBeInstanceOf(Date);
        expect(row.finishedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt.getTime());
      }
    });

    it("creates _prisma_migrations with Prisma's columns and types", async () => {
      await db().migrate();
      const columns = await db().withExecutor((sql) =>
        sql.query(
          `SELECT column_name AS name, data_type AS type, character_maximum_length AS length,
                  is_nullable AS nullable, column_default AS "default"
             FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'
            ORDER BY ordinal_position`,
        ),
      );
      expect(columns).toEqual([
        { name: 'id', type: 'character varying', length: 36, nullable: 'NO', default: null },
        { name: 'checksum', type: 'character varying', length: 64, nullable: 'NO', default: null },
        { name: 'finished_at', type: 'timestamp with time zone', length: null, nullable: 'YES', default: null },
        { name: 'migration_name', type: 'character varying', length: 255, nullable: 'NO', default: null },
        { name: 'logs', type: 'text', length: null, nullable: 'YES', default: null },
        { name: 'rolled_back_at', type: 'timestamp with time zone', length: null, nullable: 'YES', default: null },
        { name: 'started_at', type: 'timestamp with time zone', length: null, nullable: 'NO', default: 'now()' },
        { name: 'applied_steps_count', type: 'integer', length: null, nullable: 'NO', default: '0' },
      ]);
    });

    it('refuses a migration modified after it was applied, naming it', async () => {
      await cp(repoMigrations, tmp, { recursive: true });
      await db().migrate({ migrationsDir: tmp });
      const first = names[0];
      await writeFile(join(tmp, first, 'migration.sql'), `${local[0].script}\n-- edited later\n`);

      const error = await db().migrate({ migrationsDir: tmp }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ reason: 'modified', migrations: [first] });
      expect((error as Error).message).toContain(first);
      expect(await db().status({ migrationsDir: tmp })).toMatchObject({ modified: [first], upToDate: false });
    });

    it('does not count a CRLF checkout of an applied migration as modified', async () => {
      await cp(repoMigrations, tmp, { recursive: true });
      await db().migrate({ migrationsDir: tmp });
      await writeFile(join(tmp, names[0], 'migration.sql'), local[0].script.replaceAll('\n', '\r\n'));
      expect(await db().migrate({ migrationsDir: tmp })).toMatchObject({ applied: [], alreadyApplied: names });
    });

    it('rolls a failing migration back, records nothing, and names it with the database error', async () => {
      await cp(repoMigrations, tmp, { recursive: true });
      const broken = '29990101000000_broken';
      await mkdir(join(tmp, broken));
      const script = 'CREATE TABLE "broken_probe" ("id" INTEGER);\nINSERT INTO "broken_probe" VALUES (1);\nSELECT * FROM "does_not_exist";\n';
      await writeFile(join(tmp, broken, 'migration.sql'), script);

      const error = await db().migrate({ migrationsDir: tmp }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ reason: 'apply-failed', migrations: [broken] });
      const message = (error as Error).message;
      expect(message).toContain(broken);
      expect(message).toContain('does_not_exist');
      expect(message).toContain('42P01'); // undefined_table
      expect(message).toContain('line 3');

      // The earlier migrations committed on their own; the broken one left nothing behind.
      expect(await exists('broken_probe')).toBe(false);
      expect((await rows()).map((r) => r.migrationName)).toEqual(names);
      expect(await db().status({ migrationsDir: tmp })).toMatchObject({ pending: [broken], failed: [] });

      // Fixing the file is all it takes: nothing to resolve.
      await writeFile(join(tmp, broken, 'migration.sql'), 'CREATE TABLE "broken_probe" ("id" INTEGER);\n');
      expect(await db().migrate({ migrationsDir: tmp })).toMatchObject({ applied: [broken] });
      expect(await exists('broken_probe')).toBe(true);
    });

    it('refuses to migrate over a failed migration recorded by prisma migrate (P3009)', async () => {
      await db().migrate();
      await db().withExecutor((sql) =>
        sql.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count)
           VALUES ('00000000-0000-4000-8000-000000000001', 'x', '29990101000000_half_done', 'boom', 0)`,
        ),
      );
      await expect(db().migrate()).rejects.toMatchObject({ reason: 'failed-in-database', migrations: ['29990101000000_half_done'] });
      expect(await db().status()).toMatchObject({ failed: ['29990101000000_half_done'], upToDate: false });
      // Marked rolled back (what `prisma migrate resolve --rolled-back` does), it no longer blocks.
      await db().withExecutor((sql) => sql.exec(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE checksum = 'x'`));
      expect(await db().migrate()).toMatchObject({ applied: [] });
    });

    it('reports migrations applied in the database but absent from the folder as unknown', async () => {
      await cp(repoMigrations, tmp, { recursive: true });
      await mkdir(join(tmp, '29990101000000_newer'));
      await writeFile(join(tmp, '29990101000000_newer', 'migration.sql'), 'SELECT 1;\n');
      await db().migrate({ migrationsDir: tmp });
      expect(await db().status()).toMatchObject({ unknown: ['29990101000000_newer'], upToDate: true });
    });

    it('refuses a migration folder without migration.sql', async () => {
      await cp(repoMigrations, tmp, { recursive: true });
      await mkdir(join(tmp, '29990101000000_empty'));
      await expect(db().migrate({ migrationsDir: tmp })).rejects.toMatchObject({ reason: 'missing-script' });
    });

    it('applies each migration once when several migrate() calls race', async () => {
      // Postgres: separate pools, so separate sessions contending for the advisory lock.
      // PGlite: one instance, serialised in-process.
      const other = kind === 'postgres' ? await createDatabase({ databaseUrl: db().databaseUrl }) : db();
      try {
        const results = await Promise.all([db().migrate(), other.migrate(), db().migrate(), other.migrate()]);
        expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
        expect((await rows()).map((r) => r.migrationName)).toEqual(names);
      } finally {
        if (other !== db()) await other.close();
      }
    });

    if (kind === 'postgres') {
      it("waits for Prisma Migrate's advisory lock, and gives up after lockTimeoutMs", async () => {
        const holder = new Client({ connectionString: db().databaseUrl });
        await holder.connect();
        try {
          await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
          await expect(db().migrate({ lockTimeoutMs: 300 })).rejects.toMatchObject({ reason: 'lock-timeout' });
          expect(await exists('fact')).toBe(false);
          // Released while a migrator waits: it proceeds.
          const waiting = db().migrate({ lockTimeoutMs: 10_000 });
          setTimeout(() => void holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]), 200);
          expect(await waiting).toMatchObject({ applied: names });
        } finally {
          await holder.end();
        }
      });
    }
  },
  { migrate: false, fresh: 'each' },
);
