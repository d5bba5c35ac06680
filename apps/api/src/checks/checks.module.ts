import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { BlockMatrixResolver } from './block-matrix.resolver';
import { CaptureCheckResolver } from './capture-check.resolver';
import { FindingEvents } from './finding-events';
import { FindingsEvaluator } from './findings-evaluator.service';
import { FindingsRepository } from './findings.repository';
import { FindingsResolver, NodeFindingsResolver } from './findings.resolver';
import { FindingsService } from './findings.service';

/**
 * Diagnostics: checks run in the background after changed ingests (FindingsEvaluator: node rules
 * per changed node, cross-node rules coalesced); findings kept as intervals; GraphQL over them;
 * checkCapture checks pasted text on request and stores nothing.
 */
@Module({
  imports: [HistoryModule],
  providers: [FindingsRepository, FindingEvents, FindingsEvaluator, FindingsService, FindingsResolver, NodeFindingsResolver, BlockMatrixResolver, CaptureCheckResolver],
  // probes open and resolve PROBE_PROXY_ARP_FAILED through the same table and fan-out
  exports: [FindingsRepository, FindingEvents],
})
export class ChecksModule {}
