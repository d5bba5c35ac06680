import type { Database } from '@routescope/db';
import { loadApiConfig, type ApiConfig } from '../config/api-config';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { DATABASE } from '../database/database.module';
import { FactStore } from '../history/fact-store.service';
import { RetentionRepository } from './retention.repository';
import { RetentionService, retentionSettings } from './retention.service';

// Retention on a real database (PostgreSQL and PGlite): history that ended before the cutoff
// goes, what is still true stays, and the state at any instant after the cutoff is unchanged.

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
    SELECT ns || ' ' || kind || ' ' || key || ' ' || attrs::text AS line FROM fact
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

    it('deletes closed history older than the retention period in batches, keeps open facts, and leaves the state after the cutoff exact', async () => {
      await t.ingest(node(0, 0, '1', 3));
      await t.ingest(node(1, 1, '0', 3)); // closes proxy_arp=1 at day 1
      await t.ingest(node(2, 2, '1', 1)); // closes two pods and proxy_arp=0 at day 2
      await t.ingest(node(95, 0, '2', 1, 'boot-2')); // the collector restarted after a gap: a new coverage interval
      const now = new Date(at(95, 60));
      const after = [at(5), at(50), at(95), at(95, 30)];
      const before = await Promise.all(after.map((i) => stateAt(database, i)));
      const kept = await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM fact WHERE valid_to IS NULL OR valid_to >= ${new Date(at(5, 60))}::timestamptz`;
      const closedEarly = await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM fact WHERE valid_to < ${new Date(at(5))}::timestamptz`;
      expect(closedEarly[0].n).toBeGreaterThan(2);

      const run = await service.runOnce(now);

      expect(run.cutoff.toISOString()).toBe(at(5, 60));
      expect(run.deleted.fact).toBe(closedEarly[0].n);
      expect(run.batches).toBeGreaterThan(Object.keys(run.deleted).length); // more than one batch for facts
      expect(await count(database, 'fact')).toBe(kept[0].n);
      expect(await Promise.all(after.map((i) => stateAt(database, i)))).toEqual(before);
      // the coverage interval of days 0–2 ended before the cutoff; the one opened on day 95 stays
      expect(run.deleted.coverage).toBe(1);
      expect(await count(database, 'coverage')).toBe(1);
      // snapshot records of days 0–2 go; the node itself and its head stay
      expect(run.deleted.snapshot).toBe(3);
      expect(await count(database, 'node')).toBe(1);
    });

    it('deletes nothing newer than the cutoff, and a second pass finds nothing', async () => {
      await t.ingest(node(0, 0, '1'));
      await t.ingest(node(1, 1, '0'));
      const rows = await count(database, 'fact');
      const run = await service.runOnce(new Date(at(60)));
      expect(Object.values(run.deleted).every((n) => n === 0)).toBe(true);
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
