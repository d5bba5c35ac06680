import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { testing, type Database } from '@routescope/db';
import { until } from '@routescope/testing';
import type { Snapshot } from '@routescope/snapshot';
import { createApiApplication } from '../api-application';
import { loadApiConfig } from '../config/api-config';
import { DATABASE } from '../database/database.module';
import { HistoryEvents } from '../events/history-events';
import { IngestService } from '../ingest/ingest.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { FindingsEvaluator, type EvaluatorStats } from './findings-evaluator.service';

// The checks run off the ingest path: ingest answers once its transaction committed, node rules
// follow promptly, cross-node rules are evaluated once for every batch of changed nodes, and a
// graceful shutdown evaluates what is still pending.

const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const NODES = 21;
const name = (i: number) => `node-${String(i).padStart(2, '0')}`;

/**
 * Node i of a full mesh: owns 172.17.i.0/26, routes every other block via its node. In round 2
 * every node lost its route to the next node's block (a cross-node finding) and the even ones
 * turned proxy_arp off on their pod's veth (a node finding).
 */
function meshNode(i: number, round: 1 | 2): Snapshot {
  const blocks: Array<[string, string | undefined]> = [];
  for (let j = 0; j < NODES; j++) {
    if (j === i) blocks.push([`172.17.${j}.0/26`, undefined]);
    else if (!(round === 2 && j === (i + 1) % NODES)) blocks.push([`172.17.${j}.0/26`, `10.0.0.${10 + j}`]);
  }
  const veth = `cali${String(i).padStart(11, '0')}`;
  const host = hostNamespace({ ip: `10.0.0.${10 + i}`, gateway: '10.0.0.1', blocks, veths: [[veth, `172.17.${i}.2`]] });
  if (round === 2 && i % 2 === 0) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: '0' } : s));
  return snapshot({ node: name(i), takenAt: at(round === 1 ? i : 60 + i), seq: round - 1, namespaces: [host, podNamespace(`cni-${i}`, veth, `172.17.${i}.2`)] });
}

interface Row {
  scope: string;
  rule: string;
  node: string;
  subject: string;
  severity: string;
  openedAt: Date;
  resolvedAt: Date | null;
}

async function findingRows(database: Database): Promise<Row[]> {
  return database.prisma.$queryRaw<Row[]>`
    SELECT f.scope, f.rule, n.name AS node, f.subject, f.severity, f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt"
    FROM finding f JOIN node n ON n.id = f.node_id ORDER BY f.scope, f.rule, n.name, f.subject`;
}

const delta = (after: EvaluatorStats, before: EvaluatorStats) => ({
  received: after.received - before.received,
  nodeEvaluations: after.nodeEvaluations - before.nodeEvaluations,
  clusterEvaluations: after.clusterEvaluations - before.clusterEvaluations,
  failures: after.failures - before.failures,
});

for (const kind of testDatabaseKinds()) {
  describe(`findings evaluation off the ingest path [${kind}]`, () => {
    const apps: ApiTestApp[] = [];
    afterEach(async () => {
      for (const t of apps.splice(0)) await t.close();
    });
    async function start(debounceMs: number): Promise<ApiTestApp> {
      const t = await startApiTestApp(kind, { env: { ROUTESCOPE_CHECKS_DEBOUNCE_MS: String(debounceMs) } });
      apps.push(t);
      return t;
    }

    it('21 nodes changing while an evaluation runs cost one cluster run, and the findings, with their instants, equal one-by-one evaluation', async () => {
      // One by one: every ingest waits for its evaluation (the test app's ingest settles).
      const serial = await start(0);
      for (let i = 0; i < NODES; i++) await serial.ingest(meshNode(i, 1));
      expect(await findingRows(serial.app.get<Database>(DATABASE))).toEqual([]);
      const serialBefore = serial.app.get(FindingsEvaluator).stats();
      for (let i = 0; i < NODES; i++) await serial.ingest(meshNode(i, 2));
      const serialStats = delta(serial.app.get(FindingsEvaluator).stats(), serialBefore);
      expect(serialStats).toEqual({ received: NODES, nodeEvaluations: NODES, clusterEvaluations: NODES, failures: 0 });
      const oneByOne = await findingRows(serial.app.get<Database>(DATABASE));

      // Coalesced: the cluster evaluation of round 1 has just run, so the first change of round 2
      // starts a run that waits out the spacing, and every other change arrives meanwhile. 15 s,
      // not the default's ms: 21 ingests must fit inside it even on a loaded 2-core CI machine (at
      // 3 s they did not, at load ~28). Round 1 waits it out, so that every node evaluation of it
      // precedes its last cluster run (the batch count of round 2 starts at 0); round 2 does not:
      // once its changes are in, evaluateNow() ends the wait, as shutdown does.
      const t = await start(15_000);
      const evaluator = t.app.get(FindingsEvaluator);
      const ingest = t.app.get(IngestService);
      for (let i = 0; i < NODES; i++) await ingest.ingest(meshNode(i, 1));
      await t.settled();
      const before = evaluator.stats();
      const started = Date.now();
      for (let i = 0; i < NODES; i++) expect(await ingest.ingest(meshNode(i, 2))).toMatchObject({ status: 'changed' });
      const ingestMs = Date.now() - started;
      // Node rules do not wait for the spacing: their findings show while the cluster evaluation is still owed.
      await until('node rules of all 21 changes', () => evaluator.stats().nodeEvaluations === before.nodeEvaluations + NODES || undefined, 10_000, 10);
      const during = evaluator.stats();
      if (during.clusterEvaluations !== before.clusterEvaluations) throw new Error(`21 ingests took ${ingestMs} ms, longer than the spacing: this machine is too busy for this test`);
      expect(during).toMatchObject({ running: true, pending: 0 });
      const early = await findingRows(t.app.get<Database>(DATABASE));
      expect(early.filter((r) => r.scope === 'node').map((r) => r.node)).toEqual(Array.from({ length: NODES }, (_, i) => i).filter((i) => i % 2 === 0).map(name));
      expect(early.filter((r) => r.scope === 'cluster')).toEqual([]);

      await evaluator.evaluateNow();
      // it did not wait for the spacing (counted from round 1's last cluster run, before `started`)
      expect(Date.now() - started).toBeLessThan(15_000);
      const stats = evaluator.stats();
      expect(delta(stats, before)).toEqual({ received: NODES, nodeEvaluations: NODES, clusterEvaluations: 1, failures: 0 });
      expect(stats).toMatchObject({ pending: 0, running: false, largestClusterBatch: NODES });

      const coalesced = await findingRows(t.app.get<Database>(DATABASE));
      const what = (rows: Row[]) => rows.map(({ scope, rule, node, subject, severity, resolvedAt }) => ({ scope, rule, node, subject, severity, resolvedAt }));
      expect(what(coalesced)).toEqual(what(oneByOne));
      expect(coalesced.map((r) => r.rule)).toEqual(expect.arrayContaining(['CALICO_PROXY_ARP', 'CALICO_BLOCK_ROUTE_MISSING']));
      // Node findings: at their own snapshot's time, as one by one.
      const nodeScoped = (rows: Row[]) => rows.filter((r) => r.scope !== 'cluster');
      expect(nodeScoped(coalesced)).toEqual(nodeScoped(oneByOne));
      // Cluster findings too: each at the snapshot whose change made it true, however the changes were batched.
      expect(coalesced).toEqual(oneByOne);
      expect(coalesced.filter((r) => r.scope === 'cluster').map((r) => [r.node, r.openedAt.toISOString()])).toEqual(
        expect.arrayContaining([
          [name(0), at(60)],
          [name(5), at(65)],
        ]),
      );
    }, 120_000); // one 15 s spacing plus 84 ingests on a loaded machine

    it('ingest answers whatever a state listener does, and the checks still run', async () => {
      const t = await start(0);
      const ingest = t.app.get(IngestService);
      const evaluator = t.app.get(FindingsEvaluator);
      t.app.get(HistoryEvents).onStateChanged(() => {
        throw new Error('a broken listener (this test expects it to be logged)');
      });
      expect(await ingest.ingest(meshNode(0, 1))).toMatchObject({ status: 'created' });
      expect(await ingest.ingest(meshNode(0, 2))).toMatchObject({ status: 'changed' });
      await t.settled();
      expect(evaluator.stats()).toMatchObject({ received: 2, nodeEvaluations: 2, failures: 0, pending: 0, running: false });
      expect((await findingRows(t.app.get<Database>(DATABASE))).map((r) => r.rule)).toContain('CALICO_PROXY_ARP');
    });

    it('a graceful shutdown evaluates what is pending, without waiting for the spacing', async () => {
      const database = await testing.createTestDatabase(kind);
      try {
        const token = `rs_test_ingest_${randomBytes(12).toString('hex')}`;
        const config = loadApiConfig({ ROUTESCOPE_INGEST_TOKEN: token, ROUTESCOPE_LOG_LEVEL: 'error', ROUTESCOPE_CHECKS_DEBOUNCE_MS: '60000', ROUTESCOPE_RETENTION_DAYS: '3650' });
        // The app closes its database handle on shutdown: give it one whose close() leaves the database to this
        // test, and records what the evaluator had done by then (it must have drained before the database closes).
        let atDatabaseClose: EvaluatorStats | undefined;
        const { app } = await createApiApplication(config, { ...database, close: async () => void (atDatabaseClose = app.get(FindingsEvaluator).stats()) });
        await app.listen(0, '127.0.0.1');
        const post = async (s: Snapshot) => {
          const { port } = (app as INestApplication).getHttpServer().address() as AddressInfo;
          const response = await fetch(`http://127.0.0.1:${port}/api/v1/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(s) });
          expect(response.status).toBe(201);
        };
        for (let i = 0; i < 3; i++) await post(meshNode(i, 1));
        for (let i = 0; i < 3; i++) await post(meshNode(i, 2));
        // Node rules ran at once; the cluster evaluation of the last states waits for a 60 s spacing.
        await until('node rules of the 6 snapshots', () => app.get(FindingsEvaluator).stats().nodeEvaluations === 6 || undefined, 10_000, 10);
        const owed = app.get(FindingsEvaluator).stats();
        expect(owed).toMatchObject({ running: true, pending: 0, clusterEvaluations: 1 });
        const started = Date.now();
        await app.close();
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(atDatabaseClose).toMatchObject({ pending: 0, running: false, failures: 0, nodeEvaluations: 6, clusterEvaluations: owed.clusterEvaluations + 1 });
        const rows = await findingRows(database);
        expect(rows.filter((r) => r.rule === 'CALICO_PROXY_ARP').map((r) => r.node)).toEqual([name(0), name(2)]);
        // The cross-node rules ran over the last states too (owed, and waiting for a 60 s spacing, when close() began):
        // node-00 and node-01 lost their route to the next node's block in round 2.
        expect(rows.filter((r) => r.rule === 'CALICO_BLOCK_ROUTE_MISSING' && r.resolvedAt === null).map((r) => [r.node, r.subject])).toEqual(
          expect.arrayContaining([
            [name(0), 'block:172.17.1.0/26'],
            [name(1), 'block:172.17.2.0/26'],
          ]),
        );
      } finally {
        await database.dispose();
      }
    });
  });
}
