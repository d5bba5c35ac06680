import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// The system under test, loaded from the bundles bench/run.mjs builds (apps/api + libs/db from
// source). Typed here by what the harness uses, so the tool never imports the application.

export type DatabaseKind = 'postgres' | 'pglite';

export interface SqlExecutor {
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: { $queryRawUnsafe<T>(sql: string, ...values: unknown[]): Promise<T> };
  withExecutor<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  migrate(options?: { migrationsDir?: string }): Promise<unknown>;
  close(): Promise<void>;
}

export interface TestDatabase extends Database {
  readonly databaseUrl?: string;
  dispose(): Promise<void>;
}

interface NestApp {
  listen(port: number, host: string): Promise<unknown>;
  getHttpServer(): { address(): AddressInfo | string | null };
  get<T>(token: unknown): T;
  close(): Promise<void>;
}

export interface IngestResult {
  status: 'created' | 'changed' | 'unchanged' | 'duplicate';
  changes: number;
}

interface ApiBundle {
  createApiApplication(config: unknown, database: Database): Promise<{ app: NestApp }>;
  loadApiConfig(env: Record<string, string>): unknown;
  IngestService: unknown;
  HistoryEvents: unknown;
  RetentionService: new (repository: unknown, config: unknown) => RetentionJob;
  RetentionRepository: new (database: Database) => unknown;
  createDatabase(options: { databaseUrl?: string; dataDir?: string; inMemory?: boolean; migrationsDir?: string; poolSize?: number }): Promise<Database>;
  testing: {
    createTestDatabase(kind: DatabaseKind, options?: { migrate?: boolean; migrationsDir?: string }): Promise<TestDatabase>;
    testServerUrl(): string;
  };
}

export interface RetentionRunResult {
  cutoff: Date;
  deleted: Record<string, number>;
  batches: number;
  durationMs: number;
}

export interface RetentionJob {
  runOnce(now?: Date): Promise<RetentionRunResult>;
  settings: { retentionDays: number; batchSize: number; pauseMs: number };
}

/**
 * The retention job (apps/api/src/retention) on the app's database, built as its module builds
 * it (the same classes), so it runs whether or not app.module imports RetentionModule yet.
 */
export function retentionOf(app: RunningApi): RetentionJob | undefined {
  const bundle = loadBundle();
  if (!bundle.RetentionService) return undefined;
  return new bundle.RetentionService(new bundle.RetentionRepository(app.database), bundle.loadApiConfig({ ROUTESCOPE_LOG_LEVEL: 'error' }));
}

export function loadBundle(): ApiBundle {
  const dist = join(process.env['BENCH_ROOT'] ?? process.cwd(), 'bench', 'dist');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(dist, 'api.cjs')) as ApiBundle;
}

/** prisma/migrations of the tree under test (the bundle cannot find it relative to itself). */
export function migrationsDir(): string | undefined {
  return process.env['BENCH_MIGRATIONS'];
}

export interface RunningApi {
  readonly kind: DatabaseKind;
  readonly database: Database;
  readonly url: string;
  readonly token: string;
  readonly readToken: string;
  /** every scope, the probe ones included */
  readonly adminToken: string;
  readonly nest: NestApp;
  /** drops every HistoryEvents.stateChanged listener (checks); false when there were none */
  removeStateListeners(): boolean;
  /** the service function directly (what the controller calls), on an already-parsed body */
  ingest(body: unknown): Promise<IngestResult>;
  close(): Promise<void>;
}

/** The real app (Nest, GraphQL, ingest) on `database`, listening on a free loopback port. */
export async function startApi(database: Database, env: Record<string, string> = {}): Promise<RunningApi> {
  const bundle = loadBundle();
  const token = `rs_bench_ingest_${'x'.repeat(24)}`;
  const readToken = `rs_bench_read_${'y'.repeat(24)}`;
  const adminToken = `rs_bench_admin_${'z'.repeat(24)}`;
  const config = bundle.loadApiConfig({
    ROUTESCOPE_INGEST_TOKEN: token,
    ROUTESCOPE_READ_TOKEN: readToken,
    ROUTESCOPE_ADMIN_TOKEN: adminToken,
    ROUTESCOPE_LOG_LEVEL: 'error',
    // The bench measures the API's own ceiling: per-token rate limits would cap it instead.
    ROUTESCOPE_RATE_LIMIT_INGEST: '0',
    ROUTESCOPE_RATE_LIMIT_GRAPHQL: '0',
    ...env,
  });
  const { app } = await bundle.createApiApplication(config, database);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  const service = app.get<{ ingest(body: unknown): Promise<IngestResult> }>(bundle.IngestService);
  return {
    kind: database.kind,
    database,
    url: `http://127.0.0.1:${address.port}`,
    token,
    readToken,
    adminToken,
    nest: app,
    removeStateListeners: () => {
      const events = app.get<{ stateListeners?: unknown[] }>(bundle.HistoryEvents);
      const had = (events.stateListeners?.length ?? 0) > 0;
      if (events.stateListeners) events.stateListeners.length = 0;
      return had;
    },
    ingest: (body) => service.ingest(body),
    close: () => app.close(),
  };
}

/** A fresh, migrated database of `kind` (PostgreSQL: a new rs_test_* database on the test server). */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return loadBundle().testing.createTestDatabase(kind, { migrationsDir: migrationsDir() });
}
