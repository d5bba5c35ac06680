import { ClusterSeeder, SeedError, type SeedFailure, type SeedProgress, type SeedReport } from './cluster-seeder';
import { parseSeedArguments, SEED_USAGE, SeedArgumentError } from './seed-arguments';

// `npm run seed -- --nodes 1000 [--hours 2] …`: exit 0 when every snapshot was accepted, 1 when
// some failed or the API refused (unreachable, token), 2 for bad arguments, 130 on Ctrl-C.

interface Output {
  write(text: string): unknown;
}

const n = (v: number) => v.toLocaleString('en');

export async function runSeedCli(argv: readonly string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const say = (line: string) => out.write(`[seed] ${line}\n`);
  let args;
  try {
    args = parseSeedArguments(argv);
  } catch (error) {
    if (!(error instanceof SeedArgumentError)) throw error;
    err.write(`seed: ${error.message}\n(npm run seed -- --help for the options)\n`);
    return 2;
  }
  if (args === 'help') {
    out.write(`${SEED_USAGE}\n`);
    return 0;
  }

  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(130);
    say('stopping after the snapshots in flight (Ctrl-C again to quit now)…');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const seeder = new ClusterSeeder({
      api: args.api,
      token: args.token,
      nodes: args.nodes,
      seed: args.seed,
      podsPerNode: args.podsPerNode,
      hours: args.hours,
      intervalMs: args.intervalMs,
      concurrency: args.concurrency,
      faults: args.faults,
      signal: interrupt.signal,
      onProgress: (p) => say(progressLine(p)),
    });
    const history = seeder.ticksPerNode > 1 ? `${args.hours} h of churn history, a snapshot per node every ${formatMs(args.intervalMs)}` : 'one snapshot per node';
    say(`${n(args.nodes)} synthetic Calico nodes (seed ${args.seed}, ${args.podsPerNode} pods each) → ${args.api}, token from ${args.tokenSource}`);
    say(`${history}: ${n(seeder.plannedSnapshots)} snapshots, ${args.concurrency} in flight`);
    say(args.faults.length > 0 ? `faults: ${args.faults.map((f) => `${f.fault} on ${f.count} node(s)`).join(', ')}` : 'no faults: the cluster should raise no finding');

    const report = await seeder.seed();
    summarise(report, say);
    if (report.failures.length > 0) {
      for (const line of describeFailures(report.failures)) err.write(`seed: ${line}\n`);
      return 1;
    }
    if (report.stopped) return 130;
    say(`done: open the dashboard (\`npm start\` serves it on http://localhost:3000/)`);

    if (args.follow) {
      say(`following: every node posts each ${formatMs(args.intervalMs)} with the churn model running; Ctrl-C stops`);
      let before = { ...report.statuses };
      await seeder.follow(interrupt.signal, (r, at) => {
        const delta = Object.entries(r.statuses).map(([status, count]) => [status, count - (before[status] ?? 0)] as const).filter(([, c]) => c > 0);
        before = { ...r.statuses };
        say(`${new Date(at).toISOString().slice(11, 19)}Z: ${delta.map(([s, c]) => `${n(c)} ${s}`).join(', ') || 'nothing accepted'}${r.failures.length > 0 ? `, ${r.failures.length} failed in all` : ''}`);
      });
      if (report.failures.length > 0) {
        for (const line of describeFailures(report.failures)) err.write(`seed: ${line}\n`);
        return 1;
      }
    }
    return 0;
  } catch (error) {
    if (!(error instanceof SeedError)) throw error;
    err.write(`seed: ${error.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function progressLine(p: SeedProgress): string {
  const pct = p.total > 0 ? Math.floor((p.posted / p.total) * 100) : 100;
  return `${p.phase}: ${n(p.posted)}/${n(p.total)} snapshots (${pct}%), ${p.perSecond}/s${p.failed > 0 ? `, ${p.failed} failed` : ''}`;
}

function summarise(r: SeedReport, say: (line: string) => void): void {
  const seconds = r.elapsedMs / 1000;
  const statuses = Object.entries(r.statuses)
    .map(([status, count]) => `${n(count)} ${status}`)
    .join(', ');
  say(`${r.stopped ? `stopped (${r.stopped}) after` : 'posted'} ${n(r.posted)} snapshots in ${seconds.toFixed(1)} s (${(r.posted / Math.max(seconds, 0.001)).toFixed(1)}/s, ~${Math.round(r.meanBodyBytes / 1024)} KB each): ${statuses || 'none accepted'}; ${n(r.changes)} fact changes recorded`);
}

/** Failures grouped by answer, with what to do about the usual ones. */
export function describeFailures(failures: readonly SeedFailure[]): string[] {
  const groups = new Map<string, SeedFailure[]>();
  for (const f of failures) {
    const key = `${f.status} ${f.code}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines = [`${failures.length} snapshot(s) failed:`];
  for (const [, group] of groups) {
    const f = group[0];
    lines.push(`  ${group.length}× ${f.status === 'network' ? 'network error' : `HTTP ${f.status}`}, e.g. ${f.node} at ${f.takenAt}: ${f.error}`);
    const hint = hintFor(f);
    if (hint) lines.push(`    → ${hint}`);
  }
  return lines;
}

function hintFor(f: SeedFailure): string | undefined {
  if (f.status === 409) return 'a snapshotId of this seed already belongs to another node in the API (seeded a different cluster before?): seed a fresh database or data folder, or use another --seed';
  if (f.code === 'TAKEN_AT_OUT_OF_RANGE') return 'the history is older than the API keeps (ROUTESCOPE_RETENTION_DAYS) or its clock is behind: use fewer --hours';
  if (f.status === 413) return 'the snapshots are larger than the API accepts (ROUTESCOPE_MAX_SNAPSHOT_BYTES); each node routes to every other, so fewer --nodes make them smaller';
  if (f.status === 400) return 'the API rejected the generated snapshot: libs/synth and the contract in libs/snapshot disagree';
  if (f.status === 'network') return 'the API stopped answering: is it still running?';
  if (typeof f.status === 'number' && f.status >= 500) return "the API failed: see the API's log";
  return undefined;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
