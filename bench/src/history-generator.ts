import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { diffAgainstCanonical, type CanonicalDelta } from '@routescope/diff';
import { canonicalJson, factIdentity, snapshotToFacts, type Fact } from '@routescope/snapshot';
import { stableUuid, SyntheticCluster, type FactDelta } from '@routescope/synth';
import { log } from './measure';

/**
 * Writes `days` of history for `nodes` nodes straight into the tables, without replaying
 * snapshots: the churn model's fact deltas (libs/synth) are turned into the rows ingest would
 * have written (each delta applied at the node's next 30 s snapshot, deltas of one snapshot
 * netted by ingest's own diff, `snapshotDelta`), streamed to CSV and loaded with COPY (psql
 * \copy). Replaying 90 days × 1,000 nodes × 2,880 snapshots/day through ingest would take days on this machine; the rows are the same.
 */
export interface HistoryOptions {
  seed: number;
  nodes: number;
  days: number;
  intervalMs: number;
  /** where the CSV files go (deleted afterwards) */
  workDir: string;
}

export interface HistoryStats {
  factRows: number;
  openRows: number;
  snapshotRows: number;
  start: number;
  end: number;
  generateMs: number;
  loadMs: number;
  findingRows?: number;
}

export interface OpenRow {
  /** factIdentity(fact): the row's id for diffAgainstCanonical */
  id: string;
  /** canonicalJson(fact.attrs) */
  attrs: string;
  validFrom: number;
  fact: Fact;
}

/** The churn deltas that fall on one snapshot of a node: the new value of each fact they touch (undefined: gone). */
interface Pending {
  tick: number;
  touched: Map<string, Fact | undefined>;
}

export async function generateHistory(databaseUrl: string, o: HistoryOptions): Promise<HistoryStats> {
  const started = Date.now();
  mkdirSync(o.workDir, { recursive: true });
  const factFile = join(o.workDir, 'fact.csv');
  const snapshotFile = join(o.workDir, 'snapshot.csv');
  const facts = new CsvWriter(factFile);
  const snapshots = new CsvWriter(snapshotFile);
  const start = Date.parse('2026-08-01T00:00:00.000Z');
  const end = start + o.days * 86_400_000;
  const cluster = new SyntheticCluster({ seed: o.seed, nodes: o.nodes, start: new Date(start) });
  const phase = (i: number) => Math.floor((i * o.intervalMs) / o.nodes);
  const open: Array<Map<string, OpenRow>> = [];
  const pending: Array<Pending | undefined> = new Array(o.nodes);
  let factRows = 0;
  let snapshotRows = 0;

  for (let i = 0; i < o.nodes; i++) {
    const t = start + phase(i);
    const map = new Map<string, OpenRow>();
    for (const fact of snapshotToFacts(cluster.snapshot(i, t))) map.set(factIdentity(fact), { id: factIdentity(fact), attrs: canonicalJson(fact.attrs), validFrom: t, fact });
    open.push(map);
  }

  const writeClosed = (node: number, row: OpenRow, validTo: number) => {
    facts.row([node + 1, row.fact.ns, row.fact.kind, row.fact.key, row.attrs, iso(row.validFrom), iso(validTo)]);
    factRows++;
  };
  const flush = (node: number) => {
    const p = pending[node];
    if (!p) return;
    pending[node] = undefined;
    const map = open[node];
    const { close, open: opened, openAttrs, changes } = snapshotDelta(map, p.touched);
    for (const id of close) {
      writeClosed(node, map.get(id)!, p.tick);
      map.delete(id);
    }
    opened.forEach((fact, i) => {
      const id = factIdentity(fact);
      map.set(id, { id, attrs: openAttrs[i], validFrom: p.tick, fact });
    });
    if (changes > 0) {
      snapshots.row([stableUuid(o.seed, 'history', node, p.tick), node + 1, iso(p.tick), iso(p.tick + 150), `h${p.tick}`, changes, 'boot-history', Math.floor((p.tick - start) / o.intervalMs), 'collect', '[]']);
      snapshotRows++;
    }
  };
  const sink = (delta: FactDelta) => {
    const node = delta.node;
    const offset = start + phase(node);
    // the node's first snapshot after the event (never its very first one, which is the initial state)
    const tick = offset + Math.max(1, Math.ceil((delta.at - offset + 1) / o.intervalMs)) * o.intervalMs;
    let p = pending[node];
    if (p && p.tick !== tick) {
      flush(node);
      p = undefined;
    }
    if (!p) pending[node] = p = { tick, touched: new Map() };
    for (const fact of delta.closed) p.touched.set(factIdentity(fact), undefined);
    for (const fact of delta.opened) p.touched.set(factIdentity(fact), fact);
  };

  const hour = 3_600_000;
  for (let t = start; t < end; t += hour) {
    cluster.advance(Math.min(hour, end - t), sink);
    if ((t - start) % (10 * 86_400_000) === 0) log(`history: day ${Math.round((t - start) / 86_400_000)} of ${o.days}, ${factRows} closed rows`);
  }
  for (let i = 0; i < o.nodes; i++) flush(i);
  let openRows = 0;
  for (let i = 0; i < o.nodes; i++) {
    for (const row of open[i].values()) {
      facts.row([i + 1, row.fact.ns, row.fact.kind, row.fact.key, row.attrs, iso(row.validFrom), '']);
      openRows++;
    }
  }
  facts.close();
  snapshots.close();
  const generateMs = Date.now() - started;
  log(`history: generated ${factRows + openRows} fact rows (${openRows} open), ${snapshotRows} snapshot rows in ${Math.round(generateMs / 1000)} s; loading`);

  const loadStarted = Date.now();
  const nodesSql = `INSERT INTO node (id, name, first_seen_at, last_seen_at, last_received_at, last_snapshot_id, last_boot_id, last_seq, interval_ms, state_hash, state_version)
    SELECT i, 'node-' || lpad((i - 1)::text, 5, '0'), '${iso(start)}', '${iso(end)}', '${iso(end)}', gen_random_uuid(), 'boot-history', ${Math.floor((end - start) / o.intervalMs)}, ${o.intervalMs}, 'history', 1
    FROM generate_series(1, ${o.nodes}) i;
    SELECT setval(pg_get_serial_sequence('node', 'id'), ${o.nodes});
    INSERT INTO coverage (node_id, start_at, end_at, snapshots) SELECT i, '${iso(start)}', '${iso(end)}', ${Math.floor((end - start) / o.intervalMs)} FROM generate_series(1, ${o.nodes}) i;`;
  psql(databaseUrl, nodesSql);
  // Load without the fact/snapshot indexes, then build them: what a restore does too. fact is
  // partitioned by week on valid_to: the weeks the closed rows end in are created before the load
  // (fact_ensure_week_partition, as the API's store does), and its indexes are the parent's.
  // pg_indexes words a partitioned table's index `ON ONLY fact`, which would build no partition's
  // index (and leave the parent's invalid): rebuilt `ON fact`, every partition's index is built.
  const indexes = psql(databaseUrl, `SELECT string_agg(replace(indexdef, ' ON ONLY ', ' ON '), ';' || chr(10)) FROM pg_indexes WHERE tablename IN ('fact', 'snapshot') AND indexname NOT LIKE '%_pkey'`, true).trim();
  psql(databaseUrl, `SELECT string_agg('DROP INDEX ' || quote_ident(indexname), '; ') FROM pg_indexes WHERE tablename IN ('fact','snapshot') AND indexname NOT LIKE '%_pkey' \\gexec`);
  // Attributes are content-addressed (fact_attrs, as the writer stores them): staged with their
  // text, then each distinct value stored once and the facts pointing at it.
  psql(
    databaseUrl,
    `CREATE UNLOGGED TABLE fact_load (node_id int, ns text, kind text, key text, attrs jsonb, valid_from timestamptz, valid_to timestamptz);
     \\copy fact_load FROM '${factFile}' WITH (FORMAT csv)
     INSERT INTO fact_attrs (id, attrs) SELECT DISTINCT ON (md5(attrs::text)) md5(attrs::text)::uuid, attrs FROM fact_load ON CONFLICT (id) DO NOTHING;
     DO $$ BEGIN
       IF to_regproc('fact_ensure_week_partition') IS NOT NULL THEN -- not before migration 20261208100000 (BENCH_MIGRATIONS)
         PERFORM fact_ensure_week_partition(week) FROM (SELECT DISTINCT date_trunc('week', valid_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS week FROM fact_load WHERE valid_to IS NOT NULL) w;
       END IF;
     END $$;
     INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from, valid_to) SELECT node_id, ns, kind, key, md5(attrs::text)::uuid, valid_from, valid_to FROM fact_load;
     DROP TABLE fact_load;`,
  );
  psql(databaseUrl, `\\copy snapshot (id, node_id, taken_at, received_at, hash, changes, boot_id, seq, source, warnings) FROM '${snapshotFile}' WITH (FORMAT csv)`);
  log(`history: loaded in ${Math.round((Date.now() - loadStarted) / 1000)} s; building indexes`);
  psql(databaseUrl, `SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2; ${indexes};`);
  const invalid = psql(databaseUrl, `SELECT string_agg(indexrelid::regclass::text, ', ') FROM pg_index WHERE NOT indisvalid`, true).trim();
  if (invalid) throw new Error(`history: indexes left invalid after the load: ${invalid}`);
  psql(databaseUrl, 'VACUUM ANALYZE fact; VACUUM ANALYZE fact_attrs; VACUUM ANALYZE snapshot; VACUUM ANALYZE node; VACUUM ANALYZE coverage;');
  rmSync(o.workDir, { recursive: true, force: true });
  return { factRows: factRows + openRows, openRows, snapshotRows, start, end, generateMs, loadMs: Date.now() - loadStarted };
}

/**
 * What one snapshot writes for the churn deltas that fell on it (`touched`: the new value of
 * each fact they touched, undefined when gone), as ingest computes it: libs/diff's
 * diffAgainstCanonical. Ingest diffs the whole state; every fact the deltas did not touch is
 * equal on both sides, so the diff of the touched facts is the same delta, at the cost of the change.
 */
export function snapshotDelta(open: ReadonlyMap<string, OpenRow>, touched: ReadonlyMap<string, Fact | undefined>): CanonicalDelta<string> {
  const before = new Map<string, OpenRow>();
  const after: Fact[] = [];
  for (const [id, fact] of touched) {
    const row = open.get(id);
    if (row) before.set(id, row);
    if (fact) after.push(fact);
  }
  return diffAgainstCanonical(before, after);
}

/**
 * The current state of nodes [from, to) of `cluster` written straight into the tables (node rows,
 * open fact rows, one coverage interval each), as if each had posted its first snapshot at `at`:
 * the rest of a 1,000-node cluster around the few nodes a benchmark posts for, so that the
 * API's checks evaluate a cluster of realistic size. PostgreSQL only (psql \copy).
 */
export function loadCurrentState(databaseUrl: string, cluster: SyntheticCluster, o: { from: number; to: number; at: number; workDir: string }): number {
  mkdirSync(o.workDir, { recursive: true });
  const file = join(o.workDir, 'current-state.csv');
  const csv = new CsvWriter(file);
  let rows = 0;
  for (let i = o.from; i < o.to; i++) {
    const snapshot = cluster.snapshot(i, o.at);
    for (const fact of snapshotToFacts(snapshot)) {
      csv.row([snapshot.node, fact.ns, fact.kind, fact.key, canonicalJson(fact.attrs)]);
      rows++;
    }
  }
  csv.close();
  psql(
    databaseUrl,
    `INSERT INTO node (name, first_seen_at, last_seen_at, last_received_at, last_snapshot_id, last_boot_id, last_seq, interval_ms, state_hash, state_version)
       SELECT 'node-' || lpad(i::text, 5, '0'), '${iso(o.at)}', '${iso(o.at)}', '${iso(o.at)}', gen_random_uuid(), 'boot-background', 0, 30000, 'background', 1
       FROM generate_series(${o.from}, ${o.to - 1}) i;
     INSERT INTO coverage (node_id, start_at, end_at, snapshots) SELECT id, '${iso(o.at)}', '${iso(o.at)}', 1 FROM node WHERE last_boot_id = 'boot-background';
     CREATE TEMP TABLE staged (node text, ns text, kind text, key text, attrs jsonb);
     \\copy staged FROM '${file}' WITH (FORMAT csv)
     INSERT INTO fact_attrs (id, attrs) SELECT DISTINCT ON (md5(attrs::text)) md5(attrs::text)::uuid, attrs FROM staged ON CONFLICT (id) DO NOTHING;
     INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from) SELECT n.id, s.ns, s.kind, s.key, md5(s.attrs::text)::uuid, '${iso(o.at)}' FROM staged s JOIN node n ON n.name = s.node;
     ANALYZE fact; ANALYZE fact_attrs; ANALYZE node;`,
  );
  rmSync(o.workDir, { recursive: true, force: true });
  return rows;
}

/**
 * Finding intervals for the history: the churn model does not run the checks, so findings are
 * written as the evaluator would have left them, at a rate chosen to be pessimistic for the
 * "findings open at T" query: every node gets one finding opened every ~12 h (rules drawn from
 * libs/checks' ids), open for 5–125 min, and 2% of the nodes keep one open to the end. Idempotent:
 * a database that already has findings is left as it is. Returns the finding row count.
 */
export function generateFindings(databaseUrl: string, o: { seed: number; start: number; end: number }): number {
  const rules = ['CALICO_PROXY_ARP', 'CALICO_VETH_MAC', 'CALICO_ROUTE_TO_DOWN_VETH', 'NEIGHBOR_MAC_FLAP', 'ROUTE_FLAP', 'PROXY_ARP_TOGGLED', 'CALICO_BLOCK_ROUTE_MISSING'];
  const sql = `
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM finding) THEN
        INSERT INTO finding (node_id, scope, rule, subject, severity, title, message, evidence, opened_at, resolved_at)
        SELECT n.id, CASE WHEN r.rule LIKE 'CALICO_BLOCK%' THEN 'cluster' WHEN r.rule IN ('ROUTE_FLAP', 'NEIGHBOR_MAC_FLAP', 'PROXY_ARP_TOGGLED') THEN 'history' ELSE 'node' END,
               r.rule, 'veth:cali' || substr(md5(n.id || '/' || k), 1, 11),
               CASE WHEN k % 3 = 0 THEN 'critical' ELSE 'warning' END, r.rule || ' on ' || n.name, 'generated for the benchmark (${o.seed})',
               '[]'::jsonb, o.at, o.at + ((5 + (n.id * 7 + k * 13) % 120) * interval '1 minute')
        FROM node n
        CROSS JOIN generate_series(0, ${Math.floor((o.end - o.start) / 43_200_000) - 1}) k
        CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '${iso(o.start)}' + k * interval '12 hours' + ((n.id * 7919 + k * 104729) % 43000) * interval '1 second' AS at) o
        CROSS JOIN LATERAL (SELECT (ARRAY['${rules.join("','")}'])[1 + (n.id + k) % ${rules.length}] AS rule) r;
        INSERT INTO finding (node_id, scope, rule, subject, severity, title, message, evidence, opened_at)
        SELECT n.id, 'node', 'CALICO_PROXY_ARP', 'veth:cali-open-' || n.id, 'critical', 'proxy_arp off on ' || n.name, 'generated for the benchmark (${o.seed})', '[]'::jsonb,
               TIMESTAMPTZ '${iso(o.end)}' - (n.id % 48) * interval '1 hour'
        FROM node n WHERE n.id % 50 = 0;
      END IF;
    END $$;
    VACUUM ANALYZE finding;`;
  psql(databaseUrl, sql);
  return Number(psql(databaseUrl, 'SELECT count(*) FROM finding', true).trim());
}

export function psql(databaseUrl: string, sql: string, tuplesOnly = false): string {
  const result = spawnSync('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', ...(tuplesOnly ? ['-At'] : []), '-f', '-'], { input: sql, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}\n${sql.slice(0, 500)}`);
  return result.stdout;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

class CsvWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  row(values: Array<string | number>): void {
    this.buffer.push(values.map(csvField).join(','));
    if (this.buffer.length >= 20_000) this.drain();
  }
  close(): void {
    this.drain();
    closeSync(this.fd);
  }
  private drain(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }
}

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  if (value === '') return '';
  if (/[",\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}
