import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSynthFault, POD_FAULTS, SYNTH_FAULTS, type FaultRequest } from '@routescope/synth';

/** The command line of `npm run seed`, checked: a bad value names its argument and says why. */
export interface SeedArguments {
  api: string;
  /** the ingest (or admin) token, and where it came from (for messages; never printed) */
  token: string;
  tokenSource: string;
  nodes: number;
  seed: string;
  podsPerNode: number;
  hours: number;
  intervalMs: number;
  concurrency: number;
  follow: boolean;
  /** faults to inject (none: the seeded cluster raises no finding) */
  faults: FaultRequest[];
}

export class SeedArgumentError extends Error {
  constructor(
    readonly argument: string,
    reason: string,
  ) {
    super(`${argument}: ${reason}`);
    this.name = 'SeedArgumentError';
  }
}

export const SEED_USAGE = `usage: npm run seed -- [options]

Loads a synthetic Calico cluster (libs/synth) into a running API through POST /api/v1/snapshots.

  --nodes N          nodes in the cluster (1-8000, default 1000)
  --api URL          the API (default http://127.0.0.1:4000)
  --token T          a token with the ingest scope; default $ROUTESCOPE_INGEST_TOKEN, then the
                     "ingest" entry of <$ROUTESCOPE_DATA_DIR or .routescope/data>/tokens.json
                     (written by \`npm start\` on first start)
  --hours H          hours of churn history before now (default 0: one snapshot per node, now)
  --interval D       spacing of each node's snapshots: 30s, 5m, 1h (default 5m)
  --seed S           cluster seed: the same seed gives the same cluster (default 1)
  --pods P           pods per node (0-62, default 30)
  --concurrency C    snapshots in flight (1-64, default 4)
  --faults LIST      break the cluster on purpose, e.g. proxy-arp-off:3,remote-block-route-missing:1:
                     each NAME:COUNT puts that tools/netlab fault on COUNT distinct nodes (pod
                     faults on one pod of each), raising exactly its rule. Without it the seeded
                     cluster raises no finding. Faults: ${SYNTH_FAULTS.join(', ')}
  --follow           then keep posting every node each --interval, with churn, until Ctrl-C
  --help             this text`;

const MAX_NODES = 8000;
const MAX_HOURS = 24 * 14;

/** `30s`, `5m`, `1h`, `250ms` or a plain number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

function wholeNumber(argument: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new SeedArgumentError(argument, `expected a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

const FLAGS = new Set(['--follow', '--help', '-h']);
const VALUED = new Set(['--nodes', '--api', '--token', '--hours', '--interval', '--seed', '--pods', '--concurrency', '--faults']);

/**
 * Parses `argv` (without node and the script). `env` and `cwd` locate the token when --token is
 * absent. Returns `'help'` for --help.
 */
export function parseSeedArguments(argv: readonly string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd()): SeedArguments | 'help' {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS.has(name)) {
      if (eq > 0) throw new SeedArgumentError(name, 'takes no value');
      flags.add(name);
      continue;
    }
    if (!VALUED.has(name)) throw new SeedArgumentError(arg, arg.startsWith('-') ? 'unknown option (see --help)' : 'unexpected argument (options start with --; see --help)');
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new SeedArgumentError(name, 'needs a value');
    if (values.has(name)) throw new SeedArgumentError(name, 'given twice');
    values.set(name, value);
  }
  if (flags.has('--help') || flags.has('-h')) return 'help';

  const api = (values.get('--api') ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new SeedArgumentError('--api', `not a URL: "${api}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SeedArgumentError('--api', `expected an http(s) URL, got "${api}"`);

  const hoursText = values.get('--hours') ?? '0';
  const hours = /^\d+(\.\d+)?$/.test(hoursText.trim()) ? Number(hoursText) : NaN;
  if (!(hours >= 0 && hours <= MAX_HOURS)) throw new SeedArgumentError('--hours', `expected a number of hours from 0 to ${MAX_HOURS}, got "${hoursText}"`);

  const intervalText = values.get('--interval') ?? '5m';
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === undefined) throw new SeedArgumentError('--interval', `expected a duration such as 30s, 5m or 1h, got "${intervalText}"`);
  if (intervalMs < 1000 || intervalMs > 86_400_000) throw new SeedArgumentError('--interval', `expected 1s to 24h, got "${intervalText}"`);
  if (hours * 3_600_000 / intervalMs > 10_000) {
    throw new SeedArgumentError('--interval', `${intervalText} over ${hours} h is more than 10,000 snapshots per node; use a longer interval`);
  }

  const seed = values.get('--seed') ?? '1';
  if (!/^[\w.-]{1,64}$/.test(seed)) throw new SeedArgumentError('--seed', `expected 1-64 letters, digits, '.', '_' or '-', got "${seed}"`);

  const nodes = wholeNumber('--nodes', values.get('--nodes') ?? '1000', 1, MAX_NODES);
  const podsPerNode = wholeNumber('--pods', values.get('--pods') ?? '30', 0, 62);
  const concurrency = wholeNumber('--concurrency', values.get('--concurrency') ?? '4', 1, 64);
  const faults = parseFaults(values.get('--faults'), nodes, podsPerNode);
  const { token, tokenSource } = resolveToken(values.get('--token'), env, cwd);
  return { api, token, tokenSource, nodes, seed, podsPerNode, hours, intervalMs, concurrency, follow: flags.has('--follow'), faults };
}

/** `proxy-arp-off:3,remote-block-route-missing:1`, checked against the cluster it goes into. */
export function parseFaults(text: string | undefined, nodes: number, podsPerNode: number): FaultRequest[] {
  if (text === undefined) return [];
  const faults: FaultRequest[] = [];
  for (const item of text.split(',')) {
    const m = /^\s*([\w-]+)\s*:\s*(\S*)\s*$/.exec(item);
    if (!m) throw new SeedArgumentError('--faults', `expected NAME:COUNT items separated by commas, got "${item}"`);
    const [, name, countText] = m;
    if (!isSynthFault(name)) throw new SeedArgumentError('--faults', `unknown fault "${name}"; known: ${SYNTH_FAULTS.join(', ')}`);
    const count = /^\d+$/.test(countText) ? Number(countText) : NaN;
    if (!Number.isSafeInteger(count) || count < 1) throw new SeedArgumentError('--faults', `${name}: expected a count of 1 or more, got "${countText}"`);
    if (faults.some((f) => f.fault === name)) throw new SeedArgumentError('--faults', `${name} is given twice`);
    if (POD_FAULTS.has(name) && podsPerNode === 0) throw new SeedArgumentError('--faults', `${name} breaks a pod, and --pods is 0`);
    faults.push({ fault: name, count });
  }
  const needed = faults.reduce((sum, f) => sum + (f.fault === 'duplicate-pod-ip' ? 2 * f.count : f.count), 0);
  if (needed > nodes) throw new SeedArgumentError('--faults', `needs ${needed} distinct nodes (duplicate-pod-ip takes 2 each), and --nodes is ${nodes}`);
  return faults;
}

function resolveToken(given: string | undefined, env: Record<string, string | undefined>, cwd: string): { token: string; tokenSource: string } {
  const check = (token: string, source: string, argument: string) => {
    if (token.trim().length < 16) throw new SeedArgumentError(argument, `the token from ${source} is shorter than 16 characters; the API accepts none such`);
    return { token: token.trim(), tokenSource: source };
  };
  if (given !== undefined) return check(given, '--token', '--token');
  if (env['ROUTESCOPE_INGEST_TOKEN']) return check(env['ROUTESCOPE_INGEST_TOKEN'], '$ROUTESCOPE_INGEST_TOKEN', '--token');
  const file = resolve(cwd, env['ROUTESCOPE_DATA_DIR'] || '.routescope/data', 'tokens.json');
  if (!existsSync(file)) {
    throw new SeedArgumentError('--token', `missing: pass --token, set $ROUTESCOPE_INGEST_TOKEN, or start the API once with \`npm start\` so that it writes ${file}`);
  }
  let entry: unknown;
  try {
    entry = (JSON.parse(readFileSync(file, 'utf8')) as { ingest?: unknown }).ingest;
  } catch (error) {
    throw new SeedArgumentError('--token', `missing, and ${file} cannot be read: ${(error as Error).message}`);
  }
  if (typeof entry !== 'string') throw new SeedArgumentError('--token', `missing, and ${file} has no "ingest" entry`);
  return check(entry, file, '--token');
}
