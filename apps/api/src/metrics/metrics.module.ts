import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { HistoryModule } from '../history/history.module';
import { API_METRICS } from './api-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Prometheus metrics (ApiMetrics): one registry, imported by every module that counts into it (checks, retention, GraphQL). */
@Module({
  imports: [DatabaseModule, HistoryModule],
  controllers: [MetricsController],
  providers: [MetricsService, { provide: API_METRICS, useFactory: (service: MetricsService) => service.metrics, inject: [MetricsService] }],
  exports: [MetricsService, API_METRICS],
})
export class MetricsModule {}
