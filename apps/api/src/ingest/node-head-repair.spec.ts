import type { Database } from '@routescope/db';
import { canonicalJson, snapshotToFacts, type Snapshot } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { IngestService } from './ingest.service';

// resetNodeHead on a real database (PostgreSQL and PGlite): an operator repairs a node whose
// head was poisoned (a snapshot dated 9999-12-31, stored before takenAt was bounded), over
// GraphQL with the admin token, and the act is audited.

const NODE = 'node-poisoned';
const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const POISON = '9999-12-31T00:00:00.000Z';

function calicoNode(takenAt: string, seq: number, proxyArp = '1', node = NODE): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
  host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: proxyArp } : s));
  return snapshot({ node, takenAt, seq, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
}

const lines = (s: Snapshot) => snapshotToFacts(s).map((f) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`).sort();

const RESET = `mutation($node: String!, $to: DateTime!) {
  resetNodeHead(node: $node, to: $to) { node to previousHead head removed factsDeleted factsReopened coverageDeleted snapshotsDeleted findingsDeleted auditId }
}`;

interface ResetResult {
  resetNodeHead: {
    node: string;
    to: string;
    previousHead: string;
    head: string | null;
    removed: boolean;
    factsDeleted: number;
    factsReopened: number;
    coverageDeleted: number;
    snapshotsDeleted: number;
    findingsDeleted: number;
    auditId: string;
  };
}

for (const kind of testDatabaseKinds()) {
  describe(`resetNodeHead [${kind}]`, () => {
    let t: ApiTestApp;
    let database: Database;

    beforeEach(async () => {
      t = await startApiTestApp(kind);
      database = t.app.get<Database>(DATABASE);
    });
    afterEach(() => t.close());

    /** Writes the poisoned history the way builds before the takenAt bound did: the snapshot is stored at 9999-12-31. */
    async function poison(): Promise<void> {
      await t.ingest(calicoNode(at(0), 0));
      await t.ingest(calicoNode(at(30), 1, '0'));
      // The bound exists now, so the poison goes in through ingest with a server clock in year 9999.
      await t.app.get(IngestService).ingest(calicoNode(POISON, 2, '2'), new Date(POISON));
      await t.settled();
    }

    async function openState(node = NODE): Promise<string[]> {
      const rows = await database.prisma.$queryRaw<Array<{ ns: string; kind: string; key: string; attrs: never }>>`
        SELECT f.ns, f.kind, f.key, a.attrs FROM fact f JOIN fact_attrs a ON a.id = f.attrs_id JOIN node n ON n.id = f.node_id WHERE n.name = ${node} AND f.valid_to IS NULL`;
      return rows.map((r) => `${r.ns} ${r.kind} ${r.key} ${canonicalJson(r.attrs)}`).sort();
    }

    it('rolls a poisoned node back to `to`: history after it is gone, the state at `to` is current, the node takes snapshots again', async () => {
      await poison();
      // Poisoned: a snapshot of today is older than the head; it is kept (in the gap before it) but cannot become the node's present.
      expect((await t.ingest(calicoNode(at(60), 3))).status).toBe('backfilled');
      expect(await openState()).toEqual(lines(calicoNode(POISON, 2, '2')));

      const response = await t.graphql<ResetResult>(RESET, { node: NODE, to: at(60) }, t.tokens.admin);
      expect(response.errors).toBeUndefined();
      expect(response.data!.resetNodeHead).toEqual({
        node: NODE,
        to: at(60),
        previousHead: POISON,
        head: at(60),
        removed: false,
        factsDeleted: 1,
        factsReopened: 1,
        coverageDeleted: 1,
        snapshotsDeleted: 1,
        findingsDeleted: expect.any(Number),
        auditId: expect.stringMatching(/^\d+$/),
      });
      expect(await openState()).toEqual(lines(calicoNode(at(60), 3)));
      const [node] = await database.prisma.$queryRaw<Array<{ lastSeenAt: Date }>>`SELECT last_seen_at AS "lastSeenAt" FROM node WHERE name = ${NODE}`;
      expect(node.lastSeenAt).toEqual(new Date(at(60)));
      const after = await database.prisma.$queryRaw<Array<{ n: number }>>`
        SELECT ((SELECT count(*) FROM fact WHERE valid_from > ${new Date(at(60))} OR valid_to > ${new Date(at(60))}) +
                (SELECT count(*) FROM coverage WHERE end_at > ${new Date(at(60))}) + (SELECT count(*) FROM snapshot WHERE taken_at > ${new Date(at(60))}))::int AS n`;
      expect(after[0].n).toBe(0);

      // Live again: the next snapshots move the head and change the state.
      expect((await t.ingest(calicoNode(at(90), 4, '1'))).status).toBe('changed');
      expect((await t.ingest(calicoNode(at(120), 5, '1'))).status).toBe('unchanged');
      expect(await openState()).toEqual(lines(calicoNode(at(120), 5, '1')));

      // Audited: who (the token's name), when, what.
      const audit = await database.prisma.$queryRaw<Array<{ id: bigint; actor: string; action: string; subject: string; details: Record<string, unknown>; at: Date }>>`
        SELECT id, actor, action, subject, details, at FROM audit_log`;
      expect(audit).toEqual([
        {
          id: BigInt(response.data!.resetNodeHead.auditId),
          actor: 'env-admin',
          action: 'resetNodeHead',
          subject: `node:${NODE}`,
          details: expect.objectContaining({ to: at(60), previousHead: POISON, head: at(60), removed: false, factsDeleted: 1, snapshotsDeleted: 1 }),
          at: expect.any(Date),
        },
      ]);
    });

    it('removes a node that has nothing at or before `to`, and its next snapshot creates it again', async () => {
      await t.ingest(calicoNode(at(600), 0, '1', 'node-young'));
      const response = await t.graphql<ResetResult>(RESET, { node: 'node-young', to: at(60) }, t.tokens.admin);
      expect(response.data!.resetNodeHead).toMatchObject({ removed: true, head: null, previousHead: at(600), snapshotsDeleted: 1, coverageDeleted: 1 });
      expect((await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM node WHERE name = 'node-young'`)[0].n).toBe(0);
      expect((await t.ingest(calicoNode(at(660), 1, '1', 'node-young'))).status).toBe('created');
    });

    it('takes the poisoned cross-node findings with it, and the cross-node rules see the node as it is at `to`', async () => {
      // node-b routes to node-a's block until its poisoned snapshot, which lost the route.
      const nodeA = snapshot({
        node: 'node-a',
        takenAt: at(0),
        seq: 0,
        namespaces: [
          hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined], ['172.17.9.0/26', '10.0.0.12']], veths: [['calia000000000a', '172.17.8.2']] }),
          podNamespace('cni-a', 'calia000000000a', '172.17.8.2'),
        ],
      });
      const nodeB = (takenAt: string, seq: number, routed: boolean) =>
        snapshot({
          node: 'node-b',
          takenAt,
          seq,
          namespaces: [
            hostNamespace({ ip: '10.0.0.12', gateway: '10.0.0.1', blocks: [['172.17.9.0/26', undefined], ...(routed ? [['172.17.8.0/26', '10.0.0.11'] as [string, string]] : [])], veths: [['calib000000000b', '172.17.9.2']] }),
            podNamespace('cni-b', 'calib000000000b', '172.17.9.2'),
          ],
        });
      await t.ingest(nodeA);
      await t.ingest(nodeB(at(10), 0, true));
      await t.app.get(IngestService).ingest(nodeB(POISON, 1, false), new Date(POISON));
      await t.settled();
      const missing = async () =>
        database.prisma.$queryRaw<Array<{ openedAt: Date; resolvedAt: Date | null }>>`
          SELECT opened_at AS "openedAt", resolved_at AS "resolvedAt" FROM finding WHERE rule = 'CALICO_BLOCK_ROUTE_MISSING' AND subject = 'block:172.17.8.0/26'`;
      expect(await missing()).toEqual([{ openedAt: new Date(POISON), resolvedAt: null }]);

      const response = await t.graphql<ResetResult>(RESET, { node: 'node-b', to: at(60) }, t.tokens.admin);
      expect(response.data!.resetNodeHead).toMatchObject({ head: at(10), findingsDeleted: 1 });
      await t.settled();
      expect(await missing()).toEqual([]);
    });

    it('needs the admin scope, names a missing node, and changes nothing when refused', async () => {
      await poison();
      const before = await openState();
      for (const token of [t.tokens.read, t.tokens.ingest]) {
        const refused = await t.graphql<ResetResult>(RESET, { node: NODE, to: at(60) }, token);
        expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      }
      expect((await t.graphql<ResetResult>(RESET, { node: NODE, to: at(60) }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      const missing = await t.graphql<ResetResult>(RESET, { node: 'node-nowhere', to: at(60) }, t.tokens.admin);
      expect(missing.errors?.[0]).toMatchObject({ message: expect.stringMatching(/no node called "node-nowhere"/), extensions: { code: 'NOT_FOUND' } });
      const badTime = await t.graphql<ResetResult>(RESET, { node: NODE, to: 'yesterday' }, t.tokens.admin);
      expect(badTime.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Variable "\$to" got invalid value "yesterday"; "yesterday" is not a date-time/), extensions: { code: 'BAD_USER_INPUT' } });
      expect(await openState()).toEqual(before);
      expect((await database.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM audit_log`)[0].n).toBe(0);
    });
  });
}
