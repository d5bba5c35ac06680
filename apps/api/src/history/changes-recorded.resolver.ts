import { Args, Int, Parent, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import { CHANGES_RECORDED, HistoryEvents, type ChangesRecordedEvent } from '../events/history-events';
import { FactChangeService } from './fact-change.service';
import { ChangesRecorded } from './types/changes-recorded.type';
import { FactChangeConnection } from './types/fact-change.type';

type ChangesRecordedPayload = { [CHANGES_RECORDED]: ChangesRecordedEvent };

/** Live feed of ingests that changed a node; the socket itself needs a read token (app.module). */
@Resolver(() => ChangesRecorded)
@RequireScope('read')
export class ChangesRecordedResolver {
  constructor(
    private readonly events: HistoryEvents,
    private readonly changes: FactChangeService,
  ) {}

  @Subscription(() => ChangesRecorded, {
    description: 'One event per ingested snapshot that changed a node (only `node` when given).',
    filter: (payload: ChangesRecordedPayload, variables: { node?: string | null }) => !variables.node || payload[CHANGES_RECORDED].node === variables.node,
    resolve: (payload: ChangesRecordedPayload): ChangesRecorded => ({ ...payload[CHANGES_RECORDED] }),
  })
  changesRecorded(@Args('node', { type: () => String, nullable: true }) _node: string | null): AsyncIterableIterator<ChangesRecordedPayload> {
    return this.events.pubsub.asyncIterableIterator<ChangesRecordedPayload>(CHANGES_RECORDED);
  }

  @ResolveField(() => FactChangeConnection, { description: 'The changes this snapshot recorded (100 per page by default, at most 1000).' })
  factChanges(
    @Parent() event: ChangesRecorded,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<FactChangeConnection> {
    return this.changes.snapshotChanges(event.node, event.takenAt, first, after);
  }
}
