import { formatDuration, formatRelative, parseInstant, toInputValue, toIso } from './time';

describe('parseInstant', () => {
  it('reads ISO-8601 with a zone as that instant', () => {
    expect(parseInstant('2026-01-02T03:04:05Z')?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(parseInstant('2026-01-02T05:04:05+02:00')?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(parseInstant('2026-01-02T03:04:05.999Z')?.toISOString()).toBe('2026-01-02T03:04:05.999Z');
  });

  it('reads a zone-less picker value (datetime-local) as UTC', () => {
    expect(parseInstant('2026-01-02T03:04')?.toISOString()).toBe('2026-01-02T03:04:00.000Z');
    expect(parseInstant('2026-01-02T03:04:05')?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('rejects what is not a date and time', () => {
    for (const bad of ['yesterday', '2026-02-30T00:00', '2026-01-02', '1700000000', '2026-01-02T03:04:05 PST']) expect(parseInstant(bad)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('keeps URLs short and pickers in UTC', () => {
    expect(toIso(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05Z');
    expect(toIso(new Date('2026-01-02T03:04:05.123Z'))).toBe('2026-01-02T03:04:05.123Z');
    expect(toInputValue(new Date('2026-01-02T03:04:05.123Z'))).toBe('2026-01-02T03:04:05');
  });

  it('says durations and ages the way people do', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(185 * 60_000)).toBe('3 h 5 min');
    expect(formatDuration(52 * 3_600_000)).toBe('2 d 4 h');
    expect(formatRelative('2026-01-02T03:00:00Z', new Date('2026-01-02T03:05:00Z'))).toBe('5 min ago');
  });
});
