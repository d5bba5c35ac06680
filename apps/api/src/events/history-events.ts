import { Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';

export interface ChangesRecordedEvent {
  node: string;
  snapshotId: string;
  takenAt: Date;
  changes: number;
  stateVersion: number;
}

export const CHANGES_RECORDED = 'changesRecorded';

/**
 * In-process fan-out of history events to GraphQL subscriptions. One replica sees only its
 * own ingests; spreading them across replicas (Redis) is the scale-out issue's job.
 */
@Injectable()
export class HistoryEvents {
  readonly pubsub = new PubSub();

  changesRecorded(event: ChangesRecordedEvent): void {
    void this.pubsub.publish(CHANGES_RECORDED, { [CHANGES_RECORDED]: event });
  }
}
