import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '@routescope/testing';

// `npm start -- --lab` as a user runs it: the real API (PGlite), dashboard and one collector per
// lab node, in a lab of its own prefix. A collector killed from outside comes back and the
// supervisor says so; Ctrl-C stops everything and removes the lab's namespaces.
// Root only (network namespaces); run under flock /tmp/netlab.lock (project.json's e2e does).

const ROOT = path.resolve(__dirname, '../../..');
const PREFIX = process.env.START_E2E_NETLAB_PREFIX ?? 'rss-';

function labNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.startsWith(PREFIX));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The supervisor's output, line by line, with a way to wait for a line (an event, not a sleep). */
class Output {
  readonly lines: string[] = [];
  private waiters: Array<{ pattern: RegExp; from: number; resolve(match: RegExpMatchArray): void }> = [];

  constructor(child: ChildProcess) {
    let partial = '';
    const take = (chunk: Buffer): void => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.add(line);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
  }

  /** Resolves with the first line matching `pattern` at or after line index `from`. */
  next(pattern: RegExp, from = 0): Promise<RegExpMatchArray> {
    for (let i = from; i < this.lines.length; i++) {
      const match = this.lines[i].match(pattern);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve) => this.waiters.push({ pattern, from, resolve }));
  }

  private add(line: string): void {
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      const match = line.match(waiter.pattern);
      if (match && this.lines.length - 1 >= waiter.from) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  }
}

describe('npm start -- --lab (supervisor)', () => {
  let dataDir: string;
  let start: ChildProcess | undefined;

  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('this suite builds network namespaces: run it as root');
    execFileSync(path.join(ROOT, 'tools/netlab/netlab'), ['down'], { env: { ...process.env, NETLAB_PREFIX: PREFIX } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'rs-start-e2e-'));
  });

  afterAll(() => {
    if (start && start.exitCode === null) start.kill('SIGKILL');
    execFileSync(path.join(ROOT, 'tools/netlab/netlab'), ['down'], { env: { ...process.env, NETLAB_PREFIX: PREFIX } });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a killed collector and says so, and on Ctrl-C stops everything and removes the lab it built', async () => {
    const [port, dashboardPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DASHBOARD_PORT: String(dashboardPort), HOST: '127.0.0.1', NETLAB_PREFIX: PREFIX, ROUTESCOPE_DATA_DIR: path.join(dataDir, 'data'), ROUTESCOPE_COLLECT_INTERVAL: '2s' };
    for (const name of ['DATABASE_URL', 'ROUTESCOPE_INGEST_TOKEN', 'ROUTESCOPE_READ_TOKEN']) delete env[name];
    start = spawn(process.execPath, [path.join(ROOT, 'tools/start/start.mjs'), '--lab', '--no-build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = new Output(start);
    const exited = new Promise<number | null>((resolve) => start?.once('exit', (code) => resolve(code)));

    await output.next(/^\[start\] Routescope is running/);
    expect(labNamespaces().sort()).toEqual(expect.arrayContaining([`${PREFIX}node-a`, `${PREFIX}node-b`, `${PREFIX}router`]));
    const [, firstPid] = await output.next(new RegExp(`^\\[start\\] collector ${PREFIX}node-a started \\(pid (\\d+)\\)`));
    await output.next(new RegExp(`^\\[collector ${PREFIX}node-a\\] .*posting to`));

    const mark = output.lines.length;
    process.kill(Number(firstPid), 'SIGKILL');
    await output.next(new RegExp(`^\\[start\\] collector ${PREFIX}node-a exited \\(signal SIGKILL\\); restarting in 1 s \\(restart #1\\)`), mark);
    const [, secondPid] = await output.next(new RegExp(`^\\[start\\] collector ${PREFIX}node-a started \\(pid (\\d+)\\)`), mark);
    expect(secondPid).not.toBe(firstPid);
    // the new collector runs: it announces itself again
    await output.next(new RegExp(`^\\[collector ${PREFIX}node-a\\] .*posting to`), mark);
    expect(alive(Number(secondPid))).toBe(true);
    // the other node's collector was not touched
    expect(output.lines.some((line) => line.startsWith(`[start] collector ${PREFIX}node-b exited`))).toBe(false);

    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output.lines).toContain('[start] tearing down the lab this run built (netlab down)…');
    expect(labNamespaces()).toEqual([]);
    expect(alive(Number(secondPid))).toBe(false);
  });
});
