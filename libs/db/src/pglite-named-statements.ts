import { parse, protocol, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];

/**
 * The PGlite instance as Prisma's adapter should see it: statements with parameters run as named
 * prepared statements, parsed and described once per SQL text (`names` says which texts get a
 * name, as for PostgreSQL's sessions: prepared-statement-names.ts). PGlite's own `query()` sends
 * every statement unnamed — Parse, Describe, Bind, Describe, Execute, Sync: six calls into the
 * WASM backend, and the statement parsed and planned again each time, in WASM. Named, a call is
 * one call (Bind, Execute, Sync), and the backend keeps a generic plan where it is no worse
 * (after five runs), as PostgreSQL does. Everything else (exec, transactions' other methods,
 * the instance's own properties) is PGlite's.
 */
export function withNamedStatements(pglite: PGlite, names: (query: { sql: string; args: readonly unknown[] }) => string): PGlite {
  const statements = new Map<string, PreparedStatement>();

  /** The statement `name` for `sql`, parsed and described on first use (the name is `names`' for the text). */
  const prepared = async (sql: string, name: string, params: unknown[]): Promise<PreparedStatement> => {
    const known = statements.get(sql);
    if (known) return known;
    const messages = await exchange(pglite, [protocol.serialize.parse({ name, text: sql }), protocol.serialize.describe({ type: 'S', name })], sql, params);
    const statement = {
      paramTypes: parse.parseDescribeStatementResults(messages),
      // what Describe answers for the statement: its columns (none for NoData)
      rowDescription: messages.filter((message) => message.name === 'rowDescription'),
    };
    statements.set(sql, statement);
    return statement;
  };

  /** `unnamed` is PGlite's own call; `outside` says the statement is not in a transaction of its caller. */
  const namedQuery = async <T>(unnamed: () => Promise<Results<T>>, outside: boolean, sql: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<Results<T>> => {
    // COPY's blobs and caller-given parameter types stay with PGlite's own path
    const name = params && params.length > 0 && !options?.blob && !options?.paramTypes ? names({ sql, args: params }) : '';
    if (!params || !name) return unnamed();
    const run = () =>
      pglite.runExclusive(async () => {
        const statement = await prepared(sql, name, params);
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const type = statement.paramTypes[i];
          const serializer = options?.serializers?.[type] ?? pglite.serializers[type];
          return serializer ? serializer(value) : String(value);
        });
        const messages = await exchange(pglite, [protocol.serialize.bind({ statement: name, values }), protocol.serialize.execute({})], sql, params);
        return parse.parseResults([...statement.rowDescription, ...messages], pglite.parsers, options)[0] as Results<T>;
      });
    if (!outside) return run();
    // As PGlite's query(): wait for any open transaction to end, or the statement would run inside it.
    await pglite._checkReady();
    return pglite._runExclusiveTransaction(run);
  };

  /** `query` (the instance's or a transaction's) with statements named. */
  const named =
    (query: PGlite['query'], outside: boolean) =>
    <T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> =>
      namedQuery(() => query<T>(sql, params, options), outside, sql, params, options);

  const inTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, property, receiver) {
        if (property === 'query') {
          const query = named(target.query.bind(target), false);
          // a closed transaction's query() throws: PGlite's own says so
          return <T>(sql: string, params?: unknown[], options?: QueryOptions) => (target.closed ? target.query<T>(sql, params, options) : query<T>(sql, params, options));
        }
        return Reflect.get(target, property, receiver);
      },
    });

  return new Proxy(pglite, {
    get(target, property) {
      if (property === 'query') return named(target.query.bind(target), true);
      if (property === 'transaction') return <T>(fn: (tx: Transaction) => Promise<T>) => target.transaction((tx) => fn(inTransaction(tx)));
      // PGlite's methods use private fields: they must run on the instance, not on this proxy
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface PreparedStatement {
  paramTypes: number[];
  rowDescription: BackendMessage[];
}

/**
 * Sends the messages and a Sync in one call into the backend and answers what it said. After an
 * error the backend skips to the Sync, so the session is in order again when the error is thrown
 * (as PGlite's query() throws it: the database error, with the query and parameters).
 */
async function exchange(pglite: PGlite, messages: Uint8Array[], sql: string, params: unknown[]): Promise<BackendMessage[]> {
  const all = [...messages, protocol.serialize.sync()];
  const buffer = new Uint8Array(all.reduce((length, message) => length + message.length, 0));
  all.reduce((offset, message) => (buffer.set(message, offset), offset + message.length), 0);
  try {
    // PGlite's query() writes its file system out after a statement (a no-op for memory and
    // Node's file system; IndexedDB needs it): so does this
    return await pglite.execProtocolStream(buffer, {});
  } catch (error) {
    if (error instanceof Error) Object.assign(error, { query: sql, params });
    throw error;
  }
}
