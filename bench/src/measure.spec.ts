import { formatBytes, markdownTable, mergeSamples, percentile, runPool, summarise, type Sample } from './measure';

describe('percentiles and samples', () => {
  it('takes the nearest rank: p50 of 1..10 is 5, p95 and p99 are the largest, p0 the smallest', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(sorted, 0), percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 95), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([1, 5, 9, 10, 10, 10]);
  });

  it('has no percentile of nothing (NaN, which the report prints as n/a)', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises unsorted latencies: percentiles, mean and the rate over the wall time, rounded to 0.01', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i + 0.123);
    expect(summarise(latencies, 2000, 4)).toEqual({ count: 100, wallMs: 2000, p50: 50.12, p95: 95.12, p99: 99.12, mean: 50.62, perSecond: 50, concurrency: 4 });
  });

  it('merges windows into the worst of each percentile, with counts, wall time and the weighted mean added up', () => {
    const window = (count: number, p99: number, mean: number, wallMs: number): Sample => ({ count, wallMs, p50: mean, p95: p99, p99, mean, perSecond: (count / wallMs) * 1000, concurrency: 2 });
    expect(mergeSamples([window(10, 40, 10, 1000), window(30, 20, 2, 1000)])).toEqual({ count: 40, wallMs: 2000, p50: 10, p95: 40, p99: 40, mean: 4, perSecond: 20, concurrency: 2 });
    expect(mergeSamples([])).toBeUndefined();
  });
});

describe('the work pool', () => {
  it('keeps each lane in order and never runs two items of one lane at once, with the lanes in parallel', async () => {
    const running = new Set<number>();
    const started: number[] = [];
    let overlapInLane = false;
    let parallel = 0;
    const items = Array.from({ length: 12 }, (_, i) => i);
    const sample = await runPool(
      items,
      3,
      async (item) => {
        const lane = item % 3;
        if (running.has(lane)) overlapInLane = true;
        running.add(lane);
        parallel = Math.max(parallel, running.size);
        started.push(item);
        await new Promise((resolve) => setImmediate(resolve));
        running.delete(lane);
      },
      (i) => i % 3,
    );
    expect(overlapInLane).toBe(false);
    expect(parallel).toBe(3);
    for (const lane of [0, 1, 2]) expect(started.filter((i) => i % 3 === lane)).toEqual(items.filter((i) => i % 3 === lane));
    expect({ count: sample.count, concurrency: sample.concurrency }).toEqual({ count: 12, concurrency: 3 });
  });
});

describe('formatting', () => {
  it('prints sizes in binary units, whole bytes and three significant digits past 100', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(150 * 1024 * 1024), formatBytes(3 * 1024 ** 4), formatBytes(NaN)]).toEqual(['512 B', '1.5 KB', '150 MB', '3.0 TB', 'n/a']);
  });

  it('renders a markdown table padded to its widest cell, labels left, numbers right, then a blank line', () => {
    expect(markdownTable(['', 'p50 ms'], [['postgres', 1.5], ['pglite', 12]])).toEqual(['|          | p50 ms |', '|:---------|-------:|', '| postgres |    1.5 |', '| pglite   |     12 |', '']);
  });
});
