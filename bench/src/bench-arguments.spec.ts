import { BENCH_USAGE, BenchArgumentError, parseBenchArguments, PHASES } from './bench-arguments';

// A full run takes about an hour: what the harness does not understand must stop it before it
// starts, naming the argument, instead of being ignored (`--help` used to start the full run).

const error = (argv: string[], env = {}) => {
  try {
    parseBenchArguments(argv, env);
  } catch (e) {
    if (e instanceof BenchArgumentError) return e.message;
    throw e;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe('parseBenchArguments', () => {
  it('with no arguments runs everything, full size, on both databases', () => {
    expect(parseBenchArguments([])).toEqual({
      quick: false,
      only: undefined,
      kinds: ['postgres', 'pglite'],
      storageHours: undefined,
      historyNodes: undefined,
      historyDays: undefined,
      historyUrl: undefined,
      keepHistory: false,
      queries: undefined,
    });
  });

  it('reads every option', () => {
    const settings = parseBenchArguments(
      ['--quick', '--only=queries,storage', '--databases=postgres', '--storage-hours=0.5', '--history-nodes=200', '--history-days=14', '--keep-history', '--queries=trace,state(at)'],
      {},
    );
    expect(settings).toEqual({
      quick: true,
      only: new Set(['queries', 'storage']),
      kinds: ['postgres'],
      storageHours: 0.5,
      historyNodes: 200,
      historyDays: 14,
      historyUrl: undefined,
      keepHistory: true,
      queries: ['trace', 'state(at)'],
    });
  });

  it('takes a kept history from --history-url or $BENCH_HISTORY_URL', () => {
    const url = 'postgresql://postgres@127.0.0.1:5432/rs_bench_history_1';
    expect(parseBenchArguments([`--history-url=${url}`])).toMatchObject({ historyUrl: url });
    expect(parseBenchArguments([], { BENCH_HISTORY_URL: url })).toMatchObject({ historyUrl: url });
  });

  it('answers help for --help and -h, and the usage names every phase', () => {
    expect(parseBenchArguments(['--quick', '--help'])).toBe('help');
    expect(parseBenchArguments(['-h'])).toBe('help');
    for (const phase of PHASES) expect(BENCH_USAGE).toContain(phase);
  });

  it('refuses what it does not understand, naming the argument and why', () => {
    expect(error(['--full'])).toBe('unknown argument "--full"');
    expect(error(['dashboard'])).toBe('unknown argument "dashboard"');
    expect(error(['--only', 'dashboard'])).toBe('--only needs a value: --only=…');
    expect(error(['--only=dashbaord'])).toBe('--only: unknown "dashbaord" (one or more of ceiling, ingest, storage, queries, git-baseline, retention, probes, replicas, collector, dashboard, separated by commas)');
    expect(error(['--only=ingest,'])).toMatch(/^--only: unknown ""/);
    expect(error(['--databases=mysql'])).toMatch(/^--databases: unknown "mysql" \(one or more of postgres, pglite/);
    expect(error(['--only=storage,queries', '--databases=pglite'])).toBe('--only=queries runs on PostgreSQL only: add postgres to --databases');
    expect(error(['--quick=yes'])).toBe('--quick takes no value');
    expect(error(['--only=ingest', '--only=storage'])).toBe('--only is given twice');
    expect(error(['--storage-hours=0'])).toBe('--storage-hours: "0" is not a positive number');
    expect(error(['--history-nodes=1.5'])).toBe('--history-nodes: "1.5" is not a positive whole number');
    expect(error(['--history-days='])).toBe('--history-days: "" is not a positive whole number');
    expect(error(['--queries=stats'])).toMatch(/^--queries: no query's name starts with "stats" \(state\(at\); /);
    expect(error(['--history-url=rs_bench_history_1'])).toBe('--history-url: "rs_bench_history_1" is not a postgresql:// URL');
    expect(error(['--history-url=postgresql://h/db', '--history-nodes=10'])).toMatch(/^--history-nodes and --history-days size a generated history/);
    expect(error(['--history-days=3'], { BENCH_HISTORY_URL: 'postgresql://h/db' })).toMatch(/^--history-nodes and --history-days size a generated history/);
  });
});
