import type { AddressInfo } from 'node:net';
import type { Database } from '@routescope/db';
import type { Snapshot } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';

// Time is a contract (issue #12 §1), through real HTTP on a real database (PostgreSQL and PGlite):
// takenAt bounded by the server's clock (skew into the future, retention into the past), the
// collector's reported clock skew shown on the node, and snapshots older than the node's head
// stored in gaps of coverage or kept as late records — never refused, never lost.

const NODE = 'node-t';
const MINUTE = 60_000;
const DAY = 86_400_000;

function calicoNode(takenAt: string, seq: number, options: { proxyArp?: string; clockSkewMs?: number; node?: string } = {}): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
  if (options.proxyArp) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: options.proxyArp! } : s));
  return snapshot({ node: options.node ?? NODE, takenAt, seq, clockSkewMs: options.clockSkewMs, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
}

/** `offset` written as ±hh:mm instead of Z, for the same instant. */
function withOffset(instant: number, offsetMinutes: number): string {
  const local = new Date(instant + offsetMinutes * MINUTE).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

interface Counts {
  facts: number;
  snapshots: number;
  coverage: number;
  nodes: number;
}

for (const kind of testDatabaseKinds()) {
  describe(`time as a contract [${kind}]`, () => {
    let t: ApiTestApp;
    let url: string;
    let database: Database;

    beforeAll(async () => {
      t = await startApiTestApp(kind, { env: { ROUTESCOPE_RETENTION_DAYS: '30', ROUTESCOPE_MAX_CLOCK_SKEW: '5m' } });
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      url = `http://127.0.0.1:${port}/api/v1/snapshots`;
      database = t.app.get<Database>(DATABASE);
    });
    afterAll(() => t.close());

    async function post(body: unknown) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.ingest}` }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    async function counts(): Promise<Counts> {
      const [row] = await database.prisma.$queryRaw<Array<Record<keyof Counts, bigint>>>`
        SELECT (SELECT count(*) FROM fact) AS facts, (SELECT count(*) FROM snapshot) AS snapshots, (SELECT count(*) FROM coverage) AS coverage, (SELECT count(*) FROM node) AS nodes`;
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as Counts;
    }

    describe('takenAt out of range: 400 naming takenAt and the server time, nothing stored', () => {
      const now = Date.now();
      it.each<[string, () => string, RegExp]>([
        ['six minutes ahead (skew allowed: five)', () => new Date(now + 6 * MINUTE).toISOString(), /ahead of the server time/],
        ['year 9999', () => '9999-12-31T23:59:59.999Z', /ahead of the server time/],
        ['year 0001', () => '0001-01-01T00:00:00.000Z', /older than the retention window \(30 days/],
        ['1970-01-01, a clock never set', () => '1970-01-01T00:00:00.000Z', /older than the retention window/],
        ['31 days old (retention: 30)', () => new Date(now - 31 * DAY).toISOString(), /older than the retention window/],
        ['ten minutes ahead, written with a +05:30 offset', () => withOffset(now + 10 * MINUTE, 330), /ahead of the server time/],
        ['31 days old, written with a -08:00 offset', () => withOffset(now - 31 * DAY, -480), /older than the retention window/],
      ])('%s', async (_label, takenAt, message) => {
        const before = await counts();
        const sentAt = Date.now();
        const text = takenAt();
        const response = await post(calicoNode(text, 0, { node: 'node-bad-time' }));
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          error: 'TAKEN_AT_OUT_OF_RANGE',
          message: expect.stringMatching(message),
          details: { field: 'takenAt', takenAt: text, serverTime: expect.any(String), earliest: expect.any(String), latest: expect.any(String) },
        });
        const details = response.body.details as Record<string, string>;
        expect(response.body.message).toContain(`server time ${details.serverTime}`);
        expect(Date.parse(details.serverTime)).toBeGreaterThanOrEqual(sentAt - 1000);
        expect(Date.parse(details.latest) - Date.parse(details.serverTime)).toBe(5 * MINUTE);
        expect(Date.parse(details.serverTime) - Date.parse(details.earliest)).toBe(30 * DAY);
        expect(await counts()).toEqual(before);
      });

      it('a takenAt without a time zone is not a valid instant: 400 INVALID_SNAPSHOT on takenAt', async () => {
        const before = await counts();
        const response = await post(calicoNode(new Date(now).toISOString().slice(0, 19), 0, { node: 'node-bad-time' }));
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ error: 'INVALID_SNAPSHOT', details: [{ path: 'takenAt', message: expect.stringMatching(/time zone/) }] });
        expect(await counts()).toEqual(before);
      });
    });

    it('accepts takenAt within the skew, and an offset other than Z as the same instant', async () => {
      const now = Date.now();
      expect((await post(calicoNode(new Date(now + 4 * MINUTE).toISOString(), 0, { node: 'node-ahead' }))).status).toBe(201);
      const response = await post(calicoNode(withOffset(now - 10 * MINUTE, 120), 0, { node: 'node-offset' }));
      expect(response).toMatchObject({ status: 201, body: { status: 'created' } });
      const [row] = await database.prisma.$queryRaw<Array<{ at: Date }>>`SELECT last_seen_at AS at FROM node WHERE name = 'node-offset'`;
      expect(row.at).toEqual(new Date(now - 10 * MINUTE));
    });

    it('a node is never wedged by a clock far ahead: the 9999 snapshot is refused, the next one is stored', async () => {
      const name = 'node-wedge';
      expect((await post(calicoNode('9999-12-31T00:00:00.000Z', 0, { node: name }))).status).toBe(400);
      expect((await post(calicoNode(new Date(Date.now() - MINUTE).toISOString(), 1, { node: name }))).body.status).toBe('created');
      expect((await post(calicoNode(new Date().toISOString(), 2, { node: name }))).body.status).toBe('unchanged');
    });

    it('shows the collector’s clock skew on the node: the latest reported, kept when a snapshot carries none, null when never reported', async () => {
      const name = 'node-skew';
      const base = Date.now() - 20 * MINUTE;
      const skew = async () =>
        (await t.graphql<{ node: { clockSkew: number | null } }>('query($n: String!) { node(name: $n) { clockSkew } }', { n: name })).data?.node.clockSkew;
      await post(calicoNode(new Date(base).toISOString(), 0, { node: name }));
      expect(await skew()).toBeNull();
      await post(calicoNode(new Date(base + MINUTE).toISOString(), 1, { node: name, clockSkewMs: 1500, proxyArp: '0' }));
      expect(await skew()).toBe(1500);
      await post(calicoNode(new Date(base + 2 * MINUTE).toISOString(), 2, { node: name, proxyArp: '0' }));
      expect(await skew()).toBe(1500);
      await post(calicoNode(new Date(base + 3 * MINUTE).toISOString(), 3, { node: name, clockSkewMs: -3 * 3_600_000, proxyArp: '0' }));
      expect(await skew()).toBe(-3 * 3_600_000);
      // Kept with the snapshot record of the change that carried it.
      const rows = await database.prisma.$queryRaw<Array<{ skew: bigint | null }>>`
        SELECT s.clock_skew_ms AS skew FROM snapshot s JOIN node n ON n.id = s.node_id WHERE n.name = ${name} ORDER BY s.taken_at`;
      expect(rows.map((r) => (r.skew === null ? null : Number(r.skew)))).toEqual([null, 1500]);
    });
  });
}
