// @routescope/db: the API's storage layer (Prisma over PostgreSQL or embedded PGlite) and its
// migration runner.

// The generated client: PrismaClient, the Prisma namespace (Prisma.sql, error classes, input
// types) and the model types (Node, Snapshot, Fact, Coverage, ApiToken, Finding).
export * from './generated/prisma/client';

export {
  createDatabase,
  IN_MEMORY,
  redact,
  type CreateDatabaseOptions,
  type Database,
  type DatabaseKind,
} from './prisma-client-factory';

export {
  applyMigrations,
  checksumMatches,
  defaultMigrationsDir,
  migrationStatus,
  MIGRATION_LOCK_KEY,
  MigrationError,
  MIGRATIONS_TABLE,
  readMigrationRows,
  readMigrations,
  sha256Hex,
  type LocalMigration,
  type MigrateOptions,
  type MigrateResult,
  type MigrationErrorReason,
  type MigrationOptions,
  type MigrationRow,
  type MigrationStatus,
} from './migration-runner';

export { pgExecutor, pgliteExecutor, type SqlExecutor } from './sql-executor';

// Test helpers (fresh PostgreSQL/PGlite databases, describeEachDatabase). They import no jest
// code, so exporting them costs production nothing.
export * as testing from './testing/test-databases';
