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

  it('lists every bad variable in one error', () => {
    expect(() => loadApiConfig({ ROUTESCOPE_GAP_FACTOR: '0', ROUTESCOPE_REDIS_URL: 'http://x' })).toThrow(/ROUTESCOPE_GAP_FACTOR: .*\n.*ROUTESCOPE_REDIS_URL: must be a redis:\/\/ URL/s);
  });
});
