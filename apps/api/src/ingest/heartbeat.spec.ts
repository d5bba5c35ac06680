import type { AddressInfo } from 'node:net';
import type { Database } from '@routescope/db';
import { heartbeatFor, snapshotStateHash, type Heartbeat, type Snapshot } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { FactWriter } from '../history/fact-writer.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';

// Contract v1.1 through real HTTP on a real database (PostgreSQL and PGlite): a heartbeat stands
// for a snapshot whose facts hash to the node's stored state; it keeps the node reporting (head,
// coverage) without a fact or snapshot row, and anything it cannot stand for is answered `resend`.

const NODE = 'node-h';
const SECOND = 1000;

function calicoNode(takenAt: number, seq: number, options: { proxyArp?: string; node?: string } = {}): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
  if (options.proxyArp) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: options.proxyArp! } : s));
  return snapshot({ node: options.node ?? NODE, takenAt: new Date(takenAt).toISOString(), seq, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
}

/** The heartbeat a v1.1 collector sends for an unchanged snapshot. */
const beatOf = (s: Snapshot): Heartbeat => heartbeatFor(s, snapshotStateHash(s));

for (const kind of testDatabaseKinds()) {
  describe(`POST /api/v1/heartbeats [${kind}]`, () => {
    let t: ApiTestApp;
    let base: string;
    let database: Database;

    beforeAll(async () => {
      t = await startApiTestApp(kind, { env: { ROUTESCOPE_MAX_CLOCK_SKEW: '5m' } });
      base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/api/v1`;
      database = t.app.get<Database>(DATABASE);
    });
    afterAll(() => t.close());

    async function post(route: 'snapshots' | 'heartbeats', body: unknown, token: string | null = t.tokens.ingest) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const response = await fetch(`${base}/${route}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    async function stored(node = NODE) {
      const [row] = await database.prisma.$queryRaw<Array<{ facts: number; snapshots: number; coverage: number; covered: number; endAt: Date; lastSeenAt: Date; version: number }>>`
        SELECT (SELECT count(*)::int FROM fact f WHERE f.node_id = n.id) AS facts, (SELECT count(*)::int FROM snapshot s WHERE s.node_id = n.id) AS snapshots,
               (SELECT count(*)::int FROM coverage c WHERE c.node_id = n.id) AS coverage, (SELECT sum(snapshots)::int FROM coverage c WHERE c.node_id = n.id) AS covered,
               (SELECT max(end_at) FROM coverage c WHERE c.node_id = n.id) AS "endAt", n.last_seen_at AS "lastSeenAt", n.state_version AS version
        FROM node n WHERE n.name = ${node}`;
      return row;
    }

    const status = async () =>
      (await t.graphql<{ node: { status: string } }>('query($n: String!) { node(name: $n) { status } }', { n: NODE }, t.tokens.read)).data?.node.status;

    it('keeps an unchanged node reporting without storing facts or snapshots, answers resend for what it cannot stand for, and leaves the full path exact', async () => {
      const now = Date.now();
      const first = calicoNode(now - 150 * SECOND, 0);
      const created = await post('snapshots', first);
      expect(created).toMatchObject({ status: 201, body: { status: 'created', stateHash: snapshotStateHash(first) } });
      const before = await stored();

      // Four heartbeats, 30 s apart: the head and the one coverage interval follow them.
      let last = first;
      for (let seq = 1; seq <= 4; seq++) {
        last = calicoNode(now - (150 - 30 * seq) * SECOND, seq);
        expect(await post('heartbeats', beatOf(last))).toEqual({ status: 200, body: { status: 'unchanged', node: NODE, stateVersion: 1, stateHash: snapshotStateHash(first) } });
      }
      expect(await stored()).toEqual({ ...before, covered: 5, endAt: new Date(last.takenAt), lastSeenAt: new Date(last.takenAt) });
      expect(await status()).toBe('REPORTING');

      // A retry of the last one; one older than the head; one whose state changed; an unknown node.
      expect(await post('heartbeats', beatOf(last))).toMatchObject({ status: 200, body: { status: 'duplicate', stateHash: snapshotStateHash(first) } });
      expect(await post('heartbeats', beatOf(calicoNode(now - 100 * SECOND, 9)))).toMatchObject({ status: 200, body: { status: 'resend', reason: expect.stringMatching(/not after node node-h's latest snapshot/) } });
      const changed = calicoNode(now - 20 * SECOND, 5, { proxyArp: '0' });
      expect(await post('heartbeats', beatOf(changed))).toMatchObject({ status: 200, body: { status: 'resend', reason: expect.stringMatching(/another hash/) } });
      expect(await post('heartbeats', beatOf(calicoNode(now - 20 * SECOND, 1, { node: 'node-never-seen' })))).toMatchObject({ status: 200, body: { status: 'resend', reason: expect.stringMatching(/no stored state/) } });
      expect(await stored()).toEqual({ ...before, covered: 5, endAt: new Date(last.takenAt), lastSeenAt: new Date(last.takenAt) });

      // The collector then posts the full snapshot, which the full path applies on the moved head.
      expect(await post('snapshots', changed)).toMatchObject({ status: 201, body: { status: 'changed', changes: 1, stateHash: snapshotStateHash(changed) } });
      // A replica that never saw the node (no cached head) judges from the stored head.
      t.app.get(FactWriter, { strict: false }).forget(NODE);
      const again = calicoNode(now - 10 * SECOND, 6, { proxyArp: '0' });
      expect(await post('heartbeats', beatOf(again))).toMatchObject({ status: 200, body: { status: 'unchanged', stateVersion: 2, stateHash: snapshotStateHash(changed) } });
      const after = await stored();
      expect(after).toMatchObject({ facts: before.facts + 1, snapshots: 2, coverage: 1, covered: 7, lastSeenAt: new Date(again.takenAt), version: 2 });

      // Another node's snapshotId is a conflict, as for snapshots; nothing is stored.
      const other = calicoNode(now - 5 * SECOND, 0, { node: 'node-other' });
      expect((await post('snapshots', other)).status).toBe(201);
      expect(await post('heartbeats', { ...beatOf(calicoNode(now - 5 * SECOND, 7, { proxyArp: '0' })), snapshotId: other.snapshotId })).toMatchObject({ status: 409, body: { error: 'SNAPSHOT_ID_CONFLICT' } });
      expect(await stored()).toEqual(after);
    });

    it('refuses bad heartbeats with the field and why, bounds takenAt like a snapshot, and needs an ingest token', async () => {
      const beat = beatOf(calicoNode(Date.now(), 0, { node: 'node-bad' }));
      expect(await post('heartbeats', { ...beat, stateHash: 'abc' })).toMatchObject({ status: 400, body: { error: 'INVALID_HEARTBEAT', message: expect.stringMatching(/^invalid heartbeat: stateHash: must be a sha256/) } });
      expect(await post('heartbeats', { ...beat, namespaces: [] })).toMatchObject({ status: 400, body: { error: 'INVALID_HEARTBEAT', details: [{ path: '', message: 'unknown field "namespaces"' }] } });
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect(await post('heartbeats', { ...beat, takenAt: future })).toMatchObject({ status: 400, body: { error: 'TAKEN_AT_OUT_OF_RANGE', details: { field: 'takenAt', takenAt: future } } });
      expect(await post('heartbeats', JSON.stringify({ ...beat, padding: 'x'.repeat(5000) }))).toMatchObject({ status: 413, body: { error: 'BODY_TOO_LARGE' } });
      expect((await post('heartbeats', beat, null)).status).toBe(401);
      expect(await post('heartbeats', beat, t.tokens.read)).toMatchObject({ status: 403, body: { error: 'INSUFFICIENT_SCOPE' } });
      expect(await database.prisma.$queryRaw`SELECT 1 FROM node WHERE name = 'node-bad'`).toEqual([]);
    });
  });
}
