import { currentPreset, parseTimeExpression, rangeParams, resolveTimeRange } from './time-range';
import { DAY, HOUR, MINUTE } from './time';

const now = new Date('2026-12-06T12:00:00Z');

describe('time expressions', () => {
  it('reads now, now-6h, now-15m, now-2d and ISO instants in UTC', () => {
    expect(parseTimeExpression('now', now)).toEqual(now);
    expect(parseTimeExpression('now-6h', now)).toEqual(new Date(now.getTime() - 6 * HOUR));
    expect(parseTimeExpression(' now - 15m ', now)).toEqual(new Date(now.getTime() - 15 * MINUTE));
    expect(parseTimeExpression('now-2d', now)).toEqual(new Date(now.getTime() - 2 * DAY));
    expect(parseTimeExpression('2026-12-06T06:30:00Z', now)).toEqual(new Date('2026-12-06T06:30:00Z'));
    expect(parseTimeExpression('2026-12-06T06:30:00', now)).toEqual(new Date('2026-12-06T06:30:00Z'));
  });

  it('rejects what is neither, like the browser locale format', () => {
    expect(parseTimeExpression('12/06/2026, 06:30:00 AM', now)).toBeUndefined();
    expect(parseTimeExpression('now-6y', now)).toBeUndefined();
    expect(parseTimeExpression('yesterday', now)).toBeUndefined();
  });
});

describe('the time range of a page', () => {
  it('defaults to the page window ending now', () => {
    const range = resolveTimeRange({}, now, DAY);
    expect(range).toMatchObject({ ok: true, from: new Date(now.getTime() - DAY), to: now, notes: [] });
  });

  it('ends the default window at `at` when only `at` is given', () => {
    const range = resolveTimeRange({ at: '2026-12-05T10:00:00Z' }, now, HOUR);
    expect(range).toMatchObject({ ok: true, from: new Date('2026-12-05T09:00:00Z'), to: new Date('2026-12-05T10:00:00Z'), at: new Date('2026-12-05T10:00:00Z') });
  });

  it('keeps the input and says which field is wrong when a value is not a time', () => {
    const range = resolveTimeRange({ from: 'last tuesday', to: 'now' }, now, DAY);
    expect(range.ok).toBe(false);
    expect(range.input.from).toBe('last tuesday');
    if (!range.ok) expect(range.errors.from).toMatch(/“From” “last tuesday” is not a time/);
  });

  it('refuses from after to, and a range over 31 days, instead of showing another range', () => {
    const reversed = resolveTimeRange({ from: '2026-12-06T10:00:00Z', to: '2026-12-06T09:00:00Z' }, now, DAY);
    expect(reversed).toMatchObject({ ok: false, errors: { to: expect.stringMatching(/must be after/) } });
    const long = resolveTimeRange({ from: 'now-40d', to: 'now' }, now, DAY);
    expect(long).toMatchObject({ ok: false, input: { from: 'now-40d' }, errors: { from: expect.stringMatching(/at most 31 days/) } });
  });

  it('clamps a future `to` and `at` to now, with a note', () => {
    const range = resolveTimeRange({ from: 'now-1h', to: '2027-01-01T00:00:00Z', at: 'now+1h' }, now, DAY);
    expect(range).toMatchObject({ ok: true, to: now, at: now });
    if (range.ok) expect(range.notes.join(' ')).toMatch(/“To” \(2027-01-01 00:00:00 UTC\) is in the future.*“At”/);
  });

  it('carries the user’s text to other pages and recognises presets', () => {
    expect(rangeParams({ from: 'now-6h', to: 'now', at: '2026-12-06T11:00:00Z' })).toEqual({ from: 'now-6h', to: 'now', at: '2026-12-06T11:00:00Z' });
    expect(rangeParams({ from: 'now-6h', at: 'x' }, { at: false })).toEqual({ from: 'now-6h', to: undefined });
    expect(currentPreset({ from: 'now-6h' })).toBe('6h');
    expect(currentPreset({ from: 'now-6h', to: 'now-1h' })).toBeUndefined();
  });
});
