import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { launchApi, type LaunchedApi } from '@routescope/testing';

// The built API (apps/api/dist/main.js) as a real process, for the suites that post to it,
// kill it and start it again. Not a spec.

export const repoRoot = resolve(__dirname, '../../../..');
export const apiBundle = join(repoRoot, 'apps/api/dist/main.js');
export const collectorBin = join(repoRoot, 'apps/collector/dist/routescope-collector.cjs');

export const secretToken = (name: string) => `rs_e2e_${name}_${randomBytes(12).toString('hex')}`;


export interface ApiTokens {
  ingest: string;
  read: string;
  admin: string;
}

export interface ApiProcessOptions {
  /** PostgreSQL; without it the API runs on embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  port: number;
  tokens: ApiTokens;
  env?: Record<string, string>;
}

/** One API process; `start()` again after `kill9()` or `stop()` runs a new one on the same port and data. */
export class ApiProcess {
  readonly base: string;
  private launched?: LaunchedApi;
  private earlierOutput = '';
  starts = 0;

  constructor(private readonly options: ApiProcessOptions) {
    this.base = `http://127.0.0.1:${options.port}`;
  }

  /** the output of every start so far */
  get log(): string {
    return this.earlierOutput + (this.launched?.output() ?? '');
  }

  get alive(): boolean {
    return this.launched?.alive() ?? false;
  }

  async start(): Promise<void> {
    if (this.launched) this.earlierOutput += this.launched.output();
    this.starts++;
    this.launched = await launchApi({
      bundle: apiBundle,
      cwd: repoRoot,
      port: this.options.port,
      readyPath: '/healthz',
      readyTimeoutMs: 60_000,
      env: {
        ROUTESCOPE_DATA_DIR: this.options.dataDir,
        ROUTESCOPE_INGEST_TOKEN: this.options.tokens.ingest,
        ROUTESCOPE_READ_TOKEN: this.options.tokens.read,
        ROUTESCOPE_ADMIN_TOKEN: this.options.tokens.admin,
        ROUTESCOPE_LOG_LEVEL: 'warn',
        ...this.options.env,
        DATABASE_URL: this.options.databaseUrl,
      },
    });
  }

  /** SIGKILL: no shutdown hook runs, connections and transactions are cut where they are. */
  async kill9(): Promise<void> {
    await this.launched?.kill();
  }

  async stop(): Promise<void> {
    await this.launched?.stop();
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** the body as JSON, or undefined when it is not JSON */
  json: Record<string, unknown> | undefined;
}

export async function request(url: string, init: RequestInit): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
