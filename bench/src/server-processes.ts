import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, launchApi } from '@routescope/testing';
import { log } from './measure';

// The processes a bench phase starts (built API, `next start`) and their orderly stop. The API
// starts through @routescope/testing's launchApi, the one way every suite and tool starts it.

export interface Server {
  url: string;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL to the process group, synchronously (on exit) */
  kill(): void;
}

/**
 * `command` in its own process group (so `next start`'s next-server child stops with it) on a free
 * loopback port, with a clean environment (no DATABASE_URL or ROUTESCOPE_* from ours); resolves
 * once `ready` answers 200.
 */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  o: { cwd: string; env: (port: number) => Record<string, string>; ready: string; portArgs?: (port: number) => string[] },
): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!oursOnly(key)) env[key] = value;
  const child = spawn(command, [...args, ...(o.portArgs?.(port) ?? [])], { cwd: o.cwd, env: { ...env, ...o.env(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: () => signalGroup(child, 'SIGKILL'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dashboard: the ${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output.slice(-3000)}`);
    const ok = await fetch(`${server.url}${o.ready}`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`dashboard: the ${name} was not ready within 90 s:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Settings of ours (the bench's, the developer's API) that a started server must not inherit. */
function oursOnly(key: string): boolean {
  return key.startsWith('ROUTESCOPE_') || key === 'DATABASE_URL' || key.startsWith('BENCH_');
}

/** The built API on a free loopback port with a clean environment plus `env`; ready once /readyz answers. */
export async function startApi(bundle: string, o: { cwd: string; env: Record<string, string> }): Promise<Server> {
  const api = await launchApi({ bundle, cwd: o.cwd, env: o.env, baseEnv: (key) => !oursOnly(key), keepOutput: 20_000 }).catch((error: Error) => {
    throw new Error(`dashboard: ${error.message}`, { cause: error });
  });
  return {
    url: api.url,
    output: api.output,
    stop: () => api.stop(5000).then(() => undefined),
    kill: () => {
      if (api.alive()) api.child.kill('SIGKILL');
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Undo steps run last-in first-out, each whatever the others did; killNow() is the synchronous part for exits. */
export class Cleanup {
  private readonly steps: Array<{ run: () => Promise<unknown>; kill?: () => void }> = [];
  private running?: Promise<void>;

  add(run: () => Promise<unknown>, kill?: () => void): void {
    this.steps.push({ run, kill });
  }

  killNow(): void {
    for (const step of this.steps) step.kill?.();
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          log(`dashboard: cleanup: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

