/**
 * Names for the PostgreSQL sessions' prepared statements, one per distinct SQL text, for
 * `PrismaPg`'s statementNameGenerator. Unnamed (Prisma's default), every statement is parsed and
 * planned again on every call, and planning is most of what the history's reads cost: over the
 * week partitions of `fact` a node's state version took 10 ms to plan and 1 ms to run. Named, a
 * session parses it once and, after five runs, PostgreSQL keeps a generic plan when it is no
 * worse than the custom ones (it prunes partitions when it runs). Texts beyond `limit` go
 * unnamed: a statement built with a variable number of parameters (Prisma's `IN (…)` lists)
 * must not grow every session's statement cache without bound. Statements without parameters
 * stay unnamed too: pg sends those as simple queries, which may hold several commands (a named
 * one goes through Parse, which refuses that), and they are not the history's reads.
 *
 * Behind PgBouncer in transaction mode, named statements need PgBouncer 1.21+ with
 * `max_prepared_statements` set.
 */
export function preparedStatementNames(limit = 300): (query: { sql: string; args: readonly unknown[] }) => string {
  const names = new Map<string, string>();
  return ({ sql, args }) => {
    // pg reads an empty name as "unnamed"
    if (args.length === 0) return '';
    let name = names.get(sql);
    if (name === undefined) {
      if (names.size >= limit) return '';
      name = `rs_${names.size}`;
      names.set(sql, name);
    }
    return name;
  };
}
