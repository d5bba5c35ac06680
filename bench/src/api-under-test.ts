import type { INestApplication } from '@nestjs/common';
import type * as Api from '@routescope/api';
import type { Database, DatabaseKind, IngestResult, RetentionService, StateListener } from '@routescope/api';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// The system under test: the API's public entry (apps/api/src/public.ts), loaded from the bundle
// bench/run.mjs builds from source. The harness imports its types only (erased from the harness
// bundle; run.mjs refuses a value import), so it drives the real classes without bundling a copy.

export type { Database, DatabaseKind, IngestResult, SqlExecutor } from '@routescope/api';
export type TestDatabase = Awaited<ReturnType<ApiBundle['testing']['createTestDatabase']>>;
type ApiBundle = typeof Api;

/** The app's retention job (RetentionModule), to run by hand. */
export function retentionOf(app: RunningApi): RetentionService {
  return app.nest.get(loadBundle().RetentionService);
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
  readonly nest: INestApplication;
  /** drops every HistoryEvents.stateChanged listener (checks); false when there were none */
  removeStateListeners(): boolean;
  /** the service function directly (what the controller calls), on an already-parsed body */
  ingest(body: unknown): Promise<IngestResult>;
  /** POST /api/v1/heartbeats' service function (contract v1.1), on an already-parsed body */
  heartbeat(body: unknown): Promise<{ status: string }>;
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
  const service = app.get(bundle.IngestService);
  return {
    kind: database.kind,
    database,
    url: `http://127.0.0.1:${address.port}`,
    token,
    readToken,
    adminToken,
    nest: app,
    removeStateListeners: () => {
      // HistoryEvents has no way to unsubscribe (the app never needs one): the bench reaches in.
      const events = app.get(bundle.HistoryEvents) as unknown as { stateListeners: StateListener[] };
      const had = events.stateListeners.length > 0;
      events.stateListeners.length = 0;
      return had;
    },
    ingest: (body) => service.ingest(body),
    heartbeat: (body) => service.heartbeat(body),
    close: () => app.close(),
  };
}

/** A fresh, migrated database of `kind` (PostgreSQL: a new rs_test_* database on the test server). */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return loadBundle().testing.createTestDatabase(kind, { migrationsDir: migrationsDir() });
}
