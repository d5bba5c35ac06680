import { randomBytes } from 'node:crypto';
import { loadApiConfig } from '../config/api-config';
import { RedisClient } from '../redis/redis-client';
import type { RedisCommands } from '../redis/redis.module';
import { RateLimiter } from './rate-limiter';

// Per-token request budgets, in process and in a real Redis (ROUTESCOPE_TEST_REDIS_URL, default
// redis://127.0.0.1:6379). Windows are an hour long here, so no count resets while a test runs.

const REDIS_URL = process.env['ROUTESCOPE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function limiter(redis: RedisCommands | undefined, env: Record<string, string> = {}): RateLimiter {
  const config = loadApiConfig({ ROUTESCOPE_RATE_LIMIT_GRAPHQL: '3', ROUTESCOPE_RATE_LIMIT_INGEST: '2', ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS: '3600', ROUTESCOPE_REDIS_PREFIX: `rs-test-${randomBytes(6).toString('hex')}`, ...env });
  return new RateLimiter(config, redis);
}

async function hits(l: RateLimiter, route: 'ingest' | 'graphql', tokenId: number, count: number): Promise<boolean[]> {
  const verdicts: Array<Awaited<ReturnType<RateLimiter['hit']>>> = [];
  for (let i = 0; i < count; i++) verdicts.push(await l.hit(route, tokenId));
  return verdicts.map((v) => v.allowed);
}

describe.each([
  ['in process', (): RedisClient | undefined => undefined],
  ['in Redis', (): RedisClient | undefined => new RedisClient({ url: REDIS_URL })],
] as const)('RateLimiter (%s)', (_where, connect) => {
  let redis: RedisClient | undefined;
  beforeEach(() => {
    redis = connect();
  });
  afterEach(() => redis?.close());

  it('lets a token send its budget, then refuses with the seconds left in the window', async () => {
    const l = limiter(redis);
    expect(await hits(l, 'graphql', 1, 3)).toEqual([true, true, true]);
    const refused = await l.hit('graphql', 1);
    expect(refused).toEqual({ allowed: false, limit: 3, windowSeconds: 3600, retryAfterSeconds: expect.any(Number) });
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(3500);
  });

  it('counts each token and each route on its own', async () => {
    const l = limiter(redis);
    expect(await hits(l, 'ingest', 1, 3)).toEqual([true, true, false]);
    expect(await hits(l, 'ingest', 2, 2)).toEqual([true, true]);
    expect(await hits(l, 'graphql', 1, 3)).toEqual([true, true, true]);
  });

  it('never refuses when the limit is 0', async () => {
    const l = limiter(redis, { ROUTESCOPE_RATE_LIMIT_INGEST: '0' });
    expect((await hits(l, 'ingest', 1, 50)).every(Boolean)).toBe(true);
  });
});

describe('RateLimiter in Redis', () => {
  it('shares one budget between replicas with the same prefix', async () => {
    const [a, b] = [new RedisClient({ url: REDIS_URL }), new RedisClient({ url: REDIS_URL })];
    try {
      const prefix = `rs-test-${randomBytes(6).toString('hex')}`;
      const [first, second] = [limiter(a, { ROUTESCOPE_REDIS_PREFIX: prefix }), limiter(b, { ROUTESCOPE_REDIS_PREFIX: prefix })];
      expect([await first.hit('ingest', 7), await second.hit('ingest', 7)].map((v) => v.allowed)).toEqual([true, true]);
      expect((await first.hit('ingest', 7)).allowed).toBe(false);
      expect((await second.hit('ingest', 7)).allowed).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets requests through when Redis does not answer, rather than failing them', async () => {
    // A port nothing listens on.
    const down = new RedisClient({ url: 'redis://127.0.0.1:1' });
    try {
      expect(await hits(limiter(down), 'ingest', 1, 5)).toEqual([true, true, true, true, true]);
    } finally {
      await down.close();
    }
  });
});
