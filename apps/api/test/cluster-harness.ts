import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { testing, type DatabaseKind } from '@routescope/db';
import { DatabaseModule } from '../src/database/database.module';
import { ClusterContextService } from '../src/cluster/cluster-context.service';
import { ClusterHistoryService } from '../src/cluster/cluster-history.service';
import { ClusterHistoryRepository, type ClusterObjectRow } from '../src/cluster/cluster-history.repository';
import type { ClusterKind } from '../src/cluster/cluster-objects';
import type { ClusterModuleOptions } from '../src/cluster/cluster-options';
import { ClusterModule } from '../src/cluster/cluster.module';
import { ClusterWatchService } from '../src/cluster/cluster-watch.service';
import { clientNode } from './kube-client-node';
import { FakeKubeApiServer, type FakeKubeApiServerOptions, type KubeObject } from '@routescope/testing';

// Test support for the cluster suites (not a spec): the cluster module on a fresh database,
// its real client-node informers pointed at a FakeKubeApiServer through a real KubeConfig.

export const TOKEN = 'rs-test-kube-token';

export interface ClusterHarness {
  readonly server: FakeKubeApiServer;
  readonly module: TestingModule;
  readonly watch: ClusterWatchService;
  readonly context: ClusterContextService;
  readonly history: ClusterHistoryService;
  readonly database: testing.TestDatabase;
  /** cluster_object rows (of one object), oldest first */
  rows(kind: ClusterKind, key?: string): Promise<ClusterObjectRow[]>;
  /** waits until the history has applied everything queued */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** objects the server holds before the module starts */
  seed?: (server: FakeKubeApiServer) => void;
  /** rows written before the module starts (a previous run's history) */
  before?: (database: testing.TestDatabase) => Promise<void>;
  server?: Partial<FakeKubeApiServerOptions>;
  module?: ClusterModuleOptions;
}

export function fakeKubeConfig(server: FakeKubeApiServer, token = TOKEN) {
  const k8s = clientNode();
  const config = new k8s.KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'fake', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'routescope', token }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'routescope' }],
    currentContext: 'fake',
  });
  return config;
}

export async function startClusterHarness(kind: DatabaseKind, options: HarnessOptions = {}): Promise<ClusterHarness> {
  const server = await FakeKubeApiServer.start({ token: TOKEN, ...options.server });
  const database = await testing.createTestDatabase(kind);
  options.seed?.(server);
  await options.before?.(database);
  const module = await Test.createTestingModule({
    imports: [
      DatabaseModule.forDatabase(database),
      ClusterModule.forRoot({ kubeConfig: fakeKubeConfig(server), env: {}, retry: { initialMs: 50, maxMs: 200 }, ...options.module }),
    ],
  }).compile();
  module.useLogger(false);
  await module.init();
  const watch = module.get(ClusterWatchService);
  const repository = module.get(ClusterHistoryRepository);
  const history = module.get(ClusterHistoryService);
  return {
    server,
    module,
    watch,
    context: module.get(ClusterContextService),
    history,
    database,
    async rows(kind, key) {
      if (key !== undefined) return repository.intervals(kind, key);
      return database.prisma.$queryRaw<ClusterObjectRow[]>`
        SELECT id, kind, key, attrs, valid_from AS "validFrom", valid_to AS "validTo" FROM cluster_object WHERE kind = ${kind} ORDER BY key, valid_from`;
    },
    settled: () => history.idle(),
    async close() {
      await module.close();
      await server.close();
      await database.dispose();
    },
  };
}

/** Retries `check` until it passes (the informers run asynchronously against the server). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- objects as kube-apiserver serves them --------------------------------------------------

export function node(name: string, internalIP: string, extra: { podCIDR?: string; annotations?: Record<string, string>; ready?: boolean } = {}): KubeObject {
  return {
    metadata: { name, annotations: extra.annotations ?? {}, labels: { 'kubernetes.io/hostname': name } },
    spec: extra.podCIDR ? { podCIDR: extra.podCIDR, podCIDRs: [extra.podCIDR] } : {},
    status: {
      addresses: [
        { type: 'InternalIP', address: internalIP },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True', lastHeartbeatTime: new Date().toISOString() }],
    },
  };
}

export function pod(
  namespace: string,
  name: string,
  options: { node?: string; ips?: string[]; phase?: string; hostNetwork?: boolean; uid?: string; labels?: Record<string, string> } = {},
): KubeObject {
  const ips = options.ips ?? [];
  return {
    metadata: { name, namespace, ...(options.uid ? { uid: options.uid } : {}), labels: options.labels ?? { app: name } },
    spec: { ...(options.node ? { nodeName: options.node } : {}), hostNetwork: options.hostNetwork ?? false, containers: [{ name: 'main', image: 'busybox' }] },
    status: {
      phase: options.phase ?? (ips.length > 0 ? 'Running' : 'Pending'),
      ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
    },
  };
}

export function ipPool(name: string, cidr: string, modes: { ipipMode?: string; vxlanMode?: string } = {}): KubeObject {
  return { metadata: { name }, spec: { cidr, ipipMode: modes.ipipMode ?? 'Never', vxlanMode: modes.vxlanMode ?? 'Never', natOutgoing: true, blockSize: 26, nodeSelector: 'all()' } };
}

/** Calico names block affinities `<node>-<cidr with . and / as ->`. */
export function blockAffinity(nodeName: string, cidr: string, state = 'confirmed'): KubeObject {
  return { metadata: { name: `${nodeName}-${cidr.replace(/[./]/g, '-')}` }, spec: { node: nodeName, cidr, state, deleted: 'false' } };
}

/** Calico names IPAM blocks after their CIDR (`172-17-8-0-26`). */
export function ipamBlock(cidr: string, nodeName?: string): KubeObject {
  return {
    metadata: { name: cidr.replace(/[./]/g, '-') },
    spec: { cidr, ...(nodeName ? { affinity: `host:${nodeName}` } : {}), allocations: [0, null, null], unallocated: [1, 2], attributes: [{ handle_id: 'k8s-pod-network.x', secondary: {} }], strictAffinity: false },
  };
}
