import Redis, { type RedisOptions } from 'ioredis';

/** A Redis reply as ioredis returns it (strings, integers, nil, arrays of these). */
export type RedisReply = string | number | null | RedisReply[];

export interface RedisClientOptions {
  /** redis://[user:password@]host[:port][/db] or rediss://… for TLS */
  url: string;
  /** pushed pub/sub messages (channel, payload) */
  onMessage?: (channel: string, payload: string) => void;
  /** runs after every (re)connection is ready */
  onReady?: () => void;
  onError?: (error: Error) => void;
  /** TLS options merged into what a rediss:// URL turns on (tests pass a CA here) */
  tls?: RedisOptions['tls'];
}

/** Longest pause between reconnection attempts. */
const MAX_BACKOFF_MS = 5000;

/**
 * One Redis connection (ioredis): TLS with rediss://, reconnection with backoff, and a failed
 * command when Redis is down rather than one that waits forever (callers decide what an outage
 * means: the rate limiter lets requests through, /readyz reports it, events are best-effort).
 * Connects on first use, so that an API without a reachable Redis still starts.
 */
export class RedisClient {
  readonly redis: Redis;
  private closed = false;

  constructor(options: RedisClientOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`unsupported Redis URL ${url.protocol}//… (redis:// or rediss://)`);
    const tls = url.protocol === 'rediss:' ? { servername: url.hostname, ...(options.tls ?? {}) } : undefined;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      // A command waits for at most one reconnection attempt, then fails (a down Redis must not hang callers).
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => (this.closed ? null : Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 6))),
      ...(tls ? { tls } : {}),
    });
    // ioredis re-subscribes every channel after a reconnection (autoResubscribe).
    if (options.onMessage) this.redis.on('message', options.onMessage);
    if (options.onReady) this.redis.on('ready', options.onReady);
    this.redis.on('error', (error: Error) => options.onError?.(error));
  }

  /** Sends one command and resolves with its reply (a Redis error rejects). */
  async command(args: readonly (string | number)[]): Promise<RedisReply> {
    if (this.closed) throw new Error('redis connection closed');
    // Known down (between reconnection attempts): fail now rather than queue behind the backoff.
    if (this.redis.status === 'reconnecting') throw new Error('redis not connected (reconnecting)');
    // Wait for the ready connection first: ioredis writes some commands (PUBLISH among them) as
    // soon as the socket is up but queues others until the ready check, which could reorder two
    // events published back to back.
    if (this.redis.status !== 'ready') await this.connect();
    const [name, ...rest] = args;
    return (await this.redis.call(String(name), ...rest)) as RedisReply;
  }

  private readyPromise?: Promise<void>;

  /**
   * Resolves once connected and ready (connecting if nobody has yet); rejects when this attempt
   * fails. Concurrent callers share one promise, so they resume in the order they called.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('redis connection closed'));
    if (this.redis.status === 'ready') return Promise.resolve();
    this.readyPromise ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        this.redis.off('ready', onReady);
        this.redis.off('error', onError);
        this.redis.off('end', onEnd);
        this.readyPromise = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onReady = (): void => settle();
      const onError = (error: Error): void => settle(error);
      const onEnd = (): void => settle(new Error('redis connection closed'));
      this.redis.once('ready', onReady);
      this.redis.once('error', onError);
      this.redis.once('end', onEnd);
      if (this.redis.status === 'wait' || this.redis.status === 'end') this.redis.connect().catch(() => undefined);
    });
    return this.readyPromise;
  }

  async subscribe(channel: string): Promise<void> {
    await this.redis.subscribe(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    await this.redis.unsubscribe(channel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // QUIT only on a live connection: on one that is down it would wait for a reconnection.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}
