import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './ports';
import { until } from './until';

// The one way tests, e2e suites, the soak and the bench start the API as a process: the built
// bundle (apps/api/dist/main.js, `npx nx run api:build`) with an environment, ready once it
// answers /readyz (or /healthz) before a deadline, its output kept, stopped with SIGTERM and
// then SIGKILL, its exit reported. Tools never import apps/: they only spawn and speak HTTP.

/** The workspace root (the folder holding nx.json) above `from`. */
export function workspaceRootAbove(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${from}: cannot find the workspace`);
  }
}

/** The built API bundle; ROUTESCOPE_E2E_API_BUNDLE overrides it (e.g. to run a release build). */
export function builtApiBundle(): string {
  return process.env['ROUTESCOPE_E2E_API_BUNDLE'] ?? join(workspaceRootAbove(__dirname), 'apps/api/dist/main.js');
}

export interface LaunchApiOptions {
  /** default: builtApiBundle() */
  bundle?: string;
  /** set on top of the base environment; `undefined` removes a key (e.g. DATABASE_URL for PGlite) */
  env: Record<string, string | undefined>;
  /**
   * The environment `env` is laid over: ours by default; 'path-only' for a process that must see
   * nothing of the developer's settings; a function to filter ours (e.g. drop ROUTESCOPE_*).
   */
  baseEnv?: 'inherit' | 'path-only' | ((key: string) => boolean);
  /** node options before the bundle (e.g. --inspect=127.0.0.1:0) */
  nodeArgs?: string[];
  cwd?: string;
  /** default: a free port; PORT and HOST=127.0.0.1 are set from it */
  port?: number;
  /** what "ready" is: /readyz (database and Redis answer) unless a test wants a half-broken API up */
  readyPath?: '/readyz' | '/healthz';
  /** more to wait for before the API counts as ready (e.g. the inspector URL in its output) */
  alsoReady?: () => boolean;
  readyTimeoutMs?: number;
  /** characters of output kept (the tail); everything by default */
  keepOutput?: number;
  /** every chunk of output as it arrives */
  onOutput?: (chunk: string) => void;
}

export interface ApiExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** SIGTERM was not enough: the process was killed after the grace period */
  forced: boolean;
}

export interface LaunchedApi {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** its stdout and stderr, interleaved as they arrived */
  output(): string;
  alive(): boolean;
  /** resolves when the process has exited, however */
  exited: Promise<ApiExit>;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`; resolves with the exit */
  stop(graceMs?: number): Promise<ApiExit>;
  /** SIGKILL: no shutdown hook runs, connections and transactions are cut where they are */
  kill(): Promise<ApiExit>;
}

// A plain record, not NodeJS.ProcessEnv: Next's types (the dashboard's e2e compile this file) make NODE_ENV required there.
function environment(options: LaunchApiOptions, port: number): NodeJS.ProcessEnv {
  const base = options.baseEnv ?? 'inherit';
  const env: Record<string, string | undefined> = {};
  if (base === 'path-only') env['PATH'] = process.env['PATH'] ?? '';
  else for (const [key, value] of Object.entries(process.env)) if (base === 'inherit' || base(key)) env[key] = value;
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1' });
  for (const [key, value] of Object.entries(options.env)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env as NodeJS.ProcessEnv;
}

/** Starts the API and resolves once it is ready; on failure it is stopped and the error carries its output. */
export async function launchApi(options: LaunchApiOptions): Promise<LaunchedApi> {
  const bundle = options.bundle ?? builtApiBundle();
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npx nx run api:build\` first`);
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bundle], {
    cwd: options.cwd ?? workspaceRootAbove(__dirname),
    env: environment(options, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (data: Buffer) => {
    const chunk = data.toString();
    log += chunk;
    if (options.keepOutput !== undefined && log.length > options.keepOutput) log = log.slice(-options.keepOutput);
    options.onOutput?.(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let forced = false;
  const exited = new Promise<ApiExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, forced })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const signalled = async (signal: NodeJS.Signals, graceMs?: number): Promise<ApiExit> => {
    if (alive()) child.kill(signal);
    const timer =
      graceMs === undefined
        ? undefined
        : setTimeout(() => {
            forced = true;
            child.kill('SIGKILL');
          }, graceMs);
    const exit = await exited;
    clearTimeout(timer);
    return { ...exit, forced };
  };
  const url = `http://127.0.0.1:${port}`;
  const api: LaunchedApi = {
    url,
    port,
    pid: child.pid as number,
    child,
    output: () => log,
    alive,
    exited,
    stop: (graceMs = 10_000) => signalled('SIGTERM', graceMs),
    kill: () => signalled('SIGKILL'),
  };
  const readyPath = options.readyPath ?? '/readyz';
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  let exitedEarly: string | undefined;
  try {
    await until(
      `the API to answer ${readyPath}`,
      async () => {
        if (!alive()) {
          exitedEarly = `the API exited (${child.exitCode ?? child.signalCode}) before it was ready`;
          return exitedEarly;
        }
        const ok = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok);
        return ok && (options.alsoReady?.() ?? true) ? 'ready' : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    await api.stop(5000);
    throw new Error(`${(error as Error).message}\n${log.slice(-4000)}`, { cause: error });
  }
  if (exitedEarly) throw new Error(`${exitedEarly}:\n${log.slice(-4000)}`);
  return api;
}

/**
 * Resolves once the API's checks have evaluated every state it took in (/metrics
 * `routescope_checks_evaluating 0`): ingest answers before the checks run, so a test that reads
 * findings after seeding waits for this, not for a quiet period.
 */
export async function untilChecksIdle(apiUrl: string, timeoutMs = 60_000): Promise<void> {
  let last = 'no answer';
  await until(
    'the checks to evaluate every state taken in',
    async () => {
      const text = await (await fetch(`${apiUrl}/metrics`)).text();
      last = /^routescope_checks_evaluating (\S+)$/m.exec(text)?.[1] ?? 'absent';
      return last === '0' ? true : undefined;
    },
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (routescope_checks_evaluating: ${last})`, { cause: error });
  });
}
