export { ClusterModule } from './cluster.module';
export { ClusterContextService, type PodRef, type IpamBlockRef } from './cluster-context.service';
export type { ClusterModuleOptions, KubernetesMode } from './cluster-options';
export { vethNameForWorkload } from './veth-name';
