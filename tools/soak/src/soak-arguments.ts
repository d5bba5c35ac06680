/** The command line of `npm run soak`, checked: a bad value names its argument and says why. */
export interface SoakArguments {
  minutes: number;
  nodes: number;
  podsPerNode: number;
  intervalMs: number;
  churnFactor: number;
  writers: number;
  readers: number;
  readerPauseMs: number;
  sampleEveryMs: number;
  /** windows before this many seconds are left out of the heap trend */
  warmupSeconds: number;
  /** allowed rise of heap after GC (median of the last third of the windows over the first), MB */
  heapToleranceMb: number;
  seed: string;
  /** PostgreSQL server the soak database is created on (and dropped from) */
  pgUrl: string;
  /** write the samples (JSON) and the Markdown report here */
  out?: string;
}

export class SoakArgumentError extends Error {
  constructor(
    readonly argument: string,
    reason: string,
  ) {
    super(`${argument}: ${reason}`);
    this.name = 'SoakArgumentError';
  }
}

export const SOAK_USAGE = `usage: npm run soak -- [options]

Starts the built API (apps/api/dist/main.js) on a fresh PostgreSQL database, then loads it for
--minutes with collectors (a synthetic Calico cluster, libs/synth, posting over HTTP with churn) and
GraphQL readers (state(at), diff, findings, nodes). Every --sample it prints and records the API's
RSS and heap after a full GC (read through the V8 inspector on 127.0.0.1), latency percentiles per
operation and error counts. At the end: Markdown tables and whether heap after GC stayed flat
(exit 1 if it grew, or if any request failed). Not part of CI.

  --minutes M         duration of the load (1-1440, default 10)
  --nodes N           nodes posting (1-2000, default 50)
  --pods P            pods per node (0-62, default 30)
  --interval D        each node posts every D: 5s, 30s, 1m (default 10s)
  --churn F           churn model speed-up over real time (0-3600, default 60: an hour per minute)
  --writers W         snapshots in flight (1-64, default 4)
  --readers R         GraphQL readers (0-64, default 2)
  --reader-pause D    a reader's pause between queries (default 100ms)
  --sample D          window length (default 30s)
  --warmup D          windows left out of the heap trend (default 2m)
  --heap-tolerance MB allowed rise of heap after GC, median of the last third of the windows
                      over the first third (default 8)
  --seed S            cluster seed (default soak)
  --pg URL            PostgreSQL server (default $ROUTESCOPE_TEST_PG_URL or postgresql://postgres@127.0.0.1:5432/postgres)
  --out FILE          also write the samples as JSON to FILE and the report to FILE.md
  --help              this text`;

/** `30s`, `5m`, `1h`, `250ms` or a plain number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

const VALUED = ['--minutes', '--nodes', '--pods', '--interval', '--churn', '--writers', '--readers', '--reader-pause', '--sample', '--warmup', '--heap-tolerance', '--seed', '--pg', '--out'];

export function parseSoakArguments(argv: readonly string[], env: Record<string, string | undefined> = process.env): SoakArguments | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUED.includes(name)) throw new SoakArgumentError(name, 'unknown option (see --help)');
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new SoakArgumentError(name, 'needs a value');
    if (values.has(name)) throw new SoakArgumentError(name, 'given twice');
    values.set(name, value);
  }
  const number = (name: string, fallback: number, min: number, max: number, whole = true): number => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (Number.isNaN(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
      throw new SoakArgumentError(name, `expected a ${whole ? 'whole ' : ''}number from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
  const duration = (name: string, fallback: number, minMs: number, maxMs: number): number => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms < minMs || ms > maxMs) throw new SoakArgumentError(name, `expected a duration from ${minMs} ms to ${maxMs / 1000} s such as 30s or 2m, got "${text}"`);
    return ms;
  };
  const pgUrl = values.get('--pg') ?? env['ROUTESCOPE_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (!/^postgres(ql)?:\/\//.test(pgUrl)) throw new SoakArgumentError('--pg', `expected a postgresql:// URL, got "${pgUrl}"`);
  const sampleEveryMs = duration('--sample', 30_000, 1000, 3_600_000);
  const minutes = number('--minutes', 10, 1, 1440, false);
  if (sampleEveryMs > minutes * 60_000) throw new SoakArgumentError('--sample', 'is longer than the run (--minutes)');
  return {
    minutes,
    nodes: number('--nodes', 50, 1, 2000),
    podsPerNode: number('--pods', 30, 0, 62),
    intervalMs: duration('--interval', 10_000, 1000, 3_600_000),
    churnFactor: number('--churn', 60, 0, 3600, false),
    writers: number('--writers', 4, 1, 64),
    readers: number('--readers', 2, 0, 64),
    readerPauseMs: duration('--reader-pause', 100, 0, 60_000),
    sampleEveryMs,
    warmupSeconds: duration('--warmup', 120_000, 0, 86_400_000) / 1000,
    heapToleranceMb: number('--heap-tolerance', 8, 0, 10_000, false),
    seed: values.get('--seed') ?? 'soak',
    pgUrl,
    out: values.get('--out'),
  };
}
