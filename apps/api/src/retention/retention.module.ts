import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { HistoryModule } from '../history/history.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Deletes history older than ROUTESCOPE_RETENTION_DAYS (90 by default) on an hourly timer. */
@Module({ imports: [DatabaseModule, HistoryModule, MetricsModule], providers: [RetentionService, RetentionRepository], exports: [RetentionService] })
export class RetentionModule {}
