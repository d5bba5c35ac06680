import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scratchDatabase } from '@routescope/testing';
import { startApi } from './api-process';
import { parseSoakArguments, SOAK_USAGE, SoakArgumentError } from './soak-arguments';
import { runLoad, sleep } from './soak-load';
import { formatWindow, heapTrend, markdownReport, OPERATIONS, WindowRecorder, type WindowSample } from './soak-stats';

// `npm run soak -- --minutes 10`: see SOAK_USAGE. Bundled and run by tools/soak/soak.mjs.

const root = resolve(__dirname, '../../..'); // from tools/soak/src or tools/soak/dist

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseSoakArguments(argv);
  } catch (error) {
    if (error instanceof SoakArgumentError) {
      console.error(`soak: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    console.log(SOAK_USAGE);
    return 0;
  }
  const commit = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  console.log(`soak: commit ${commit.slice(0, 12)}${dirty ? ' (with uncommitted changes)' : ''}, node ${process.version}, ${cpus().length} CPUs`);
  console.log(
    `soak: ${options.minutes} min, ${options.nodes} nodes × ${options.podsPerNode} pods every ${options.intervalMs / 1000} s (churn ×${options.churnFactor}), ${options.writers} posts in flight, ${options.readers} GraphQL readers`,
  );

  const database = await scratchDatabase('rs_soak', options.pgUrl);
  const api = await startApi(join(root, 'apps/api/dist/main.js'), database.url, root).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  console.log(`soak: API pid ${api.pid} at ${api.url} on database ${database.name}`);
  const recorder = new WindowRecorder();
  const windows: WindowSample[] = [];
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  let failure: string | undefined;
  try {
    const baseline = recorder.take(0, await api.sampleAfterGc(), loadavg()[0]);
    windows.push(baseline);
    console.log(formatWindow(baseline));
    const started = performance.now();
    const end = started + options.minutes * 60_000;
    const load = runLoad({
      api: api.url,
      ingestToken: api.tokens.ingest,
      readToken: api.tokens.read,
      nodes: options.nodes,
      podsPerNode: options.podsPerNode,
      intervalMs: options.intervalMs,
      churnFactor: options.churnFactor,
      writers: options.writers,
      readers: options.readers,
      readerPauseMs: options.readerPauseMs,
      seed: options.seed,
      recorder,
      signal: stop.signal,
    });
    let loadError: unknown;
    load.catch((error: unknown) => {
      loadError = error;
      stop.abort();
    });
    for (let k = 1; !stop.signal.aborted; k++) {
      const due = Math.min(end, started + k * options.sampleEveryMs);
      await sleep(due - performance.now(), stop.signal);
      if (stop.signal.aborted) break;
      if (!api.alive()) {
        failure = `the API exited during the soak:\n${api.output()}`;
        break;
      }
      const sample = recorder.take((performance.now() - started) / 1000, await api.sampleAfterGc(), loadavg()[0]);
      windows.push(sample);
      console.log(formatWindow(sample));
      for (const example of sample.errorExamples) console.log(`    error ${example}`);
      if (due >= end) break;
    }
    stop.abort();
    await load.catch(() => undefined);
    if (loadError) failure = `the load failed: ${loadError instanceof Error ? loadError.message : String(loadError)}`;
  } finally {
    process.removeListener('SIGINT', interrupt);
    await api.stop();
    await database.drop();
  }

  const overall = recorder.overall();
  const trend = heapTrend(windows, options.warmupSeconds, options.heapToleranceMb);
  const report = markdownReport(windows, overall, trend);
  console.log(`\n${report}`);
  if (options.out) {
    const out = resolve(options.out);
    writeFileSync(out, `${JSON.stringify({ commit, dirty, node: process.version, cpus: cpus().length, options, windows, overall, trend }, null, 2)}\n`);
    writeFileSync(`${out}.md`, `Commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}, ${new Date().toISOString()}\n\n${report}`);
    console.log(`soak: samples written to ${out} and ${out}.md`);
  }
  if (failure) {
    console.error(`soak: ${failure}`);
    return 1;
  }
  const errors = OPERATIONS.reduce((n, op) => n + overall[op].errors, 0);
  if (errors > 0) console.error(`soak: ${errors} requests failed`);
  if (trend && !trend.flat) console.error(`soak: heap after GC grew from ${trend.firstThirdMb} to ${trend.lastThirdMb} MB (tolerance ${options.heapToleranceMb} MB)`);
  return errors > 0 || (trend !== undefined && !trend.flat) ? 1 : 0;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
