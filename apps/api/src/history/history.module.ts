import { Module } from '@nestjs/common';
import { ChangesRecordedResolver } from './changes-recorded.resolver';
import { CoverageService } from './coverage.service';
import { FactChangeService } from './fact-change.service';
import { HistoryLoaderRegistry } from './history-loaders';
import { HistoryQueryRepository } from './history-query.repository';
import { HistoryQueryResolver } from './history-query.resolver';
import { NodeDirectoryService } from './node-directory.service';
import { NodeStateResolver } from './node-state.resolver';
import { NodeStateService } from './node-state.service';
import { NodeResolver } from './node.resolver';
import { StateDiffService } from './state-diff.service';

/** The read side: GraphQL queries over history (intervals), and the changes subscription. */
@Module({
  providers: [
    HistoryQueryRepository,
    HistoryLoaderRegistry,
    NodeDirectoryService,
    CoverageService,
    NodeStateService,
    FactChangeService,
    StateDiffService,
    HistoryQueryResolver,
    NodeResolver,
    NodeStateResolver,
    ChangesRecordedResolver,
  ],
  exports: [HistoryQueryRepository],
})
export class HistoryModule {}
