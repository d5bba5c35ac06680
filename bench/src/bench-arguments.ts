import type { DatabaseKind } from './api-under-test';
import { QUERY_NAMES } from './query-bench';

// `npm run bench -- …`: the options, parsed strictly. A full run takes about an hour and loads the
// machine, so anything the harness does not understand (`--help`, a typo, `--only storage` without
// its `=`) stops it with the usage before a phase starts instead of starting the full run.

export const PHASES = ['ceiling', 'ingest', 'storage', 'queries', 'git-baseline', 'retention', 'probes', 'replicas', 'collector', 'dashboard'] as const;
export type Phase = (typeof PHASES)[number];
const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

export interface BenchSettings {
  quick: boolean;
  /** the phases to run (all when undefined) */
  only?: ReadonlySet<Phase>;
  kinds: DatabaseKind[];
  /** the simulated period of the storage phase (default: 0.25 quick, 24 PostgreSQL, 6 PGlite) */
  storageHours?: number;
  /** the size of the generated history the queries phase reads */
  historyNodes?: number;
  historyDays?: number;
  /** reuse a history database an earlier run kept instead of generating one */
  historyUrl?: string;
  keepHistory: boolean;
  /** prefixes of the query names to time (all when undefined) */
  queries?: string[];
}

export class BenchArgumentError extends Error {}

export const BENCH_USAGE = `usage: npm run bench [-- OPTIONS]

Runs every phase on PostgreSQL and PGlite (about an hour, the machine otherwise idle) and writes
bench/results.json and its table; docs/scaling.md reads the figures.

  --quick                 small sizes: proves the harness end to end in about a minute (CI runs it)
  --only=PHASE,…          only these phases: ${PHASES.join(', ')}
  --databases=KIND,…      postgres, pglite (default both; queries and replicas need postgres)
  --storage-hours=H       simulated period of the storage phase (default 24 on PostgreSQL, 6 on PGlite)
  --history-nodes=N       nodes of the history the queries phase generates (default 1000; quick 20)
  --history-days=D        days of that history (default 90; quick 2)
  --history-url=URL       read a history an earlier run kept (default $BENCH_HISTORY_URL) instead of generating one
  --keep-history          keep the generated history database and print its URL
  --queries=PREFIX,…      only the queries whose names start with these: ${QUERY_NAMES.join('; ')}
  --help                  this text`;

const FLAGS = new Set(['--quick', '--keep-history']);
const VALUED = new Set(['--only', '--databases', '--storage-hours', '--history-nodes', '--history-days', '--history-url', '--queries']);

/** The settings `argv` asks for, 'help' for --help, or a BenchArgumentError naming the argument and why. */
export function parseBenchArguments(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): BenchSettings | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (FLAGS.has(name)) {
      if (eq >= 0) throw new BenchArgumentError(`${name} takes no value`);
      flags.add(name);
    } else if (VALUED.has(name)) {
      if (eq < 0) throw new BenchArgumentError(`${name} needs a value: ${name}=…`);
      if (values.has(name)) throw new BenchArgumentError(`${name} is given twice`);
      values.set(name, arg.slice(eq + 1));
    } else {
      throw new BenchArgumentError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  const onlyValue = values.get('--only');
  const databasesValue = values.get('--databases');
  const only = onlyValue === undefined ? undefined : listOf('--only', onlyValue, PHASES);
  const kinds = databasesValue === undefined ? [...DATABASE_KINDS] : listOf('--databases', databasesValue, DATABASE_KINDS);
  const needPostgres = (only ?? []).filter((phase) => phase === 'queries' || phase === 'replicas');
  if (needPostgres.length > 0 && !kinds.includes('postgres')) throw new BenchArgumentError(`--only=${needPostgres.join(',')} runs on PostgreSQL only: add postgres to --databases`);
  const queries = values.get('--queries')?.split(',');
  for (const prefix of queries ?? []) {
    if (!prefix || !QUERY_NAMES.some((name) => name.startsWith(prefix))) throw new BenchArgumentError(`--queries: no query's name starts with ${JSON.stringify(prefix)} (${QUERY_NAMES.join('; ')})`);
  }
  const historyUrl = values.get('--history-url') ?? env['BENCH_HISTORY_URL'];
  if (historyUrl !== undefined && !/^postgres(ql)?:\/\//.test(historyUrl)) throw new BenchArgumentError(`--history-url: ${JSON.stringify(historyUrl)} is not a postgresql:// URL`);
  if (historyUrl !== undefined && (values.has('--history-nodes') || values.has('--history-days'))) {
    throw new BenchArgumentError('--history-nodes and --history-days size a generated history: a history read through --history-url (or $BENCH_HISTORY_URL) has its own size');
  }
  return {
    quick: flags.has('--quick'),
    only: only ? new Set(only) : undefined,
    kinds,
    storageHours: positive('--storage-hours', values.get('--storage-hours'), false),
    historyNodes: positive('--history-nodes', values.get('--history-nodes'), true),
    historyDays: positive('--history-days', values.get('--history-days'), true),
    historyUrl,
    keepHistory: flags.has('--keep-history'),
    queries,
  };
}

function listOf<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',');
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new BenchArgumentError(`${name}: unknown ${JSON.stringify(item)} (one or more of ${allowed.join(', ')}, separated by commas)`);
  }
  return items as T[];
}

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new BenchArgumentError(`${name}: ${JSON.stringify(value)} is not a positive ${integer ? 'whole ' : ''}number`);
  }
  return n;
}
