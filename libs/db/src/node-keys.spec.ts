import type { SqlExecutor } from './sql-executor';
import { describeEachDatabase } from './testing/test-databases';

// The scale-out rule of docs/scaling.md ("Distribution by node"): a table with a node_id column
// is per node, and a distributed engine (Citus) shards it by node_id; it can only enforce a
// primary key or unique index that contains the distribution column. Ours lead with it, so that
// the same index also serves the per-node look-ups. Read from the migrated catalog, not from
// schema.prisma, so that a hand-written migration cannot slip past it.

/** Per-node tables whose keys do not lead with node_id yet, and why (each one is a to-do). */
const NOT_YET: Record<string, string> = {
  finding: 'owned by the checks module (issue #16: its primary key becomes (node_id, id), finding_open_key (node_id, rule, subject))',
};

interface KeyRow {
  table: string;
  index: string;
  columns: string[];
}

/** Primary keys and unique indexes (constraints or not) of every table with a node_id column whose first column is not node_id. */
async function keysNotLedByNode(sql: SqlExecutor): Promise<KeyRow[]> {
  return sql.query<KeyRow>(
    `SELECT t.relname AS "table", i.relname AS "index",
            ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND (ix.indisunique OR ix.indisprimary)
        AND EXISTS (SELECT 1 FROM pg_attribute c WHERE c.attrelid = t.oid AND c.attname = 'node_id' AND NOT c.attisdropped)
        AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = ix.indkey[0]) IS DISTINCT FROM 'node_id'
      ORDER BY 1, 2`,
  );
}

describeEachDatabase('keys of the per-node tables', (db) => {
  it('every primary key and unique index of a table with node_id leads with node_id (but the listed exceptions)', async () => {
    const offenders = await db().withExecutor(keysNotLedByNode);
    expect(offenders.filter((o) => !(o.table in NOT_YET))).toEqual([]);
    // an exception that no longer needs listing is removed from the list
    expect([...new Set(offenders.map((o) => o.table))]).toEqual(Object.keys(NOT_YET));
  });

  it('the check sees a key that does not lead with node_id', async () => {
    await db().withExecutor(async (sql) => {
      await sql.exec('CREATE TABLE node_keys_probe (id int PRIMARY KEY, node_id int NOT NULL)');
      try {
        expect(await keysNotLedByNode(sql)).toContainEqual({ table: 'node_keys_probe', index: 'node_keys_probe_pkey', columns: ['id'] });
      } finally {
        await sql.exec('DROP TABLE node_keys_probe');
      }
    });
  });

  it('the history tables are among the ones it checks: their keys lead with node_id', async () => {
    const keys = await db().withExecutor((sql) =>
      sql.query<{ table: string; index: string; columns: string[] }>(
        `SELECT t.relname AS "table", i.relname AS "index", ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
           FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = current_schema() AND (ix.indisprimary OR (ix.indisunique AND t.relname = 'fact')) AND t.relname IN ('fact', 'coverage', 'snapshot') ORDER BY 1, 2`,
      ),
    );
    expect(keys).toEqual([
      { table: 'coverage', index: 'coverage_pkey', columns: ['node_id', 'id'] },
      // fact is partitioned by week on valid_to: no primary key (it would have to hold the nullable
      // valid_to); its keys are unique indexes that hold it (each partition has its own copies)
      { table: 'fact', index: 'fact_current_key', columns: ['node_id', 'ns', 'kind', 'key', 'valid_to'] },
      { table: 'fact', index: 'fact_node_id_id_valid_to_key', columns: ['node_id', 'id', 'valid_to'] },
      { table: 'snapshot', index: 'snapshot_pkey', columns: ['node_id', 'id'] },
    ]);
  });
});
