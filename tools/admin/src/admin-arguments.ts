import { UsageError } from './admin-errors';
import type { Command, OptionSpec } from './command';

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'server', value: 'URL', description: 'the API (default $ROUTESCOPE_SERVER, then http://127.0.0.1:4000)' },
  { name: 'token', value: 'T', description: 'an admin token (or --token-file, or $ROUTESCOPE_TOKEN)' },
  { name: 'token-file', value: 'FILE', description: 'read the admin token from FILE (a mounted Secret)' },
  { name: 'json', description: 'print the answer as JSON' },
  { name: 'help', description: 'this text' },
];

export interface AdminCommandLine {
  command?: Command;
  args?: unknown;
  help: boolean;
  json: boolean;
  server: string;
  /** the token itself, or where to read it */
  token?: { value: string } | { file: string };
}

/**
 * `routescope-admin <group> <command> [positionals] [--option value]…`, checked without I/O: every
 * mistake is a UsageError (exit 2) naming the argument.
 */
export function parseAdminArguments(argv: readonly string[], commands: readonly Command[], env: Readonly<Record<string, string | undefined>>): AdminCommandLine {
  const words: string[] = [];
  const values = new Map<string, string>();
  let i = 0;
  // The command's words come first, so that its own options are known while parsing the rest.
  while (i < argv.length && !argv[i].startsWith('-') && words.length < 2) words.push(argv[i++]);
  const help = argv.includes('--help') || argv.includes('-h');
  const command = commands.find((c) => c.path[0] === words[0] && c.path[1] === words[1]);
  if (!command) {
    if (help || words.length === 0) return { help: true, json: false, server: defaultServer(env) };
    const group = commands.filter((c) => c.path[0] === words[0]);
    if (group.length === 0) throw new UsageError(`unknown command "${words[0]}" (try: ${[...new Set(commands.map((c) => c.path[0]))].join(', ')})`);
    throw new UsageError(`unknown command "${words.join(' ')}" (try: ${group.map((c) => c.path.join(' ')).join(', ')})`);
  }
  const known = [...GLOBAL_OPTIONS, ...command.options];
  const positionals: string[] = [];
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') continue;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const spec = known.find((o) => o.name === name);
    if (!spec) throw new UsageError(`unknown option --${name} for "${command.path.join(' ')}"`);
    if (values.has(name)) throw new UsageError(`--${name}: given twice`);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`--${name}: takes no value`);
      values.set(name, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name}: missing its value (${spec.value})`);
    values.set(name, value);
  }
  if (help) return { command, help: true, json: false, server: defaultServer(env) };

  const server = (values.get('server') ?? defaultServer(env)).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(server)) throw new UsageError(`--server: "${server}" is not an http(s) URL`);
  if (values.has('token') && values.has('token-file')) throw new UsageError('--token and --token-file: give one of them');
  const tokenFile = values.get('token-file');
  const tokenValue = values.get('token') ?? (tokenFile ? undefined : env['ROUTESCOPE_TOKEN']);
  const token = tokenFile ? { file: tokenFile } : tokenValue ? { value: tokenValue.trim() } : undefined;
  if (!token) throw new UsageError('an admin token is required: --token T, --token-file FILE or $ROUTESCOPE_TOKEN');

  const own = new Map([...values].filter(([name]) => !GLOBAL_OPTIONS.some((g) => g.name === name)));
  const args = command.parse({ options: own, positionals });
  return { command, args, help: false, json: values.has('json'), server, token };
}

function defaultServer(env: Readonly<Record<string, string | undefined>>): string {
  return env['ROUTESCOPE_SERVER'] || 'http://127.0.0.1:4000';
}

/** Exactly `count` positionals, named for the message. */
export function positionals(line: { positionals: readonly string[] }, names: readonly string[]): string[] {
  if (line.positionals.length < names.length) throw new UsageError(`${names[line.positionals.length]}: missing`);
  if (line.positionals.length > names.length) throw new UsageError(`unexpected argument "${line.positionals[names.length]}"`);
  return [...line.positionals];
}

export function requiredOption(line: { options: ReadonlyMap<string, string> }, name: string): string {
  const value = line.options.get(name);
  if (value === undefined || value === '') throw new UsageError(`--${name}: missing`);
  return value;
}

/** An ISO 8601 instant with its zone (2026-12-06T09:00:00Z), as the API's DateTime wants it. */
export function instant(argument: string, text: string): Date {
  const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text);
  const date = new Date(text);
  if (!valid || Number.isNaN(date.getTime())) throw new UsageError(`${argument}: "${text}" is not an ISO 8601 date-time with a zone, e.g. 2026-12-06T09:00:00Z`);
  return date;
}

export function usage(commands: readonly Command[], command?: Command): string {
  const options = (list: readonly OptionSpec[]) => list.map((o) => `  --${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(28) + o.description).join('\n');
  if (command) {
    return `usage: routescope-admin ${command.synopsis}\n\n${command.summary}\n${command.options.length > 0 ? `\n${options(command.options)}\n` : ''}\ncommon options:\n${options(GLOBAL_OPTIONS)}\n\nexit codes: 0 done, 1 the API refused or is unreachable, 2 wrong command line`;
  }
  return `usage: routescope-admin <command> [options]\n\n${commands.map((c) => `  ${c.synopsis}\n      ${c.summary}`).join('\n')}\n\ncommon options:\n${options(GLOBAL_OPTIONS)}\n\nexit codes: 0 done, 1 the API refused or is unreachable, 2 wrong command line`;
}
