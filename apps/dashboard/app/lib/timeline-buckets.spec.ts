import { alignedBuckets, bucketize, chooseBucketMs, clipIntervals, countedBuckets, roundTicks } from './timeline-buckets';

const t = (iso: string) => Date.parse(iso);

describe('timeline buckets', () => {
  it('pick round bucket widths that keep the chart readable', () => {
    expect(chooseBucketMs(15 * 60_000)).toBe(60_000);
    expect(chooseBucketMs(24 * 3_600_000)).toBe(15 * 60_000);
    expect(chooseBucketMs(7 * 24 * 3_600_000)).toBe(2 * 3_600_000);
  });

  it('count changes in (from, to] and tally them per group', () => {
    const buckets = bucketize(
      [
        { at: '2026-01-02T00:00:00Z', group: 'a' },
        { at: '2026-01-02T00:00:30Z', group: 'a' },
        { at: '2026-01-02T00:01:00Z', group: 'b' },
        { at: '2026-01-02T00:01:01Z', group: 'b', afterGap: true },
        { at: '2026-01-02T00:09:00Z', group: 'c' },
      ],
      t('2026-01-02T00:00:00Z'),
      t('2026-01-02T00:03:00Z'),
      [],
      60_000,
    );
    expect(buckets.map((b) => [b.count, b.afterGap, b.groups])).toEqual([
      [3, 0, [['a', 2], ['b', 1]]],
      [1, 1, [['b', 1]]],
      [0, 0, []],
    ]);
  });

  it('measure how much of each bucket had no data', () => {
    const gaps = clipIntervals([{ start: '2026-01-02T00:00:30Z', end: '2026-01-02T00:05:00Z' }], t('2026-01-02T00:00:00Z'), t('2026-01-02T00:02:00Z'));
    expect(gaps).toEqual([{ start: t('2026-01-02T00:00:30Z'), end: t('2026-01-02T00:02:00Z') }]);
    expect(bucketize([], t('2026-01-02T00:00:00Z'), t('2026-01-02T00:02:00Z'), gaps, 60_000).map((b) => b.gapMs)).toEqual([30_000, 60_000]);
  });

  it('put axis ticks on round times', () => {
    expect(roundTicks(t('2026-01-02T00:07:00Z'), t('2026-01-02T03:07:00Z')).map((v) => new Date(v).toISOString().slice(11, 16))).toEqual(['00:30', '01:00', '01:30', '02:00', '02:30', '03:00']);
  });

  it('align the buckets the API counts like the ones bucketize draws: on round UTC times, covering the window', () => {
    const from = t('2026-01-02T00:07:30Z');
    const to = t('2026-01-02T01:07:30Z');
    const aligned = alignedBuckets(from, to);
    expect([new Date(aligned.start).toISOString(), new Date(aligned.end).toISOString(), aligned.buckets]).toEqual(['2026-01-02T00:07:00.000Z', '2026-01-02T01:08:00.000Z', 61]);
    const drawn = bucketize([], from, to);
    expect([drawn[0]?.start, drawn[drawn.length - 1]?.end, drawn.length]).toEqual([aligned.start, aligned.end, aligned.buckets]);
    expect(alignedBuckets(t('2026-01-02T00:00:00Z'), t('2026-01-02T01:00:00Z'), 15 * 60_000).buckets).toBe(4);
  });

  it('turn counted buckets into drawable ones, with the node count and the time without data', () => {
    const gaps = [{ start: t('2026-01-02T00:00:30Z'), end: t('2026-01-02T00:01:30Z') }];
    const buckets = countedBuckets(
      [
        { start: '2026-01-02T00:00:00Z', end: '2026-01-02T00:01:00Z', count: 5, nodeCount: 2 },
        { start: '2026-01-02T00:01:00Z', end: '2026-01-02T00:02:00Z', count: 0, nodeCount: 0 },
      ],
      gaps,
    );
    expect(buckets.map((b) => [b.start, b.end, b.mid, b.count, b.groupCount, b.gapMs, b.groups])).toEqual([
      [t('2026-01-02T00:00:00Z'), t('2026-01-02T00:01:00Z'), t('2026-01-02T00:00:30Z'), 5, 2, 30_000, []],
      [t('2026-01-02T00:01:00Z'), t('2026-01-02T00:02:00Z'), t('2026-01-02T00:01:30Z'), 0, 0, 30_000, []],
    ]);
  });
});
