import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { createPubSub } from '../events/history-events';
import { RedisPubSub } from '../events/redis-pubsub';

export type FindingChange = 'OPENED' | 'RESOLVED';

export interface FindingChangedEvent {
  change: FindingChange;
  node: string;
  rule: string;
  subject: string;
  severity: string;
  at: Date;
}

export const FINDING_CHANGED = 'findingChanged';

/**
 * Fan-out of finding openings and resolutions to GraphQL subscriptions. With
 * ROUTESCOPE_REDIS_URL they go through Redis (`<ROUTESCOPE_REDIS_PREFIX>:findings:findingChanged`),
 * so a subscriber on any replica hears about a finding whichever replica evaluated it; without
 * it, the in-process PubSub of one replica. Best-effort like every subscription event: the
 * finding is committed before it is announced.
 *
 * Its only publisher, FindingsEvaluator, closes it on shutdown after its last evaluation (a
 * hook of its own could close the connection while the evaluator still drains).
 */
@Injectable()
export class FindingEvents {
  readonly pubsub: PubSubEngine;
  private readonly logger = new Logger(FindingEvents.name);
  /** publishes still on their way to Redis, so that close() does not cut them off */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.pubsub = createPubSub(config, 'findings');
  }

  changed(change: FindingChange, finding: Omit<FindingChangedEvent, 'change'>): void {
    const published = this.pubsub
      .publish(FINDING_CHANGED, { [FINDING_CHANGED]: { change, ...finding } })
      .catch((error: Error) => this.logger.warn(`findingChanged (${change} ${finding.rule} on ${finding.node}) not published: ${error.message}`))
      .finally(() => this.inFlight.delete(published));
    this.inFlight.add(published);
  }

  /** Waits for the publishes under way, then closes the Redis connections (if any). */
  async close(): Promise<void> {
    await Promise.all([...this.inFlight]);
    if (this.pubsub instanceof RedisPubSub) await this.pubsub.close();
  }
}
