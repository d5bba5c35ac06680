import { Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';

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

/** In-process fan-out of finding openings and resolutions to GraphQL subscriptions. */
@Injectable()
export class FindingEvents {
  readonly pubsub = new PubSub();

  changed(change: FindingChange, finding: Omit<FindingChangedEvent, 'change'>): void {
    void this.pubsub.publish(FINDING_CHANGED, { [FINDING_CHANGED]: { change, ...finding } });
  }
}
