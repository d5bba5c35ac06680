import { Module } from '@nestjs/common';
import { HistoryWriterRepository } from './history-writer.repository';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

@Module({ controllers: [IngestController], providers: [IngestService, HistoryWriterRepository], exports: [IngestService] })
export class IngestModule {}
