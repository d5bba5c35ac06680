import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMigrationsDir } from './migration-runner';
import { describeEachDatabase } from './testing/test-databases';

// The storage migrations of issue #16 convert the rows a database already holds: migrate to just
// before them, write history the old way, migrate the rest, read it back the new way.

const FIRST_STORAGE_MIGRATION = '20261207100000_fact_attrs';

describeEachDatabase(
  'storage migrations over existing history',
  (db) => {
    let before: string;

    beforeAll(async () => {
      before = await mkdtemp(join(tmpdir(), 'rs-storage-migrations-'));
      for (const name of await readdir(defaultMigrationsDir())) {
        if (name < FIRST_STORAGE_MIGRATION) await cp(join(defaultMigrationsDir(), name), join(before, name), { recursive: true });
      }
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
