import { PGlite, messages } from '@electric-sql/pglite';
import { withNamedStatements } from './pglite-named-statements';
import { preparedStatementNames } from './prepared-statement-names';

// What Prisma's PGlite adapter asks of the instance (query with rowMode 'array', transaction),
// compared with PGlite's own unnamed path on the same real instance.
describe('withNamedStatements (PGlite)', () => {
  let pglite: PGlite;
  let named: PGlite;
  const held = async () => (await pglite.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY name')).rows;

  beforeAll(async () => {
    pglite = await PGlite.create('memory://');
    await pglite.exec(`CREATE TABLE item (id int PRIMARY KEY, label text, seen timestamptz, attrs jsonb, size bigint, tags text[])`);
  });
  afterAll(() => pglite.close());
  beforeEach(async () => {
    await pglite.exec('TRUNCATE item; DEALLOCATE ALL');
    named = withNamedStatements(pglite, preparedStatementNames());
  });

  it('answers what PGlite answers (types, nulls, row counts), and the session holds each text once by name', async () => {
    const insert = 'INSERT INTO item (id, label, seen, attrs, size, tags) VALUES ($1, $2, $3, $4, $5, $6)';
    const seen = new Date('2026-12-07T03:12:00.000Z');
    const first = await named.query(insert, [1, 'eth0', seen, JSON.stringify({ mtu: 1450 }), 9007199254740993n, ['a', 'b']]);
    const second = await named.query(insert, [2, null, null, null, null, null]);
    expect([first.affectedRows, second.affectedRows]).toEqual([1, 1]);

    const select = 'SELECT id, label, seen, attrs, size, tags FROM item WHERE id >= $1 ORDER BY id';
    for (const rowMode of ['array', 'object'] as const) {
      const answer = await named.query(select, [1], { rowMode });
      const expected = await pglite.query(select, [1], { rowMode });
      expect(answer.rows).toEqual(expected.rows);
      expect(answer.fields).toEqual(expected.fields);
    }
    const [row] = (await named.query<{ seen: Date; attrs: unknown; size: bigint; tags: string[] }>(select, [1])).rows;
    expect(row).toMatchObject({ seen, attrs: { mtu: 1450 }, size: 9007199254740993n, tags: ['a', 'b'] });

    expect(await held()).toEqual([
      { name: 'rs_0', statement: insert },
      { name: 'rs_1', statement: select },
    ]);
  });

  it('leaves statements without parameters to PGlite (unnamed)', async () => {
    expect((await named.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    expect(await held()).toEqual([]);
  });

  it('throws the database error PGlite throws, with the query, and the session goes on', async () => {
    const insert = 'INSERT INTO item (id, label) VALUES ($1, $2)';
    await named.query(insert, [1, 'a']);
    const duplicate = await named.query(insert, [1, 'b']).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(messages.DatabaseError);
    expect(duplicate).toMatchObject({ code: '23505', query: insert, params: [1, 'b'] });
    // a statement that does not parse is not remembered: the next, valid text gets the next name
    const broken = await named.query('SELEC $1', [1]).catch((error: unknown) => error);
    expect(broken).toMatchObject({ code: '42601' });
    expect((await named.query<{ label: string }>('SELECT label FROM item WHERE id = $1', [1])).rows).toEqual([{ label: 'a' }]);
    expect((await held()).map((h) => h.statement)).toEqual([insert, 'SELECT label FROM item WHERE id = $1']);
  });

  it('runs named inside transactions, which commit and roll back as PGlite’s own', async () => {
    const insert = 'INSERT INTO item (id, label) VALUES ($1, $2)';
    await named.transaction(async (tx) => {
      await tx.query(insert, [1, 'kept']);
    });
    await named.transaction(async (tx) => {
      await tx.query(insert, [2, 'undone']);
      await tx.rollback();
    });
    await expect(
      named.transaction(async (tx) => {
        await tx.query(insert, [3, 'failed']);
        await tx.query(insert, [1, 'duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    let finished: { query: PGlite['query'] } | undefined;
    await named.transaction(async (tx) => {
      finished = tx;
    });
    await expect(finished!.query(insert, [4, 'after the end'])).rejects.toThrow('Transaction is closed');
    expect((await pglite.query<{ id: number }>('SELECT id FROM item ORDER BY id')).rows).toEqual([{ id: 1 }]);
    expect((await held()).map((h) => h.statement)).toEqual([insert]);
  });

  it('keeps a statement asked outside a transaction out of another caller’s open transaction (it waits, as PGlite’s query() does)', async () => {
    const count = 'SELECT count(*)::int AS n FROM item WHERE id >= $1';
    let outside: Promise<{ rows: Array<{ n: number }> }> | undefined;
    await named.transaction(async (tx) => {
      await tx.query('INSERT INTO item (id, label) VALUES ($1, $2)', [1, 'uncommitted']);
      outside = named.query<{ n: number }>(count, [0]);
      // give the outside statement every chance to run now, inside this transaction
      await new Promise((resolve) => setImmediate(resolve));
      await tx.query(count, [0]);
      await tx.rollback();
    });
    expect((await outside!).rows).toEqual([{ n: 0 }]);
  });

  it('keeps the instance’s own methods and state', async () => {
    await named.exec("INSERT INTO item (id, label) VALUES (7, 'exec')");
    expect(named.closed).toBe(false);
    expect((await named.query<{ label: string }>('SELECT label FROM item WHERE id = $1', [7])).rows).toEqual([{ label: 'exec' }]);
  });
});
