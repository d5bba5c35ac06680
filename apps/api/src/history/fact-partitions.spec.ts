import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createDatabase, testing, type Database } from '@routescope/db';
import type { Snapshot } from '@routescope/snapshot';
import { IngestService } from '../ingest/ingest.service';
import { hostNamespace, podNamespace, snapshot, startReplica, testDatabaseKinds } from '../../test/api-test-app';
import { FactPartitions, isMissingFactWeek, weekStart, weeksBetween, WEEK_MS } from './fact-partitions.service';
import { FactStore } from './fact-store.service';

// fact is partitioned by week on valid_to (migration 20261208100000_fact_week_partitions): a row
// closed in a week without a partition would be refused, so the store creates the week before it
// writes, a job keeps the coming weeks created, and retention drops whole weeks.

const T0 = Date.parse('2026-03-02T00:00:00.000Z'); // a Monday: ISO week 2026-10
const DAY = 86_400_000;
const at = (days: number, seconds = 0) => new Date(T0 + days * DAY + seconds * 1000);

function node(name: string, takenAt: Date, seq: number, proxyArp: string): Snapshot {
  const veths: Array<[string, string]> = [['calia1b2c3d4e00', '172.17.8.2']];
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths });
  host.sysctls = host.sysctls!.map((s) => (s.path === `net/ipv4/conf/${veths[0][0]}/proxy_arp` ? { ...s, value: proxyArp } : s));
  return snapshot({ node: name, takenAt: takenAt.toISOString(), seq, namespaces: [host, podNamespace('cni-0', veths[0][0], veths[0][1])] });
}

describe('weeks of fact partitions', () => {
  it('starts a week on Monday 00:00 UTC, whatever the instant in it', () => {
    expect(weekStart(new Date('2026-03-02T00:00:00.000Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(weekStart(new Date('2026-03-08T23:59:59.999Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(weekStart(new Date('2026-03-09T00:00:00.000Z')).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(weekStart(new Date('2027-01-01T12:00:00.000Z')).toISOString()).toBe('2026-12-28T00:00:00.000Z');
  });

  it('lists every week between two instants, both ends included', () => {
    expect(weeksBetween(new Date('2026-03-04T00:00:00Z'), new Date('2026-03-16T00:00:00Z')).map((w) => w.toISOString().slice(0, 10))).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
  });

  it('recognises fact_open refusing a closed row through the wrappers of the error', () => {
    const adapter = Object.assign(new Error('CheckViolation'), { cause: { originalMessage: 'new row for relation "fact_open" violates check constraint "fact_open_only_open_rows"' } });
    expect(isMissingFactWeek({ code: 'P2010', meta: { driverAdapterError: adapter } })).toBe(true);
    expect(isMissingFactWeek(new Error('new row for relation "fact" violates check constraint "fact_valid_interval_check"'))).toBe(false);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`fact week partitions [${kind}]`, () => {
    let database: testing.TestDatabase;
    const apps: INestApplication[] = [];

    beforeEach(async () => {
      database = await testing.createTestDatabase(kind);
    });
    afterEach(async () => {
      for (const app of apps.splice(0).reverse()) await app.close();
      await database.dispose();
    });

    const replica = (db: Database): Promise<INestApplication> => startReplica(db, apps);
    const secondClient = async (): Promise<Database> =>
      kind === 'postgres' ? createDatabase({ databaseUrl: database.databaseUrl }) : { ...database, close: async () => undefined };

    async function weeks(): Promise<string[]> {
      const rows = await database.prisma.$queryRaw<Array<{ name: string }>>`
        SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'fact'::regclass ORDER BY 1`;
      return rows.map((r) => r.name);
    }
    async function closedRows(): Promise<Array<{ partition: string; validTo: Date }>> {
      return database.prisma.$queryRaw`SELECT tableoid::regclass::text AS partition, valid_to AS "validTo" FROM fact WHERE valid_to IS NOT NULL ORDER BY valid_to`;
    }

    it('starts with fact_open and the weeks from last week to four weeks ahead, and the ahead job creates the weeks to come', async () => {
      const app = await replica(database);
      const now = new Date();
      const expected = weeksBetween(new Date(now.getTime() - WEEK_MS), new Date(now.getTime() + 4 * WEEK_MS)).map(weekName);
      expect(await weeks()).toEqual(expect.arrayContaining(['fact_open', ...expected]));
      await app.get(FactPartitions).createAhead(new Date(now.getTime() + 10 * WEEK_MS));
      expect(await weeks()).toEqual(expect.arrayContaining([weekName(new Date(now.getTime() + 14 * WEEK_MS))]));
    });

    it('a snapshot that closes facts in a week with no partition is stored: the store creates the week first', async () => {
      const app = await replica(database);
      const ingest = app.get(IngestService);
      expect(await weeks()).not.toContain('fact_w2026_10');
      await ingest.ingest(node('node-a', at(0), 0, '1'));
      await ingest.ingest(node('node-a', at(3), 1, '0')); // closes proxy_arp=1 on day 3
      expect(await weeks()).toContain('fact_w2026_10');
      expect(await closedRows()).toEqual([{ partition: 'fact_w2026_10', validTo: at(3) }]);
    });

    it('a week another replica dropped after this one cached it is created again, and the write goes through', async () => {
      const app = await replica(database);
      const ingest = app.get(IngestService);
      await ingest.ingest(node('node-a', at(0), 0, '1'));
      await ingest.ingest(node('node-a', at(1), 1, '0'));
      // retention elsewhere (a cutoff past the week) drops the week this replica has cached
      expect(await app.get(FactStore).deleteEndedBefore('fact', at(7), 5000)).toBe(1);
      expect(await weeks()).not.toContain('fact_w2026_10');
      await ingest.ingest(node('node-a', at(2), 2, '1')); // closes proxy_arp=0 on day 2: refused once, then stored
      expect(await closedRows()).toEqual([{ partition: 'fact_w2026_10', validTo: at(2) }]);
    });

    it('a late snapshot that splits history stores its intervals whatever weeks they end in', async () => {
      const app = await replica(database);
      const ingest = app.get(IngestService);
      await ingest.ingest(node('node-a', at(0), 0, '1'));
      // a gap of coverage between day 0 and day 20, then the late snapshot of day 10 arrives
      await ingest.ingest(node('node-a', at(20), 1, '1'));
      const late = await ingest.ingest(node('node-a', at(10), 2, '0'));
      expect(late.status).not.toBe('late');
      const rows = await closedRows();
      expect(rows.map((r) => [r.partition, r.validTo.toISOString()])).toEqual([
        ['fact_w2026_11', at(10).toISOString()],
        ['fact_w2026_12', at(20).toISOString()],
      ]);
    });

    it('one open row per key is still enforced across the partitioned table', async () => {
      await replica(database);
      await database.prisma.$executeRaw`INSERT INTO node (id, name, first_seen_at, last_seen_at, last_received_at, last_snapshot_id, last_boot_id, last_seq, state_hash)
        VALUES (99, 'node-z', ${at(0)}, ${at(0)}, ${at(0)}, '00000000-0000-4000-8000-000000000099', 'b', 1, 'h')`;
      const open = () => database.prisma.$executeRaw`INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from) VALUES (99, 'host', 'route', 'default', '5e0f2a1c-0000-4000-8000-000000000001', ${at(0)})`;
      await open();
      await expect(open()).rejects.toThrow(/UniqueConstraintViolation|duplicate key/);
    });

    it('two replicas creating and dropping weeks at once do not fail, and each week is dropped once', async () => {
      const a = (await replica(database)).get(FactPartitions);
      const b = (await replica(await secondClient())).get(FactPartitions);
      const far = new Date('2031-01-06T00:00:00Z');
      await Promise.all([a.createAhead(far), b.createAhead(far), a.ensureWeeksBetween(at(0), at(40)), b.ensureWeeksBetween(at(0), at(40))]);
      const created = await weeks();
      expect(created).toEqual(expect.arrayContaining([weekName(far), weekName(new Date(far.getTime() + 4 * WEEK_MS)), 'fact_w2026_10', 'fact_w2026_15']));
      const [droppedA, droppedB] = await Promise.all([a.dropWeeksEndedBy(at(42)), b.dropWeeksEndedBy(at(42))]);
      // one replica dropped the six weeks of days 0–41; the other found the lock taken (or nothing left)
      expect([...droppedA, ...droppedB].map((w) => w.name).sort()).toEqual(['fact_w2026_10', 'fact_w2026_11', 'fact_w2026_12', 'fact_w2026_13', 'fact_w2026_14', 'fact_w2026_15']);
      expect(await weeks()).toEqual(created.filter((w) => !/^fact_w2026_1[0-5]$/.test(w)));
    });
  });
}

/** The partition name of the week holding `at`: fact_w<ISO year>_<ISO week>. */
function weekName(at: Date): string {
  const monday = weekStart(at);
  const thursday = new Date(monday.getTime() + 3 * DAY);
  const isoYear = thursday.getUTCFullYear();
  const firstThursday = weekStart(new Date(Date.UTC(isoYear, 0, 4))).getTime() + 3 * DAY;
  const week = Math.round((thursday.getTime() - firstThursday) / WEEK_MS) + 1;
  return `fact_w${isoYear}_${String(week).padStart(2, '0')}`;
}
