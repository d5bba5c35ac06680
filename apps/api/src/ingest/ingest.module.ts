import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { HistoryModule } from '../history/history.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { NodeHeadRepairResolver } from './node-head-repair.resolver';
import { NodeHeadRepairService } from './node-head-repair.service';

/** Snapshots in (REST), validated and bounded, applied through the history's FactStore; the operator's head repair. */
@Module({
  imports: [HistoryModule, EventsModule],
  controllers: [IngestController],
  providers: [IngestService, NodeHeadRepairService, NodeHeadRepairResolver],
  exports: [IngestService],
})
export class IngestModule {}
