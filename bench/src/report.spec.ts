import type { BenchResults } from './bench-results';
import type { IngestBenchResult } from './ingest-bench';
import type { Sample } from './measure';
import { renderReport, targets } from './report';

const sample = (p50: number, p99: number, perSecond: number, mean = p50): Sample => ({ count: 100, wallMs: 1000, p50, p95: p99, p99, mean, perSecond, concurrency: 1 });
const path = (p50: number, p99: number, perSecond: number) => ({ sequential: sample(p50, p99, perSecond), concurrent: sample(p50, p99, perSecond) });

function ingest(changedPerSecond: number, changedP99: number, heartbeatMean: number): IngestBenchResult {
  return {
    kind: 'postgres',
    first: sample(40, 60, 20),
    service: { unchanged: path(6, 8, 200), changed: path(8, changedP99, changedPerSecond) },
    http: { unchanged: path(7, 9, 150), changed: path(9, 30, 90) },
    heartbeat: { service: { sequential: sample(heartbeatMean, 1, 2000, heartbeatMean), concurrent: sample(0.5, 1, 4000) }, http: path(1, 2, 1500) },
    meanChangesPerChangedSnapshot: 14,
    backgroundNodes: 0,
    statuses: { changed: 100 },
    profiles: {},
  };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    mode: 'full',
    startedAt: '2026-12-06T12:00:00.000Z',
    durationS: 60,
    machine: { cpus: 2, node: 'v20.20.2', postgres: '17.2' },
    synth: { seed: 1, clusterNodes: 1000, podsPerNode: 30, factsPerSnapshot: 1400, snapshotBytes: 300_000 },
    // 4 ms per snapshot, 250 snapshots/s
    ceiling: { sample: sample(4, 6, 250, 4), stages: { parseMs: 1, validateMs: 1, normaliseMs: 1, hashMs: 1 }, facts: 1400 },
    ingest: [ingest(150, 40, 0.2)],
    storage: [],
    queries: [
      { name: 'state(at)', sample: sample(5, 25, 200), meanRows: 1400 },
      { name: 'block consistency matrix (now)', sample: sample(50, 300, 20), coldMs: 1500 },
    ],
    retention: [],
    ...overrides,
  };
}

describe('bench report', () => {
  it('states ingest as ratios to the ceiling measured in the same run', () => {
    const report = renderReport(results());
    // changed, service: 150/s against the ceiling's 250/s; 8 ms against 4 ms per snapshot
    expect(report).toMatch(/\| postgres service 1% churn +\| +8\.00 \/ 40\.0 \| +150 \| +0\.60× \| +2\.00× \|/);
    // a heartbeat: 0.2 ms against the ceiling's 4 ms per snapshot
    expect(report).toMatch(/\| postgres service unchanged as a heartbeat \(v1\.1\) +\| +0\.20 \/ 1\.00 \| +4000 \| +16\.00× \| +0\.050× \(20× faster\) \|/);
  });

  it('holds each target to its threshold: met at exactly 60% of the ceiling and at exactly 20× faster, missed over the p95 limit', () => {
    const byName = new Map(targets(results()).map((t) => [t.name, t]));
    expect(byName.get('[postgres] changed ingest at 1% churn ≥ 60% of the ceiling, p99 < 50 ms (service)')).toMatchObject({ met: true, value: '150/s = 60% of 250/s, p99 40 ms' });
    expect(byName.get('[postgres] unchanged snapshot as a heartbeat ≥ 20× faster than the ceiling\'s per-snapshot time (service)')).toMatchObject({ met: true, value: '0.2 ms vs 4 ms = 20.0× faster (p99 1 ms)' });
    expect(byName.get('[postgres] unchanged snapshot as a heartbeat ≥ 20× faster than the ceiling\'s per-snapshot time (POST /api/v1/heartbeats)')).toMatchObject({ met: false, value: '1 ms vs 4 ms = 4.0× faster (p99 2 ms)' });
    expect(targets(results({ ingest: [ingest(150, 40, 0.21)] })).find((t) => t.name.includes('heartbeat') && t.name.endsWith('(service)'))?.met).toBe(false);
    expect(byName.get('state(at) p95 < 15 ms')).toMatchObject({ met: false, value: '25 ms' });
  });

  it('holds the cached block matrix to the target on its first (cold) request as well as its p95', () => {
    const matrix = targets(results()).find((t) => t.name.startsWith('block consistency matrix (now)'));
    expect(matrix).toMatchObject({ name: 'block consistency matrix (now) first request and p95 < 1000 ms', value: '1500 ms', met: false });
  });

  it('misses the ingest target when the rate is below 60% of the ceiling or the p99 reaches 50 ms', () => {
    const met = (r: IngestBenchResult) => targets(results({ ingest: [r] }))[0].met;
    expect([met(ingest(149, 40, 0.2)), met(ingest(200, 50, 0.2)), met(ingest(200, 49, 0.2))]).toEqual([false, false, true]);
  });

  it('asserts nothing in a quick run and says so, in the targets and the printed list', () => {
    const quick = results({ mode: 'quick' });
    expect(targets(quick).every((t) => t.met === undefined && t.value.endsWith('(quick: not asserted)'))).toBe(true);
    const printed = renderReport(quick).split('## Targets\n')[1];
    expect(printed).not.toMatch(/MET|MISS/);
    expect(renderReport(results()).split('## Targets\n')[1]).toMatch(/^- MISS state\(at\) p95 < 15 ms: 25 ms$/m);
  });

  it('shows a query that was not measured with its reason', () => {
    const report = renderReport(results({ history: { stats: { factRows: 10, openRows: 5, snapshotRows: 2, start: 0, end: 1, generateMs: 0, loadMs: 0 }, nodes: 20, days: 2, method: 'generated', tableBytes: { fact: 2048 } }, queries: [{ name: 'diff over 1 h', skipped: 'no changes in the window' }] }));
    expect(report).toMatch(/\| diff over 1 h +\| no changes in the window \|/);
    expect(report).toContain('fact 2.0 KB');
  });
});
