import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesListObject, KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import { ClusterHistoryService } from './cluster-history.service';
import { normalise, objectKey, type ClusterEntry, type ClusterKind, type NormaliseOptions, type RawObject } from './cluster-objects';
import { CLUSTER_OPTIONS, type ClusterModuleOptions } from './cluster-options';
import { describeSource, detectKubeConfig, loadKubeConfig, type KubeConfigSource } from './kube-config-source';
import { loadKubernetesClient, type KubernetesClientModule } from './kubernetes-client';

type WatchedObject = KubernetesObject & RawObject;

interface ListPage {
  metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
  items: WatchedObject[];
}

interface Clients {
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

interface ResourceDefinition {
  kind: ClusterKind;
  /** the collection path, listed and watched (cluster-wide) */
  path: string;
  list(clients: Clients, page: { limit: number; _continue?: string }): Promise<ListPage>;
}

const CALICO = { group: 'crd.projectcalico.org', version: 'v1' };

/** What the API watches: core/v1 Nodes and Pods (all namespaces), Calico's IPAM CRDs (cluster-scoped). */
export const WATCHED_RESOURCES: readonly ResourceDefinition[] = [
  { kind: 'node', path: '/api/v1/nodes', list: (c, page) => c.core.listNode(page) as Promise<ListPage> },
  { kind: 'pod', path: '/api/v1/pods', list: (c, page) => c.core.listPodForAllNamespaces(page) as Promise<ListPage> },
  ...(['ippools', 'blockaffinities', 'ipamblocks'] as const).map(
    (plural): ResourceDefinition => ({
      kind: plural === 'ippools' ? 'ippool' : plural === 'blockaffinities' ? 'blockaffinity' : 'ipamblock',
      path: `/apis/${CALICO.group}/${CALICO.version}/${plural}`,
      list: (c, page) => c.custom.listClusterCustomObject({ ...CALICO, plural, ...page }) as Promise<ListPage>,
    }),
  ),
];

export interface ResourceStatus {
  kind: ClusterKind;
  path: string;
  /** listed at least once: the cache (and the context part built from it) is meaningful */
  synced: boolean;
  /** where the watch resumes from (the last event's or bookmark's revision) */
  resourceVersion: string;
  lists: number;
  /** informer restarts after an error (dropped connection, failed list) */
  restarts: number;
  lastError?: string;
}

/** One informer (client-node ListWatch) with its reconnect policy and its bridge to the history. */
class ResourceWatch {
  readonly status: ResourceStatus;
  informer!: ListWatch<WatchedObject>;
  private attempts = 0;
  private restartTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private stopped = false;
  private firstList!: () => void;
  readonly listed = new Promise<void>((resolve) => (this.firstList = resolve));
  /** bumped on every change of the cache; the context memoises on it */
  generation = 0;
  private memo?: { generation: number; entries: ClusterEntry[] };

  constructor(
    private readonly definition: ResourceDefinition,
    private readonly owner: ClusterWatchService,
  ) {
    this.status = { kind: definition.kind, path: definition.path, synced: false, resourceVersion: '', lists: 0, restarts: 0 };
  }

  get kind(): ClusterKind {
    return this.definition.kind;
  }

  create(k8s: KubernetesClientModule, config: KubeConfig, clients: Clients): void {
    const owner = this.owner;
    const isStopped = () => this.stopped;
    const onEvent = () => (this.attempts = 0);
    const timeout = () => owner.watchTimeoutSeconds();
    // makeInformer(config, path, list) is `new ListWatch(path, new Watch(config), list, false)`; the
    // same, with a Watch that asks for bookmarks (ListWatch sends only resourceVersion), a
    // server-side timeout, and no new request once stopped (ListWatch would start a watch
    // after a list that was still running when stop() was called).
    class BookmarkingWatch extends k8s.Watch {
      override async watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: Parameters<Watch['watch']>[2], done: Parameters<Watch['watch']>[3]): Promise<AbortController> {
        if (isStopped()) return new AbortController();
        return super.watch(path, { ...query, allowWatchBookmarks: true, timeoutSeconds: timeout() }, (phase, object, raw) => {
          onEvent();
          callback(phase, object, raw);
        }, done);
      }
    }
    this.informer = new k8s.ListWatch<WatchedObject>(this.definition.path, new BookmarkingWatch(config), () => this.list(clients), false);
    this.informer.on('add', (object) => this.changed(object));
    this.informer.on('update', (object) => this.changed(object));
    this.informer.on('delete', (object) => this.deleted(object));
    this.informer.on('error', (error) => this.failed(error));
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.informer.start();
    } catch (error) {
      this.failed(error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.resyncTimer);
    this.restartTimer = this.resyncTimer = undefined;
    await this.informer?.stop();
  }

  /** The cache, normalised (memoised until the next change). */
  entries(options: NormaliseOptions): ClusterEntry[] {
    if (this.memo?.generation !== this.generation) {
      this.memo = { generation: this.generation, entries: this.informer.list().map((object) => normalise(this.kind, object, options)) };
    }
    return this.memo.entries;
  }

  /** All pages of the collection, one consistent list (the continue token pins the first page's resourceVersion). */
  private async list(clients: Clients): Promise<KubernetesListObject<WatchedObject>> {
    const items: WatchedObject[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    do {
      const page = await this.definition.list(clients, { limit: this.owner.pageSize, ...(token ? { _continue: token } : {}) });
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion;
      token = page.metadata?._continue || page.metadata?.continue || undefined;
    } while (token);
    if (this.stopped) throw new Error('stopped');
    // The list is the truth as of now: reconcile the history before ListWatch replays it as
    // add/update/delete callbacks (which then find nothing left to write).
    const at = this.owner.now();
    this.owner.history.listed(this.kind, items.map((item) => normalise(this.kind, item, this.owner.normaliseOptions)), at).catch(() => this.scheduleResync());
    this.status.lists++;
    this.status.synced = true;
    this.status.lastError = undefined;
    this.attempts = 0;
    this.generation++;
    this.firstList();
    return { metadata: { resourceVersion }, items };
  }

  private changed(object: WatchedObject): void {
    this.generation++;
    const entry = normalise(this.kind, object, this.owner.normaliseOptions);
    this.owner.history.observed(entry, this.owner.now()).catch(() => this.scheduleResync());
  }

  private deleted(object: WatchedObject): void {
    this.generation++;
    this.owner.history.removed(this.kind, objectKey(this.kind, object), this.owner.now()).catch(() => this.scheduleResync());
  }

  /**
   * ListWatch handles a clean end of the stream (resume from the last resourceVersion) and
   * 410 Gone (relist) by itself, but after any other error (connection reset, failed list,
   * 5xx) it stops and reports here. Restart with back-off; start() resumes from the last
   * resourceVersion, or relists if there is none yet.
   */
  private failed(error: unknown): void {
    if (this.stopped || this.restartTimer) return;
    const message = errorMessage(error);
    this.status.lastError = message;
    const delay = this.owner.backoff(this.attempts++);
    const log = `${this.definition.path}: ${message}; retrying in ${delay} ms`;
    if (this.attempts === 1 || (this.attempts & (this.attempts - 1)) === 0) this.owner.logger.warn(log);
    else this.owner.logger.debug(log);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.status.restarts++;
      void this.start();
    }, delay);
    this.restartTimer.unref();
  }

  /** A history write failed (database briefly away): reconcile the kind from the cache a little later. */
  private scheduleResync(): void {
    if (this.stopped || this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      if (this.stopped) return;
      this.owner.history.listed(this.kind, this.entries(this.owner.normaliseOptions), this.owner.now()).catch(() => this.scheduleResync());
    }, this.owner.backoff(0));
    this.resyncTimer.unref();
  }
}

/**
 * Watches the cluster when there is one: informers (list + watch, resumed after a dropped
 * stream, relisted after 410 Gone) for Nodes, Pods and Calico's IPPools, BlockAffinities and
 * IPAMBlocks. Their caches back ClusterContextService; every change is recorded as intervals
 * by ClusterHistoryService. Without a configuration the module does nothing but say so.
 */
@Injectable()
export class ClusterWatchService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly logger = new Logger('Cluster');
  readonly normaliseOptions: NormaliseOptions;
  readonly pageSize: number;
  private readonly resources = new Map<ClusterKind, ResourceWatch>();
  private source: KubeConfigSource = { kind: 'none' };
  private started = false;
  private stopping = false;

  constructor(
    @Inject(CLUSTER_OPTIONS) private readonly options: ClusterModuleOptions,
    readonly history: ClusterHistoryService,
  ) {
    const env = options.env ?? process.env;
    this.normaliseOptions = { interfacePrefix: env['FELIX_INTERFACEPREFIX'] || undefined };
    this.pageSize = options.pageSize ?? 500;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.source = detectKubeConfig(this.options);
    if (this.source.kind === 'off') {
      this.logger.log('Kubernetes watch is off (ROUTESCOPE_KUBERNETES=off)');
      return;
    }
    if (this.source.kind === 'none') {
      this.logger.log('no Kubernetes configuration (neither KUBECONFIG nor an in-cluster service account): not watching a cluster');
      return;
    }
    const k8s = await loadKubernetesClient();
    const config = loadKubeConfig(k8s, this.source, this.options);
    const clients: Clients = { core: config.makeApiClient(k8s.CoreV1Api), custom: config.makeApiClient(k8s.CustomObjectsApi) };
    for (const definition of WATCHED_RESOURCES) {
      const resource = new ResourceWatch(definition, this);
      resource.create(k8s, config, clients);
      this.resources.set(definition.kind, resource);
    }
    this.started = true;
    this.logger.log(`watching Kubernetes through ${describeSource(this.source, config)}: ${WATCHED_RESOURCES.map((r) => r.path).join(', ')}`);
    // Not awaited: the API serves without the cluster while the first lists run (or retry).
    for (const resource of this.resources.values()) void resource.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.resources.values()].map((r) => r.stop()));
    await this.history.close();
  }

  /** Whether informers run (a configuration was found); says nothing of their health. */
  get watching(): boolean {
    return this.started && !this.stopping;
  }

  /** Resolves once every resource has been listed once (a resource that never lists keeps it pending). */
  async synced(): Promise<void> {
    await Promise.all([...this.resources.values()].map((r) => r.listed));
  }

  status(): { watching: boolean; source: KubeConfigSource['kind']; resources: ResourceStatus[] } {
    return {
      watching: this.watching,
      source: this.source.kind,
      // ListWatch keeps the resume point (moved by every event and bookmark, cleared by 410 Gone).
      resources: [...this.resources.values()].map((r) => ({ ...r.status, resourceVersion: r.informer.latestResourceVersion() })),
    };
  }

  /** The normalised objects of one kind from the informer cache; undefined until it has been listed. */
  entries<K extends ClusterKind>(kind: K): { generation: number; entries: ClusterEntry<K>[] } | undefined {
    const resource = this.resources.get(kind);
    if (!this.watching || !resource?.status.synced) return undefined;
    return { generation: resource.generation, entries: resource.entries(this.normaliseOptions) as ClusterEntry<K>[] };
  }

  /** The cache generation of one kind (changes whenever its objects do), -1 when not synced. */
  generation(kind: ClusterKind): number {
    const resource = this.resources.get(kind);
    return this.watching && resource?.status.synced ? resource.generation : -1;
  }

  now(): Date {
    return this.options.clock ? this.options.clock() : new Date();
  }

  backoff(attempt: number): number {
    const initial = this.options.retry?.initialMs ?? 1000;
    const max = this.options.retry?.maxMs ?? 60000;
    const delay = Math.min(max, initial * 2 ** Math.min(attempt, 20));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  watchTimeoutSeconds(): number {
    return this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
  }
}

function errorMessage(error: unknown): string {
  if (!error) return 'unknown error';
  const e = error as { message?: string; statusCode?: number; code?: number | string; body?: unknown };
  const status = e.statusCode ?? (typeof e.code === 'number' ? e.code : undefined);
  const text = e.message || String(error);
  return status && !text.includes(String(status)) ? `${text} (HTTP ${status})` : text;
}
