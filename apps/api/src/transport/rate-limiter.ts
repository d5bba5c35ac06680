import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { REDIS_COMMANDS, type RedisCommands } from '../redis/redis.module';

/** @nestjs/throttler's record (its index does not export the type). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export type RateLimitedRoute = 'ingest' | 'graphql' | 'probes';

export type RateVerdict = { allowed: true } | { allowed: false; limit: number; windowSeconds: number; retryAfterSeconds: number };

/**
 * Fixed-window counters per key, in this process. @nestjs/throttler's own in-memory store keeps
 * one timestamp per hit and filters them on every hit: O(limit) per request, which at the ingest
 * default (20,000 a minute on one shared token) is 20,000 array entries scanned per snapshot.
 * A counter and a window end per key is O(1); keys are only ever valid tokens (the gate checks
 * the token first), so the map stays as small as the token table.
 */
export class MemoryRateLimitStore implements ThrottlerStorage {
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits++;
    const timeToExpire = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    const isBlocked = window.hits > limit;
    return { totalHits: window.hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/** INCR the window's counter, start its expiry on the first hit; answers [hits, ms left]. */
const FIXED_WINDOW_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {hits, left}`;

/** The same fixed windows in Redis, shared by every replica (ROUTESCOPE_REDIS_URL). */
export class RedisRateLimitStore implements ThrottlerStorage {
  constructor(
    private readonly redis: RedisCommands,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const reply = await this.redis.command(['EVAL', FIXED_WINDOW_SCRIPT, 1, `${this.prefix}:ratelimit:${key}`, ttl]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') throw new Error(`unexpected rate-limit reply ${JSON.stringify(reply)}`);
    const [hits, leftMs] = reply;
    const timeToExpire = Math.max(1, Math.ceil(leftMs / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}

/** A counter store slower than this is treated as down (a hung Redis must not hang ingest). */
const STORE_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Requests per token per window on the routes that do work (ROUTESCOPE_RATE_LIMIT_*). Counted in
 * Redis when ROUTESCOPE_REDIS_URL is set, so that N replicas share one budget; a Redis that does
 * not answer lifts the limit (logged) rather than refusing ingest: the limit protects the API, it
 * must not become a second way to lose snapshots.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly store: ThrottlerStorage;
  private lastWarning = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS_COMMANDS) redis: RedisCommands | undefined,
  ) {
    this.store = redis ? new RedisRateLimitStore(redis, config.redisPrefix) : new MemoryRateLimitStore();
  }

  async hit(route: RateLimitedRoute, tokenId: number): Promise<RateVerdict> {
    const limit = this.config.rateLimits[route];
    if (limit === 0) return { allowed: true };
    const windowSeconds = this.config.rateLimits.windowSeconds;
    try {
      const record = await withTimeout(this.store.increment(`${route}:${tokenId}`, windowSeconds * 1000, limit, 0, route), STORE_TIMEOUT_MS);
      return record.isBlocked ? { allowed: false, limit, windowSeconds, retryAfterSeconds: record.timeToBlockExpire } : { allowed: true };
    } catch (error) {
      const now = Date.now();
      if (now - this.lastWarning > 60_000) {
        this.lastWarning = now;
        this.logger.warn(`rate limits are not enforced: the counter store failed (${(error as Error).message})`);
      }
      return { allowed: true };
    }
  }
}
