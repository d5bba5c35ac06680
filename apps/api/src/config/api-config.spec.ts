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

  it('lists every bad variable in one error', () => {
    expect(() => loadApiConfig({ ROUTESCOPE_GAP_FACTOR: '0', ROUTESCOPE_REDIS_URL: 'http://x' })).toThrow(/ROUTESCOPE_GAP_FACTOR: .*\n.*ROUTESCOPE_REDIS_URL: must be a redis:\/\/ URL/s);
  });
});
