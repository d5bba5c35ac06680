import type { AddressInfo } from 'node:net';
import { snapshotStateHash, type Snapshot } from '@routescope/snapshot';
import { AuthService } from '../auth/auth.service';
import { TokenHasher } from '../auth/token-hash';
import { seedTokens } from '../auth/token-seeder';
import { TokenRepository } from '../auth/token.repository';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { DATABASE } from '../database/database.module';
import type { Database } from '@routescope/db';
import { testDatabaseKinds, hostNamespace, podNamespace, snapshot, startApiTestApp, type ApiTestApp } from '../../test/api-test-app';

// Ingest through real HTTP on a real database (PostgreSQL and PGlite): what a collector sees
// (status codes, bodies) and what the store holds afterwards (rows counted in SQL).
// One app per database kind: each test posts for nodes of its own (node-a-<n>, node-b-<n>, …)
// and counts the rows of those nodes, so the tests do not see each other's writes.

let run = 0;
/** this test's name for node `letter` */
const nodeName = (letter: string) => `node-${letter}-${run}`;
let NODE = nodeName('a');
const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function calicoNode(seconds: number, seq: number, options: { proxyArp?: string; bootId?: string; node?: string } = {}): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
  if (options.proxyArp) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: options.proxyArp! } : s));
  return snapshot({ node: options.node ?? NODE, takenAt: at(seconds), seq, bootId: options.bootId, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
}

interface Counts {
  facts: number;
  openFacts: number;
  snapshots: number;
  coverage: number;
  nodes: number;
}

for (const kind of testDatabaseKinds()) {
  describe(`POST /api/v1/snapshots [${kind}]`, () => {
    let t: ApiTestApp;
    let url: string;
    let database: Database;

    beforeAll(async () => {
      t = await startApiTestApp(kind);
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      url = `http://127.0.0.1:${port}/api/v1/snapshots`;
      database = t.app.get<Database>(DATABASE);
    });
    afterAll(() => t.close());
    beforeEach(() => {
      run++;
      NODE = nodeName('a');
    });

    async function post(body: unknown, token: string | null = t.tokens.ingest) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    /** the rows of this test's nodes */
    async function counts(): Promise<Counts> {
      const names = ['a', 'b', 'c'].map(nodeName);
      const [row] = await database.prisma.$queryRaw<Array<Record<keyof Counts, bigint>>>`
        WITH n AS (SELECT id FROM node WHERE name = ANY(${names}))
        SELECT (SELECT count(*) FROM fact WHERE node_id IN (SELECT id FROM n)) AS facts,
               (SELECT count(*) FROM fact WHERE valid_to IS NULL AND node_id IN (SELECT id FROM n)) AS "openFacts",
               (SELECT count(*) FROM snapshot WHERE node_id IN (SELECT id FROM n)) AS snapshots,
               (SELECT count(*) FROM coverage WHERE node_id IN (SELECT id FROM n)) AS coverage,
               (SELECT count(*) FROM n) AS nodes`;
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as Counts;
    }

    it('stores a first snapshot as open facts and answers 201 created with the change count', async () => {
      const first = calicoNode(0, 0);
      const response = await post(first);
      expect(response).toEqual({ status: 201, body: { status: 'created', changes: expect.any(Number), node: NODE, stateVersion: 1, stateHash: snapshotStateHash(first) } });
      const c = await counts();
      expect(c).toEqual({ facts: response.body.changes, openFacts: response.body.changes, snapshots: 1, coverage: 1, nodes: 1 });
    });

    it('answers a duplicate snapshot id with 200 and writes nothing', async () => {
      const first = calicoNode(0, 0);
      await post(first);
      const before = await counts();
      expect(await post(first)).toEqual({ status: 200, body: { status: 'duplicate', changes: 0, node: NODE, stateVersion: 1 } });
      expect(await counts()).toEqual(before);
    });

    describe('a snapshotId belongs to one node', () => {
      const reuse = (s: Snapshot, id: string): Snapshot => ({ ...s, snapshotId: id });

      it('answers a new node reusing another node’s snapshotId with 409 naming the owner, and creates nothing', async () => {
        const first = calicoNode(0, 0);
        await post(first);
        const before = await counts();
        const response = await post(reuse(calicoNode(30, 0, { node: nodeName('b') }), first.snapshotId));
        expect(response).toEqual({
          status: 409,
          body: { error: 'SNAPSHOT_ID_CONFLICT', message: expect.stringMatching(new RegExp(`^snapshotId ${first.snapshotId} already belongs to node ${NODE}, not ${nodeName('b')}`)) },
        });
        expect(await counts()).toEqual(before);
      });

      it('answers an existing node reusing another node’s snapshotId with 409, not a false duplicate, and takes its next snapshot', async () => {
        const first = calicoNode(0, 0);
        await post(first);
        await post(calicoNode(0, 0, { node: nodeName('b') }));
        const before = await counts();
        expect(await post(reuse(calicoNode(30, 1, { node: nodeName('b'), proxyArp: '0' }), first.snapshotId))).toMatchObject({ status: 409, body: { error: 'SNAPSHOT_ID_CONFLICT' } });
        expect(await counts()).toEqual(before);
        expect(await post(calicoNode(60, 2, { node: nodeName('b'), proxyArp: '0' }))).toMatchObject({ status: 201, body: { status: 'changed', node: nodeName('b') } });
      });

      it('answers the id of another node’s unchanged (unrecorded) head with 409', async () => {
        await post(calicoNode(0, 0));
        const unchanged = calicoNode(30, 1);
        expect((await post(unchanged)).body.status).toBe('unchanged');
        expect(await post(reuse(calicoNode(60, 0, { node: nodeName('b') }), unchanged.snapshotId))).toMatchObject({ status: 409, body: { error: 'SNAPSHOT_ID_CONFLICT' } });
      });

      it('keeps one owner when two new nodes post one snapshotId at the same moment: 201 and 409, never 500', async () => {
        const id = calicoNode(0, 0).snapshotId;
        const racers = await Promise.all(['b', 'c'].map(nodeName).map((node) => post(reuse(calicoNode(0, 0, { node }), id))));
        expect(racers.map((r) => r.status).sort()).toEqual([201, 409]);
        expect(await counts()).toMatchObject({ snapshots: 1, nodes: 1 });
      });
    });

    it('writes zero fact rows for an unchanged snapshot and only extends coverage', async () => {
      await post(calicoNode(0, 0));
      const before = await counts();
      for (let i = 1; i <= 5; i++) expect((await post(calicoNode(i * 30, i))).body.status).toBe('unchanged');
      expect(await counts()).toEqual(before);
      const [coverage] = await database.prisma.$queryRaw<Array<{ endAt: Date; snapshots: number }>>`SELECT end_at AS "endAt", snapshots FROM coverage WHERE node_id = (SELECT id FROM node WHERE name = ${NODE})`;
      expect(coverage).toEqual({ endAt: new Date(at(150)), snapshots: 6 });
    });

    it('closes the changed fact at takenAt and opens its new value, in one state version', async () => {
      await post(calicoNode(0, 0));
      const before = await counts();
      const changed = calicoNode(30, 1, { proxyArp: '0' });
      const response = await post(changed);
      expect(response).toEqual({ status: 201, body: { status: 'changed', changes: 1, node: NODE, stateVersion: 2, stateHash: snapshotStateHash(changed) } });
      expect(await counts()).toEqual({ ...before, facts: before.facts + 1, snapshots: 2 });
      const rows = await database.prisma.$queryRaw<Array<{ value: string; validFrom: Date; validTo: Date | null }>>`
        SELECT a.attrs->>'value' AS value, valid_from AS "validFrom", valid_to AS "validTo" FROM fact JOIN fact_attrs a ON a.id = fact.attrs_id
        WHERE key = 'net/ipv4/conf/calia1b2c3d4e5f/proxy_arp' AND node_id = (SELECT id FROM node WHERE name = ${NODE}) ORDER BY valid_from`;
      expect(rows).toEqual([
        { value: '1', validFrom: new Date(at(0)), validTo: new Date(at(30)) },
        { value: '0', validFrom: new Date(at(30)), validTo: null },
      ]);
    });

    it('stores a snapshot older than the node’s first one as backfilled history (201), never 409', async () => {
      const factCount = (await post(calicoNode(60, 0))).body.changes as number;
      const response = await post(calicoNode(30, 1, { proxyArp: '0' }));
      // Nothing was known at 30 s: every fact appears then (rows starting at 60 s begin at 30 s instead).
      expect(response).toEqual({ status: 201, body: { status: 'backfilled', changes: factCount, node: NODE, stateVersion: 2 } });
      expect(await counts()).toEqual({ facts: factCount + 1, openFacts: factCount, snapshots: 2, coverage: 1, nodes: 1 });
      const rows = await database.prisma.$queryRaw<Array<{ value: string; validFrom: Date; validTo: Date | null }>>`
        SELECT a.attrs->>'value' AS value, valid_from AS "validFrom", valid_to AS "validTo" FROM fact JOIN fact_attrs a ON a.id = fact.attrs_id
        WHERE key = 'net/ipv4/conf/calia1b2c3d4e5f/proxy_arp' AND node_id = (SELECT id FROM node WHERE name = ${NODE}) ORDER BY valid_from`;
      expect(rows).toEqual([
        { value: '0', validFrom: new Date(at(30)), validTo: new Date(at(60)) },
        { value: '1', validFrom: new Date(at(60)), validTo: null },
      ]);
      // Within three intervals of the next snapshot: one covered interval, from the late one on.
      const coverage = await database.prisma.$queryRaw<Array<{ startAt: Date; endAt: Date; snapshots: number }>>`SELECT start_at AS "startAt", end_at AS "endAt", snapshots FROM coverage WHERE node_id = (SELECT id FROM node WHERE name = ${NODE})`;
      expect(coverage).toEqual([{ startAt: new Date(at(30)), endAt: new Date(at(60)), snapshots: 2 }]);
    });

    it('rejects an invalid snapshot with 400 naming the bad field, and stores nothing', async () => {
      const bad = calicoNode(0, 0) as unknown as { namespaces: Array<{ routes: Array<{ dst: string }> }> };
      bad.namespaces[0].routes[0].dst = '10.0.0.300/24';
      const response = await post(bad);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('INVALID_SNAPSHOT');
      expect(response.body.details).toEqual([{ path: 'namespaces[0].routes[0].dst', message: expect.stringMatching(/address\/prefixlen/) }]);
      expect(await counts()).toEqual({ facts: 0, openFacts: 0, snapshots: 0, coverage: 0, nodes: 0 });
    });

    it('answers a snapshot not sent as application/json with 415 saying what to send, and stores nothing', async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.tokens.ingest}` }, body: JSON.stringify(calicoNode(0, 0)) });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 415,
        body: { error: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as JSON with content-type: application/json (got "text/plain")' },
      });
      expect((await counts()).nodes).toBe(0);
    });

    it('rejects a body that is not JSON with 400', async () => {
      expect(await post('{"schemaVersion":')).toMatchObject({ status: 400, body: { error: 'INVALID_JSON' } });
    });

    it('rejects a body over the size limit with 413 before parsing it', async () => {
      const huge = calicoNode(0, 0);
      huge.warnings = Array.from({ length: 1000 }, (_, i) => ({ code: 'padding', message: `${i} ${'x'.repeat(2000)}` }));
      const response = await post({ ...huge, padding: 'y'.repeat(40 * 1024 * 1024) });
      expect(response).toMatchObject({ status: 413, body: { error: 'SNAPSHOT_TOO_LARGE' } });
      expect((await counts()).nodes).toBe(0);
    });

    it('closes coverage after a silence longer than three intervals, so the gap shows', async () => {
      await post(calicoNode(0, 0));
      await post(calicoNode(30, 1));
      await post(calicoNode(60, 2));
      // The collector restarts after ten minutes away.
      await post(calicoNode(660, 0, { bootId: 'boot-2' }));
      await post(calicoNode(690, 1, { bootId: 'boot-2' }));
      const rows = await database.prisma.$queryRaw<Array<{ startAt: Date; endAt: Date }>>`SELECT start_at AS "startAt", end_at AS "endAt" FROM coverage WHERE node_id = (SELECT id FROM node WHERE name = ${NODE}) ORDER BY start_at`;
      expect(rows).toEqual([
        { startAt: new Date(at(0)), endAt: new Date(at(60)) },
        { startAt: new Date(at(660)), endAt: new Date(at(690)) },
      ]);
    });

    it('keeps one consistent state when two collectors race for the same node', async () => {
      await post(calicoNode(0, 0));
      const racers = await Promise.all([post(calicoNode(30, 1, { proxyArp: '0' })), post(calicoNode(31, 1, { proxyArp: '2', bootId: 'boot-other' }))]);
      const statuses = racers.map((r) => r.status).sort();
      // Whoever commits second either follows (201) or arrives late inside covered history (202, kept as a record); never lost, never half-written.
      expect([[201, 201], [201, 202]]).toContainEqual(statuses);
      const open = await database.prisma.$queryRaw<Array<{ value: string }>>`
        SELECT a.attrs->>'value' AS value FROM fact JOIN fact_attrs a ON a.id = fact.attrs_id WHERE key = 'net/ipv4/conf/calia1b2c3d4e5f/proxy_arp' AND valid_to IS NULL AND node_id = (SELECT id FROM node WHERE name = ${NODE})`;
      expect(open).toHaveLength(1);
      const duplicates = await database.prisma.$queryRaw<Array<{ n: bigint }>>`
        SELECT count(*) AS n FROM (SELECT ns, kind, key FROM fact WHERE valid_to IS NULL AND node_id = (SELECT id FROM node WHERE name = ${NODE}) GROUP BY ns, kind, key HAVING count(*) > 1) d`;
      expect(Number(duplicates[0].n)).toBe(0);
    });

    describe('authentication', () => {
      // A test may revoke env-ingest: the next one gets it back as a fresh start seeds it.
      afterEach(async () => {
        await database.prisma.apiToken.deleteMany({ where: { name: 'env-ingest' } });
        t.app.get(AuthService).forget();
        await seedTokens(t.app.get<ApiConfig>(API_CONFIG), { tokens: t.app.get(TokenRepository), hasher: t.app.get(TokenHasher), auth: t.app.get(AuthService) });
      });

      it('answers 401 without a token and 401 with a wrong one', async () => {
        expect(await post(calicoNode(0, 0), null)).toMatchObject({ status: 401, body: { error: 'MISSING_TOKEN' } });
        expect(await post(calicoNode(0, 0), 'rs_not_a_real_token')).toMatchObject({ status: 401, body: { error: 'INVALID_TOKEN' } });
      });

      it('answers 403 to a read-only token and writes no row', async () => {
        expect(await post(calicoNode(0, 0), t.tokens.read)).toMatchObject({ status: 403, body: { error: 'INSUFFICIENT_SCOPE' } });
        expect(await counts()).toEqual({ facts: 0, openFacts: 0, snapshots: 0, coverage: 0, nodes: 0 });
      });

      it('lets an admin token ingest', async () => {
        expect((await post(calicoNode(0, 0), t.tokens.admin)).status).toBe(201);
      });

      it('refuses a revoked token with 401', async () => {
        await t.app.get(TokenRepository).revoke('env-ingest');
        t.app.get(AuthService).forget();
        expect(await post(calicoNode(0, 0))).toMatchObject({ status: 401, body: { error: 'REVOKED_TOKEN' } });
      });

      it('gives GraphQL errors the codes UNAUTHENTICATED and FORBIDDEN', async () => {
        const query = '{ nodes { totalCount } }';
        expect((await t.graphql(query, {}, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
        expect((await t.graphql(query, {}, 'rs_not_a_real_token')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
        expect((await t.graphql(query, {}, t.tokens.ingest)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
        const [stored] = await database.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM node`;
        expect((await t.graphql<{ nodes: { totalCount: number } }>(query, {}, t.tokens.read)).data?.nodes.totalCount).toBe(Number(stored.n));
      });
    });
  });
}
