import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createDatabase, testing, type Database } from '@routescope/db';
import { until } from '@routescope/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createApiApplication } from '../api-application';
import { FINDING_CHANGED, FindingEvents } from '../checks/finding-events';
import { loadApiConfig, type ApiConfig } from '../config/api-config';
import { hostNamespace, liveSubscriptions, podNamespace, snapshot, testDatabaseKinds } from '../../test/api-test-app';
import { CHANGES_RECORDED, HistoryEvents, type EventsConfig } from './history-events';
import { decode, encode, RedisPubSub } from './redis-pubsub';

// Scale-out: two API replicas on one database, subscriptions fanned out through Redis
// (ROUTESCOPE_TEST_REDIS_URL, default redis://127.0.0.1:6379). One replica ingests, a
// subscriber connected to the other one receives the event: changesRecorded (history) and
// findingChanged (the checks, evaluated in the background by the ingesting replica).

const REDIS_URL = process.env['ROUTESCOPE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const T0 = Date.parse('2026-05-01T00:00:00.000Z');

describe('payload encoding', () => {
  it('keeps Dates as Dates through JSON', () => {
    const event = { changesRecorded: { node: 'n', takenAt: new Date(T0), changes: 2, nested: [{ at: new Date(T0 + 1) }] } };
    expect(decode(encode(event))).toEqual(event);
  });
});

describe('RedisPubSub', () => {
  it('delivers to every subscriber of a trigger, on this and another instance, and stops after unsubscribe', async () => {
    const prefix = `rs-test-${randomBytes(4).toString('hex')}`;
    const a = new RedisPubSub(REDIS_URL, prefix);
    const b = new RedisPubSub(REDIS_URL, prefix);
    try {
      const got: string[] = [];
      const idA = await a.subscribe('t', (p: unknown) => got.push(`a:${(p as { n: number }).n}`));
      await b.subscribe('t', (p: unknown) => got.push(`b:${(p as { n: number }).n}`));
      // Redis delivers one connection's messages in publish order: once a hears a marker
      // published after n=2, it would have heard n=2 first had it still been subscribed.
      await a.subscribe('marker', () => got.push('a:marker'));
      await a.publish('t', { n: 1 });
      await until('n=1 on both', () => (got.length === 2 ? true : undefined), 5000, 20);
      expect(got.sort()).toEqual(['a:1', 'b:1']);
      a.unsubscribe(idA);
      await b.publish('t', { n: 2 });
      await b.publish('marker', {});
      await until('n=2 on b and the marker on a', () => (got.includes('b:2') && got.includes('a:marker') ? true : undefined), 5000, 20);
      expect(got.sort()).toEqual(['a:1', 'a:marker', 'b:1', 'b:2']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

interface Replica {
  app: INestApplication;
  url: string;
  /** GraphQL subscriptions live on this replica, per trigger (registered with Redis when it is used) */
  live: Map<string, number>;
}

for (const kind of testDatabaseKinds()) {
  describe(`two API replicas on one database [${kind}]`, () => {
    let database: testing.TestDatabase;
    let second: Database;
    const replicas: Replica[] = [];
    const clients: Client[] = [];
    const tokens = { ingest: `rs_test_ingest_${randomBytes(12).toString('hex')}`, read: `rs_test_read_${randomBytes(12).toString('hex')}` };

    async function replica(db: Database, events: EventsConfig): Promise<Replica> {
      const config: ApiConfig = {
        ...loadApiConfig({ ROUTESCOPE_INGEST_TOKEN: tokens.ingest, ROUTESCOPE_READ_TOKEN: tokens.read, ROUTESCOPE_LOG_LEVEL: 'error', ROUTESCOPE_RETENTION_DAYS: '3650' }),
        ...events,
      };
      const { app } = await createApiApplication(config, db);
      const live = liveSubscriptions([app.get(HistoryEvents).pubsub, app.get(FindingEvents).pubsub]);
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const r = { app, url: `127.0.0.1:${port}`, live };
      replicas.push(r);
      return r;
    }

    beforeEach(async () => {
      database = await testing.createTestDatabase(kind);
      // PostgreSQL: each replica has its own pool on the same database. PGlite is one
      // in-process instance, so both replicas share it (the same database, as with a server).
      second = kind === 'postgres' ? await createDatabase({ databaseUrl: database.databaseUrl }) : { ...database, close: async () => undefined };
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      for (const r of replicas.splice(0).reverse()) await r.app.close();
      await database.dispose();
    });

    /** Resolves when one more subscription to `trigger` is live on the replica's PubSub (with Redis: subscribed there). */
    async function registered(r: Replica, trigger: string): Promise<void> {
      const before = r.live.get(trigger) ?? 0;
      await until(`a ${trigger} subscription on ${r.url}`, () => ((r.live.get(trigger) ?? 0) > before ? true : undefined), 5000, 20);
    }

    function subscribe(r: Replica): { events: Array<{ node: string; changes: number; takenAt: string }>; ready: Promise<void> } {
      const client = createClient({ url: `ws://${r.url}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens.read}` }, retryAttempts: 0 });
      clients.push(client);
      const events: Array<{ node: string; changes: number; takenAt: string }> = [];
      const ready = registered(r, CHANGES_RECORDED);
      client.subscribe<{ changesRecorded: { node: string; changes: number; takenAt: string } }>(
        { query: 'subscription { changesRecorded { node changes takenAt factChanges(first: 5) { edges { node { key } } } } }' },
        { next: (result) => result.data && events.push(result.data.changesRecorded), error: () => undefined, complete: () => undefined },
      );
      return { events, ready };
    }

    interface FindingEvent {
      change: string;
      node: string;
      rule: string;
      subject: string;
      at: string;
    }

    function subscribeFindings(r: Replica): { events: FindingEvent[]; ready: Promise<void> } {
      const client = createClient({ url: `ws://${r.url}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens.read}` }, retryAttempts: 0 });
      clients.push(client);
      const events: FindingEvent[] = [];
      const ready = registered(r, FINDING_CHANGED);
      client.subscribe<{ findingChanged: FindingEvent }>(
        { query: 'subscription { findingChanged(node: "node-a") { change node rule subject at } }' },
        { next: (result) => result.data && events.push(result.data.findingChanged), error: () => undefined, complete: () => undefined },
      );
      return { events, ready };
    }

    async function post(r: Replica, seconds: number, seq: number, proxyArp: string): Promise<number> {
      const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
      host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: proxyArp } : s));
      const body = snapshot({ node: 'node-a', takenAt: new Date(T0 + seconds * 1000).toISOString(), seq, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
      const response = await fetch(`http://${r.url}/api/v1/snapshots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
        body: JSON.stringify(body),
      });
      return response.status;
    }

    it('a subscriber on replica B receives what replica A ingested, through Redis', async () => {
      const redis = { redisUrl: REDIS_URL, redisPrefix: `rs-test-${randomBytes(4).toString('hex')}` };
      const a = await replica(database, redis);
      const b = await replica(second, redis);
      const onB = subscribe(b);
      const onA = subscribe(a);
      await Promise.all([onB.ready, onA.ready]);

      expect(await post(a, 0, 0, '1')).toBe(201);
      expect(await post(a, 30, 1, '0')).toBe(201);
      await until('both events on both replicas', () => (onB.events.length === 2 && onA.events.length === 2 ? true : undefined), 5000, 20);
      expect(onB.events.map((e) => [e.node, e.changes, e.takenAt])).toEqual([
        ['node-a', expect.any(Number), new Date(T0).toISOString()],
        ['node-a', 1, new Date(T0 + 30_000).toISOString()],
      ]);
      // the subscriber's own replica sees the same events, in the same order
      expect(onA.events).toEqual(onB.events);
    });

    it('a findingChanged subscriber on replica B hears of a finding opened and resolved by ingests on replica A', async () => {
      const redis = { redisUrl: REDIS_URL, redisPrefix: `rs-test-${randomBytes(4).toString('hex')}` };
      const a = await replica(database, redis);
      const b = await replica(second, redis);
      const onB = subscribeFindings(b);
      const onA = subscribeFindings(a);
      await Promise.all([onB.ready, onA.ready]);

      expect(await post(a, 0, 0, '1')).toBe(201);
      expect(await post(a, 30, 1, '0')).toBe(201); // proxy_arp off: CALICO_PROXY_ARP opens (on A, in the background)
      await until('the opened finding on B', () => (onB.events.length === 1 ? true : undefined), 10_000, 20);
      expect(onB.events).toEqual([{ change: 'OPENED', node: 'node-a', rule: 'CALICO_PROXY_ARP', subject: 'veth:calia1b2c3d4e5f', at: new Date(T0 + 30_000).toISOString() }]);
      expect(await post(a, 60, 2, '1')).toBe(201); // fixed: resolved
      await until('the resolved finding on both', () => (onB.events.length === 2 && onA.events.length === 2 ? true : undefined), 10_000, 20);
      expect(onB.events[1]).toEqual({ change: 'RESOLVED', node: 'node-a', rule: 'CALICO_PROXY_ARP', subject: 'veth:calia1b2c3d4e5f', at: new Date(T0 + 60_000).toISOString() });
      expect(onA.events).toEqual(onB.events);
    });

    it('without ROUTESCOPE_REDIS_URL each replica only sees its own ingests (the in-process PubSub)', async () => {
      const a = await replica(database, {});
      const b = await replica(second, {});
      const onB = subscribe(b);
      const onA = subscribe(a);
      await Promise.all([onB.ready, onA.ready]);
      expect(await post(a, 0, 0, '1')).toBe(201);
      await until('the event on A', () => (onA.events.length === 1 ? true : undefined), 5000, 20);
      // B's own ingest, after A's: had A's event reached B's PubSub, B's client would have it first.
      expect(await post(b, 30, 1, '0')).toBe(201);
      await until('the event on B', () => (onB.events.length >= 1 ? true : undefined), 5000, 20);
      expect(onB.events.map((e) => [e.node, e.changes, e.takenAt])).toEqual([['node-a', 1, new Date(T0 + 30_000).toISOString()]]);
      expect(onA.events).toHaveLength(1);
    });
  });
}
