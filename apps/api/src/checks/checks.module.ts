import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { BlockMatrixResolver } from './block-matrix.resolver';
import { CaptureCheckResolver } from './capture-check.resolver';
import { FindingChangesService } from './finding-changes.service';
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
  providers: [FindingsRepository, FindingEvents, FindingsEvaluator, FindingsService, FindingChangesService, FindingsResolver, NodeFindingsResolver, BlockMatrixResolver, CaptureCheckResolver],
})
export class ChecksModule {}
