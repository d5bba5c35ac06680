import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createDatabase, testing, type Database } from '@routescope/db';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createApiApplication } from '../api-application';
import { loadApiConfig, type ApiConfig } from '../config/api-config';
import { hostNamespace, podNamespace, snapshot, testDatabaseKinds } from '../../test/api-test-app';
import type { EventsConfig } from './history-events';
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
      await a.publish('t', { n: 1 });
      await until(() => got.length === 2);
      expect(got.sort()).toEqual(['a:1', 'b:1']);
      a.unsubscribe(idA);
      await b.publish('t', { n: 2 });
      await until(() => got.length === 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(got.sort()).toEqual(['a:1', 'b:1', 'b:2']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

interface Replica {
  app: INestApplication;
  url: string;
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
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const r = { app, url: `127.0.0.1:${port}` };
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

    function subscribe(r: Replica): { events: Array<{ node: string; changes: number; takenAt: string }>; ready: Promise<void> } {
      const client = createClient({ url: `ws://${r.url}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens.read}` }, retryAttempts: 0 });
      clients.push(client);
      const events: Array<{ node: string; changes: number; takenAt: string }> = [];
      let resolveReady!: () => void;
      const ready = new Promise<void>((resolve) => (resolveReady = resolve));
      client.on('connected', () => setTimeout(resolveReady, 300));
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
      let resolveReady!: () => void;
      const ready = new Promise<void>((resolve) => (resolveReady = resolve));
      client.on('connected', () => setTimeout(resolveReady, 300));
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
      await until(() => onB.events.length === 2 && onA.events.length === 2);
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
      await until(() => onB.events.length === 1, 10_000);
      expect(onB.events).toEqual([{ change: 'OPENED', node: 'node-a', rule: 'CALICO_PROXY_ARP', subject: 'veth:calia1b2c3d4e5f', at: new Date(T0 + 30_000).toISOString() }]);
      expect(await post(a, 60, 2, '1')).toBe(201); // fixed: resolved
      await until(() => onB.events.length === 2 && onA.events.length === 2, 10_000);
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
      await until(() => onA.events.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(onB.events).toEqual([]);
    });
  });
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
