import { startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { parseDateTime } from './date-time.scalar';

// A DateTime argument that is not a date-time is the client's mistake: BAD_USER_INPUT naming the
// argument (or the variable) and why, never an internal error from a resolver given an Invalid Date.

describe('DateTime values', () => {
  it('reads ISO 8601 date-times with a zone, to the millisecond', () => {
    expect(parseDateTime('2026-12-06T03:12:00Z').toISOString()).toBe('2026-12-06T03:12:00.000Z');
    expect(parseDateTime('2026-12-06T03:12:00.123+01:00').toISOString()).toBe('2026-12-06T02:12:00.123Z');
  });

  it.each([
    ['yesterday', /"yesterday" is not a date-time/],
    ['2026-12-06T03:12:00', /no time zone/],
    ['2026-02-30T00:00:00Z', /not a date-time/],
    ['', /not a date-time/],
  ])('refuses %j, saying why', (text, why) => {
    expect(() => parseDateTime(text)).toThrow(why);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`DateTime arguments over HTTP [${kind}]`, () => {
    let t: ApiTestApp;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a literal that is not a date-time with BAD_USER_INPUT naming the argument and why', async () => {
      const answer = await t.graphql('{ blocks(at: "yesterday") { blockCount } }');
      expect(answer.data ?? undefined).toBeUndefined();
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_DATE_TIME' });
      expect(answer.errors?.[0]?.message).toMatch(/^Argument "at" of "blocks": "yesterday" is not a date-time/);
    });

    it('answers a variable that is not a date-time with BAD_USER_INPUT naming the variable and why', async () => {
      const answer = await t.graphql('query($at: DateTime) { blocks(at: $at) { blockCount } }', { at: 'yesterday' });
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_DATE_TIME' });
      expect(answer.errors?.[0]?.message).toMatch(/^Variable "\$at" got invalid value "yesterday"; "yesterday" is not a date-time/);
    });

    it('still reads a date-time, as a literal and as a variable', async () => {
      const literal = await t.graphql<{ clusterChangeRate: Array<{ count: number }> }>('{ clusterChangeRate(from: "2026-12-05T00:00:00Z", to: "2026-12-06T00:00:00Z", buckets: 2) { count } }');
      expect(literal).toEqual({ data: { clusterChangeRate: [{ count: 0 }, { count: 0 }] } });
      const variable = await t.graphql('query($at: DateTime!) { clusterChangeRate(from: $at, to: "2026-12-06T00:00:00Z", buckets: 1) { count } }', { at: '2026-12-05T00:00:00.000Z' });
      expect(variable.errors).toBeUndefined();
    });
  });
}
