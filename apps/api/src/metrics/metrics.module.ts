import { Global, Module } from '@nestjs/common';
import { API_METRICS } from './api-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Prometheus metrics (ApiMetrics): global, so ingest, GraphQL and retention count into one registry. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, { provide: API_METRICS, useFactory: (service: MetricsService) => service.metrics, inject: [MetricsService] }],
  exports: [MetricsService, API_METRICS],
})
export class MetricsModule {}
