import type { AddressInfo } from 'node:net';
import type { Database } from '@routescope/db';
import { DATABASE } from '../database/database.module';
import { hostNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';

// Found by the soak (tools/soak, docs/reliability.md): the findings evaluator writes a node's
// findings in a transaction that can last seconds (one statement per finding), and every
// finding row's foreign key holds FOR KEY SHARE on its node row until that transaction ends.
// Ingest must not wait for it: it locks its node row FOR NO KEY UPDATE (it never changes the
// key), which conflicts with another ingest of the node but not with a foreign-key check.
// PostgreSQL only: PGlite has one connection, so two transactions never overlap there.

const NODE = 'node-a';
const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const node = (seconds: number, seq: number, ip: string) =>
  snapshot({ node: NODE, takenAt: new Date(T0 + seconds * 1000).toISOString(), seq, namespaces: [hostNamespace({ ip, gateway: '10.0.0.1', blocks: [], veths: [] })] });

for (const kind of testDatabaseKinds().filter((k) => k === 'postgres')) {
  describe(`ingest and concurrent findings writes [${kind}]`, () => {
    let t: ApiTestApp;
    let database: Database;
    let url: string;

    beforeEach(async () => {
      t = await startApiTestApp(kind);
      database = t.app.get<Database>(DATABASE);
      url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/api/v1/snapshots`;
    });
    afterEach(() => t.close());

    /** Resolves with the statement, once some statement of this database waits for a lock, unless `stop()` was called first. */
    function lockWait(): { waiting: Promise<string>; stop(): void } {
      let stopped = false;
      const waiting = (async () => {
        while (!stopped) {
          const rows = await database.prisma.$queryRaw<Array<{ query: string }>>`
            SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
          if (rows.length > 0) return rows[0].query.replace(/\s+/g, ' ').trim();
          await new Promise((resolve) => setImmediate(resolve));
        }
        return new Promise<string>(() => undefined);
      })();
      return { waiting, stop: () => (stopped = true) };
    }

    it('a snapshot of a node is stored while a transaction writing that node’s findings is still open', async () => {
      expect((await t.ingest(node(0, 1, '10.0.0.11'))).status).toBe('created');
      let delivery: Promise<number> | undefined;
      const outcome = await database.prisma.$transaction(
        async (tx) => {
          // What FindingsEvaluator.reconcile does for a finding of this node, before its commit.
          await tx.$executeRaw`
            INSERT INTO finding (node_id, scope, rule, subject, severity, title, message, evidence, opened_at)
            SELECT id, 'cluster', 'lock-probe', 'node', 'warning', 'lock probe', 'lock probe', '[]'::jsonb, now() FROM node WHERE name = ${NODE}`;
          const watch = lockWait();
          delivery = fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.ingest}` },
            body: JSON.stringify(node(30, 2, '10.0.0.12')),
          }).then((response) => response.status);
          const result = await Promise.race([delivery.then((status) => ({ answered: status })), watch.waiting.then((query) => ({ answered: `no: ingest waits for the findings transaction in ${query}` }))]);
          watch.stop();
          return result;
        },
        { timeout: 60000 },
      );
      expect(outcome).toEqual({ answered: 201 });
      expect(await delivery).toBe(201);
      await t.settled();
      const [row] = await database.prisma.$queryRaw<Array<{ facts: bigint }>>`
        SELECT count(*) AS facts FROM fact f JOIN node n ON n.id = f.node_id WHERE n.name = ${NODE} AND f.valid_to IS NULL AND f.kind = 'address' AND f.key LIKE '%10.0.0.12/%'`;
      expect(row.facts).toBe(1n);
    });
  });
}
