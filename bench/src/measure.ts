import { performance } from 'node:perf_hooks';

/** Latencies in ms and the wall time they took: what every ingest/query row reports. */
export interface Sample {
  count: number;
  wallMs: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** operations per second over the wall time (with `concurrency` in flight) */
  perSecond: number;
  concurrency: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarise(latencies: readonly number[], wallMs: number, concurrency: number): Sample {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return {
    count: sorted.length,
    wallMs: round(wallMs),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(mean),
    perSecond: round((sorted.length / wallMs) * 1000),
    concurrency,
  };
}

/**
 * Runs `work(item)` over the items with `concurrency` lanes in flight; item i goes to lane
 * `laneOf(i)` (default i % concurrency) and each lane keeps its order, so one node's snapshots
 * (same lane) never overtake each other. Returns the latencies.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<unknown>,
  laneOf: (index: number) => number = (i) => i,
): Promise<Sample> {
  const latencies = new Array<number>(items.length);
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  const queues: number[][] = Array.from({ length: lanes }, () => []);
  items.forEach((_, i) => queues[laneOf(i) % lanes].push(i));
  const started = performance.now();
  await Promise.all(
    queues.map(async (queue) => {
      for (const i of queue) {
        const t = performance.now();
        await work(items[i], i);
        latencies[i] = performance.now() - t;
      }
    }),
  );
  return summarise(latencies, performance.now() - started, concurrency);
}

/** Several samples as one: latencies are the worst window's (max of each percentile), counts and time add up. */
export function mergeSamples(samples: Sample[]): Sample | undefined {
  if (samples.length === 0) return undefined;
  const count = samples.reduce((a, s) => a + s.count, 0);
  return {
    count,
    wallMs: samples.reduce((a, s) => a + s.wallMs, 0),
    p50: Math.max(...samples.map((s) => s.p50)),
    p95: Math.max(...samples.map((s) => s.p95)),
    p99: Math.max(...samples.map((s) => s.p99)),
    mean: samples.reduce((a, s) => a + s.mean * s.count, 0) / count,
    perSecond: (count / samples.reduce((a, s) => a + s.wallMs, 0)) * 1000,
    concurrency: samples[0].concurrency,
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v >= 100 || u === 0 ? 0 : 1)} ${units[u]}`;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** A markdown table (first column left-aligned, the rest right-aligned) and a blank line, one string per line. */
export function markdownTable(header: string[], rows: Array<Array<string | number>>): string[] {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const fmt = (c: string[]) => `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(fmt), ''];
}
