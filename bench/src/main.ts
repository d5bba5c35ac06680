import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyntheticCluster } from '@routescope/synth';
import { freshDatabase, loadBundle, startApi } from './api-under-test';
import type { BenchResults } from './bench-results';
import { BENCH_USAGE, BenchArgumentError, parseBenchArguments, type BenchSettings, type Phase } from './bench-arguments';
import { measureCeiling } from './ceiling';
import { benchCollector } from './collector-bench';
import { generateFindings, generateHistory, psql, type HistoryStats } from './history-generator';
import { benchDashboard } from './dashboard-bench';
import { benchGitBaseline } from './git-baseline';
import { compareWithGit, gitBaselineFigures } from './git-baseline-report';
import { benchIngest } from './ingest-bench';
import { benchProbes } from './probe-bench';
import { log, round } from './measure';
import { benchQueries } from './query-bench';
import { benchReplicas } from './replica-bench';
import { renderReport, targets } from './report';
import { benchRetention } from './retention-bench';
import { benchStorage } from './storage-bench';
import { tableBytesSql } from './table-sizes';

async function main(): Promise<void> {
  const started = Date.now();
  const s = settingsOrExit(process.argv.slice(2));
  const want = (phase: Phase) => !s.only || s.only.has(phase);
  const root = process.env['BENCH_ROOT'] ?? process.cwd();
  const seed = 1;
  const clusterNodes = 1000;
  const cluster = new SyntheticCluster({ seed, nodes: clusterNodes });
  const sampleSnapshot = cluster.snapshot(0);
  const results: BenchResults = {
    mode: s.quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    durationS: 0,
    machine: { cpus: require('node:os').cpus().length, node: process.version },
    synth: { seed, clusterNodes, podsPerNode: 30, factsPerSnapshot: 0, snapshotBytes: JSON.stringify(sampleSnapshot).length },
    ingest: [],
    storage: [],
    queries: [],
    retention: [],
  };
  try {
    results.machine.postgres = psql(loadBundle().testing.testServerUrl(), 'SHOW server_version', true).trim();
  } catch {
    // no psql or no server: the PostgreSQL phases will say so
  }

  if (want('ceiling') || want('ingest')) {
    const bodies = Array.from({ length: s.quick ? 10 : 40 }, (_, i) => JSON.stringify(cluster.snapshot(i)));
    results.ceiling = measureCeiling(bodies, s.quick ? 3 : 10);
    results.synth.factsPerSnapshot = results.ceiling.facts;
    log(`ceiling: ${results.ceiling.sample.mean} ms/snapshot (${results.ceiling.sample.perSecond}/s), ${results.ceiling.facts} facts`);
  }

  if (want('ingest')) {
    for (const kind of s.kinds) {
      const r = await benchIngest(kind, {
        seed,
        clusterNodes,
        nodes: s.quick ? 4 : 24,
        rounds: s.quick ? 1 : 4,
        concurrency: 4,
        churnChanges: 14,
        profile: !s.quick,
        backgroundNodes: !s.quick && kind === 'postgres',
        workDir: join(root, 'bench', 'dist', `background-${process.pid}`),
      });
      delete r.sampleBodies;
      results.ingest.push(r);
    }
  }

  if (want('storage')) {
    for (const kind of s.kinds) {
      const hours = s.storageHours ?? (s.quick ? 0.25 : kind === 'postgres' ? 24 : 6);
      results.storage.push(await benchStorage(kind, { seed, clusterNodes, nodes: s.quick ? 2 : 4, hours, naiveHours: s.quick ? 0.1 : 0.5, concurrency: 4 }));
      log(`storage ${kind}: ${results.storage.at(-1)!.bytesPerNodeDay} B/node-day vs naive ${results.storage.at(-1)!.naive.bytesPerNodeDay}`);
    }
  }

  if (want('queries') && s.kinds.includes('postgres')) {
    // --history-nodes=N / --history-days=N size the generated history (to study a plan at scale without the full run);
    // --history-url=URL reuses a database an earlier run generated (and kept with --keep-history), of its own size.
    const reuse = s.historyUrl;
    const keep = s.keepHistory;
    const reused = reuse ? historyStatsOf(reuse) : undefined;
    const nodes = reused?.nodes ?? s.historyNodes ?? (s.quick ? 20 : 1000);
    const days = reused ? Math.round((reused.stats.end - reused.stats.start) / 86_400_000) : (s.historyDays ?? (s.quick ? 2 : 90));
    const database = reuse
      ? Object.assign(await loadBundle().createDatabase({ databaseUrl: reuse }), { databaseUrl: reuse, dispose: async () => undefined })
      : await freshDatabase('postgres');
    try {
      const stats = reused
        ? reused.stats
        : await generateHistory(database.databaseUrl!, { seed, nodes, days, intervalMs: 30_000, workDir: join(root, 'bench', 'dist', `history-${process.pid}`) });
      stats.findingRows = generateFindings(database.databaseUrl!, { seed, start: stats.start, end: stats.end });
      const tableBytes = JSON.parse(
        psql(
          database.databaseUrl!,
          `SELECT json_object_agg(t, ${tableBytesSql('t')}) FROM unnest(array['fact','fact_attrs','snapshot','coverage','node','finding']) t`,
          true,
        ),
      ) as Record<string, number>;
      results.history = {
        stats,
        nodes,
        days,
        tableBytes,
        databaseUrl: keep ? database.databaseUrl : undefined,
        method: `generated, not replayed: the churn model's fact deltas for ${nodes} nodes × ${days} days (each applied at the node's next 30 s snapshot, netted per snapshot) written as the rows ingest writes, loaded with COPY, indexes built after the load, VACUUM ANALYZE; findings generated in SQL (bench/src/history-generator.ts generateFindings)`,
      };
      const handle = await loadBundle().createDatabase({ databaseUrl: database.databaseUrl! });
      // a kept database from an older tree gets the newer migrations (indexes) first
      await handle.migrate({ migrationsDir: process.env['BENCH_MIGRATIONS'] });
      // The history is dated from 2026-08-01: a retention window covering it, or the API would treat
      // it as expired (the state cache skips instants older than retention; the job would delete them).
      const api = await startApi(handle, { ROUTESCOPE_RETENTION_DAYS: '3650' });
      try {
        results.queries = await benchQueries(api, { seed, nodes, start: stats.start, end: stats.end, samples: s.quick ? 10 : 200, select: s.queries });
      } finally {
        await api.close();
      }
    } finally {
      // A database passed in with --history-url is the caller's: never dropped here.
      if (reuse) log(`history left in ${reuse}`);
      else if (!keep) await database.dispose();
      else log(`history kept in ${database.databaseUrl}`);
    }
  }

  // after storage and queries: it is compared with their figures of this run
  if (want('git-baseline')) {
    const storageOptions = { nodes: s.quick ? 2 : 4, hours: s.quick ? 0.25 : 24 };
    results.gitBaseline = benchGitBaseline({ quick: s.quick, seed, clusterNodes, ...storageOptions, samples: s.quick ? 20 : 200 });
    log(`git baseline: ${results.gitBaseline.skipped ?? `${results.gitBaseline.bytesPerNodeDay} B/node-day packed, git show p95 ${results.gitBaseline.show.p95} ms, git diff p95 ${results.gitBaseline.diff.p95} ms`}`);
  }

  if (want('retention')) {
    for (const kind of s.kinds) results.retention.push(await benchRetention(kind, { seed, quick: s.quick }));
  }

  if (want('probes')) {
    results.probes = [];
    for (const kind of s.kinds) results.probes.push(await benchProbes(kind, cluster, { samples: s.quick ? 10 : 100 }));
  }

  if (want('replicas') && s.kinds.includes('postgres')) {
    results.replicas = await benchReplicas({ seed, nodes: s.quick ? 6 : 30, debounceMs: 1000 });
  }

  if (want('collector')) {
    results.collector = benchCollector(root, 1000, s.quick ? 2 : 7);
    log(`collector: ${JSON.stringify(results.collector)}`);
  }

  if (want('dashboard')) results.dashboard = await benchDashboard(root, { quick: s.quick });

  results.durationS = round((Date.now() - started) / 1000, 1);
  results.targets = targets(results);
  if (results.gitBaseline && !results.gitBaseline.skipped) results.gitBaseline.comparison = compareWithGit(results.gitBaseline, gitBaselineFigures(results));
  const out = join(root, 'bench', 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderReport(results));
  process.stdout.write(`\nwritten ${out} (${results.durationS} s)\n`);
}

/** A kept history's size: the queries pick their nodes and instants from it. */
function historyStatsOf(url: string): { stats: HistoryStats; nodes: number } {
  const [factRows, openRows, snapshotRows, start, end, nodes] = psql(
    url,
    `SELECT (SELECT count(*) FROM fact), (SELECT count(*) FROM fact WHERE valid_to IS NULL), (SELECT count(*) FROM snapshot),
            (SELECT extract(epoch FROM min(start_at)) * 1000 FROM coverage), (SELECT extract(epoch FROM max(end_at)) * 1000 FROM coverage),
            (SELECT count(*) FROM node)`,
    true,
  )
    .trim()
    .split('|')
    .map(Number);
  return { stats: { factRows, openRows, snapshotRows, start, end, generateMs: 0, loadMs: 0 }, nodes };
}

function settingsOrExit(argv: readonly string[]): BenchSettings {
  try {
    const parsed = parseBenchArguments(argv, process.env);
    if (parsed !== 'help') return parsed;
    console.log(BENCH_USAGE);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof BenchArgumentError)) throw error;
    console.error(`bench: ${error.message}\n\n${BENCH_USAGE}`);
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
