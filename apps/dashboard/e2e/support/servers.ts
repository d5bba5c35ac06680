import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';

// Real processes for the end-to-end suite: the built API (apps/api/dist/main.js) on a fresh
// PGlite data folder, and the built dashboard (`next start`). Each runs in its own process
// group (detached = setsid), so stopping the group also stops `next start`'s next-server child.

export const workspaceRoot = join(__dirname, '../../../..');
export const dashboardRoot = join(workspaceRoot, 'apps/dashboard');

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function secret(name: string): string {
  return `rs_e2e_${name}_${randomBytes(16).toString('hex')}`;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, server?: RunningServer): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server && server.process.exitCode !== null) throw new Error(`${what}: the process exited with ${server.process.exitCode}\n${server.output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${server ? `\n${server.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; url: string }): RunningServer {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    url: options.url,
    process: child,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startApi(options: { dataDir: string; ingestToken: string; readToken: string; bundle?: string }): Promise<RunningServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ROUTESCOPE_DATA_DIR: options.dataDir,
    ROUTESCOPE_INGEST_TOKEN: options.ingestToken,
    ROUTESCOPE_READ_TOKEN: options.readToken,
    ROUTESCOPE_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  const server = startGroup(process.execPath, [options.bundle ?? join(workspaceRoot, 'apps/api/dist/main.js')], { cwd: workspaceRoot, env, url: `http://127.0.0.1:${port}` });
  await waitFor('the API to be ready', async () => (await fetch(`${server.url}/readyz`)).ok, 60_000, server);
  return server;
}

export async function startDashboard(options: { apiUrl: string; readToken: string; port?: number }): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ROUTESCOPE_API_URL: options.apiUrl,
    ROUTESCOPE_READ_TOKEN: options.readToken,
  };
  const nextBin = require.resolve('next/dist/bin/next', { paths: [dashboardRoot] });
  const server = startGroup(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: dashboardRoot, env, url: `http://127.0.0.1:${port}` });
  await waitFor('the dashboard to answer', async () => (await fetch(`${server.url}/api/healthz`)).ok, 60_000, server);
  return server;
}
