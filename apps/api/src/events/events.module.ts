import { Module } from '@nestjs/common';
import { HistoryEvents } from './history-events';

/** History events (state changed, history rewritten, changes recorded): ingest publishes, the checks and subscriptions listen. */
@Module({ providers: [HistoryEvents], exports: [HistoryEvents] })
export class EventsModule {}
