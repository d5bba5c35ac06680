import { ClockSkewWatch, clockSkewFromDateHeader } from './clock-skew';
import { parseRetryAfter } from './snapshot-sender';

describe('clock skew from the API’s Date header', () => {
  const serverSecond = Date.parse('Sun, 06 Dec 2026 10:00:00 GMT');

  it('is zero for a collector in step with the server (round trip in the middle of the header’s second)', () => {
    expect(clockSkewFromDateHeader('Sun, 06 Dec 2026 10:00:00 GMT', serverSecond + 400, serverSecond + 600)).toBe(0);
  });

  it('is positive when the collector is ahead and negative when it is behind', () => {
    expect(clockSkewFromDateHeader('Sun, 06 Dec 2026 10:00:00 GMT', serverSecond + 300_500, serverSecond + 300_500)).toBe(300_000);
    expect(clockSkewFromDateHeader('Sun, 06 Dec 2026 10:00:00 GMT', serverSecond - 3_599_500, serverSecond - 3_599_500)).toBe(-3_600_000);
  });

  it('is unknown without a readable header, or beyond ten years', () => {
    expect(clockSkewFromDateHeader(null, 0, 0)).toBeUndefined();
    expect(clockSkewFromDateHeader('yesterday', 0, 0)).toBeUndefined();
    expect(clockSkewFromDateHeader('Sun, 06 Dec 2026 10:00:00 GMT', serverSecond + 11 * 365 * 86_400_000, serverSecond + 11 * 365 * 86_400_000)).toBeUndefined();
  });

  it('is logged when it crosses the threshold, when it moves while beyond it, and when it comes back', () => {
    const watch = new ClockSkewWatch(10_000);
    expect(watch.observe(2_000)).toBeUndefined();
    expect(watch.observe(-15_000)).toMatch(/15\.0 s behind the API's/);
    expect(watch.observe(-15_400)).toBeUndefined();
    expect(watch.observe(-17_000)).toMatch(/17\.0 s behind/);
    expect(watch.observe(100)).toMatch(/back within 10\.0 s/);
    expect(watch.observe(200)).toBeUndefined();
    expect(watch.current).toBe(200);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP-dates (against the server’s Date)', () => {
    expect(parseRetryAfter('5', null, 0)).toBe(5000);
    expect(parseRetryAfter('Sun, 06 Dec 2026 10:00:30 GMT', 'Sun, 06 Dec 2026 10:00:00 GMT', 0)).toBe(30_000);
    expect(parseRetryAfter(null, null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', null, 0)).toBeUndefined();
  });
});
