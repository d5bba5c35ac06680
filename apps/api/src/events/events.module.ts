import { Global, Module } from '@nestjs/common';
import { HistoryEvents } from './history-events';

@Global()
@Module({ providers: [HistoryEvents], exports: [HistoryEvents] })
export class EventsModule {}
