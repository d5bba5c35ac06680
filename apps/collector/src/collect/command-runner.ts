import { execFile } from 'node:child_process';

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

/** Runs a program without a shell; a non-zero exit is a result, not an exception. */
export function runCommand(program: string, args: readonly string[], timeoutMs = 15000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new MissingProgramError(program));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}
