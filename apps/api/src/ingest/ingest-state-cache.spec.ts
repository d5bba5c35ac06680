import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createDatabase, testing, type Database } from '@routescope/db';
import { canonicalJson, snapshotToFacts, type Snapshot } from '@routescope/snapshot';
import { hostNamespace, podNamespace, snapshot, startReplica, testDatabaseKinds } from '../../test/api-test-app';
import { IngestService } from './ingest.service';

// The per-replica state cache is only a hint: two replicas ingesting the same node in turn
// (each with a stale cache of the other's writes) must store exactly what one replica would.

const T0 = Date.parse('2026-11-26T03:00:00.000Z');

function node(seconds: number, seq: number, proxyArp: string, pods: number): Snapshot {
  const veths: Array<[string, string]> = Array.from({ length: pods }, (_, i) => [`calia1b2c3d4e${i.toString(16).padStart(2, '0')}`, `172.17.8.${2 + i}`]);
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths });
  host.sysctls = host.sysctls!.map((s) => (s.path === `net/ipv4/conf/${veths[0][0]}/proxy_arp` ? { ...s, value: proxyArp } : s));
  return snapshot({ node: 'node-a', takenAt: new Date(T0 + seconds * 1000).toISOString(), seq, namespaces: [host, ...veths.map(([v, ip], i) => podNamespace(`cni-${i}`, v, ip))] });
}

for (const kind of testDatabaseKinds()) {
  describe(`ingest state cache across replicas [${kind}]`, () => {
    let database: testing.TestDatabase;
    const apps: INestApplication[] = [];

    beforeEach(async () => {
      database = await testing.createTestDatabase(kind);
    });
    afterEach(async () => {
      for (const app of apps.splice(0).reverse()) await app.close();
      await database.dispose();
    });

    const replica = async (db: Database): Promise<IngestService> => (await startReplica(db, apps)).get(IngestService);

    async function openFacts(): Promise<string[]> {
      const rows = await database.prisma.$queryRaw<Array<{ ns: string; kind: string; key: string; attrs: never }>>`SELECT ns, kind, key, a.attrs FROM fact JOIN fact_attrs a ON a.id = fact.attrs_id WHERE valid_to IS NULL`;
      return rows.map((r) => `${r.ns} ${r.kind} ${r.key} ${canonicalJson(r.attrs)}`).sort();
    }
    const expected = (s: Snapshot) => snapshotToFacts(s).map((f) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`).sort();

    it('stores the same history when two replicas with stale caches ingest one node in turn', async () => {
      const a = await replica(database);
      const b = await replica(kind === 'postgres' ? await createDatabase({ databaseUrl: database.databaseUrl }) : { ...database, close: async () => undefined });
      const steps: Array<[IngestService, Snapshot, string]> = [
        [a, node(0, 0, '1', 2), 'created'],
        [a, node(30, 1, '1', 2), 'unchanged'], // a: full path, caches the head
        [a, node(60, 2, '1', 2), 'unchanged'], // a: one-statement path
        [b, node(90, 3, '0', 3), 'changed'], // b changes the node behind a's back
        [a, node(120, 4, '0', 3), 'unchanged'], // a's cached head is stale: compare-and-set fails, full path
        [a, node(150, 5, '1', 1), 'changed'], // a's cached facts belong to an old version: reloaded
        [b, node(180, 6, '1', 1), 'unchanged'], // b's cache is stale too
        [b, node(210, 7, '2', 1), 'changed'],
        [a, node(240, 8, '2', 1), 'unchanged'],
      ];
      let last: Snapshot | undefined;
      for (const [service, s, status] of steps) {
        expect((await service.ingest(s)).status).toBe(status);
        expect(await openFacts()).toEqual(expected(s));
        last = s;
      }
      expect((await a.ingest(last!)).status).toBe('duplicate');
      const [head] = await database.prisma.$queryRaw<Array<{ version: number; seen: Date }>>`SELECT state_version AS version, last_seen_at AS seen FROM node`;
      expect(head).toEqual({ version: 4, seen: new Date(T0 + 240_000) });
      const [coverage] = await database.prisma.$queryRaw<Array<{ n: number; snapshots: number }>>`SELECT count(*)::int AS n, sum(snapshots)::int AS snapshots FROM coverage`;
      expect(coverage).toEqual({ n: 1, snapshots: 9 });
    });

    it('sends an older snapshot and a replayed one from the one-statement path to the full path, which judges them', async () => {
      const a = await replica(database);
      await a.ingest(node(0, 0, '1', 1));
      await a.ingest(node(30, 1, '1', 1));
      const replay = node(60, 2, '1', 1);
      expect((await a.ingest(replay)).status).toBe('unchanged');
      expect((await a.ingest(replay)).status).toBe('duplicate');
      // Older than the head, inside covered history: agreeing is nothing new, disagreeing is kept aside.
      expect((await a.ingest(node(45, 3, '1', 1))).status).toBe('unchanged');
      expect(await a.ingest(node(50, 4, '0', 1))).toMatchObject({ status: 'late', reason: expect.stringMatching(/inside node node-a's covered history/) });
      expect(await openFacts()).toEqual(expected(replay));
    });
  });
}
