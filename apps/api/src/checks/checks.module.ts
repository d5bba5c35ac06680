import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { EventsModule } from '../events/events.module';
import { HistoryModule } from '../history/history.module';
import { MetricsModule } from '../metrics/metrics.module';
import { BlockMatrixResolver } from './block-matrix.resolver';
import { BlockMatrixService } from './block-matrix.service';
import { CaptureCheckResolver } from './capture-check.resolver';
import { ClusterChangeQueue } from './cluster-change-queue';
import { ClusterLeadership } from './cluster-leadership.service';
import { FindingChangesService } from './finding-changes.service';
import { FindingEvents } from './finding-events';
import { FindingsEvaluator } from './findings-evaluator.service';
import { FindingsRepository } from './findings.repository';
import { FindingsResolver, NodeFindingsResolver } from './findings.resolver';
import { FindingsService } from './findings.service';

/**
 * Diagnostics: checks run in the background after changed ingests (FindingsEvaluator: node rules
 * per changed node, cross-node rules coalesced); findings kept as intervals; GraphQL over them;
 * checkCapture checks pasted text on request and stores nothing. Reads the cluster context of
 * the ClusterModule it is given (withCluster: ClusterModule.forRoot is configured by the root).
 */
@Module({
  imports: [DatabaseModule, EventsModule, HistoryModule, MetricsModule],
  providers: [ClusterLeadership, ClusterChangeQueue, FindingsRepository, FindingEvents, FindingsEvaluator, FindingsService, FindingChangesService, FindingsResolver, NodeFindingsResolver, BlockMatrixService, BlockMatrixResolver, CaptureCheckResolver],
  // probes open and resolve PROBE_PROXY_ARP_FAILED through the same table and fan-out
  // /healthz and /metrics say which replica evaluates the cross-node rules
  exports: [FindingsRepository, FindingEvents, ClusterLeadership],
})
export class ChecksModule {
  static withCluster(cluster: DynamicModule): DynamicModule {
    return { module: ChecksModule, imports: [cluster] };
  }
}
