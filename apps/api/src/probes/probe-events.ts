import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { createPubSub } from '../events/history-events';
import { RedisPubSub } from '../events/redis-pubsub';

export const PROBE_QUEUED = 'probeQueued';
export const PROBE_UPDATED = 'probeUpdated';

export interface ProbeQueuedEvent {
  id: string;
  node: string;
}

/** Only the id and state travel: the subscription reads the probe itself (results can be large). */
export interface ProbeUpdatedEvent {
  id: string;
  node: string;
  state: string;
}

/** A long-poll waiting for a job of one node: woken by a queued event (any replica), or by its own timer. */
interface Waiter {
  node: string;
  wake: () => void;
}

/**
 * Probe events through the same fan-out as the other subscriptions (events/history-events.ts:
 * Redis with ROUTESCOPE_REDIS_URL, `<prefix>:probes:*`, else in-process): `probeQueued` wakes the
 * collectors long-polling on whichever replica for that node, `probeUpdated` feeds the GraphQL
 * subscription. The waiters share one subscription of this replica, made on the first wait.
 */
@Injectable()
export class ProbeEvents implements OnApplicationShutdown {
  readonly pubsub: PubSubEngine;
  private readonly logger = new Logger(ProbeEvents.name);
  private readonly waiters = new Set<Waiter>();
  private subscribed?: Promise<unknown>;
  /** queued events this replica received (from any replica) */
  received = 0;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.pubsub = createPubSub(config, 'probes');
  }

  /**
   * Subscribes this replica to queued events (once); resolves when Redis confirmed the
   * subscription. A subscription Redis refused stays registered (Redis re-subscribes it when it is
   * back); meanwhile the long-polls find their jobs by looking again (ProbesService, RECHECK_MS).
   */
  listen(): Promise<unknown> {
    const wake = (payload: unknown) => {
      const event = (payload as { [PROBE_QUEUED]: ProbeQueuedEvent })[PROBE_QUEUED];
      this.received++;
      for (const waiter of this.waiters) if (waiter.node === event.node) waiter.wake();
    };
    this.subscribed ??= this.pubsub.subscribe(PROBE_QUEUED, wake, {}).catch((error: Error) => this.logger.warn(`probeQueued not subscribed (${error.message}): long-polls look for jobs every few seconds until it is`));
    return this.subscribed;
  }

  /**
   * Registers a wait for a job of `node` before the caller looks for one (no event can fall
   * between the look and the wait); `woken` resolves on a queued event for the node, `cancel`
   * removes the wait.
   */
  waitForQueued(node: string): { woken: Promise<void>; cancel: () => void } {
    let waiter!: Waiter;
    const woken = new Promise<void>((resolve) => {
      waiter = { node, wake: resolve };
    });
    this.waiters.add(waiter);
    return { woken, cancel: () => this.waiters.delete(waiter) };
  }

  get waiting(): number {
    return this.waiters.size;
  }

  queued(event: ProbeQueuedEvent): Promise<void> {
    return this.pubsub.publish(PROBE_QUEUED, { [PROBE_QUEUED]: event }).catch((error: Error) => this.logger.warn(`probeQueued for ${event.node} not published: ${error.message}`));
  }

  updated(event: ProbeUpdatedEvent): void {
    this.pubsub.publish(PROBE_UPDATED, { [PROBE_UPDATED]: event }).catch((error: Error) => this.logger.warn(`probeUpdated for ${event.id} not published: ${error.message}`));
  }

  /** Ends every wait at once (shutdown: the long-polls answer 204 instead of holding the server open). */
  wakeAll(): void {
    for (const waiter of this.waiters) waiter.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.wakeAll();
    if (this.pubsub instanceof RedisPubSub) await this.pubsub.close();
  }
}
