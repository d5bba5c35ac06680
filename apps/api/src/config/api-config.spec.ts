import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadApiConfig } from './api-config';

// The environment is validated at boot: defaults when unset, a message naming the variable when bad.

describe('loadApiConfig', () => {
  it('applies the defaults on an empty environment', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', gapFactor: 3, retentionDays: 90, redisPrefix: 'routescope', checksDebounceMs: 250 });
    expect(config.redisUrl).toBeUndefined();
  });

  describe('ROUTESCOPE_CHECKS_DEBOUNCE_MS', () => {
    it.each([
      ['0', 0],
      ['1000', 1000],
      ['60000', 60000],
      ['', 250],
    ])('%j gives %i ms', (value, expected) => {
      expect(loadApiConfig({ ROUTESCOPE_CHECKS_DEBOUNCE_MS: value }).checksDebounceMs).toBe(expected);
    });

    it.each([
      ['abc', 'must be a number of milliseconds'],
      ['1.5', 'must be a whole number of milliseconds'],
      ['-1', 'must be between 0 and 60000 (milliseconds)'],
      ['60001', 'must be between 0 and 60000 (milliseconds)'],
    ])('refuses %j, naming the variable', (value, message) => {
      expect(() => loadApiConfig({ ROUTESCOPE_CHECKS_DEBOUNCE_MS: value })).toThrow(ConfigError);
      expect(() => loadApiConfig({ ROUTESCOPE_CHECKS_DEBOUNCE_MS: value })).toThrow(`ROUTESCOPE_CHECKS_DEBOUNCE_MS: ${message}`);
    });
  });

  describe('tokens and the token secret', () => {
    it('refuses the placeholders of the example Secret, naming the variable', () => {
      const example = parse(readFileSync(join(__dirname, '../../../../deploy/k8s/secret.example.yaml'), 'utf8')) as { stringData: Record<string, string> };
      const env = {
        ROUTESCOPE_INGEST_TOKEN: example.stringData['ingest-token'],
        ROUTESCOPE_READ_TOKEN: example.stringData['read-token'],
        ROUTESCOPE_ADMIN_TOKEN: example.stringData['admin-token'],
      };
      expect(() => loadApiConfig(env)).toThrow(
        /ROUTESCOPE_INGEST_TOKEN: looks like a placeholder \(contains "change-me"\).*\n.*ROUTESCOPE_READ_TOKEN: looks like a placeholder.*\n.*ROUTESCOPE_ADMIN_TOKEN: looks like a placeholder/s,
      );
    });

    it.each([
      ['short', 'must be at least 16 characters'],
      ['changeme-changeme-changeme', 'looks like a placeholder (contains "changeme")'],
      ['replace-with-a-real-token', 'looks like a placeholder (contains "replace")'],
      ['an-example-token-of-some-length', 'looks like a placeholder (contains "example")'],
      ['your-read-token-goes-here', 'looks like a placeholder (contains "your-")'],
      ['<read token goes here>', 'looks like a placeholder (contains < or >)'],
      ['aaaaaaaaaaaaaaaaaaaaaaaa', 'has too few distinct characters to be a secret'],
    ])('refuses ROUTESCOPE_READ_TOKEN=%j', (value, message) => {
      expect(() => loadApiConfig({ ROUTESCOPE_READ_TOKEN: value })).toThrow(`ROUTESCOPE_READ_TOKEN: ${message}`);
    });

    it('accepts a generated token and secret', () => {
      const config = loadApiConfig({ ROUTESCOPE_READ_TOKEN: '3f9a1c0e5b7d2468ace13579bdf02468', ROUTESCOPE_TOKEN_SECRET: 'Qm9zcy1zZWNyZXQtd2l0aC1lbm91Z2gtZW50cm9weQ' });
      expect(config.seedTokens.read).toBe('3f9a1c0e5b7d2468ace13579bdf02468');
      expect(config.tokenSecret).toBe('Qm9zcy1zZWNyZXQtd2l0aC1lbm91Z2gtZW50cm9weQ');
      expect(config.tokenCacheSeconds).toBe(5);
    });

    it('wants a token secret of 32 characters or more', () => {
      expect(() => loadApiConfig({ ROUTESCOPE_TOKEN_SECRET: '3f9a1c0e5b7d2468ace1' })).toThrow('ROUTESCOPE_TOKEN_SECRET: must be at least 32 characters');
    });

    it.each([
      ['0', 0],
      ['60', 60],
      ['', 5],
    ])('ROUTESCOPE_TOKEN_CACHE_SECONDS=%j gives %i s', (value, expected) => {
      expect(loadApiConfig({ ROUTESCOPE_TOKEN_CACHE_SECONDS: value }).tokenCacheSeconds).toBe(expected);
    });

    it('refuses a token cache TTL over an hour', () => {
      expect(() => loadApiConfig({ ROUTESCOPE_TOKEN_CACHE_SECONDS: '3601' })).toThrow('ROUTESCOPE_TOKEN_CACHE_SECONDS: must be between 0 and 3600 (seconds)');
    });
  });

  it('defaults the HTTP and GraphQL bounds', () => {
    expect(loadApiConfig({})).toMatchObject({
      graphql: { maxBodyBytes: 2 * 1024 * 1024, maxCost: 500_000, maxResponseBytes: 32 * 1024 * 1024, introspection: true },
      rateLimits: { ingest: 20_000, graphql: 6_000, windowSeconds: 60 },
    });
  });

  it('reads the HTTP and GraphQL bounds', () => {
    const config = loadApiConfig({
      ROUTESCOPE_GRAPHQL_MAX_BODY_BYTES: '4096',
      ROUTESCOPE_GRAPHQL_MAX_COST: '1000',
      ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES: '65536',
      ROUTESCOPE_GRAPHQL_INTROSPECTION: 'false',
      ROUTESCOPE_RATE_LIMIT_INGEST: '0',
      ROUTESCOPE_RATE_LIMIT_GRAPHQL: '10',
      ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS: '1',
    });
    expect(config).toMatchObject({ graphql: { maxBodyBytes: 4096, maxCost: 1000, maxResponseBytes: 65536, introspection: false }, rateLimits: { ingest: 0, graphql: 10, windowSeconds: 1 } });
  });

  it.each([
    ['ROUTESCOPE_GRAPHQL_MAX_BODY_BYTES', '100', 'must be between 1024 and 67108864 (bytes)'],
    ['ROUTESCOPE_GRAPHQL_MAX_COST', 'lots', 'must be a number of cost points'],
    ['ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES', '1.5', 'must be a whole number of bytes'],
    ['ROUTESCOPE_GRAPHQL_INTROSPECTION', 'no', 'must be true or false'],
    ['ROUTESCOPE_RATE_LIMIT_INGEST', '-1', 'must be between 0 and 100000000 (requests)'],
    ['ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS', '0', 'must be between 1 and 3600 (seconds)'],
  ])('refuses %s=%j, naming the variable', (name, value, message) => {
    expect(() => loadApiConfig({ [name]: value })).toThrow(`${name}: ${message}`);
  });

  describe('ROUTESCOPE_MAX_CLOCK_SKEW', () => {
    it.each([
      [undefined, 300_000],
      ['', 300_000],
      ['5m', 300_000],
      ['300s', 300_000],
      ['300', 300_000],
      ['1500ms', 1500],
      ['1h', 3_600_000],
      ['0s', 0],
      ['24h', 86_400_000],
    ])('%j gives %i ms', (value, expected) => {
      expect(loadApiConfig(value === undefined ? {} : { ROUTESCOPE_MAX_CLOCK_SKEW: value }).maxClockSkewMs).toBe(expected);
    });

    it.each(['5 minutes', '-5m', '1.5m', '25h', '5d', 'm'])('refuses %j, naming the variable', (value) => {
      expect(() => loadApiConfig({ ROUTESCOPE_MAX_CLOCK_SKEW: value })).toThrow('ROUTESCOPE_MAX_CLOCK_SKEW: must be a duration between 0 and 24h, such as 5m, 300s or 1500ms');
    });
  });

  describe('ROUTESCOPE_SNAPSHOT_RETENTION_DAYS', () => {
    it('keeps snapshot records 7 days unless told otherwise', () => {
      expect(loadApiConfig({}).snapshotRetentionDays).toBe(7);
      expect(loadApiConfig({ ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: '30' }).snapshotRetentionDays).toBe(30);
      // a history shorter than a week keeps its snapshot records as long as the rest
      expect(loadApiConfig({ ROUTESCOPE_RETENTION_DAYS: '3' }).snapshotRetentionDays).toBe(3);
    });

    it('refuses a window longer than the history it belongs to, naming both variables', () => {
      expect(() => loadApiConfig({ ROUTESCOPE_RETENTION_DAYS: '30', ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: '31' })).toThrow(
        'ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: must be at most ROUTESCOPE_RETENTION_DAYS (30)',
      );
      expect(() => loadApiConfig({ ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: '0' })).toThrow('ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: ');
    });
  });

  it('lists every bad variable in one error', () => {
    expect(() => loadApiConfig({ ROUTESCOPE_GAP_FACTOR: '0', ROUTESCOPE_REDIS_URL: 'http://x' })).toThrow(/ROUTESCOPE_GAP_FACTOR: .*\n.*ROUTESCOPE_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL/s);
  });
});
