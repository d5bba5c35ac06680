import type { Database } from '@routescope/db';
import { loadApiConfig, type ApiConfig } from '../config/api-config';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { DATABASE } from '../database/database.module';
import { FactStore } from '../history/fact-store.service';
import { ProbesRepository, type NewProbe } from '../probes/probes.repository';
import { RetentionRepository } from './retention.repository';
import { RetentionService, retentionSettings } from './retention.service';

// Retention on a real database (PostgreSQL and PGlite): history that ended before the cutoff
// goes (closed facts by whole week partitions, once their week ended before it), what is still
// true stays, and the state at any instant after the cutoff is unchanged.

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const at = (days: number, seconds = 0) => new Date(T0 + days * DAY + seconds * 1000).toISOString();

function node(days: number, seq: number, proxyArp: string, pods = 1, bootId = 'boot-1') {
  const veths: Array<[string, string]> = Array.from({ length: pods }, (_, i) => [`calia1b2c3d4e${i.toString(16).padStart(2, '0')}`, `172.17.8.${2 + i}`]);
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths });
  host.sysctls = host.sysctls!.map((s) => (s.path === `net/ipv4/conf/${veths[0][0]}/proxy_arp` ? { ...s, value: proxyArp } : s));
  return snapshot({ node: 'node-a', takenAt: at(days), seq, bootId, namespaces: [host, ...veths.map(([veth, ip], i) => podNamespace(`cni-${i}`, veth, ip))] });
}

async function stateAt(database: Database, instant: string): Promise<string[]> {
  const rows = await database.prisma.$queryRaw<Array<{ line: string }>>`
    SELECT ns || ' ' || kind || ' ' || key || ' ' || a.attrs::text AS line FROM fact JOIN fact_attrs a ON a.id = fact.attrs_id
    WHERE valid_from <= ${new Date(instant)}::timestamptz AND (valid_to IS NULL OR valid_to > ${new Date(instant)}::timestamptz)`;
  return rows.map((r) => r.line).sort();
}

async function count(database: Database, table: string): Promise<number> {
  const rows = await database.prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

function config(days?: number): ApiConfig {
  return loadApiConfig({ ROUTESCOPE_LOG_LEVEL: 'error', ...(days === undefined ? {} : { ROUTESCOPE_RETENTION_DAYS: String(days) }) });
}

describe('retention settings', () => {
  it('keeps 90 days unless ROUTESCOPE_RETENTION_DAYS says otherwise', () => {
    expect(retentionSettings(config()).retentionDays).toBe(90);
    expect(retentionSettings(config(30)).retentionDays).toBe(30);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`retention [${kind}]`, () => {
    let t: ApiTestApp;
    let database: Database;
    let service: RetentionService;

    beforeEach(async () => {
      t = await startApiTestApp(kind);
      database = t.app.get<Database>(DATABASE);
      service = new RetentionService(t.app.get(FactStore), new RetentionRepository(database), config(90));
      Object.assign(service.settings, { batchSize: 2, pauseMs: 0 });
    });
    afterEach(async () => {
      await service.onApplicationShutdown();
      await t.close();
    });

    it('drops closed facts by whole weeks once their week ended before the cutoff, deletes other closed history in batches, keeps open facts, and leaves the state after the cutoff exact', async () => {
      await t.ingest(node(0, 0, '1', 3)); // T0 is a Monday: days 0–6 are ISO week 2026-23
      await t.ingest(node(1, 1, '0', 3)); // closes proxy_arp=1 at day 1
      await t.ingest(node(2, 2, '1', 1)); // closes two pods and proxy_arp=0 at day 2
      await t.ingest(node(95, 0, '2', 1, 'boot-2')); // the collector restarted after a gap: a new coverage interval
      const weekEnd = new Date(at(7));
      const closedInWeek = await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM fact WHERE valid_to < ${weekEnd}::timestamptz`;
      expect(closedInWeek[0].n).toBeGreaterThan(2);
      const facts = await count(database, 'fact');

      // cutoff day 5: the facts closed on days 1 and 2 ended before it, but their week has not: they stay
      const first = await service.runOnce(new Date(at(95, 60)));
      expect(first.cutoff.toISOString()).toBe(at(5, 60));
      expect(first.deleted.fact).toBe(0);
      expect(await count(database, 'fact')).toBe(facts);
      // the coverage interval of days 0–2 ended before the cutoff; the one opened on day 95 stays
      expect(first.deleted.coverage).toBe(1);
      expect(await count(database, 'coverage')).toBe(1);
      // snapshot records of days 0–2 go; the node itself and its head stay
      expect(first.deleted.snapshot).toBe(3);
      expect(await count(database, 'node')).toBe(1);

      // cutoff day 8: week 2026-23 ended before it and its partition goes, with every fact closed in it
      const after = [at(8, 60), at(50), at(95), at(95, 30)];
      const before = await Promise.all(after.map((i) => stateAt(database, i)));
      const second = await service.runOnce(new Date(at(98, 60)));
      expect(second.cutoff.toISOString()).toBe(at(8, 60));
      expect(second.deleted.fact).toBe(closedInWeek[0].n);
      expect(await count(database, 'fact')).toBe(facts - closedInWeek[0].n);
      expect(await Promise.all(after.map((i) => stateAt(database, i)))).toEqual(before);
      const weeks = await database.prisma.$queryRaw<Array<{ name: string }>>`SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'fact'::regclass`;
      expect(weeks.map((w) => w.name)).not.toContain('fact_w2026_23');
      expect(weeks.map((w) => w.name)).toContain('fact_open');
    });

    it('deletes probes (and their results) that finished before the cutoff, and keeps later and unfinished ones', async () => {
      const probes = t.app.get(ProbesRepository);
      let n = 0;
      const probe = async (node: string, requestedDays: number): Promise<NewProbe> => {
        const p: NewProbe = { id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, node, pod: 'cni-0', kind: 'proxy-arp', target: null, requestedBy: 'test', requestedAt: new Date(at(requestedDays)), timeoutMs: 5000, maxPackets: 10, stateVersionAt: null, snapshotTakenAt: null };
        expect(await probes.insert(p)).not.toBe('busy');
        return p;
      };
      const done = async (node: string, days: number) => {
        const p = await probe(node, days);
        await probes.claimNext(node, new Date(at(days, 1)));
        expect(await probes.finish(p.id, { verdict: 'ok', reason: null, result: { captures: ['x'.repeat(100)] }, at: new Date(at(days, 2)) })).toBeDefined();
        return p.id;
      };
      const oldDone = await done('node-a', 1);
      const oldExpired = (await probe('node-b', 2)).id;
      await probes.expire(new Date(at(2, 120)), new Date(at(2, 60)), 0);
      const recentDone = await done('node-a', 94);
      const stillQueued = (await probe('node-c', 3)).id; // asked long ago, never finished: not history yet

      const run = await service.runOnce(new Date(at(95)));

      expect(run.deleted.probe).toBe(2);
      expect(await probes.get(oldDone)).toBeUndefined();
      expect(await probes.get(oldExpired)).toBeUndefined();
      expect((await probes.get(recentDone))?.result).toEqual({ captures: ['x'.repeat(100)] });
      expect((await probes.get(stillQueued))?.state).toBe('queued');
    });

    it('keeps snapshot records for their shorter window, and the change counts of older windows stay exact (read from the facts)', async () => {
      for (let day = 0; day < 4; day++) await t.ingest(node(day, day, day % 2 ? '0' : '1', 1 + (day % 3)));
      const counts = async () =>
        (
          await t.graphql<{ node: { early: number; all: number }; clusterChangeRate: Array<{ count: number; nodeCount: number }> }>(
            `query($a: DateTime!, $b: DateTime!, $c: DateTime!) { node(name: "node-a") { early: changeCount(from: $a, to: $b) all: changeCount(from: $a, to: $c) }
               clusterChangeRate(from: $a, to: $c, buckets: 4) { count nodeCount } }`,
            { a: at(0), b: at(2), c: at(4) },
          )
        ).data;
      const before = await counts();
      expect(before!.node.early).toBeGreaterThan(0);
      const facts = await count(database, 'fact');
      const snapshots = await count(database, 'snapshot');
      // history kept 90 days, snapshot records 2: the records of days 0 and 1 go, every fact stays
      const run = await new RetentionService(t.app.get(FactStore), new RetentionRepository(database), loadApiConfig({ ROUTESCOPE_LOG_LEVEL: 'error', ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: '2' })).runOnce(new Date(at(3, 60)));
      expect(run.snapshotCutoff.toISOString()).toBe(at(1, 60));
      expect(run.deleted).toMatchObject({ fact: 0, coverage: 0, snapshot: 2 });
      expect(await count(database, 'snapshot')).toBe(snapshots - 2);
      expect(await count(database, 'fact')).toBe(facts);
      expect(await counts()).toEqual(before);
    });

    it('deletes nothing newer than the cutoff, and a second pass finds nothing', async () => {
      await t.ingest(node(0, 0, '1'));
      await t.ingest(node(1, 1, '0'));
      const rows = await count(database, 'fact');
      const run = await service.runOnce(new Date(at(60)));
      // only the snapshot records, whose window (7 days by default) is shorter than history's
      expect(run.deleted).toEqual({ fact: 0, coverage: 0, snapshot: 2, finding: 0, cluster_object: 0, probe: 0 });
      expect(await count(database, 'fact')).toBe(rows);
      expect(Object.values((await service.runOnce(new Date(at(60)))).deleted).every((n) => n === 0)).toBe(true);
    });

    it('lets ingest proceed while it deletes', async () => {
      for (let day = 0; day < 6; day++) await t.ingest(node(day, day, day % 2 ? '0' : '1', 1 + (day % 3)));
      const running = service.runOnce(new Date(at(100)));
      const answers = await Promise.all([1, 2, 3].map((i) => t.ingest(node(100 + i / 1000, i - 1, i % 2 ? '0' : '1', 1, 'boot-2')).catch((e: Error) => e.message)));
      await running;
      expect(answers.some((a) => typeof a === 'object' && (a.status === 'changed' || a.status === 'unchanged'))).toBe(true);
      expect(await count(database, 'fact')).toBeGreaterThan(0);
    });

    it('joins a pass already under way instead of starting a second one', async () => {
      await t.ingest(node(0, 0, '1'));
      const [a, b] = [service.runOnce(new Date(at(200))), service.runOnce(new Date(at(200)))];
      expect(a).toBe(b);
      await a;
    });
  });
}
