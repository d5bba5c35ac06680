import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Fact } from '@routescope/snapshot';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { RedisPubSub } from './redis-pubsub';

export interface ChangesRecordedEvent {
  node: string;
  snapshotId: string;
  takenAt: Date;
  changes: number;
  stateVersion: number;
}

export const CHANGES_RECORDED = 'changesRecorded';

/** A node's state changed: its full current facts, for evaluations that follow state (checks). */
export interface StateChangedEvent {
  node: string;
  nodeId: number;
  takenAt: Date;
  facts: readonly Fact[];
}

/**
 * A node's history changed at or after `from` without its current state changing: a late
 * snapshot applied in a gap of coverage, or a repair (resetNodeHead). Evaluations that depend
 * on history (cross-node findings) recompute from `from`.
 */
export interface HistoryRewrittenEvent {
  node: string;
  nodeId: number;
  from: Date;
  /** the node itself is gone (a repair removed everything it had) */
  removed?: boolean;
}

export type HistoryRewrittenListener = (event: HistoryRewrittenEvent) => void;

/**
 * Takes a committed state change and returns at once (queues its work): ingest does not wait
 * for what listeners do with it.
 */
export type StateListener = (event: StateChangedEvent) => void;

/** ROUTESCOPE_REDIS_URL / ROUTESCOPE_REDIS_PREFIX (config/api-config.ts). */
export type EventsConfig = Partial<Pick<ApiConfig, 'redisUrl' | 'redisPrefix'>>;

/**
 * Fan-out of history events to GraphQL subscriptions. With ROUTESCOPE_REDIS_URL every replica
 * publishes through Redis and delivers what any replica published (scale-out, docs/scaling.md);
 * without it, the in-process PubSub of a single replica. State listeners (checks) stay
 * in-process either way: each replica evaluates the snapshots it ingested itself (and publishes
 * the findings that follow through its own PubSub, checks/finding-events.ts).
 */
@Injectable()
export class HistoryEvents implements OnApplicationShutdown {
  readonly pubsub: PubSubEngine;
  private readonly logger = new Logger(HistoryEvents.name);
  private readonly stateListeners: StateListener[] = [];
  private readonly rewriteListeners: HistoryRewrittenListener[] = [];

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.pubsub = createPubSub(config, 'history');
  }

  onStateChanged(listener: StateListener): void {
    this.stateListeners.push(listener);
  }

  /**
   * Hands a committed state change to every state listener, after the ingest transaction
   * committed, and returns without waiting for what they do with it: the checks evaluate in
   * the background (checks/findings-evaluator.service.ts), so ingest answers as soon as the
   * snapshot is stored and a client that saw 201 sees the findings that follow from it a
   * moment later (FindingsEvaluator.settled() is the barrier in-process). A listener that
   * throws is logged: the snapshot is stored either way, and ingest never fails because of it.
   */
  stateChanged(event: StateChangedEvent): void {
    for (const listener of this.stateListeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`state listener failed for ${event.node}: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  onHistoryRewritten(listener: HistoryRewrittenListener): void {
    this.rewriteListeners.push(listener);
  }

  /** Like stateChanged: after commit, returns at once, a listener that throws is logged. */
  historyRewritten(event: HistoryRewrittenEvent): void {
    for (const listener of this.rewriteListeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`history listener failed for ${event.node}: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  changesRecorded(event: ChangesRecordedEvent): void {
    this.pubsub.publish(CHANGES_RECORDED, { [CHANGES_RECORDED]: event }).catch((error: Error) => this.logger.warn(`changesRecorded for ${event.node} not published: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pubsub instanceof RedisPubSub) await this.pubsub.close();
  }
}

/**
 * The PubSub for one family of events (`history`, `findings`, …): Redis-backed when the config
 * names a Redis, in-process otherwise. Other modules' event services use it too, so that their
 * subscriptions also reach every replica.
 */
export function createPubSub(config: EventsConfig, family: string): PubSubEngine {
  if (!config.redisUrl) return new PubSub();
  return new RedisPubSub(config.redisUrl, `${config.redisPrefix ?? 'routescope'}:${family}`);
}
