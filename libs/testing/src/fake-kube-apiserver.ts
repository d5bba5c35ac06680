import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// No cluster can run here; this server speaks the real wire protocol.
//
// A local HTTP server that answers the Kubernetes API requests an informer makes, the way
// kube-apiserver does, so the real @kubernetes/client-node informers (list + watch) can be
// exercised end to end:
//   GET <collection>                    → {kind: "<Kind>List", apiVersion, metadata: {resourceVersion, continue?}, items}
//                                         (limit/continue paging over a snapshot of the first page's revision)
//   GET <collection>?watch=true&resourceVersion=N
//                                       → 200, Transfer-Encoding: chunked, one JSON event per line:
//                                         {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}
//                                         every event after revision N, then live ones;
//                                         N older than the last compaction → an ERROR event carrying a
//                                         Status {code: 410, reason: "Expired"} and the end of the stream
//                                         (or, with goneAs: 'http', an HTTP 410 Status response)
//   allowWatchBookmarks=true            → bookmark() sends BOOKMARK events carrying the current revision
//   timeoutSeconds=S                    → the stream ends cleanly after S seconds
//   Authorization: Bearer <token>       → required (401 Status otherwise)
// One revision counter for everything, like etcd's; objects get uid, resourceVersion and
// creationTimestamp on create. Faults: disconnect() ends (or resets) every open watch,
// partition() does that and holds every request until heal(), compact() forgets the event
// log so older revisions answer 410 Gone.

export interface FakeResource {
  /** collection path, e.g. /api/v1/pods (pods are listed and watched across namespaces there) */
  path: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

export const RESOURCES = {
  nodes: { path: '/api/v1/nodes', apiVersion: 'v1', kind: 'Node', namespaced: false },
  pods: { path: '/api/v1/pods', apiVersion: 'v1', kind: 'Pod', namespaced: true },
  ippools: { path: '/apis/crd.projectcalico.org/v1/ippools', apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', namespaced: false },
  blockaffinities: { path: '/apis/crd.projectcalico.org/v1/blockaffinities', apiVersion: 'crd.projectcalico.org/v1', kind: 'BlockAffinity', namespaced: false },
  ipamblocks: { path: '/apis/crd.projectcalico.org/v1/ipamblocks', apiVersion: 'crd.projectcalico.org/v1', kind: 'IPAMBlock', namespaced: false },
} as const satisfies Record<string, FakeResource>;

export type ResourceName = keyof typeof RESOURCES;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

interface LoggedEvent {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface OpenWatch {
  resource: ResourceName;
  response: ServerResponse;
  bookmarks: boolean;
  timer?: NodeJS.Timeout;
}

export interface RecordedRequest {
  resource?: ResourceName;
  watch: boolean;
  query: Record<string, string>;
  status: number;
}

export interface FakeKubeApiServerOptions {
  /** the bearer token clients must send */
  token: string;
  /** how a too-old resourceVersion is refused: an ERROR event in a 200 stream (kube-apiserver's way, default) or an HTTP 410 */
  goneAs?: 'event' | 'http';
}

export class FakeKubeApiServer {
  /** every request answered (or held), in arrival order */
  readonly requests: RecordedRequest[] = [];
  private revision = 1;
  /** the oldest revision a watch may still start from */
  private compactedRevision = 1;
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>();
  private readonly log = new Map<ResourceName, LoggedEvent[]>();
  private readonly watches = new Set<OpenWatch>();
  private readonly held: Array<() => void> = [];
  private readonly continuations = new Map<string, { revision: number; items: KubeObject[] }>();
  private partitioned = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeKubeApiServerOptions,
  ) {}

  static async start(options: FakeKubeApiServerOptions): Promise<FakeKubeApiServer> {
    const ready: { fake?: FakeKubeApiServer } = {};
    const server = createServer((request, response) => ready.fake?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeKubeApiServer(server, `http://127.0.0.1:${port}`, options);
    for (const name of Object.keys(RESOURCES) as ResourceName[]) {
      fake.objects.set(name, new Map());
      fake.log.set(name, []);
    }
    ready.fake = fake;
    return fake;
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  // --- the cluster's state ----------------------------------------------------------------

  create(resource: ResourceName, object: KubeObject): KubeObject {
    const key = objectKey(object);
    if (this.store(resource).has(key)) throw new Error(`${resource} ${key} already exists`);
    const stored = this.stamp(resource, object, { uid: object.metadata.uid ?? randomUUID(), creationTimestamp: new Date().toISOString() });
    this.store(resource).set(key, stored);
    this.append(resource, 'ADDED', stored);
    return stored;
  }

  /** Replaces an object (a PUT): uid and creationTimestamp are kept. */
  update(resource: ResourceName, object: KubeObject): KubeObject {
    const key = objectKey(object);
    const current = this.store(resource).get(key);
    if (!current) throw new Error(`${resource} ${key} not found`);
    const stored = this.stamp(resource, object, { uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp });
    this.store(resource).set(key, stored);
    this.append(resource, 'MODIFIED', stored);
    return stored;
  }

  delete(resource: ResourceName, name: string, namespace?: string): KubeObject {
    const key = namespace ? `${namespace}/${name}` : name;
    const current = this.store(resource).get(key);
    if (!current) throw new Error(`${resource} ${key} not found`);
    this.store(resource).delete(key);
    // The DELETED event carries the object's last state at the deletion's revision.
    const gone = { ...current, metadata: { ...current.metadata, resourceVersion: String(++this.revision) } };
    this.append(resource, 'DELETED', gone);
    return gone;
  }

  get(resource: ResourceName, name: string, namespace?: string): KubeObject | undefined {
    return this.store(resource).get(namespace ? `${namespace}/${name}` : name);
  }

  // --- faults and protocol features -------------------------------------------------------

  /** A BOOKMARK with the current revision to every watch that asked for bookmarks (allowWatchBookmarks=true). */
  bookmark(): number {
    let sent = 0;
    for (const watch of this.watches) {
      if (!watch.bookmarks) continue;
      const { apiVersion, kind } = RESOURCES[watch.resource];
      write(watch.response, 'BOOKMARK', { apiVersion, kind, metadata: { resourceVersion: String(this.revision) } } as unknown as KubeObject);
      sent++;
    }
    return sent;
  }

  /** Ends every open watch: cleanly (end of the chunked body, as on a server-side timeout) or abruptly (connection reset). */
  disconnect(options: { abrupt?: boolean } = {}): void {
    for (const watch of [...this.watches]) this.endWatch(watch, options.abrupt);
  }

  /** Drops every watch and holds all requests (lists too) until heal(): the API is unreachable. */
  partition(): void {
    this.partitioned = true;
    this.disconnect();
  }

  /** Answers the held requests, in order, with the state as it is now. */
  heal(): void {
    this.partitioned = false;
    for (const answer of this.held.splice(0)) answer();
  }

  /** Forgets the event log (etcd compaction): a watch from an older revision gets 410 Gone. */
  compact(): void {
    this.compactedRevision = this.revision;
    for (const events of this.log.values()) events.length = 0;
  }

  /** Open watch streams (of one resource). */
  openWatches(resource?: ResourceName): number {
    return [...this.watches].filter((w) => !resource || w.resource === resource).length;
  }

  /** Requests held by a partition. */
  get heldRequests(): number {
    return this.held.length;
  }

  listRequests(resource: ResourceName): RecordedRequest[] {
    return this.requests.filter((r) => r.resource === resource && !r.watch);
  }

  watchRequests(resource: ResourceName): RecordedRequest[] {
    return this.requests.filter((r) => r.resource === resource && r.watch);
  }

  async close(): Promise<void> {
    this.partitioned = false;
    this.held.splice(0);
    this.disconnect({ abrupt: true });
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private store(resource: ResourceName): Map<string, KubeObject> {
    const store = this.objects.get(resource);
    if (!store) throw new Error(`unknown resource ${resource}`);
    return store;
  }

  private events(resource: ResourceName): LoggedEvent[] {
    const events = this.log.get(resource);
    if (!events) throw new Error(`unknown resource ${resource}`);
    return events;
  }

  // --- HTTP ---------------------------------------------------------------------------------

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const resource = (Object.keys(RESOURCES) as ResourceName[]).find((name) => RESOURCES[name].path === url.pathname);
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    const record: RecordedRequest = { resource, watch, query, status: 0 };
    this.requests.push(record);
    const answer = () => {
      if (request.headers.authorization !== `Bearer ${this.options.token}`) return status(response, record, 401, 'Unauthorized', 'Unauthorized');
      if (request.method !== 'GET') return status(response, record, 405, 'MethodNotAllowed', `${request.method} is not supported here`);
      if (!resource) return status(response, record, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
      if (watch) return this.watch(resource, query, response, record);
      return this.list(resource, query, response, record);
    };
    if (this.partitioned) this.held.push(answer);
    else answer();
  }

  private list(resource: ResourceName, query: Record<string, string>, response: ServerResponse, record: RecordedRequest): void {
    const { apiVersion, kind } = RESOURCES[resource];
    let page: { revision: number; items: KubeObject[] };
    if (query['continue']) {
      const saved = this.continuations.get(query['continue']);
      if (!saved) return status(response, record, 410, 'Expired', 'the provided continue parameter is too old');
      this.continuations.delete(query['continue']);
      page = saved;
    } else {
      page = { revision: this.revision, items: [...this.store(resource).values()].sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : 1)) };
    }
    const limit = Number(query['limit'] ?? 0);
    const items = limit > 0 ? page.items.slice(0, limit) : page.items;
    const rest = limit > 0 ? page.items.slice(limit) : [];
    const metadata: Record<string, string> = { resourceVersion: String(page.revision) };
    if (rest.length > 0) {
      const token = randomUUID();
      this.continuations.set(token, { revision: page.revision, items: rest });
      metadata['continue'] = token;
    }
    record.status = 200;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: `${kind}List`, apiVersion, metadata, items }));
  }

  private watch(resource: ResourceName, query: Record<string, string>, response: ServerResponse, record: RecordedRequest): void {
    const from = query['resourceVersion'] ?? '';
    const fromRevision = Number(from || 0);
    const tooOld = from !== '' && from !== '0' && fromRevision < this.compactedRevision;
    if (tooOld && this.options.goneAs === 'http') {
      return status(response, record, 410, 'Expired', `too old resource version: ${from} (${this.compactedRevision})`);
    }
    record.status = 200;
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
    response.flushHeaders();
    if (tooOld) {
      write(response, 'ERROR', statusObject(410, 'Expired', `too old resource version: ${from} (${this.compactedRevision})`) as unknown as KubeObject);
      response.end();
      return;
    }
    const open: OpenWatch = { resource, response, bookmarks: query['allowWatchBookmarks'] === 'true' };
    this.watches.add(open);
    response.on('close', () => {
      clearTimeout(open.timer);
      this.watches.delete(open);
    });
    if (from === '' || from === '0') {
      // "Any" revision: the current state as synthetic ADDED events, then live ones.
      for (const object of this.store(resource).values()) write(response, 'ADDED', object);
    } else {
      for (const event of this.events(resource)) if (event.revision > fromRevision) write(response, event.type, event.object);
    }
    const seconds = Number(query['timeoutSeconds'] ?? 0);
    if (seconds > 0) open.timer = setTimeout(() => this.endWatch(open), seconds * 1000);
  }

  private endWatch(watch: OpenWatch, abrupt = false): void {
    clearTimeout(watch.timer);
    this.watches.delete(watch);
    if (abrupt) watch.response.socket?.destroy();
    else watch.response.end();
  }

  private stamp(resource: ResourceName, object: KubeObject, keep: { uid?: string; creationTimestamp?: string }): KubeObject {
    const { apiVersion, kind } = RESOURCES[resource];
    const copy = structuredClone(object);
    return {
      ...copy,
      apiVersion,
      kind,
      metadata: { ...copy.metadata, ...keep, resourceVersion: String(++this.revision) },
    };
  }

  private append(resource: ResourceName, type: LoggedEvent['type'], object: KubeObject): void {
    const event = { revision: Number(object.metadata.resourceVersion), type, object };
    this.events(resource).push(event);
    for (const watch of this.watches) if (watch.resource === resource) write(watch.response, type, object);
  }
}

function objectKey(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

function write(response: ServerResponse, type: WatchEventType, object: KubeObject): void {
  if (!response.writableEnded) response.write(`${JSON.stringify({ type, object })}\n`);
}

function statusObject(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function status(response: ServerResponse, record: RecordedRequest, code: number, reason: string, message: string): void {
  record.status = code;
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(statusObject(code, reason, message)));
}
