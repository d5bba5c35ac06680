import { Module } from '@nestjs/common';
import { ChecksModule } from '../checks/checks.module';
import { HistoryModule } from '../history/history.module';
import { ProbeEvents } from './probe-events';
import { ProbeMetrics } from './probe-metrics';
import { ProbesController } from './probes.controller';
import { ProbesRepository } from './probes.repository';
import { ProbesResolver } from './probes.resolver';
import { ProbesService } from './probes.service';

/**
 * Live probes (issue #11): requested over GraphQL (requestProbe), pulled by the node's collector
 * (GET /api/v1/probes/next, long-poll) and answered (POST /api/v1/probes/{id}/result); kept as
 * timed evidence, judged into PROBE_PROXY_ARP_FAILED findings (libs/checks).
 */
@Module({
  imports: [HistoryModule, ChecksModule],
  controllers: [ProbesController],
  providers: [ProbesRepository, ProbeEvents, ProbeMetrics, ProbesService, ProbesResolver],
})
export class ProbesModule {}
