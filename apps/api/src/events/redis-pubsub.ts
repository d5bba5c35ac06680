import { Logger } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import { RedisClient } from '../redis/redis-client';

type Handler = (payload: unknown) => void;

/**
 * GraphQL subscriptions across API replicas: `publish` goes to a Redis channel, and every
 * replica (this one included) delivers what arrives on the channels its subscribers listen to.
 * One path for local and remote events, so every subscriber sees one order. Payloads are JSON
 * with Dates kept as Dates. Events are best-effort, like the in-process PubSub: a Redis outage
 * loses the events published meanwhile, never a write (ingest has committed before it publishes).
 */
export class RedisPubSub extends PubSubEngine {
  private readonly logger = new Logger(RedisPubSub.name);
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly handlers = new Map<number, { channel: string; handler: Handler }>();
  private readonly channels = new Map<string, Set<number>>();
  private nextId = 1;

  constructor(
    url: string,
    /** channel prefix, so that several deployments (or test runs) can share one Redis */
    private readonly prefix = 'routescope',
  ) {
    super();
    const onError = (error: Error) => this.logger.warn(`redis: ${error.message}`);
    this.publisher = new RedisClient({ url, onError });
    this.subscriber = new RedisClient({
      url,
      onError,
      onMessage: (channel, payload) => this.deliver(channel, payload),
      // ioredis re-subscribes what it had subscribed; this also covers a SUBSCRIBE that failed while Redis was down.
      onReady: () => void this.subscribeAll().catch((error: Error) => onError(error)),
    });
  }

  async publish(triggerName: string, payload: unknown): Promise<void> {
    await this.publisher.command(['PUBLISH', this.channel(triggerName), encode(payload)]);
  }

  async subscribe(triggerName: string, onMessage: Handler): Promise<number> {
    const channel = this.channel(triggerName);
    const id = this.nextId++;
    this.handlers.set(id, { channel, handler: onMessage });
    let ids = this.channels.get(channel);
    if (!ids) {
      this.channels.set(channel, (ids = new Set()));
      ids.add(id);
      // A (re)connection subscribes every known channel; subscribing twice is harmless in Redis.
      await this.subscriber.subscribe(channel);
    } else {
      ids.add(id);
    }
    return id;
  }

  unsubscribe(subId: number): void {
    const entry = this.handlers.get(subId);
    if (!entry) return;
    this.handlers.delete(subId);
    const ids = this.channels.get(entry.channel);
    ids?.delete(subId);
    if (ids && ids.size === 0) {
      this.channels.delete(entry.channel);
      void this.subscriber.unsubscribe(entry.channel).catch(() => undefined);
    }
  }

  /** Resolves once the subscriber connection is up (tests and readiness). */
  async ready(): Promise<void> {
    await this.subscriber.connect();
    await this.subscribeAll();
    await this.publisher.connect();
  }

  private async subscribeAll(): Promise<void> {
    const channels = [...this.channels.keys()];
    if (channels.length > 0) await Promise.all(channels.map((channel) => this.subscriber.subscribe(channel)));
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.close(), this.subscriber.close()]);
  }

  private channel(trigger: string): string {
    return `${this.prefix}:${trigger}`;
  }

  private deliver(channel: string, payload: string): void {
    const ids = this.channels.get(channel);
    if (!ids || ids.size === 0) return;
    let value: unknown;
    try {
      value = decode(payload);
    } catch (error) {
      this.logger.warn(`dropped an event on ${channel} that is not JSON: ${(error as Error).message}`);
      return;
    }
    for (const id of ids) this.handlers.get(id)?.handler(value);
  }
}

const DATE_TAG = '$date';

/** JSON where a Date becomes {"$date": ISO} and comes back as a Date. */
export function encode(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    return original instanceof Date ? { [DATE_TAG]: original.toISOString() } : v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === DATE_TAG) return new Date((v as Record<string, string>)[DATE_TAG]);
    }
    return v;
  });
}
