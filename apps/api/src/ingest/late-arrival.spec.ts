import type { Database } from '@routescope/db';
import { diffFacts } from '@routescope/diff';
import { canonicalJson, snapshotToFacts, type Snapshot } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { IngestService } from './ingest.service';

// Late snapshots are history, not errors (issue #12 §1), on a real database (PostgreSQL and
// PGlite): one older than the node's head is applied when it falls in a gap of coverage, and
// kept as a late record when it falls inside covered history; either way it is accounted for,
// once, however often and however concurrently it is delivered.

const NODE = 'node-late';
const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function calicoNode(seconds: number, seq: number, proxyArp = '1', gateway = '10.0.0.1'): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway, blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
  host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: proxyArp } : s));
  return snapshot({ node: NODE, takenAt: at(seconds), seq, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
}

const lines = (s: Snapshot) => snapshotToFacts(s).map((f) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`).sort();

for (const kind of testDatabaseKinds()) {
  describe(`late snapshots [${kind}]`, () => {
    let t: ApiTestApp;
    let database: Database;
    let ingest: IngestService;

    beforeEach(async () => {
      t = await startApiTestApp(kind);
      database = t.app.get<Database>(DATABASE);
      ingest = t.app.get(IngestService);
    });
    afterEach(() => t.close());

    async function stateAt(seconds: number): Promise<string[]> {
      const instant = new Date(at(seconds));
      const rows = await database.prisma.$queryRaw<Array<{ ns: string; kind: string; key: string; attrs: never }>>`
        SELECT ns, kind, key, a.attrs FROM fact JOIN fact_attrs a ON a.id = fact.attrs_id WHERE valid_from <= ${instant} AND (valid_to IS NULL OR valid_to > ${instant})`;
      return rows.map((r) => `${r.ns} ${r.kind} ${r.key} ${canonicalJson(r.attrs)}`).sort();
    }

    async function coverage(): Promise<Array<[number, number, number]>> {
      const rows = await database.prisma.$queryRaw<Array<{ startAt: Date; endAt: Date; snapshots: number }>>`SELECT start_at AS "startAt", end_at AS "endAt", snapshots FROM coverage ORDER BY start_at`;
      return rows.map((r) => [(r.startAt.getTime() - T0) / 1000, (r.endAt.getTime() - T0) / 1000, r.snapshots]);
    }

    async function records(): Promise<Array<{ seconds: number; arrival: string; reason: string | null }>> {
      const rows = await database.prisma.$queryRaw<Array<{ takenAt: Date; arrival: string; reason: string | null }>>`
        SELECT taken_at AS "takenAt", arrival, late_reason AS reason FROM snapshot ORDER BY taken_at, arrival`;
      return rows.map((r) => ({ seconds: (r.takenAt.getTime() - T0) / 1000, arrival: r.arrival, reason: r.reason }));
    }

    it('a spool replayed after an outage fills the gap: each state holds from its own instant, as in-order delivery would have left it', async () => {
      // Posted live: before the outage (0, 30 s), and after it (600, 630 s) while the spool waits.
      const live = [calicoNode(0, 0), calicoNode(30, 1), calicoNode(600, 5, '0'), calicoNode(630, 6, '0')];
      for (const s of live) await t.ingest(s);
      expect(await coverage()).toEqual([
        [0, 30, 2],
        [600, 630, 2],
      ]);
      // The spool, replayed oldest first: three snapshots taken during the outage.
      const spooled = [calicoNode(60, 2, '1', '10.0.0.254'), calicoNode(90, 3, '0', '10.0.0.254'), calicoNode(400, 4, '2')];
      const answers = [];
      for (const s of spooled) answers.push(await t.ingest(s));
      expect(answers.map((a) => a.status)).toEqual(['backfilled', 'backfilled', 'backfilled']);
      // Each counts the facts it changed at its instant, against what was stored there.
      const facts = (s: Snapshot) => snapshotToFacts(s);
      expect(answers.map((a) => a.changes)).toEqual([diffFacts(facts(live[1]), facts(spooled[0])).length, 1, diffFacts(facts(spooled[1]), facts(spooled[2])).length]);

      for (const [seconds, s] of [[0, live[0]], [59, live[1]], [60, spooled[0]], [89, spooled[0]], [90, spooled[1]], [399, spooled[1]], [400, spooled[2]], [599, spooled[2]], [600, live[2]], [700, live[3]]] as const) {
        expect({ seconds, state: await stateAt(seconds) }).toEqual({ seconds, state: lines(s) });
      }
      // The gap threshold is three 30 s intervals: 30→60→90 join the first interval; 400 stands alone.
      expect(await coverage()).toEqual([
        [0, 90, 4],
        [400, 400, 1],
        [600, 630, 2],
      ]);
      // The current state is still the newest snapshot's, and the head did not move.
      const [node] = await database.prisma.$queryRaw<Array<{ lastSeenAt: Date; firstSeenAt: Date }>>`SELECT last_seen_at AS "lastSeenAt", first_seen_at AS "firstSeenAt" FROM node`;
      expect(node).toEqual({ lastSeenAt: new Date(at(630)), firstSeenAt: new Date(at(0)) });
      const open = await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM fact WHERE valid_to IS NULL`;
      expect(open[0].n).toBe(lines(live[3]).length);
      // The next live snapshot (the replica's cached open facts were replaced) diffs against the rows as they are.
      expect((await t.ingest(calicoNode(660, 7, '1'))).status).toBe('changed');
      expect(await stateAt(660)).toEqual(lines(calicoNode(660, 7, '1')));
      expect(await stateAt(630)).toEqual(lines(live[3]));
    });

    it('inside covered history: agreeing is nothing new (200 unchanged), disagreeing is kept as a late record (202) with its reason, not applied', async () => {
      for (let i = 0; i <= 4; i++) await t.ingest(calicoNode(i * 30, i));
      const before = await stateAt(45);
      expect(await ingest.ingest(calicoNode(45, 9))).toMatchObject({ status: 'unchanged', changes: 0 });
      const late = await ingest.ingest(calicoNode(50, 10, '0'));
      expect(late).toEqual({
        status: 'late',
        changes: 0,
        node: NODE,
        stateVersion: 1,
        reason: `taken at ${at(50)}, inside node ${NODE}'s covered history (${at(0)} – ${at(120)}; latest ${at(120)}) and different from the state recorded there: applying it would rewrite closed history, so it is kept as a record, not applied`,
      });
      expect(await stateAt(45)).toEqual(before);
      expect(await stateAt(50)).toEqual(before);
      expect(await records()).toEqual([
        { seconds: 0, arrival: 'in_order', reason: null },
        { seconds: 50, arrival: 'late', reason: late.reason },
      ]);
      // At the head's own instant, a different snapshot is late too.
      expect((await ingest.ingest(calicoNode(120, 11, '0'))).status).toBe('late');
    });

    it('accounts for a late snapshot once, however often and however concurrently it is delivered', async () => {
      await t.ingest(calicoNode(0, 0));
      await t.ingest(calicoNode(600, 5)); // not the next seq: the reporting interval stays 30 s, and 0–600 s is a gap
      const gap = calicoNode(300, 2, '0');
      const covered = calicoNode(300, 3, '2');
      const first = await Promise.all([ingest.ingest(gap), ingest.ingest(gap), ingest.ingest(gap)]);
      expect(first.map((r) => r.status).sort()).toEqual(['backfilled', 'duplicate', 'duplicate']);
      // 300 s is covered now: another snapshot taken then, different, is late; delivered three times, recorded once.
      const second = await Promise.all([ingest.ingest(covered), ingest.ingest(covered), ingest.ingest(covered)]);
      expect(second.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'late']);
      expect((await ingest.ingest(gap)).status).toBe('duplicate');
      await t.settled();
      expect(await records()).toEqual([
        { seconds: 0, arrival: 'in_order', reason: null },
        { seconds: 300, arrival: 'backfilled', reason: null },
        { seconds: 300, arrival: 'late', reason: expect.stringMatching(/kept as a record/) },
      ]);
      expect(await stateAt(300)).toEqual(lines(gap));
      expect(await coverage()).toEqual([
        [0, 0, 1],
        [300, 300, 1],
        [600, 600, 1],
      ]);
    });
  });
}
