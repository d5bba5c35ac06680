import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { builtApiBundle, launchApi } from '@routescope/testing';

// The real API for the seeder's end-to-end suite: the built bundle (apps/api/dist/main.js,
// `npx nx run api:build`) as its own process on a free port, on a fresh PostgreSQL database
// (created here, dropped afterwards) or on embedded PGlite in a temporary data folder. Tools may
// not import apps/ (module boundaries), so the API is only ever spawned and spoken to over HTTP.

export const workspaceRoot = join(__dirname, '../../../..');
export const apiBundle = builtApiBundle();

export type DatabaseKind = 'postgres' | 'pglite';
const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

/** Both kinds, unless ROUTESCOPE_TEST_DATABASES (e.g. `pglite`) narrows the list, as in libs/db's test helpers. */
export function testDatabaseKinds(): DatabaseKind[] {
  const wanted = process.env['ROUTESCOPE_TEST_DATABASES'];
  if (!wanted) return [...DATABASE_KINDS];
  const kinds = wanted.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !DATABASE_KINDS.includes(k as DatabaseKind));
  if (unknown.length > 0) throw new Error(`ROUTESCOPE_TEST_DATABASES: unknown kind(s) ${unknown.join(', ')}`);
  return kinds as DatabaseKind[];
}

export function secret(name: string): string {
  return `rs_e2e_${name}_${randomBytes(16).toString('hex')}`;
}

export interface ApiTokens {
  ingest: string;
  read: string;
  admin: string;
}

export interface RunningApi {
  url: string;
  tokens: ApiTokens;
  process: ChildProcess;
  /** the last 20 kB of its stdout and stderr, for failure messages */
  output(): string;
  /** SIGTERM (the API shuts down gracefully), SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>;
  /** POST /graphql with the read token; throws on GraphQL errors. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface StartApiOptions {
  tokens: ApiTokens;
  /** PostgreSQL when set, otherwise embedded PGlite in `dataDir` */
  databaseUrl?: string;
  /** ROUTESCOPE_DATA_DIR (PGlite's files; the API wants one either way) */
  dataDir: string;
  /** more of the API's environment (e.g. ROUTESCOPE_RATE_LIMIT_INGEST) */
  env?: Record<string, string>;
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const launched = await launchApi({
    bundle: apiBundle,
    cwd: workspaceRoot,
    keepOutput: 20_000,
    env: {
      ROUTESCOPE_DATA_DIR: options.dataDir,
      ROUTESCOPE_INGEST_TOKEN: options.tokens.ingest,
      ROUTESCOPE_READ_TOKEN: options.tokens.read,
      ROUTESCOPE_ADMIN_TOKEN: options.tokens.admin,
      ROUTESCOPE_LOG_LEVEL: 'warn',
      // never watch whatever cluster a kubeconfig on this machine points at
      ROUTESCOPE_KUBERNETES: 'off',
      ...options.env,
      DATABASE_URL: options.databaseUrl,
    },
  });
  const url = launched.url;
  return {
    url,
    tokens: options.tokens,
    process: launched.child,
    output: launched.output,
    stop: () => launched.stop().then(() => undefined),
    async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.tokens.read}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors || !response.ok) throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
      return body.data as T;
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run seed -- …` as a user runs it: node tools/seed/seed.mjs (bundles src with esbuild, then seeds). */
export function runSeedCommand(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // only what the test passes: not a token of the developer's own API
  if (!('ROUTESCOPE_INGEST_TOKEN' in env)) delete childEnv['ROUTESCOPE_INGEST_TOKEN'];
  const child = spawn(process.execPath, [join(workspaceRoot, 'tools/seed/seed.mjs'), ...args], { cwd: workspaceRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
