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

  it('defaults the HTTP and GraphQL bounds', () => {
    expect(loadApiConfig({})).toMatchObject({
      graphql: { maxBodyBytes: 1024 * 1024, maxCost: 500_000, maxResponseBytes: 32 * 1024 * 1024, introspection: true },
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

  it('lists every bad variable in one error', () => {
    expect(() => loadApiConfig({ ROUTESCOPE_GAP_FACTOR: '0', ROUTESCOPE_REDIS_URL: 'http://x' })).toThrow(/ROUTESCOPE_GAP_FACTOR: .*\n.*ROUTESCOPE_REDIS_URL: must be a redis:\/\/ URL/s);
  });
});
