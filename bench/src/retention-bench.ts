import { SyntheticCluster } from '@routescope/synth';
import { freshDatabase, retentionOf, startApi, type DatabaseKind } from './api-under-test';
import { log, mergeSamples, runPool, type Sample } from './measure';
import { sizes } from './table-sizes';

export interface RetentionResult {
  kind: DatabaseKind;
  skipped?: string;
  rowsExpired?: number;
  deleted?: Record<string, number>;
  batches?: number;
  durationMs?: number;
  rowsPerSecond?: number;
  /** ingest latency of the same snapshots without and with the job running */
  ingestAlone?: Sample;
  ingestDuringRetention?: Sample;
  factBytesBefore?: number;
  factBytesAfterVacuum?: number;
}

const DAY = 86_400_000;

/**
 * The retention job on a database holding `rows` fact intervals closed 120 days ago (inserted in
 * SQL) and a few live nodes: how fast it deletes, and what it does to ingest running beside it.
 */
export async function benchRetention(kind: DatabaseKind, o: { seed: number; quick: boolean }): Promise<RetentionResult> {
  const rows = o.quick ? 20_000 : kind === 'postgres' ? 500_000 : 100_000;
  const database = await freshDatabase(kind);
  const api = await startApi(database);
  try {
    const retention = retentionOf(api);
    const cluster = new SyntheticCluster({ seed: o.seed + 7, nodes: 1000 });
    const nodes = 4;
    let t = cluster.now;
    for (let i = 0; i < nodes; i++) await api.ingest(cluster.snapshot(i, t + i));
    await database.withExecutor((sql) =>
      sql.exec(`INSERT INTO fact_attrs (id, attrs)
        SELECT md5(a::text)::uuid, a FROM (SELECT ('{"dev":"eth0","dst":"10.9.0.' || i || '","family":"inet","lladdr":"52:54:00:00:00:01","state":"resolved"}')::jsonb AS a FROM generate_series(0, 249) i) v
        ON CONFLICT (id) DO NOTHING;
        -- fact is partitioned by week on valid_to: the weeks these rows end in first (as the API's store does)
        SELECT fact_ensure_week_partition(d) FROM generate_series(TIMESTAMPTZ '${new Date(cluster.now - 125 * DAY).toISOString()}', TIMESTAMPTZ '${new Date(cluster.now - 125 * DAY).toISOString()}' + ${rows} * interval '1 second' + interval '1 day', interval '1 day') d;
        INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from, valid_to)
        SELECT (SELECT min(id) FROM node), 'host', 'neighbor', 'eth0|10.9.' || (i / 250) || '.' || (i % 250),
               md5(('{"dev":"eth0","dst":"10.9.0.' || (i % 250) || '","family":"inet","lladdr":"52:54:00:00:00:01","state":"resolved"}')::jsonb::text)::uuid,
               TIMESTAMPTZ '${new Date(cluster.now - 125 * DAY).toISOString()}' + i * interval '1 second',
               TIMESTAMPTZ '${new Date(cluster.now - 125 * DAY).toISOString()}' + i * interval '1 second' + interval '10 minutes'
        FROM generate_series(1, ${rows}) i`),
    );
    log(`retention ${kind}: ${rows} expired rows inserted`);
    const before = await sizes(database, ['fact']);
    const round = (changed: boolean) => {
      cluster.advance(30_000);
      t = cluster.now;
      return Array.from({ length: nodes }, (_, i) => {
        if (changed && i % 2 === 0) cluster.churnNode(i, 14);
        return cluster.snapshot(i, t + i);
      });
    };
    const ingestRounds = async (count: number) => runPool(Array.from({ length: count }, (_, r) => round(r % 2 === 0)).flat(), 2, (s) => api.ingest(s), (i) => i % nodes);
    const alone = await ingestRounds(o.quick ? 4 : 20);
    log(`retention ${kind}: ingest alone p99 ${alone.p99} ms; running the job`);
    Object.assign(retention.settings, { batchSize: 5000, pauseMs: 10 });
    // PGlite is one session in this process: the bench stalled there with ingest transactions
    // running beside the job (see the report), so on PGlite the job is timed alone.
    const concurrent = kind === 'postgres';
    const running = retention.runOnce(new Date(cluster.now));
    if (!concurrent) await running.catch(() => undefined);
    let done = false;
    void running.then(
      () => (done = true),
      () => (done = true),
    );
    const latencies: Sample[] = [];
    while (!done && concurrent) latencies.push(await ingestRounds(2));
    const run = await running;
    const during = mergeSamples(latencies);
    const after = await sizes(database, ['fact']);
    const deletedTotal = Object.values(run.deleted).reduce((a, b) => a + b, 0);
    const beside = during ? `ingest p99 ${alone.p99} → ${during.p99} ms` : concurrent ? 'the job ended before a round of ingest beside it' : 'timed alone (one PGlite session)';
    log(`retention ${kind}: ${deletedTotal} rows in ${run.durationMs} ms (${run.batches} batches); ${beside}`);
    return {
      kind,
      rowsExpired: rows,
      deleted: run.deleted,
      batches: run.batches,
      durationMs: run.durationMs,
      rowsPerSecond: Math.round((deletedTotal / run.durationMs) * 1000),
      ingestAlone: alone,
      ingestDuringRetention: during,
      factBytesBefore: before['fact'],
      factBytesAfterVacuum: after['fact'],
    };
  } finally {
    await api.close();
    await database.dispose();
  }
}
