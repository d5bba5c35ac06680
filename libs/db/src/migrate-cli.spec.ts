import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './migrate-cli';
import { defaultMigrationsDir, readMigrations } from './migration-runner';
import { createTestDatabase } from './testing/test-databases';

function capture() {
  const lines: string[] = [];
  return { lines, out: { log: (l: string) => lines.push(l), error: (l: string) => lines.push(`ERR ${l}`) } };
}

// Each test applies every migration to an embedded database on disk (PGlite, fsync per commit):
// ~40 migrations took 61 s on a 2-core machine busy with a benchmark's PostgreSQL writes.
jest.setTimeout(180_000);

describe('migrate-cli', () => {
  let names: string[];
  let tmp: string;
  beforeAll(async () => {
    names = (await readMigrations(defaultMigrationsDir())).map((m) => m.name);
  });
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rs-cli-'));
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('migrates the embedded database in ROUTESCOPE_DATA_DIR and prints what it applied', async () => {
    const env = { ROUTESCOPE_DATA_DIR: join(tmp, 'data') };
    const first = capture();
    expect(await main([], env, first.out)).toBe(0);
    expect(first.lines).toEqual([
      `migrating pglite ${join(tmp, 'data')}`,
      ...names.map((n) => `applied ${n}`),
      `${names.length} applied, 0 already applied (from ${defaultMigrationsDir()})`,
    ]);

    const again = capture();
    expect(await main([], env, again.out)).toBe(0);
    expect(again.lines.at(-1)).toBe(`nothing to apply (${names.length} already applied, from ${defaultMigrationsDir()})`);

    const status = capture();
    expect(await main(['--status'], env, status.out)).toBe(0);
    expect(status.lines.at(-1)).toBe('up to date');
  });

  it('migrates DATABASE_URL when it is set, and reports pending migrations with --status', async () => {
    const db = await createTestDatabase('postgres', { migrate: false });
    try {
      const env = { DATABASE_URL: db.databaseUrl, ROUTESCOPE_DATA_DIR: join(tmp, 'unused') };
      const before = capture();
      expect(await main(['--status'], env, before.out)).toBe(1);
      expect(before.lines).toContain(`pending:\n${names.map((n) => `  ${n}`).join('\n')}`);

      const run = capture();
      expect(await main([], env, run.out)).toBe(0);
      expect(run.lines[0]).toBe(`migrating postgres ${db.databaseUrl}`);
      expect(await db.status()).toMatchObject({ upToDate: true });
    } finally {
      await db.dispose();
    }
  });

  it('exits non-zero with the reason when a migration cannot be applied', async () => {
    const run = capture();
    const code = await main(['--migrations-dir', join(tmp, 'nowhere')], { ROUTESCOPE_DATA_DIR: join(tmp, 'data') }, run.out);
    expect(code).toBe(1);
    expect(run.lines.at(-1)).toMatch(/^ERR migration refused: Cannot read migrations folder .*nowhere/);
    expect(await main(['--bogus'], {}, capture().out)).toBe(2);
  });
});
