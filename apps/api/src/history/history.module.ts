import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { EventsModule } from '../events/events.module';
import { ChangesRecordedResolver } from './changes-recorded.resolver';
import { CoverageService } from './coverage.service';
import { FactChangeService } from './fact-change.service';
import { FactPartitions } from './fact-partitions.service';
import { FactStore } from './fact-store.service';
import { FactWriter } from './fact-writer.service';
import { HeartbeatWriter } from './heartbeat-writer.service';
import { HistoryLoaderRegistry } from './history-loaders';
import { HistoryQueryResolver } from './history-query.resolver';
import { NodeDirectoryService } from './node-directory.service';
import { NodeStateResolver } from './node-state.resolver';
import { NodeStateService } from './node-state.service';
import { NodeResolver } from './node.resolver';
import { ClusterStateReader } from './cluster-state-reader';
import { NodeStateReader } from './node-state-reader';
import { StateDiffService } from './state-diff.service';
import { AddressHolderRepository } from './store/address-holder.repository';
import { ChangeCountRepository } from './store/change-count.repository';
import { ClusterStateRepository } from './store/cluster-state.repository';
import { CoverageRepository } from './store/coverage.repository';
import { FactAttrsRepository } from './store/fact-attrs.repository';
import { FactChangeRepository } from './store/fact-change.repository';
import { FactPartitionRepository } from './store/fact-partition.repository';
import { FactStateRepository } from './store/fact-state.repository';
import { HeartbeatRepository } from './store/heartbeat.repository';
import { HistoryRetentionRepository } from './store/history-retention.repository';
import { HistoryWriterRepository } from './store/history-writer.repository';
import { NodeHeadRepairRepository } from './store/node-head-repair.repository';
import { NodeRepository } from './store/node.repository';

/**
 * The history: owner of the fact store (fact, coverage and snapshot tables; repositories in
 * store/, one per concern) and its GraphQL read side (queries over intervals, the changes
 * subscription). Other modules reach the tables only through FactStore.
 */
@Module({
  imports: [DatabaseModule, EventsModule],
  providers: [
    NodeRepository,
    AddressHolderRepository,
    FactAttrsRepository,
    FactStateRepository,
    FactChangeRepository,
    CoverageRepository,
    ChangeCountRepository,
    ClusterStateRepository,
    HistoryWriterRepository,
    NodeHeadRepairRepository,
    HistoryRetentionRepository,
    HeartbeatRepository,
    FactPartitionRepository,
    FactPartitions,
    NodeStateReader,
    ClusterStateReader,
    FactWriter,
    HeartbeatWriter,
    FactStore,
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
  exports: [FactStore],
})
export class HistoryModule {}
