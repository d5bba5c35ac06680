import { Module } from '@nestjs/common';
import { HistoryWriterRepository } from './history-writer.repository';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { NodeHeadRepairRepository } from './node-head-repair.repository';
import { NodeHeadRepairResolver } from './node-head-repair.resolver';
import { NodeHeadRepairService } from './node-head-repair.service';

@Module({
  controllers: [IngestController],
  providers: [IngestService, HistoryWriterRepository, NodeHeadRepairRepository, NodeHeadRepairService, NodeHeadRepairResolver],
  exports: [IngestService],
})
export class IngestModule {}
