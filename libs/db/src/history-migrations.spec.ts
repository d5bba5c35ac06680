import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMigrationsDir } from './migration-runner';
import { describeEachDatabase } from './testing/test-databases';

// The storage migrations of issue #16 convert the rows a database already holds: migrate to just
// before them, write history the old way, migrate the rest, read it back the new way.

const FIRST_STORAGE_MIGRATION = '20261207100000_fact_attrs';
const FACT_PARTITIONS_MIGRATION = '20261208100000_fact_week_partitions';

/** A copy of the repository's migrations before `first`, in a temp folder. */
async function migrationsBefore(first: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rs-storage-migrations-'));
  for (const name of await readdir(defaultMigrationsDir())) {
    if (name < first) await cp(join(defaultMigrationsDir(), name), join(dir, name), { recursive: true });
  }
  return dir;
}

describeEachDatabase(
  'storage migrations over existing history',
  (db) => {
    let before: string;

    beforeAll(async () => {
      before = await migrationsBefore(FIRST_STORAGE_MIGRATION);
    });
    afterAll(() => rm(before, { recursive: true, force: true }));

    it('moves every attrs value into fact_attrs once and keeps each fact, interval, coverage and snapshot row as it was', async () => {
      await db().migrate({ migrationsDir: before });
      const route = { dev: 'eth0', gateway: '169.254.1.1' };
      await db().withExecutor((sql) =>
        sql.exec(`
          INSERT INTO node (id, name, first_seen_at, last_seen_at, last_received_at, last_snapshot_id, last_boot_id, last_seq, state_hash)
          VALUES (1, 'node-a', '2026-06-01T00:00:00Z', '2026-06-01T00:01:00Z', '2026-06-01T00:01:00Z', '00000000-0000-4000-8000-000000000002', 'b', 2, 'h'),
                 (2, 'node-b', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z', '00000000-0000-4000-8000-000000000003', 'b', 1, 'h');
          INSERT INTO fact (node_id, ns, kind, key, attrs, valid_from, valid_to) VALUES
            (1, 'pod:cni-0', 'route', 'default', '${JSON.stringify(route)}', '2026-06-01T00:00:00Z', NULL),
            (2, 'pod:cni-0', 'route', 'default', '{"gateway": "169.254.1.1", "dev": "eth0"}', '2026-06-01T00:00:00Z', NULL),
            (1, 'host', 'sysctl', 'net/ipv4/ip_forward', '{"value": "1"}', '2026-06-01T00:00:00Z', '2026-06-01T00:01:00Z'),
            (1, 'host', 'sysctl', 'net/ipv4/ip_forward', '{"value": "0"}', '2026-06-01T00:01:00Z', NULL);
          INSERT INTO coverage (node_id, start_at, end_at, snapshots) VALUES (1, '2026-06-01T00:00:00Z', '2026-06-01T00:01:00Z', 3);
          INSERT INTO snapshot (id, node_id, taken_at, received_at, hash, changes, boot_id, seq, source)
          VALUES ('00000000-0000-4000-8000-000000000001', 1, '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z', 'h', 4, 'b', 1, 'test');`),
      );
      const read = (attrs: string) =>
        db().withExecutor((sql) =>
          sql.query<{ row: string }>(
            `SELECT concat_ws(' ', f.node_id, f.id, f.ns, f.kind, f.key, ${attrs}::text, to_char(f.valid_from AT TIME ZONE 'UTC', 'HH24:MI'), coalesce(to_char(f.valid_to AT TIME ZONE 'UTC', 'HH24:MI'), 'open')) AS row
               FROM ${attrs === 'f.attrs' ? 'fact f' : 'fact f JOIN fact_attrs a ON a.id = f.attrs_id'} ORDER BY f.id`,
          ),
        );
      const factsBefore = await read('f.attrs');

      await db().migrate();

      expect(await read('a.attrs')).toEqual(factsBefore);
      const counts = await db().withExecutor((sql) =>
        sql.query<{ attrs: number; facts: number; coverage: number; snapshots: number; column: number }>(
          `SELECT (SELECT count(*)::int FROM fact_attrs) AS attrs, (SELECT count(*)::int FROM fact) AS facts,
                  (SELECT count(*)::int FROM coverage) AS coverage, (SELECT count(*)::int FROM snapshot) AS snapshots,
                  (SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'fact' AND column_name = 'attrs') AS "column"`,
        ),
      );
      // the two pods' identical routes (keys written in another order) share one row
      expect(counts).toEqual([{ attrs: 3, facts: 4, coverage: 1, snapshots: 1, column: 0 }]);
    });
  },
  { migrate: false },
);

describeEachDatabase(
  'fact week partitions over existing history',
  (db) => {
    let before: string;
    beforeAll(async () => {
      before = await migrationsBefore(FACT_PARTITIONS_MIGRATION);
    });
    afterAll(() => rm(before, { recursive: true, force: true }));

    it('moves every fact row, with its id, into the partition of the week it ended in (open rows into fact_open); state at any instant is unchanged and new ids continue', async () => {
      await db().migrate({ migrationsDir: before });
      // two nodes, 40 days of history from Wednesday 2026-06-03: a route flapping every 3 days,
      // a sysctl changing every 10, an address that never changes
      await db().withExecutor((sql) =>
        sql.exec(`
          INSERT INTO node (id, name, first_seen_at, last_seen_at, last_received_at, last_snapshot_id, last_boot_id, last_seq, state_hash)
          SELECT n, 'node-' || n, '2026-06-03T00:00:00Z', '2026-07-13T00:00:00Z', '2026-07-13T00:00:00Z', ('00000000-0000-4000-8000-00000000000' || n)::uuid, 'b', 1, 'h' FROM generate_series(1, 2) n;
          INSERT INTO fact_attrs (id, attrs) SELECT md5(a::text)::uuid, a FROM (VALUES ('{"v": 0}'::jsonb), ('{"v": 1}'::jsonb)) v(a);
          INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from, valid_to)
          SELECT n, 'host', k.kind, k.key, md5(('{"v": ' || (i % 2) || '}')::jsonb::text)::uuid,
                 '2026-06-03T00:00:00Z'::timestamptz + (i * k.every) * interval '1 day' + n * interval '1 hour',
                 CASE WHEN (i + 1) * k.every >= 40 THEN NULL ELSE '2026-06-03T00:00:00Z'::timestamptz + ((i + 1) * k.every) * interval '1 day' + n * interval '1 hour' END
            FROM generate_series(1, 2) n,
                 (VALUES ('route', 'default', 3), ('sysctl', 'net/ipv4/ip_forward', 10), ('address', 'eth0/10.0.0.1', 40)) k(kind, key, every),
                 generate_series(0, 39) i
           WHERE i * k.every < 40;`),
      );
      const instants = ['2026-06-03T00:30:00Z', '2026-06-04T01:00:00Z', '2026-06-15T12:00:00Z', '2026-07-01T01:00:00Z', '2026-07-12T23:59:59Z', '2026-08-01T00:00:00Z'];
      const states = () =>
        Promise.all(
          instants.map((instant) =>
            db().withExecutor((sql) =>
              sql.query<{ row: string }>(
                `SELECT concat_ws(' ', f.id, f.node_id, f.kind, f.key, a.attrs::text) AS row FROM fact f JOIN fact_attrs a ON a.id = f.attrs_id
                  WHERE f.valid_from <= $1 AND (f.valid_to IS NULL OR f.valid_to > $1) ORDER BY f.id`,
                [instant],
              ),
            ),
          ),
        );
      const statesBefore = await states();
      const [{ rows, maxId }] = await db().withExecutor((sql) => sql.query<{ rows: number; maxId: string }>(`SELECT count(*)::int AS rows, max(id)::text AS "maxId" FROM fact`));
      expect(rows).toBeGreaterThan(30);

      await db().migrate();

      expect(await states()).toEqual(statesBefore);
      const placement = await db().withExecutor((sql) =>
        sql.query<{ partition: string; open: boolean; rows: number }>(
          `SELECT tableoid::regclass::text AS partition, count(*)::int AS rows, bool_and(valid_to IS NULL) AS open FROM fact GROUP BY 1 ORDER BY 1`,
        ),
      );
      // 2026-06-03 is in ISO week 23; the last closed row ends on 2026-07-10 (week 28)
      expect(placement.map((p) => p.partition)).toEqual(['fact_open', 'fact_w2026_23', 'fact_w2026_24', 'fact_w2026_25', 'fact_w2026_26', 'fact_w2026_27', 'fact_w2026_28']);
      expect(placement.map((p) => p.open)).toEqual([true, false, false, false, false, false, false]);
      expect(placement.reduce((sum, p) => sum + p.rows, 0)).toBe(rows);
      const [{ id }] = await db().withExecutor((sql) =>
        sql.query<{ id: string }>(`INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from) VALUES (1, 'host', 'link', 'eth1', md5('{"v": 0}')::uuid, '2026-07-13T00:00:00Z') RETURNING id::text AS id`),
      );
      expect(BigInt(id)).toBeGreaterThan(BigInt(maxId));
    });
  },
  { migrate: false },
);
