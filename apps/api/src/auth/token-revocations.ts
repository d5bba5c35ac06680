import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { createPubSub } from '../events/history-events';
import { RedisPubSub } from '../events/redis-pubsub';

const TOKEN_REVOKED = 'tokenRevoked';

type Listener = (tokenId: number) => void;

/**
 * Tells every replica that a token was revoked or rotated, so that each drops its cached verdict
 * at once instead of trusting it until the cache TTL runs out. Through Redis when
 * ROUTESCOPE_REDIS_URL is set (the same connection code as subscriptions, events/); otherwise
 * in-process, which is all one replica needs. Best effort like every event: if Redis is down,
 * the other replicas still stop accepting the token within the TTL (ROUTESCOPE_TOKEN_CACHE_SECONDS).
 */
@Injectable()
export class TokenRevocations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TokenRevocations.name);
  private readonly pubsub: PubSubEngine;
  private readonly listeners: Listener[] = [];

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.pubsub = createPubSub(config, 'auth');
  }

  private listening?: Promise<void>;

  /**
   * Listens in the background: Redis being down at start-up must not stop the API (revocation
   * then falls back to the cache TTL on other replicas until the connection comes back).
   */
  onModuleInit(): void {
    const subscribed = this.pubsub.subscribe(TOKEN_REVOKED, (payload: unknown) => this.received(payload), {});
    this.listening = subscribed.then(
      () => undefined,
      (error: Error) => {
        this.logger.warn(`not listening for token revocations yet (${error.message}); retrying`);
        return this.reconnect(1000);
      },
    );
  }

  /** Resolves once this replica hears revocations from the others (tests, with Redis). */
  async ready(): Promise<void> {
    await this.listening;
  }

  /** Called with the id of every token revoked anywhere (this replica included). */
  onRevoked(listener: Listener): void {
    this.listeners.push(listener);
  }

  private received(payload: unknown): void {
    const tokenId = (payload as { tokenId?: unknown } | null)?.tokenId;
    if (typeof tokenId !== 'number') return;
    for (const listener of this.listeners) listener(tokenId);
  }

  /** The channel is registered by the failed subscribe: a successful connection subscribes it (redis-pubsub.ts). */
  private async reconnect(delayMs: number): Promise<void> {
    if (!(this.pubsub instanceof RedisPubSub)) return;
    for (let delay = delayMs; ; delay = Math.min(delay * 2, 30000)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      if (this.closed) return;
      try {
        await this.pubsub.ready();
        return;
      } catch {
        // still down; the next attempt waits longer
      }
    }
  }

  announce(tokenId: number): void {
    this.pubsub.publish(TOKEN_REVOKED, { tokenId }).catch((error: Error) => this.logger.warn(`revocation of token #${tokenId} not announced to other replicas: ${error.message}`));
  }

  private closed = false;

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.pubsub instanceof RedisPubSub) await this.pubsub.close();
  }
}
