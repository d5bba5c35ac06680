import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import WebSocket from 'ws';
import type { ApiSample } from './soak-stats';
import { freePort } from '@routescope/testing';

// The API under soak: the built bundle (apps/api/dist/main.js) as its own process on a fresh
// PostgreSQL database, spoken to over HTTP only (tools never import apps/). Its memory is read
// through the V8 inspector, which the soak opens on 127.0.0.1 for this process only: a full GC
// (HeapProfiler.collectGarbage), then process.memoryUsage() evaluated inside the API. No debug
// endpoint exists in the product for this, so nothing of it ships.

export interface ApiTokens {
  ingest: string;
  read: string;
  admin: string;
}

export interface SoakApi {
  url: string;
  tokens: ApiTokens;
  pid: number;
  /** a full GC in the API, then its memory and CPU time */
  sampleAfterGc(): Promise<ApiSample>;
  /** the last 20 kB of its output */
  output(): string;
  /** whether the process is still running */
  alive(): boolean;
  stop(): Promise<void>;
}

export interface SoakDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new `rs_soak_<random>` database on the server at `serverUrl` (the API migrates it at start). */
export async function createDatabase(serverUrl: string): Promise<SoakDatabase> {
  const name = `rs_soak_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

export async function startApi(bundle: string, databaseUrl: string, cwd: string): Promise<SoakApi> {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npx nx run api:build\` first`);
  const port = await freePort();
  const tokens: ApiTokens = { ingest: token('ingest'), read: token('read'), admin: token('admin') };
  // PGlite is not used (DATABASE_URL is set), but the API wants a data folder either way.
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-soak-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    ROUTESCOPE_DATA_DIR: dataDir,
    ROUTESCOPE_INGEST_TOKEN: tokens.ingest,
    ROUTESCOPE_READ_TOKEN: tokens.read,
    ROUTESCOPE_ADMIN_TOKEN: tokens.admin,
    ROUTESCOPE_LOG_LEVEL: 'warn',
    ROUTESCOPE_KUBERNETES: 'off',
    NODE_ENV: 'production',
  };
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', bundle], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let inspectorUrl: string | undefined;
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
    inspectorUrl ??= /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(log)?.[1];
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    inspector?.close();
    if (alive()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let inspector: Inspector | undefined;
  try {
    await waitFor('the API to be ready', child, () => log, async () => inspectorUrl !== undefined && (await fetch(`${url}/readyz`)).ok);
    inspector = await Inspector.connect(inspectorUrl as string);
  } catch (error) {
    await stop();
    throw error;
  }
  const connected = inspector;
  return {
    url,
    tokens,
    pid: child.pid as number,
    sampleAfterGc: () => connected.sampleAfterGc(),
    output: () => log,
    alive,
    stop,
  };
}

function token(scope: string): string {
  return `rs_soak_${scope}_${randomBytes(16).toString('hex')}`;
}

async function waitFor(what: string, child: ChildProcess, output: () => string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what}: the API exited with ${child.exitCode}\n${output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A minimal Chrome DevTools Protocol client: request/response by id, events ignored. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`inspector: ${message.error.message}`));
      else waiter?.resolve(message.result);
    });
    socket.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('inspector: connection closed (did the API exit?)'));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new Inspector(socket)));
      socket.once('error', reject);
    });
  }

  private send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async sampleAfterGc(): Promise<ApiSample> {
    await this.send('HeapProfiler.collectGarbage');
    const answer = await this.send<{ result: { value?: string }; exceptionDetails?: unknown }>('Runtime.evaluate', {
      expression: 'JSON.stringify({ memory: process.memoryUsage(), cpu: process.cpuUsage() })',
      returnByValue: true,
    });
    if (answer.exceptionDetails || typeof answer.result.value !== 'string') throw new Error(`inspector: process.memoryUsage() failed: ${JSON.stringify(answer)}`);
    const { memory, cpu } = JSON.parse(answer.result.value) as { memory: Omit<ApiSample, 'cpuMicros'>; cpu: { user: number; system: number } };
    return { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, cpuMicros: cpu.user + cpu.system };
  }

  close(): void {
    this.socket.close();
  }
}
