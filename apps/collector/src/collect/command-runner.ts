import { spawnSync } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** exit code; null when the process was killed (e.g. by the timeout). */
  code: number | null;
}

export class MissingProgramError extends Error {
  constructor(readonly program: string) {
    super(`${program} is not installed or not on PATH (the collector needs iproute2 and util-linux)`);
  }
}

/**
 * Runs a program without a shell; a non-zero exit is a result, not an exception. `input`, when
 * given, is written to the program's standard input (e.g. the commands of `ip -batch -`).
 *
 * Synchronous on purpose: every command is short (a few ms), the collector has nothing else
 * to do meanwhile, and a synchronous spawn costs about a third less CPU than an asynchronous
 * one (no ChildProcess, stream and pipe objects), which adds up over the ~3 commands per
 * namespace of every snapshot. The promise keeps callers independent of that choice.
 */
export function runCommand(program: string, args: readonly string[], input?: string, timeoutMs = 15000): Promise<CommandResult> {
  const result = spawnSync(program, args, {
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.reject(new MissingProgramError(program));
  // Killed (the timeout, too much output) or not started: no exit code, like a process killed by a signal.
  return Promise.resolve({ stdout: result.stdout ?? '', stderr: result.stderr ?? '', code: result.error ? null : result.status });
}
