// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or else to the embedded
// PGlite folder (ROUTESCOPE_DATA_DIR, default ./.routescope/data), and prints what it applied.
// Run through libs/db/run-migrate.mjs, which bundles this file with esbuild first.
//
//   migrate-cli [--status] [--migrations-dir <dir>]
//
// --status only reports (exit 1 if anything is pending, modified or failed). The migrations
// folder defaults to ROUTESCOPE_MIGRATIONS_DIR, else the repository's prisma/migrations.
import { createDatabase } from './prisma-client-factory';
import { MigrationError } from './migration-runner';

export const DEFAULT_DATA_DIR = './.routescope/data';

type Env = Record<string, string | undefined>;
interface Output {
  log(line: string): void;
  error(line: string): void;
}

/** Returns the process exit code; never throws. */
export async function main(argv: readonly string[], env: Env = process.env, out: Output = console): Promise<number> {
  let args: { status: boolean; migrationsDir?: string };
  try {
    args = parseArgs(argv);
  } catch (error) {
    out.error(`${(error as Error).message}\nusage: migrate-cli [--status] [--migrations-dir <dir>]`);
    return 2;
  }
  const migrationsDir = args.migrationsDir ?? (env['ROUTESCOPE_MIGRATIONS_DIR'] || undefined);
  const databaseUrl = env['DATABASE_URL'] || undefined;
  let db;
  try {
    db = await createDatabase(
      databaseUrl ? { databaseUrl, migrationsDir } : { dataDir: env['ROUTESCOPE_DATA_DIR'] || DEFAULT_DATA_DIR, migrationsDir },
    );
  } catch (error) {
    out.error(`cannot open the database: ${(error as Error).message}`);
    return 1;
  }
  try {
    if (args.status) {
      const status = await db.status();
      out.log(`${db.kind} ${db.location} (migrations: ${status.migrationsDir})`);
      for (const [label, names] of Object.entries({
        applied: status.applied,
        pending: status.pending,
        modified: status.modified,
        failed: status.failed,
        'unknown (applied, not in the folder)': status.unknown,
      })) {
        if (names.length > 0) out.log(`${label}:\n${names.map((n) => `  ${n}`).join('\n')}`);
      }
      out.log(status.upToDate ? 'up to date' : 'NOT up to date');
      return status.upToDate ? 0 : 1;
    }
    out.log(`migrating ${db.kind} ${db.location}`);
    const result = await db.migrate({ log: (line) => out.log(line) });
    out.log(
      result.applied.length === 0
        ? `nothing to apply (${result.alreadyApplied.length} already applied, from ${result.migrationsDir})`
        : `${result.applied.length} applied, ${result.alreadyApplied.length} already applied (from ${result.migrationsDir})`,
    );
    return 0;
  } catch (error) {
    out.error(error instanceof MigrationError ? `migration refused: ${error.message}` : `migration failed: ${String(error)}`);
    return 1;
  } finally {
    await db.close();
  }
}

function parseArgs(argv: readonly string[]): { status: boolean; migrationsDir?: string } {
  const args: { status: boolean; migrationsDir?: string } = { status: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--status') args.status = true;
    else if (arg === '--migrations-dir' && argv[i + 1]) args.migrationsDir = argv[++i];
    else if (arg.startsWith('--migrations-dir=')) args.migrationsDir = arg.slice('--migrations-dir='.length);
    else throw new Error(`unknown argument: ${arg}`);
  }
  return args;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
