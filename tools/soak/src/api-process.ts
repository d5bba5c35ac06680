import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ApiSample } from './soak-stats';
import { launchApi, type LaunchedApi } from '@routescope/testing';

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

export async function startApi(bundle: string, databaseUrl: string, cwd: string): Promise<SoakApi> {
  const tokens: ApiTokens = { ingest: token('ingest'), read: token('read'), admin: token('admin') };
  // PGlite is not used (DATABASE_URL is set), but the API wants a data folder either way.
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-soak-'));
  let inspectorUrl: string | undefined;
  let heard = '';
  let launched: LaunchedApi;
  try {
    launched = await launchApi({
      bundle,
      cwd,
      // the API's V8 flags as its image has them (deploy/api/Dockerfile CMD), and the inspector
      nodeArgs: ['--max-semi-space-size=32', '--inspect=127.0.0.1:0'],
      keepOutput: 20_000,
      readyTimeoutMs: 120_000,
      // the inspector announces itself on stderr before the API listens (maybe split over chunks)
      onOutput: (chunk) => {
        if (inspectorUrl) return;
        heard += chunk;
        inspectorUrl = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(heard)?.[1];
      },
      alsoReady: () => inspectorUrl !== undefined,
      env: {
        DATABASE_URL: databaseUrl,
        ROUTESCOPE_DATA_DIR: dataDir,
        ROUTESCOPE_INGEST_TOKEN: tokens.ingest,
        ROUTESCOPE_READ_TOKEN: tokens.read,
        ROUTESCOPE_ADMIN_TOKEN: tokens.admin,
        ROUTESCOPE_LOG_LEVEL: 'warn',
        ROUTESCOPE_KUBERNETES: 'off',
        NODE_ENV: 'production',
      },
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let inspector: Inspector | undefined;
  const stop = async () => {
    inspector?.close();
    await launched.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    inspector = await Inspector.connect(inspectorUrl as string);
  } catch (error) {
    await stop();
    throw error;
  }
  const connected = inspector;
  return {
    url: launched.url,
    tokens,
    pid: launched.pid,
    sampleAfterGc: () => connected.sampleAfterGc(),
    output: launched.output,
    alive: launched.alive,
    stop,
  };
}

function token(scope: string): string {
  return `rs_soak_${scope}_${randomBytes(16).toString('hex')}`;
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
