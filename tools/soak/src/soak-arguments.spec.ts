import { parseSoakArguments, SoakArgumentError } from './soak-arguments';

const parse = (...argv: string[]) => parseSoakArguments(argv, {});

describe('npm run soak arguments', () => {
  it('defaults to ten minutes of 50 nodes every 10 s, two readers, 30 s windows', () => {
    expect(parse()).toMatchObject({ minutes: 10, nodes: 50, podsPerNode: 30, intervalMs: 10_000, readers: 2, sampleEveryMs: 30_000, warmupSeconds: 120, heapToleranceMb: 8 });
    expect(parse()).toMatchObject({ pgUrl: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    expect(parseSoakArguments([], { ROUTESCOPE_TEST_PG_URL: 'postgresql://me@db:5432/x' })).toMatchObject({ pgUrl: 'postgresql://me@db:5432/x' });
  });

  it('reads values as `--name value` and `--name=value`, durations with units', () => {
    expect(parse('--minutes', '30', '--nodes=200', '--interval', '30s', '--sample=1m', '--warmup', '5m', '--out', 'soak.json')).toMatchObject({
      minutes: 30,
      nodes: 200,
      intervalMs: 30_000,
      sampleEveryMs: 60_000,
      warmupSeconds: 300,
      out: 'soak.json',
    });
    expect(parse('--help')).toBe('help');
  });

  it.each([
    [['--minutes', '0'], /--minutes: expected a number from 1 to 1440, got "0"/],
    [['--nodes', '2.5'], /--nodes: expected a whole number from 1 to 2000/],
    [['--interval', 'soon'], /--interval: expected a duration/],
    [['--sample', '20m'], /--sample: is longer than the run/],
    [['--pg', 'mysql://x'], /--pg: expected a postgresql:\/\/ URL/],
    [['--nodes'], /--nodes: needs a value/],
    [['--nodes', '5', '--nodes', '6'], /--nodes: given twice/],
    [['--fast'], /--fast: unknown option/],
  ])('refuses %j, naming the argument', (argv, message) => {
    expect(() => parse(...argv)).toThrow(SoakArgumentError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
