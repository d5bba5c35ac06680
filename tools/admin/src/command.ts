import type { AdminApi } from './admin-api';

export interface OptionSpec {
  name: string;
  /** placeholder of its value; a flag without one takes no value */
  value?: string;
  description: string;
}

export interface ParsedCommandLine {
  /** values of the command's own options (flags: 'true') */
  options: ReadonlyMap<string, string>;
  positionals: readonly string[];
}

export interface Output {
  json: boolean;
  /** one line (or block) for people */
  line(text: string): void;
  /** the answer as JSON, for --json */
  data(value: unknown): void;
}

/**
 * One subcommand: `parse` checks its arguments (throws UsageError, exit 2) without any I/O, so
 * it is unit-tested alone; `run` talks to the API.
 */
export interface Command<A = unknown> {
  path: readonly [string, string];
  synopsis: string;
  summary: string;
  options: readonly OptionSpec[];
  parse(line: ParsedCommandLine): A;
  run(args: A, api: AdminApi, out: Output): Promise<void>;
}

export function defineCommand<A>(command: Command<A>): Command {
  return command as unknown as Command;
}
