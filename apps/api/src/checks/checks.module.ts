import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { BlockMatrixResolver } from './block-matrix.resolver';
import { FindingEvents } from './finding-events';
import { FindingsEvaluator } from './findings-evaluator.service';
import { FindingsRepository } from './findings.repository';
import { FindingsResolver, NodeFindingsResolver } from './findings.resolver';
import { FindingsService } from './findings.service';

/** Diagnostics: checks run on every changed ingest; findings kept as intervals; GraphQL over them. */
@Module({
  imports: [HistoryModule],
  providers: [FindingsRepository, FindingEvents, FindingsEvaluator, FindingsService, FindingsResolver, NodeFindingsResolver, BlockMatrixResolver],
})
export class ChecksModule {}
