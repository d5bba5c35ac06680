import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { HistoryModule } from '../history/history.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ProbeEvents } from './probe-events';
import { ProbeMetrics } from './probe-metrics';
import { ProbesController } from './probes.controller';
import { ProbesRepository } from './probes.repository';
import { ProbesResolver } from './probes.resolver';
import { ProbesService } from './probes.service';

/**
 * Live probes (issue #11): requested over GraphQL (requestProbe), pulled by the node's collector
 * (GET /api/v1/probes/next, long-poll) and answered (POST /api/v1/probes/{id}/result); kept as
 * timed evidence, judged into PROBE_PROXY_ARP_FAILED findings (libs/checks) through the findings
 * of the ChecksModule it is given (withChecks: the root's one instance, not a second evaluator).
 */
@Module({
  imports: [DatabaseModule, HistoryModule, MetricsModule],
  controllers: [ProbesController],
  providers: [ProbesRepository, ProbeEvents, ProbeMetrics, ProbesService, ProbesResolver],
})
export class ProbesModule {
  static withChecks(checks: DynamicModule): DynamicModule {
    return { module: ProbesModule, imports: [checks] };
  }
}
