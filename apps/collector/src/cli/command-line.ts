import { parseArgs } from 'node:util';

export const EXIT_OK = 0;
/** findings or problems: the command ran, and what it found needs attention. */
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** Bad usage: printed as one line plus a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  name: string;
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  synopsis: string;
  summary: string;
  options: OptionSpec[];
  /** positional argument names, e.g. ['FILE|-']; the count is enforced unless the last one repeats. */
  positionals: { name: string; required: boolean; repeats?: boolean }[];
  details?: string;
}

export interface ParsedCommand {
  options: Record<string, string | undefined>;
  flags: Set<string>;
  positionals: string[];
  help: boolean;
}

export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const o of spec.options) options[o.name] = { type: o.value ? 'string' : 'boolean' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(((error as Error).message.split('\n')[0] ?? '').replace(/\. To specify.*$/, ''));
  }
  const help = parsed.values.help === true;
  const required = spec.positionals.filter((p) => p.required).length;
  if (!help && parsed.positionals.length < required) {
    throw new UsageError(`${spec.name}: missing ${spec.positionals[parsed.positionals.length].name}`);
  }
  if (parsed.positionals.length > spec.positionals.length && !spec.positionals.at(-1)?.repeats) {
    throw new UsageError(`${spec.name}: unexpected argument "${parsed.positionals[spec.positionals.length]}"`);
  }
  const values: Record<string, string | undefined> = {};
  const flags = new Set<string>();
  for (const [key, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') values[key] = value;
    else if (value === true) flags.add(key);
  }
  return { options: values, flags, positionals: parsed.positionals, help };
}

export function formatHelp(program: string, spec: CommandSpec): string {
  const width = Math.max(...spec.options.map((o) => optionLabel(o).length), 10) + 2;
  const lines = [`Usage: ${program} ${spec.synopsis}`, '', spec.summary, ''];
  if (spec.options.length > 0) {
    lines.push('Options:');
    for (const o of spec.options) lines.push(`  ${optionLabel(o).padEnd(width)}${o.description}`);
    lines.push(`  ${'-h, --help'.padEnd(width)}show this help`);
  }
  if (spec.details) lines.push('', spec.details);
  return lines.join('\n') + '\n';
}

function optionLabel(o: OptionSpec): string {
  return `--${o.name}${o.value ? ` ${o.value}` : ''}`;
}

/** `30s`, `2m`, `500ms`, `1h`, or a bare number of seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${option}: "${text}" is not a duration (examples: 500ms, 30s, 2m)`);
  const factor = { ms: 1, s: 1000, m: 60000, h: 3600000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(match[1]) * factor);
  if (ms < 100) throw new UsageError(`--${option}: ${text} is too short (at least 100ms)`);
  return ms;
}

export function parsePositiveInteger(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${option}: "${text}" is not a positive whole number`);
  return Number(text);
}

export function parsePort(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new UsageError(`--${option}: "${text}" is not a port (1-65535)`);
  return Number(text);
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A node name as Kubernetes spells it; a hostname is lowercased and cleaned to fit. */
export function toNodeName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 253);
}

export function checkNodeName(name: string, option = 'node'): string {
  if (!NODE_NAME.test(name) || name.length > 253) {
    throw new UsageError(`--${option}: "${name}" is not a valid node name (lowercase letters, digits, "-" and ".")`);
  }
  return name;
}

/** Names under /var/run/netns: no path separators, so a name cannot escape that folder. */
export function checkNetnsName(name: string): string {
  if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') throw new UsageError(`--netns: "${name}" is not a network namespace name`);
  return name;
}
