import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { testing, type Database, type DatabaseKind } from '@routescope/db';
import type { NetworkNamespace, Snapshot } from '@routescope/snapshot';
import { type PubSubEngine } from 'graphql-subscriptions';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createApiApplication } from '../src/api-application';
import { FindingEvents } from '../src/checks/finding-events';
import { FindingsEvaluator } from '../src/checks/findings-evaluator.service';
import { loadApiConfig } from '../src/config/api-config';
import { HistoryEvents } from '../src/events/history-events';
import { IngestService, type IngestResult } from '../src/ingest/ingest.service';

// Test support for the API suites (not a spec): the real app on a fresh database,
// listening on a free port, queried over HTTP and WebSocket like any client would.

/** Both database kinds, unless ROUTESCOPE_TEST_DATABASES (e.g. `pglite`) narrows them (libs/db). */
export const testDatabaseKinds = testing.testDatabaseKinds;

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; reason?: string };
}

export interface GraphqlResponse<T> {
  data?: T | null;
  errors?: GraphqlError[];
}

export interface ApiTestApp {
  readonly app: INestApplication;
  readonly kind: DatabaseKind;
  readonly tokens: { ingest: string; read: string; admin: string };
  /**
   * Stores a snapshot through the real ingest path (validate → normalise → diff → intervals),
   * then waits for the checks it triggered (FindingsEvaluator.settled): a test reads a quiet app,
   * with the findings written and no background evaluation racing its queries or SQL counts.
   * `IngestService` itself answers before the checks run (app.get(IngestService) for that path).
   */
  ingest(snapshot: Snapshot): Promise<IngestResult>;
  /** Resolves when the checks have evaluated every state handed over so far (FindingsEvaluator.settled). */
  settled(): Promise<void>;
  /** POST /graphql; `token: null` sends no Authorization header. */
  graphql<T>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphqlResponse<T>>;
  /** A graphql-ws client on /graphql; `token: null` connects without one. */
  subscriptionClient(token?: string | null): Client;
  /**
   * GraphQL subscriptions the server has live on a trigger (e.g. 'findingChanged'): a test waits
   * for its client's subscription to be registered before it makes the event.
   */
  subscriptions(trigger: string): number;
  /** SQL statements sent through prisma.$queryRaw since the last reset (every history read is one). */
  readonly sql: { count: number; reset(): void };
  close(): Promise<void>;
}

export interface ApiTestAppOptions {
  /** more environment for loadApiConfig (e.g. ROUTESCOPE_CHECKS_DEBOUNCE_MS) */
  env?: Record<string, string>;
}

export async function startApiTestApp(kind: DatabaseKind, options: ApiTestAppOptions = {}): Promise<ApiTestApp> {
  const database = await testing.createTestDatabase(kind);
  const sql = { count: 0, reset: () => (sql.count = 0) };
  const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
  const config = loadApiConfig({
    ROUTESCOPE_INGEST_TOKEN: tokens.ingest,
    ROUTESCOPE_READ_TOKEN: tokens.read,
    ROUTESCOPE_ADMIN_TOKEN: tokens.admin,
    ROUTESCOPE_LOG_LEVEL: 'error',
    // No spacing between cluster evaluations beyond their own duration: settled() is quick.
    ROUTESCOPE_CHECKS_DEBOUNCE_MS: '0',
    // Suites post snapshots at fixed dates: the longest retention keeps them acceptable for years.
    ROUTESCOPE_RETENTION_DAYS: '3650',
    ...options.env,
  });
  const { app } = await createApiApplication(config, countingQueries(database, sql));
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  // fetch keeps the connection for the server's keep-alive time less a second; on a loaded
  // machine its timer fires late and it reuses a socket the server has just closed (ECONNRESET)
  // when a suite pauses ~5 s between requests to one app (its per-test reset). Tests hold idle
  // connections longer instead; close() ends them.
  server.keepAliveTimeout = 10 * 60_000;
  const { port } = server.address() as AddressInfo;
  const ingest = app.get(IngestService);
  const evaluator = app.get(FindingsEvaluator);
  const clients: Client[] = [];
  const live = liveSubscriptions([app.get(HistoryEvents).pubsub, app.get(FindingEvents).pubsub]);

  return {
    app,
    kind,
    tokens,
    sql,
    async ingest(snapshot) {
      const result = await ingest.ingest(snapshot);
      await evaluator.settled();
      return result;
    },
    settled: () => evaluator.settled(),
    subscriptions: (trigger) => live.get(trigger) ?? 0,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, token: string | null = tokens.read) {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphqlResponse<T>;
    },
    subscriptionClient(token: string | null = tokens.read) {
      const client = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.close();
      await database.dispose();
    },
  };
}

/**
 * Counts, per trigger, the subscriptions of these PubSubs that are live (their subscribe and
 * unsubscribe wrapped; the history events and the findings each have their own PubSub).
 */
/**
 * One API replica on `db` (initialised, not listening), added to `apps` for the caller to close:
 * several of them on one database are what the cross-replica specs run. Retention as long as
 * allowed, so that snapshots at fixed past dates stay inside it.
 */
export async function startReplica(db: Database, apps: INestApplication[]): Promise<INestApplication> {
  const config = loadApiConfig({ ROUTESCOPE_INGEST_TOKEN: `rs_${randomBytes(12).toString('hex')}`, ROUTESCOPE_LOG_LEVEL: 'error', ROUTESCOPE_RETENTION_DAYS: '3650' });
  const { app } = await createApiApplication(config, db);
  await app.init();
  apps.push(app);
  return app;
}

export function liveSubscriptions(pubsubs: PubSubEngine[]): Map<string, number> {
  const live = new Map<string, number>();
  for (const pubsub of pubsubs) {
    const triggers = new Map<number, string>();
    const subscribe = pubsub.subscribe.bind(pubsub);
    const unsubscribe = pubsub.unsubscribe.bind(pubsub);
    pubsub.subscribe = async (trigger, onMessage, options) => {
      const id = await subscribe(trigger, onMessage, options);
      triggers.set(id, trigger);
      live.set(trigger, (live.get(trigger) ?? 0) + 1);
      return id;
    };
    pubsub.unsubscribe = (id) => {
      const trigger = triggers.get(id);
      if (trigger !== undefined) live.set(trigger, (live.get(trigger) ?? 1) - 1);
      triggers.delete(id);
      unsubscribe(id);
    };
  }
  return live;
}

/** The same database, with every prisma.$queryRaw and $queryRawUnsafe counted (a Proxy; Prisma itself is untouched). */
function countingQueries(database: Database, sql: { count: number }): Database {
  const prisma = new Proxy(database.prisma, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      if (property === '$queryRaw' || property === '$queryRawUnsafe') {
        return (...args: unknown[]) => {
          sql.count++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { ...database, prisma };
}

function secret(name: string): string {
  return `rs_test_${name}_${randomBytes(16).toString('hex')}`;
}

// --- snapshots -------------------------------------------------------------------------------

export interface SnapshotOptions {
  node: string;
  takenAt: string;
  seq: number;
  bootId?: string;
  clockSkewMs?: number;
  namespaces: NetworkNamespace[];
}

export function snapshot(options: SnapshotOptions): Snapshot {
  return {
    schemaVersion: 1,
    snapshotId: randomUUID(),
    node: options.node,
    collector: {
      version: '0.1.0-test',
      bootId: options.bootId ?? 'boot-1',
      seq: options.seq,
      source: 'collect',
      ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
    },
    takenAt: options.takenAt,
    kernel: '6.8.0-test',
    iproute2: 'iproute2-6.1.0',
    namespaces: options.namespaces,
    warnings: [],
  };
}

export interface HostOptions {
  ip: string;
  gateway: string;
  ipForward?: string;
  /** Calico block routes: [dst, gateway-or-undefined for a blackhole]. */
  blocks?: Array<[string, string | undefined]>;
  /** pods hanging off this host: [host veth, pod ip]. */
  veths?: Array<[string, string]>;
}

/**
 * Addresses of a test node of its own (`net` 0–249): underlay IP, its block, a pod address in it,
 * and a block it routes to another node. Suites that post many nodes give each its own: nodes that
 * shared addresses made every new node a duplicate-address and block-conflict finding with every
 * earlier one, and the checks' work grew with the square of the nodes.
 */
export function nodeAddresses(net: number) {
  const n = net % 250;
  return { ip: `10.1.${n}.11`, block: `172.18.${n}.0/26`, pod: (host: string | number) => `172.18.${n}.${host}`, remoteBlock: `172.19.${n}.0/26`, remoteVia: `10.1.${n}.12` };
}

/** A Calico host namespace: eth0 on the underlay, one cali veth and /32 route per pod, block routes. */
export function hostNamespace(options: HostOptions): NetworkNamespace {
  const veths = options.veths ?? [];
  return {
    kind: 'host',
    name: 'host',
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
      { ifindex: 2, name: 'eth0', mac: '52:54:00:00:00:01', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'UP'] },
      ...veths.map(([veth], i) => ({ ifindex: 10 + i, name: veth, kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1440, operState: 'UP', flags: ['UP'], peerIfindex: 3, linkNetnsId: i })),
    ],
    addresses: [{ dev: 'eth0', family: 'inet', local: options.ip, prefixlen: 24, flags: [] }],
    routes: [
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: options.gateway, dev: 'eth0', flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', scope: 'link', protocol: 'kernel', prefsrc: options.ip, flags: [] },
      ...(options.blocks ?? []).map(([dst, via]) =>
        via
          ? { family: 'inet' as const, table: 'main', type: 'unicast', dst, gateway: via, dev: 'tunl0', protocol: 'bird', flags: ['onlink'] }
          : { family: 'inet' as const, table: 'main', type: 'blackhole', dst, protocol: 'bird', flags: [] },
      ),
      ...veths.map(([veth, ip]) => ({ family: 'inet' as const, table: 'main', type: 'unicast', dst: ip, dev: veth, scope: 'link', flags: [] })),
    ],
    neighbors: [{ family: 'inet', dst: options.gateway, dev: 'eth0', lladdr: '52:54:00:00:00:fe', state: ['REACHABLE'] }],
    sysctls: [
      { path: 'net/ipv4/ip_forward', value: options.ipForward ?? '1' },
      ...veths.flatMap(([veth]) => [
        { path: `net/ipv4/conf/${veth}/proxy_arp`, value: '1' },
        { path: `net/ipv4/neigh/${veth}/proxy_delay`, value: '0' },
      ]),
    ],
  };
}

/** A Calico pod: eth0 with a /32, default via 169.254.1.1, the proxy-ARP neighbour. */
export function podNamespace(netns: string, hostVeth: string, ip: string, neighborState = 'REACHABLE'): NetworkNamespace {
  return {
    kind: 'pod',
    name: netns,
    hostVeth,
    links: [
      { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
      { ifindex: 3, name: 'eth0', mac: '0a:58:0a:f4:00:05', mtu: 1440, operState: 'UP', flags: ['BROADCAST', 'UP'], peerIfindex: 10, linkNetnsId: 0 },
    ],
    addresses: [{ dev: 'eth0', family: 'inet', local: ip, prefixlen: 32, flags: [] }],
    routes: [
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
    ],
    neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: [neighborState] }],
    sysctls: [],
  };
}
