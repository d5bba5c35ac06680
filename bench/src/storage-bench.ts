import { SyntheticCluster } from '@routescope/synth';
import { freshDatabase, startApi, type Database, type DatabaseKind, type RunningApi } from './api-under-test';
import { log, round, runPool, type Sample } from './measure';
import { sizes, type TableSizes } from './table-sizes';

export interface StorageOptions {
  seed: number;
  clusterNodes: number;
  /** nodes posting through the real ingest for the simulated period */
  nodes: number;
  /** simulated hours at a 30 s interval; the result is scaled to a day */
  hours: number;
  /** hours of naive rows written (bytes per row are constant, so an hour is scaled to a day) */
  naiveHours: number;
  concurrency: number;
}

export interface StorageResult {
  kind: DatabaseKind;
  nodes: number;
  hours: number;
  snapshotsIngested: number;
  statuses: Record<string, number>;
  /** the first snapshot of a node: its ~1,400 open facts */
  initialBytesPerNode: number;
  /** growth per node per day after the first snapshot, all Routescope tables incl. indexes */
  bytesPerNodeDay: number;
  bytesPerNodeDayByTable: TableSizes;
  factRowsPerNodeDay: number;
  /**
   * one 8 KB page of one relation, scaled like the growth: sizes grow by whole pages, so a figure
   * within a few of these (a --quick run) is not a measurement of the layout
   */
  resolutionBytesPerNodeDay?: number;
  /**
   * what a node-day of history costs once retention runs (90 days kept, snapshot records 7 days,
   * the defaults): the growth with the snapshot records' share scaled by 7/90
   */
  retainedBytesPerNodeDay?: number;
  naive: { bytesPerSnapshot: number; bytesPerNodeDay: number; insert: Sample; rows: number };
  ratio: number;
  howExtrapolated: string;
}

// every table ingest writes (sizes: each one's TOAST and indexes, a partitioned one's partitions)
const ROUTESCOPE_TABLES = ['fact', 'fact_attrs', 'snapshot', 'coverage', 'node'];
const INTERVAL = 30_000;
/** the API's defaults: ROUTESCOPE_RETENTION_DAYS, ROUTESCOPE_SNAPSHOT_RETENTION_DAYS */
const HISTORY_DAYS = 90;
const SNAPSHOT_DAYS = 7;

const total = (s: TableSizes) => Object.values(s).reduce((a, b) => a + b, 0);

/** A simulated day (or `hours`, scaled) of a few nodes through the real ingest, and the naive JSONB layout beside it. */
export async function benchStorage(kind: DatabaseKind, o: StorageOptions): Promise<StorageResult> {
  const database = await freshDatabase(kind);
  let api: RunningApi | undefined;
  try {
    api = await startApi(database);
    const cluster = new SyntheticCluster({ seed: o.seed + 100, nodes: o.clusterNodes });
    const statuses: Record<string, number> = {};
    const empty = await sizes(database, ROUTESCOPE_TABLES);
    let t = cluster.now;
    const post = async (i: number) => {
      const result = await api!.ingest(cluster.snapshot(i, t + i * 7));
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    };
    for (let i = 0; i < o.nodes; i++) await post(i);
    const initial = await sizes(database, ROUTESCOPE_TABLES);
    const factRows0 = await count(database, 'fact');
    const ticks = Math.round((o.hours * 3_600_000) / INTERVAL);
    for (let tick = 0; tick < ticks; tick++) {
      cluster.advance(INTERVAL);
      t = cluster.now;
      await runPool(Array.from({ length: o.nodes }, (_, i) => i), o.concurrency, post);
      if (tick % 240 === 0) log(`storage ${kind}: ${Math.round((tick * INTERVAL) / 60_000)} min of ${o.hours * 60}`);
    }
    const after = await sizes(database, ROUTESCOPE_TABLES);
    const factRows1 = await count(database, 'fact');
    const dayScale = 24 / o.hours;
    const byTable = Object.fromEntries(ROUTESCOPE_TABLES.map((table) => [table, Math.round(((after[table] - initial[table]) * dayScale) / o.nodes)]));
    const bytesPerNodeDay = Math.round(((total(after) - total(initial)) * dayScale) / o.nodes);
    const retainedBytesPerNodeDay = Math.round(bytesPerNodeDay - byTable['snapshot'] * (1 - SNAPSHOT_DAYS / HISTORY_DAYS));

    // The naive baseline: the same snapshots, one JSONB row each (diag tarballs / Skydive-style archives).
    const naive = await benchNaive(database, cluster, o);
    return {
      kind,
      nodes: o.nodes,
      hours: o.hours,
      snapshotsIngested: o.nodes * (ticks + 1),
      statuses,
      initialBytesPerNode: Math.round((total(initial) - total(empty)) / o.nodes),
      bytesPerNodeDay,
      bytesPerNodeDayByTable: byTable,
      factRowsPerNodeDay: round(((factRows1 - factRows0) * dayScale) / o.nodes, 1),
      resolutionBytesPerNodeDay: Math.round((8192 * dayScale) / o.nodes),
      retainedBytesPerNodeDay,
      naive,
      ratio: round(naive.bytesPerNodeDay / Math.max(1, bytesPerNodeDay), 0),
      howExtrapolated: `Routescope: ${o.nodes} nodes of a ${o.clusterNodes}-node cluster posted every 30 s for ${o.hours} h through IngestService with the churn model running; growth after the first snapshot (VACUUMed, pg_total_relation_size of fact+fact_attrs+snapshot+coverage+node incl. indexes) × ${round(dayScale, 2)} / ${o.nodes} nodes. Naive: ${naive.rows} rows (${o.naiveHours} h of the same nodes) → bytes per row × 2,880 snapshots/day.`,
    };
  } finally {
    await api?.close();
    await database.dispose();
  }
}

async function benchNaive(database: Database, cluster: SyntheticCluster, o: StorageOptions): Promise<StorageResult['naive']> {
  await database.withExecutor((sql) =>
    sql.exec(`CREATE TABLE naive_snapshot (id uuid PRIMARY KEY, node text NOT NULL, taken_at timestamptz NOT NULL, body jsonb NOT NULL);
              CREATE INDEX naive_snapshot_node_taken_at ON naive_snapshot (node, taken_at);`),
  );
  const before = await sizes(database, ['naive_snapshot']);
  const bodies: Array<{ id: string; node: string; takenAt: string; body: string }> = [];
  let t = cluster.now;
  for (let tick = 0; tick < (o.naiveHours * 3_600_000) / INTERVAL; tick++) {
    cluster.advance(INTERVAL);
    t = cluster.now;
    for (let i = 0; i < o.nodes; i++) {
      const s = cluster.snapshot(i, t + i * 7);
      bodies.push({ id: s.snapshotId, node: s.node, takenAt: s.takenAt, body: JSON.stringify(s) });
    }
  }
  const insert = await runPool(bodies, o.concurrency, (b) =>
    database.withExecutor((sql) => sql.query('INSERT INTO naive_snapshot (id, node, taken_at, body) VALUES ($1, $2, $3, $4::jsonb)', [b.id, b.node, b.takenAt, b.body])),
  );
  const after = await sizes(database, ['naive_snapshot']);
  const bytesPerSnapshot = (after['naive_snapshot'] - before['naive_snapshot']) / bodies.length;
  return { bytesPerSnapshot: Math.round(bytesPerSnapshot), bytesPerNodeDay: Math.round(bytesPerSnapshot * 2880), insert, rows: bodies.length };
}

async function count(database: Database, table: string): Promise<number> {
  return database.withExecutor(async (sql) => Number((await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0].n));
}
