import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { snapshotToFacts } from '@routescope/snapshot';
import { SeededRandom, SyntheticCluster } from '@routescope/synth';
import { renderIpText, type GitBaselineResult } from './git-baseline-report';
import { log, round, summarise } from './measure';

// Issue #16: the baseline network teams use for config history — RANCID/Oxidized-style text
// dumps committed to git — built from the same snapshots as the storage figure
// (storage-bench.ts: SyntheticCluster seed + 100, its first `nodes` nodes, a snapshot every 30 s,
// node i at t + 7i ms), then packed with `git gc --aggressive` and read the way its users read it.

export interface GitBaselineOptions {
  quick: boolean;
  seed: number;
  clusterNodes: number;
  nodes: number;
  hours: number;
  samples: number;
}

const INTERVAL = 30_000;
const HOUR_TICKS = 3_600_000 / INTERVAL;

function git(cwd: string, args: string[], input?: string): string {
  const run = spawnSync('git', args, { cwd, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return run.stdout;
}

/** Bytes of the repository's object store (packs, their indexes, loose objects), to the byte. */
function objectBytes(dir: string): number {
  const walk = (path: string): number =>
    readdirSync(path, { withFileTypes: true }).reduce((sum, entry) => {
      const child = join(path, entry.name);
      return sum + (entry.isDirectory() ? walk(child) : statSync(child).size);
    }, 0);
  return walk(join(dir, '.git', 'objects'));
}

function gcAggressive(dir: string): number {
  const t = performance.now();
  git(dir, ['gc', '--aggressive', '--prune=now', '--quiet']);
  return performance.now() - t;
}

/**
 * One `git fast-import` stream, written to a file as it is made (a full run's text is ~1 GB): a
 * commit per node snapshot on main, each marked so its rev can be looked up.
 */
class FastImportStream {
  private readonly fd: number;
  private commits = 0;
  constructor(
    readonly path: string,
    private nextMark: number,
    private readonly continuesBranch: boolean,
  ) {
    this.fd = openSync(path, 'w');
  }
  commit(file: string, text: string, takenAt: Date, message: string): number {
    const mark = this.nextMark++;
    const seconds = Math.floor(takenAt.getTime() / 1000);
    // the first commit of a later stream continues the branch an earlier one left
    const from = this.commits++ === 0 && this.continuesBranch ? 'from refs/heads/main^0\n' : '';
    writeSync(this.fd, `commit refs/heads/main\nmark :${mark}\ncommitter rancid <rancid@bench> ${seconds} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n${from}`);
    writeSync(this.fd, `M 100644 inline ${file}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    return mark;
  }
  get marks(): number {
    return this.nextMark;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export function benchGitBaseline(o: GitBaselineOptions): GitBaselineResult {
  const started = Date.now();
  const empty = { count: 0, wallMs: 0, p50: NaN, p95: NaN, p99: NaN, mean: NaN, perSecond: 0, concurrency: 1 };
  const base: GitBaselineResult = { mode: o.quick ? 'quick' : 'full', nodes: o.nodes, hours: o.hours, commits: 0, meanFileBytes: 0, packedBytesInitial: 0, packedBytesFinal: 0, bytesPerNodeDay: 0, gcSeconds: 0, show: empty, diff: empty, diffWindowHours: 0, meanDiffLines: 0, durationS: 0 };
  const version = spawnSync('git', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return { ...base, skipped: 'no git on this machine' };
  if (!(o.hours * 3_600_000 >= INTERVAL)) return { ...base, skipped: `${o.hours} h is less than one 30 s interval: nothing to diff` };
  const dir = mkdtempSync(join(tmpdir(), 'rs-bench-git-'));
  try {
    git(dir, ['init', '--quiet', '--initial-branch=main']);
    const cluster = new SyntheticCluster({ seed: o.seed + 100, nodes: o.clusterNodes });
    /** one text file per node, as RANCID keeps one per device */
    const files: string[] = [];
    /** marks[node][tick]: the commit of that node's snapshot */
    const marks: number[][] = Array.from({ length: o.nodes }, () => []);
    let fileBytes = 0;
    const commitRound = (stream: FastImportStream, t: number) => {
      for (let i = 0; i < o.nodes; i++) {
        const snapshot = cluster.snapshot(i, t + i * 7);
        const text = renderIpText(snapshot.node, snapshotToFacts(snapshot));
        const name = (files[i] ??= `${snapshot.node}.txt`);
        fileBytes += Buffer.byteLength(text);
        marks[i]?.push(stream.commit(name, text, new Date(snapshot.takenAt), `${snapshot.node} ${snapshot.takenAt}`));
      }
    };
    const load = (stream: FastImportStream) => {
      stream.close();
      const marksPath = join(dir, '.git', 'marks');
      const input = openSync(stream.path, 'r');
      try {
        const run = spawnSync('git', ['fast-import', '--quiet', `--export-marks=${marksPath}`, `--import-marks-if-exists=${marksPath}`], { cwd: dir, stdio: [input, 'ignore', 'pipe'], encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`git fast-import failed (${run.status ?? run.signal}): ${run.stderr}`);
      } finally {
        closeSync(input);
        rmSync(stream.path, { force: true });
      }
    };

    // the first snapshot of every node, packed: the baseline the growth is measured from (as storage-bench)
    const initial = new FastImportStream(join(dir, 'initial.fi'), 1, false);
    commitRound(initial, cluster.now);
    load(initial);
    let gcMs = gcAggressive(dir);
    const packedBytesInitial = objectBytes(dir);
    const ticks = Math.round((o.hours * 3_600_000) / INTERVAL);
    const rest = new FastImportStream(join(dir, 'history.fi'), initial.marks, true);
    for (let tick = 0; tick < ticks; tick++) {
      cluster.advance(INTERVAL);
      commitRound(rest, cluster.now);
    }
    load(rest);
    gcMs += gcAggressive(dir);
    const packedBytesFinal = objectBytes(dir);
    const commits = o.nodes * (ticks + 1);
    log(`git baseline: ${commits} commits, pack ${packedBytesInitial} → ${packedBytesFinal} bytes after git gc --aggressive`);

    const marksFile = readFileSync(join(dir, '.git', 'marks'), 'utf8');
    const sha = new Map(
      marksFile
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([mark = '', id = '']) => [Number(mark.slice(1)), id] as const),
    );
    /** the commit of node i's snapshot at `tick`, and its file */
    const revOf = (i: number, tick: number) => {
      const rev = sha.get(marks[i]?.[tick] ?? -1);
      const name = files[i];
      if (!rev || !name) throw new Error(`git baseline: no commit for node ${i} at tick ${tick}`);
      return { rev, name };
    };

    const random = new SeededRandom(`${o.seed}-git-baseline`);
    const timed = (args: string[]) => {
      const t = performance.now();
      const out = git(dir, args);
      return { ms: performance.now() - t, out };
    };
    // state at T: a random snapshot of a random node
    const show: number[] = [];
    for (let s = 0; s < o.samples; s++) {
      const i = random.int(o.nodes);
      const tick = random.int(ticks + 1);
      const { rev, name } = revOf(i, tick);
      show.push(timed(['show', `${rev}:${name}`]).ms);
    }
    // an hour of one node's changes (the whole history when shorter, in quick)
    const window = Math.min(HOUR_TICKS, ticks);
    const diff: number[] = [];
    let diffLines = 0;
    for (let s = 0; s < o.samples; s++) {
      const i = random.int(o.nodes);
      const from = random.int(ticks - window + 1);
      const [a, b] = [revOf(i, from), revOf(i, from + window)];
      const result = timed(['diff', '--unified=0', a.rev, b.rev, '--', a.name]);
      diff.push(result.ms);
      diffLines += result.out.split('\n').filter((l) => /^[+-](?![+-]{2} )/.test(l)).length;
    }
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      ...base,
      git: version.stdout.trim(),
      commits,
      meanFileBytes: Math.round(fileBytes / commits),
      packedBytesInitial,
      packedBytesFinal,
      bytesPerNodeDay: Math.round(((packedBytesFinal - packedBytesInitial) * (24 / o.hours)) / o.nodes),
      gcSeconds: round(gcMs / 1000, 1),
      show: summarise(show, total(show), 1),
      diff: summarise(diff, total(diff), 1),
      diffWindowHours: round((window * INTERVAL) / 3_600_000, 2),
      meanDiffLines: round(diffLines / Math.max(1, o.samples), 1),
      durationS: round((Date.now() - started) / 1000, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
