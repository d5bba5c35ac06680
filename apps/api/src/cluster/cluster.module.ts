import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { ClusterContextService } from './cluster-context.service';
import { ClusterHistoryRepository } from './cluster-history.repository';
import { ClusterHistoryService } from './cluster-history.service';
import { CLUSTER_OPTIONS, type ClusterModuleOptions } from './cluster-options';
import { ClusterWatchService } from './cluster-watch.service';

/**
 * Kubernetes awareness: watches Nodes, Pods and Calico's IPAM objects when a cluster is
 * configured (KUBECONFIG or in-cluster), keeps their history in cluster_object and provides
 * ClusterContextService to the diagnostics, which import the module built here (ChecksModule.withCluster).
 */
@Module({})
export class ClusterModule {
  static forRoot(options: ClusterModuleOptions = {}): DynamicModule {
    return {
      module: ClusterModule,
      imports: [DatabaseModule],
      providers: [{ provide: CLUSTER_OPTIONS, useValue: options }, ClusterHistoryRepository, ClusterHistoryService, ClusterWatchService, ClusterContextService],
      exports: [ClusterContextService],
    };
  }
}
