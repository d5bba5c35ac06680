import { readFile } from 'node:fs/promises';
import { AdminApi } from './admin-api';
import { parseAdminArguments, usage } from './admin-arguments';
import { CommandError, EXIT_FAILED, EXIT_OK, UsageError } from './admin-errors';
import type { Output } from './command';
import { COMMANDS } from './commands';

export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs one command line; every failure is one line on stderr, `routescope-admin: …`, and its exit code. */
export async function runAdminCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: AdminIo): Promise<number> {
  try {
    const line = parseAdminArguments(argv, COMMANDS, env);
    if (line.help || !line.command || !line.token) {
      io.stdout(`${usage(COMMANDS, line.command)}\n`);
      return EXIT_OK;
    }
    const token =
      'value' in line.token
        ? line.token.value
        : (
            await readFile(line.token.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
              throw new UsageError(`--token-file: cannot read ${line.token && 'file' in line.token ? line.token.file : ''} (${error.code ?? error.message})`);
            })
          ).trim();
    if (!token) throw new UsageError('--token-file: the file is empty');
    const out: Output = {
      json: line.json,
      line: (text) => io.stdout(`${text}\n`),
      data: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    };
    await line.command.run(line.args, new AdminApi(line.server, token), out);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CommandError) {
      io.stderr(`routescope-admin: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`routescope-admin: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
}
