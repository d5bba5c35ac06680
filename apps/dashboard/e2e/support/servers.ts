import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, launchApi, until } from '@routescope/testing';

// Real processes for the end-to-end suite: the built API (apps/api/dist/main.js) on a fresh
// PGlite data folder, and the built dashboard (`next start`). The dashboard runs in its own
// process group (detached = setsid), so stopping the group also stops its next-server child.

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

/** The built API on a fresh PGlite folder (@routescope/testing's launchApi: the one way suites start it). */
export async function startApi(options: { dataDir: string; ingestToken: string; readToken: string; adminToken: string; bundle?: string }): Promise<RunningServer> {
  const api = await launchApi({
    bundle: options.bundle,
    cwd: workspaceRoot,
    keepOutput: 20_000,
    readyTimeoutMs: 60_000,
    env: {
      ROUTESCOPE_DATA_DIR: options.dataDir,
      ROUTESCOPE_INGEST_TOKEN: options.ingestToken,
      ROUTESCOPE_READ_TOKEN: options.readToken,
      ROUTESCOPE_ADMIN_TOKEN: options.adminToken,
      ROUTESCOPE_LOG_LEVEL: 'warn',
      DATABASE_URL: undefined,
    },
  });
  return { url: api.url, process: api.child, output: api.output, stop: () => api.stop(5000).then(() => undefined) };
}

export interface DashboardOptions {
  apiUrl: string;
  /** trust this header from an authenticating proxy, and call the API with `readToken` for requests that carry it */
  trustedHeader?: string;
  readToken?: string;
  port?: number;
}

/** The built dashboard; without `trustedHeader` it holds no token: every user signs in. */
export async function startDashboard(options: DashboardOptions): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ROUTESCOPE_API_URL: options.apiUrl,
  };
  delete env.ROUTESCOPE_READ_TOKEN;
  delete env.ROUTESCOPE_DASHBOARD_TRUSTED_HEADER;
  if (options.trustedHeader) env.ROUTESCOPE_DASHBOARD_TRUSTED_HEADER = options.trustedHeader;
  if (options.readToken) env.ROUTESCOPE_READ_TOKEN = options.readToken;
  const nextBin = require.resolve('next/dist/bin/next', { paths: [dashboardRoot] });
  const server = startGroup(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: dashboardRoot, env, url: `http://127.0.0.1:${port}` });
  await until('the dashboard to answer /api/healthz', async () => {
    if (server.process.exitCode !== null) throw new Error(`the dashboard exited with ${server.process.exitCode}\n${server.output()}`);
    return (await fetch(`${server.url}/api/healthz`)).ok ? true : undefined;
  }, 60_000).catch(async (error: Error) => {
    await server.stop();
    throw new Error(`${error.message}\n${server.output()}`, { cause: error });
  });
  return server;
}

export interface SessionCookie {
  name: string;
  value: string;
  expires: number;
  httpOnly: boolean;
  sameSite: string;
  secure: boolean;
}

/** Signs in through the sign-in form's target (POST /api/session) and returns the session cookie it sets. */
export async function signIn(dashboardUrl: string, token: string): Promise<SessionCookie> {
  const response = await fetch(`${dashboardUrl}/api/session`, { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  const header = response.headers.get('set-cookie');
  if (response.status !== 303 || !header) throw new Error(`sign-in answered ${response.status} ${response.headers.get('location') ?? ''} without a session cookie`);
  const [pair, ...attributes] = header.split(';').map((p) => p.trim());
  const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
  const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(key.toLowerCase()));
  const maxAge = Number(attribute('max-age=')?.split('=')[1] ?? 0);
  return {
    name,
    value,
    expires: Math.floor(Date.now() / 1000) + maxAge,
    httpOnly: Boolean(attribute('httponly')),
    sameSite: attribute('samesite=')?.split('=')[1] ?? '',
    secure: Boolean(attribute('secure')),
  };
}
