import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { until } from '@routescope/testing';

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
  private child?: ChildProcess;
  private output = '';
  starts = 0;

  constructor(private readonly options: ApiProcessOptions) {
    this.base = `http://127.0.0.1:${options.port}`;
  }

  get log(): string {
    return this.output;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.options.port),
      HOST: '127.0.0.1',
      ROUTESCOPE_DATA_DIR: this.options.dataDir,
      ROUTESCOPE_INGEST_TOKEN: this.options.tokens.ingest,
      ROUTESCOPE_READ_TOKEN: this.options.tokens.read,
      ROUTESCOPE_ADMIN_TOKEN: this.options.tokens.admin,
      ROUTESCOPE_LOG_LEVEL: 'warn',
      ...this.options.env,
    };
    delete env.DATABASE_URL;
    if (this.options.databaseUrl) env.DATABASE_URL = this.options.databaseUrl;
    const child = spawn(process.execPath, [apiBundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    child.stdout!.on('data', (d: Buffer) => (this.output += d));
    child.stderr!.on('data', (d: Buffer) => (this.output += d));
    await until('the API to answer /healthz', async () => {
      if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${this.output}`);
      return (await fetch(`${this.base}/healthz`)).ok ? true : undefined;
    }, 60000).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.output.slice(-4000)}`);
    });
  }

  /** SIGKILL: no shutdown hook runs, connections and transactions are cut where they are. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
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
