import { spawn, type ChildProcess } from 'node:child_process';

/** Most bytes kept of a probe process's output (tcpdump of ≤ 200 frames prints ~30 KiB). */
export const MAX_PROCESS_OUTPUT = 64 * 1024;

export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** exit code, or null when ended by a signal */
  code: number | null;
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
        if (this.child.pid === undefined) finish(null);
      });
      const finish = (code: number | null) => {
        if (this.done) return;
        this.done = true;
        for (const watcher of this.stderrWatchers) watcher.resolve();
        resolve({ stdout: this.stdout, stderr: this.stderr, code, missing, truncated: this.truncated });
      };
      this.child.on('close', (code) => finish(code));
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

  async stop(): Promise<ProcessOutcome> {
    if (!this.done) {
      this.child.kill('SIGINT');
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 1000);
      await this.exited;
      clearTimeout(kill);
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
