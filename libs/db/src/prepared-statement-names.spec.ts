import { preparedStatementNames } from './prepared-statement-names';
import { describeEachDatabase } from './testing/test-databases';

describe('preparedStatementNames', () => {
  it('gives one name per SQL text with parameters, the same every time it is asked', () => {
    const nameOf = preparedStatementNames();
    const a = nameOf({ sql: 'SELECT $1::int', args: [1] });
    const b = nameOf({ sql: 'SELECT $1::text', args: ['x'] });
    expect(a).not.toBe('');
    expect(b).not.toBe(a);
    expect(nameOf({ sql: 'SELECT $1::int', args: [2] })).toBe(a);
  });

  it('leaves statements without parameters unnamed (pg sends them as simple queries, which may hold several commands)', () => {
    expect(preparedStatementNames()({ sql: 'SET LOCAL jit = off; SELECT 1', args: [] })).toBe('');
  });

  it('names at most `limit` texts; later ones stay unnamed (a session never holds more)', () => {
    const nameOf = preparedStatementNames(2);
    const first = nameOf({ sql: 'SELECT $1::int AS a', args: [1] });
    nameOf({ sql: 'SELECT $1::int AS b', args: [1] });
    expect(nameOf({ sql: 'SELECT $1::int AS c', args: [1] })).toBe('');
    expect(nameOf({ sql: 'SELECT $1::int AS a', args: [1] })).toBe(first);
  });
});

describeEachDatabase('statements with parameters through Prisma', (db) => {
  it('answer the same when run again; the session parsed the statement once and holds it by name', async () => {
    const ask = (n: number) =>
      db().prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ n: number }>>`SELECT ${n}::int + 1 AS n`;
        // the same transaction, so the session that ran the statement above
        const held = await tx.$queryRawUnsafe<Array<{ name: string }>>("SELECT name FROM pg_prepared_statements WHERE statement = 'SELECT $1::int + 1 AS n'");
        return { n: row.n, held: held.map((h) => h.name) };
      });
    const first = await ask(1);
    const again = await ask(41);
    expect(first.n).toBe(2);
    expect(again.n).toBe(42);
    expect(first.held).toEqual([expect.stringMatching(/^rs_\d+$/)]);
    expect(again.held).toEqual(first.held);
  });
});
