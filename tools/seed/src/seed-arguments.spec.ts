import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration, parseSeedArguments, SeedArgumentError } from './seed-arguments';

const TOKEN = 'rs_test_ingest_0123456789abcdef';

function failure(argv: string[], env: Record<string, string> = { ROUTESCOPE_INGEST_TOKEN: TOKEN }, cwd = '/nonexistent'): SeedArgumentError {
  try {
    parseSeedArguments(argv, env, cwd);
  } catch (error) {
    if (error instanceof SeedArgumentError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('seed arguments', () => {
  it('default to 1,000 nodes, one snapshot each, on the local API', () => {
    expect(parseSeedArguments([], { ROUTESCOPE_INGEST_TOKEN: TOKEN }, '/nonexistent')).toEqual({
      api: 'http://127.0.0.1:4000',
      token: TOKEN,
      tokenSource: '$ROUTESCOPE_INGEST_TOKEN',
      nodes: 1000,
      seed: '1',
      podsPerNode: 30,
      hours: 0,
      intervalMs: 300_000,
      concurrency: 4,
      follow: false,
      faults: [],
    });
  });

  it('take values after the option or after =', () => {
    const args = parseSeedArguments(['--nodes', '50', '--hours=2', '--interval', '30s', '--api=http://api:4000/', '--token', TOKEN, '--follow'], {}, '/nonexistent');
    expect(args).toMatchObject({ nodes: 50, hours: 2, intervalMs: 30_000, api: 'http://api:4000', tokenSource: '--token', follow: true });
  });

  it('name the argument and the reason when a value is wrong', () => {
    expect(failure(['--nodes', '0']).message).toBe('--nodes: expected a whole number from 1 to 8000, got "0"');
    expect(failure(['--nodes', '12.5']).argument).toBe('--nodes');
    expect(failure(['--hours', '-1']).message).toMatch(/^--hours: expected a number of hours/);
    expect(failure(['--interval', 'soon']).message).toMatch(/^--interval: expected a duration such as 30s/);
    expect(failure(['--interval', '1s', '--hours', '24']).message).toMatch(/more than 10,000 snapshots per node/);
    expect(failure(['--api', 'ftp://x']).message).toBe('--api: expected an http(s) URL, got "ftp://x"');
    expect(failure(['--concurrency', '100']).argument).toBe('--concurrency');
    expect(failure(['--pods', '63']).argument).toBe('--pods');
    expect(failure(['--nodes']).message).toBe('--nodes: needs a value');
    expect(failure(['--nodes', '--hours', '1']).message).toBe('--nodes: needs a value');
    expect(failure(['--nodes', '5', '--nodes', '6']).message).toBe('--nodes: given twice');
    expect(failure(['--bogus']).message).toBe('--bogus: unknown option (see --help)');
    expect(failure(['1000']).message).toMatch(/^1000: unexpected argument/);
    expect(failure(['--follow=yes']).message).toBe('--follow: takes no value');
    expect(failure(['--token', 'short']).message).toMatch(/^--token: the token from --token is shorter than 16 characters/);
  });

  it('take netlab-named faults as NAME:COUNT, and name what is wrong with a bad one', () => {
    expect(parseSeedArguments(['--faults', 'proxy-arp-off:3,remote-block-route-missing:1', '--nodes', '10'], { ROUTESCOPE_INGEST_TOKEN: TOKEN }, '/nonexistent')).toMatchObject({
      faults: [
        { fault: 'proxy-arp-off', count: 3 },
        { fault: 'remote-block-route-missing', count: 1 },
      ],
    });
    expect(failure(['--faults', 'proxy-arp-of:3']).message).toMatch(/^--faults: unknown fault "proxy-arp-of"; known: proxy-arp-off, proxy-delay-default, /);
    expect(failure(['--faults', 'proxy-arp-off:0']).message).toBe('--faults: proxy-arp-off: expected a count of 1 or more, got "0"');
    expect(failure(['--faults', 'proxy-arp-off:two']).message).toBe('--faults: proxy-arp-off: expected a count of 1 or more, got "two"');
    expect(failure(['--faults', 'proxy-arp-off']).message).toBe('--faults: expected NAME:COUNT items separated by commas, got "proxy-arp-off"');
    expect(failure(['--faults', 'proxy-arp-off:1,proxy-arp-off:2']).message).toBe('--faults: proxy-arp-off is given twice');
    expect(failure(['--faults', 'duplicate-pod-ip:2', '--nodes', '3']).message).toBe('--faults: needs 4 distinct nodes (duplicate-pod-ip takes 2 each), and --nodes is 3');
    expect(failure(['--faults', 'mtu-mismatch:1', '--pods', '0']).message).toBe('--faults: mtu-mismatch breaks a pod, and --pods is 0');
    expect(failure(['--faults']).message).toBe('--faults: needs a value');
  });

  it('read the token from the data folder that `npm start` writes when none is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-seed-args-'));
    try {
      expect(failure([], {}, dir).message).toMatch(/^--token: missing: pass --token, set \$ROUTESCOPE_INGEST_TOKEN, or start the API once/);
      const data = join(dir, '.routescope', 'data');
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, 'tokens.json'), JSON.stringify({ ingest: TOKEN, read: 'r'.repeat(20) }));
      expect(parseSeedArguments([], {}, dir)).toMatchObject({ token: TOKEN, tokenSource: join(data, 'tokens.json') });
      writeFileSync(join(data, 'tokens.json'), '{');
      expect(failure([], {}, dir).message).toMatch(/cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answer help for --help whatever else is given', () => {
    expect(parseSeedArguments(['--nodes', '5', '--help'], {}, '/nonexistent')).toBe('help');
  });

  it('read durations in ms, s, m and h', () => {
    expect([parseDuration('250'), parseDuration('250ms'), parseDuration('30s'), parseDuration('5m'), parseDuration('1.5h'), parseDuration('5 minutes')]).toEqual([250, 250, 30_000, 300_000, 5_400_000, undefined]);
  });
});
