import { spawn, type ChildProcess } from 'node:child_process';

/** Most bytes kept of a probe process's output (tcpdump of ≤ 200 frames prints ~30 KiB). */
export const MAX_PROCESS_OUTPUT = 64 * 1024;

export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** exit code, or null when ended by a signal (or abandoned: see `abandoned`) */
  code: number | null;
  /** it could not be stopped (a signal refused: it runs as another user) and was left behind, its pipes closed */
  abandoned?: boolean;
  /** the program could not be started (ENOENT: not installed) */
  missing: boolean;
  /** output beyond MAX_PROCESS_OUTPUT was dropped */
  truncated: boolean;
}

/**
 * A probe's long-running helper (tcpdump, ping, arping), spawned without a shell from an
 * argument array, with bounded output. `stop()` asks it to finish (SIGINT: tcpdump flushes and
 * prints its counts) and kills it if it does not within a second.
 */
export class BoundedProcess {
  readonly exited: Promise<ProcessOutcome>;
  private readonly child: ChildProcess;
  private finish!: (code: number | null, abandoned?: boolean) => void;
  private stdout = '';
  private stderr = '';
  private truncated = false;
  private done = false;
  private readonly stderrWatchers: Array<{ pattern: RegExp; resolve: () => void }> = [];

  constructor(argv: readonly string[], onStdout?: (chunk: string) => void) {
    const [program, ...args] = argv;
    this.child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout = this.keep(this.stdout, chunk);
      onStdout?.(chunk);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = this.keep(this.stderr, chunk);
      for (const watcher of this.stderrWatchers.filter((w) => w.pattern.test(this.stderr))) watcher.resolve();
    });
    this.exited = new Promise((resolve) => {
      let missing = false;
      this.child.on('error', (error: NodeJS.ErrnoException) => {
        missing = error.code === 'ENOENT';
        if (this.child.pid === undefined) this.finish(null);
      });
      this.finish = (code: number | null, abandoned = false) => {
        if (this.done) return;
        this.done = true;
        for (const watcher of this.stderrWatchers) watcher.resolve();
        resolve({ stdout: this.stdout, stderr: this.stderr, code, missing, truncated: this.truncated, ...(abandoned ? { abandoned } : {}) });
      };
      this.child.on('close', (code) => this.finish(code));
    });
  }

  get running(): boolean {
    return !this.done;
  }

  /** what it printed on stderr so far */
  get errorOutput(): string {
    return this.stderr;
  }

  /** Resolves once stderr matches `pattern`, or the process ended (check `running`). */
  stderrMatches(pattern: RegExp): Promise<void> {
    if (this.done || pattern.test(this.stderr)) return Promise.resolve();
    return new Promise((resolve) => this.stderrWatchers.push({ pattern, resolve }));
  }

  /**
   * SIGINT, then SIGKILL after a second. A process that changed to another user (tcpdump drops
   * to its own user unless told `-Z root`) refuses both without CAP_KILL: after another second its
   * pipes are closed (it dies of SIGPIPE at its next write) and it is left behind, never waited for.
   */
  async stop(): Promise<ProcessOutcome> {
    if (!this.done) {
      this.child.kill('SIGINT');
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 1000);
      const abandon = setTimeout(() => {
        this.child.stdout?.destroy();
        this.child.stderr?.destroy();
        this.child.unref();
        this.finish(null, true);
      }, 2000);
      await this.exited;
      clearTimeout(kill);
      clearTimeout(abandon);
    }
    return this.exited;
  }

  private keep(kept: string, chunk: string): string {
    if (kept.length >= MAX_PROCESS_OUTPUT) {
      this.truncated = true;
      return kept;
    }
    if (kept.length + chunk.length > MAX_PROCESS_OUTPUT) this.truncated = true;
    return kept + chunk.slice(0, MAX_PROCESS_OUTPUT - kept.length);
  }
}
