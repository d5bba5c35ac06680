import { heapTrend, markdownReport, percentile, WindowRecorder, type ApiSample, type WindowSample } from './soak-stats';

const MB = 1024 * 1024;
const memory = (heapMb: number, cpuMicros = 0): ApiSample => ({ rss: 200 * MB, heapUsed: heapMb * MB, heapTotal: 2 * heapMb * MB, external: MB, cpuMicros });
const windowsOf = (heapsMb: number[], everySeconds = 30): WindowSample[] => {
  const recorder = new WindowRecorder();
  return heapsMb.map((heap, i) => recorder.take((i + 1) * everySeconds, memory(heap), 1));
};

describe('soak statistics', () => {
  it('nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises each window on its own and the whole run, counting errors apart from latencies', () => {
    const recorder = new WindowRecorder();
    for (let ms = 1; ms <= 10; ms++) recorder.ok('ingest', ms);
    recorder.failed('ingest', '503 {"error":"DATABASE_UNAVAILABLE"}');
    recorder.ok('state', 40);
    const first = recorder.take(30, memory(50, 1_000_000), 0.5);
    expect(first.operations.ingest).toEqual({ count: 10, errors: 1, p50: 5, p95: 10, p99: 10 });
    expect(first.operations.state).toMatchObject({ count: 1, p99: 40 });
    expect(first.operations.diff).toMatchObject({ count: 0, errors: 0 });
    expect(first.errorExamples).toEqual(['ingest: 503 {"error":"DATABASE_UNAVAILABLE"}']);
    recorder.ok('ingest', 100);
    const second = recorder.take(60, memory(50, 16_000_000), 2.25);
    expect(second.operations.ingest).toEqual({ count: 1, errors: 0, p50: 100, p95: 100, p99: 100 });
    // 15 s of CPU over the 30 s window; none known for the first
    expect([first.apiCpuPercent, second.apiCpuPercent, second.loadAverage]).toEqual([NaN, 50, 2.3]);
    expect(recorder.overall().ingest).toEqual({ count: 11, errors: 1, p50: 6, p95: 100, p99: 100 });
  });

  it('calls a noisy but level heap flat, and a steady climb growing', () => {
    const level = heapTrend(windowsOf([90, 60, 66, 58, 64, 61, 67, 59, 65, 60, 66, 62]), 30, 8)!;
    expect(level).toMatchObject({ windows: 11, flat: true });
    const climbing = heapTrend(windowsOf([60, 60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80]), 30, 8)!;
    expect(climbing).toMatchObject({ windows: 11, firstThirdMb: 62, lastThirdMb: 78, flat: false });
    expect(climbing.slopeMbPer10Min).toBeCloseTo(40, 0);
  });

  it('leaves the warm-up out of the trend, and needs three windows after it', () => {
    // a high start (caches filling) is not growth
    expect(heapTrend(windowsOf([20, 40, 60, 61, 60, 62, 61]), 60, 8)).toMatchObject({ windows: 5, flat: true });
    expect(heapTrend(windowsOf([60, 61, 62]), 60, 8)).toBeUndefined();
  });

  it('renders the tables docs/reliability.md shows, with the verdict', () => {
    const recorder = new WindowRecorder();
    recorder.ok('nodes', 12.34);
    const windows = [30, 60, 90, 120].map((at, i) => recorder.take(at, memory([60, 61, 60, 60][i], at * 250_000), 1.5));
    const report = markdownReport(windows, recorder.overall(), heapTrend(windows, 0, 8));
    expect(report).toContain('| t (s) | RSS MB | heap after GC MB | API CPU % | load | ingest n / p50 / p95 / p99 ms |');
    expect(report).toContain('| 30 | 200.0 | 60.0 | - | 1.5 | 0 / - / - / - | 0 / - / - / - | 0 / - / - / - | 0 / - / - / - | 1 / 12.3 / 12.3 / 12.3 | 0 |');
    expect(report).toContain('| 60 | 200.0 | 61.0 | 25 | 1.5 |');
    expect(report).toContain('| nodes | 1 | 0 | 12.3 | 12.3 | 12.3 |');
    expect(report).toMatch(/\*\*flat\*\*\.$/m);
  });
});
