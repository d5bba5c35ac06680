import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testing } from '@routescope/db';
import { freePort, until } from '@routescope/testing';
import { ApiProcess, request, secretToken, type ApiTokens } from './support/api-process';

// Replicas (issue #16): two built API processes on one PostgreSQL database, each ingesting
// DIFFERENT nodes over HTTP. The cross-node findings are evaluated by one elected leader and
// equal those of a single replica that ingested every node; when the leader is killed (SIGKILL)
// the other replica is elected within one debounce interval and the findings stay equal.
// PostgreSQL only: PGlite is one process's embedded database.

const DEBOUNCE_MS = 1500;
const NODES = 4;
const T0 = Date.now() - 3_600_000;
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const name = (i: number) => `node-${i}`;

/**
 * Node i of a full mesh: owns 172.17.i.0/26 and routes every other block via its node. In round
 * 2 each node lost its route to the next node's block (a cross-node finding each); in round 3
 * node 0 has it back and node 2 turned proxy_arp off on its pod's veth (a node finding).
 */
function meshNode(i: number, round: 1 | 2 | 3): Record<string, unknown> {
  const routes: Array<Record<string, unknown>> = [
    { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.0.0.1', dev: 'eth0', flags: [] },
    { family: 'inet', table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', scope: 'link', protocol: 'kernel', prefsrc: `10.0.0.${10 + i}`, flags: [] },
  ];
  const lost = round === 2 || (round === 3 && i !== 0);
  for (let j = 0; j < NODES; j++) {
    if (j === i) routes.push({ family: 'inet', table: 'main', type: 'blackhole', dst: `172.17.${j}.0/26`, protocol: 'bird', flags: [] });
    else if (!(lost && j === (i + 1) % NODES)) routes.push({ family: 'inet', table: 'main', type: 'unicast', dst: `172.17.${j}.0/26`, gateway: `10.0.0.${10 + j}`, dev: 'tunl0', protocol: 'bird', flags: ['onlink'] });
  }
  const veth = `cali${String(i).padStart(11, '0')}`;
  const podIp = `172.17.${i}.2`;
  routes.push({ family: 'inet', table: 'main', type: 'unicast', dst: podIp, dev: veth, scope: 'link', flags: [] });
  const proxyArp = round === 3 && i === 2 ? '0' : '1';
  return {
    schemaVersion: 1,
    snapshotId: randomUUID(),
    node: name(i),
    collector: { version: '0.1.0-test', bootId: 'boot-1', seq: round, source: 'collect' },
    takenAt: at(round * 60 + i),
    kernel: '6.8.0-test',
    iproute2: 'iproute2-6.1.0',
    warnings: [],
    namespaces: [
      {
        kind: 'host',
        name: 'host',
        links: [
          { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
          { ifindex: 2, name: 'eth0', mac: '52:54:00:00:00:01', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'UP'] },
          { ifindex: 10, name: veth, kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1440, operState: 'UP', flags: ['UP'], peerIfindex: 3, linkNetnsId: 0 },
        ],
        addresses: [{ dev: 'eth0', family: 'inet', local: `10.0.0.${10 + i}`, prefixlen: 24, flags: [] }],
        routes,
        neighbors: [],
        sysctls: [
          { path: 'net/ipv4/ip_forward', value: '1' },
          { path: `net/ipv4/conf/${veth}/proxy_arp`, value: proxyArp },
          { path: `net/ipv4/neigh/${veth}/proxy_delay`, value: '0' },
        ],
      },
      {
        kind: 'pod',
        name: `cni-${i}`,
        hostVeth: veth,
        links: [
          { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
          { ifindex: 3, name: 'eth0', mac: '0a:58:0a:f4:00:05', mtu: 1440, operState: 'UP', flags: ['BROADCAST', 'UP'], peerIfindex: 10, linkNetnsId: 0 },
        ],
        addresses: [{ dev: 'eth0', family: 'inet', local: podIp, prefixlen: 32, flags: [] }],
        routes: [
          { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
          { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
        ],
        neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['REACHABLE'] }],
        sysctls: [],
      },
    ],
  };
}

interface FindingRow {
  scope: string;
  rule: string;
  node: string;
  subject: string;
  openedAt: Date;
  resolvedAt: Date | null;
}

/** The findings with their intervals, and whether the leader has evaluated everything queued up to `until`. */
async function state(database: testing.TestDatabase, lastInstant: string): Promise<{ findings: string[]; caughtUp: boolean; progress: string }> {
  const rows = await database.prisma.$queryRaw<FindingRow[]>`
    SELECT f.scope, f.rule, n.name AS node, f.subject, f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt"
    FROM finding f JOIN node n ON n.id = f.node_id ORDER BY f.scope, f.rule, n.name, f.subject, f.opened_at`;
  const [{ queued, evaluatedUntil }] = await database.prisma.$queryRaw<Array<{ queued: number; evaluatedUntil: Date | null }>>`
    SELECT (SELECT count(*)::int FROM cluster_check_queue) AS queued, evaluated_until AS "evaluatedUntil" FROM cluster_checks_leader`;
  return {
    findings: rows.map((r) => `${r.scope} ${r.rule} ${r.node} ${r.subject} ${r.openedAt.toISOString()}–${r.resolvedAt?.toISOString() ?? ''}`),
    caughtUp: queued === 0 && evaluatedUntil !== null && evaluatedUntil.getTime() >= Date.parse(lastInstant),
    progress: `${queued} queued, evaluated until ${evaluatedUntil?.toISOString() ?? 'never'} (waiting for ${lastInstant})`,
  };
}

describe('two API replicas on one PostgreSQL database: one cross-node evaluator [postgres]', () => {
  const tokens: ApiTokens = { ingest: secretToken('ingest'), read: secretToken('read'), admin: secretToken('admin') };
  const dirs: string[] = [];
  const processes: ApiProcess[] = [];
  const databases: testing.TestDatabase[] = [];

  async function api(database: testing.TestDatabase): Promise<ApiProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'rs-replicas-'));
    dirs.push(dir);
    const child = new ApiProcess({ databaseUrl: database.databaseUrl, dataDir: dir, port: await freePort(), tokens, env: { ROUTESCOPE_CHECKS_DEBOUNCE_MS: String(DEBOUNCE_MS), ROUTESCOPE_RETENTION_DAYS: '3650' } });
    processes.push(child);
    await child.start();
    return child;
  }

  async function post(target: ApiProcess, body: Record<string, unknown>): Promise<void> {
    const answer = await request(`${target.base}/api/v1/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` }, body: JSON.stringify(body) });
    if (answer.status !== 201 && answer.status !== 200) throw new Error(`${body['node']}: ${answer.status} ${answer.text}`);
  }

  async function role(target: ApiProcess): Promise<{ role: string; replica: string; since?: string }> {
    const answer = await request(`${target.base}/healthz`, {});
    return (answer.json as { checks: { role: string; replica: string; since?: string } }).checks;
  }

  afterAll(async () => {
    for (const p of processes) await p.stop();
    for (const d of databases) await d.dispose();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('findings equal a single replica\'s whatever replica ingests which node, and survive the leader being killed', async () => {
    const shared = await testing.createTestDatabase('postgres');
    const single = await testing.createTestDatabase('postgres');
    databases.push(shared, single);
    const a = await api(shared);
    const b = await api(shared);
    const reference = await api(single);
    // A started first and took the lock; B waits behind it.
    expect((await role(a)).role).toBe('leader');
    expect((await role(b)).role).toBe('follower');

    // Rounds 1 and 2: nodes 0 and 1 post to A, nodes 2 and 3 to B; the reference gets them all.
    for (const round of [1, 2] as const) {
      for (let i = 0; i < NODES; i++) {
        await post(i < 2 ? a : b, meshNode(i, round));
        await post(reference, meshNode(i, round));
      }
    }
    const round2 = at(2 * 60 + NODES - 1);
    const expected = await until('the single replica evaluated rounds 1 and 2', async () => {
      const s = await state(single, round2);
      return s.caughtUp && s.findings.filter((f) => f.includes('CALICO_BLOCK_ROUTE_MISSING')).length === NODES ? s.findings : undefined;
    }, 60_000);
    await until('the replicas\' findings equal the single replica\'s', async () => {
      const s = await state(shared, round2);
      return s.caughtUp && JSON.stringify(s.findings) === JSON.stringify(expected) ? true : undefined;
    }, 60_000).catch(async (error: Error) => {
      throw new Error(`${error.message}\nreplicas: ${JSON.stringify((await state(shared, round2)).findings, null, 1)}\nsingle: ${JSON.stringify(expected, null, 1)}`);
    });

    // The leader dies without a word; the follower is elected within one debounce interval.
    const [leader, follower] = (await role(a)).role === 'leader' ? [a, b] : [b, a];
    const killedAt = Date.now();
    await leader.kill9();
    const elected = await until('the follower to be elected', async () => {
      const r = await role(follower);
      return r.role === 'leader' ? r : undefined;
    }, 30_000);
    const failoverMs = Date.parse(elected.since!) - killedAt;
    expect(failoverMs).toBeLessThanOrEqual(DEBOUNCE_MS);

    // Round 3, every node posting to the survivor: node 0 repaired, node 2's proxy_arp off.
    for (let i = 0; i < NODES; i++) {
      await post(follower, meshNode(i, 3));
      await post(reference, meshNode(i, 3));
    }
    const round3 = at(3 * 60 + 2); // node 2's change, the last of round 3 (nodes 1 and 3 are unchanged)
    const expectedAfter = await until('the single replica evaluated round 3', async () => {
      const s = await state(single, round3);
      // both of round 3's changes: they can be evaluated in different batches
      const resolved = s.findings.some((f) => /CALICO_BLOCK_ROUTE_MISSING node-0 \S+ \S+–\S+/.test(f));
      return s.caughtUp && resolved && s.findings.some((f) => f.includes('CALICO_PROXY_ARP')) ? s.findings : undefined;
    }, 60_000);
    expect(expectedAfter.some((f) => /CALICO_BLOCK_ROUTE_MISSING node-0 \S+ \S+–\S+/.test(f))).toBe(true); // node 0's resolved
    await until('the survivor\'s findings equal the single replica\'s', async () => {
      const s = await state(shared, round3);
      return s.caughtUp && JSON.stringify(s.findings) === JSON.stringify(expectedAfter) ? true : undefined;
    }, 60_000).catch(async (error: Error) => {
      const s = await state(shared, round3);
      throw new Error(`${error.message}\n${s.progress}\nreplicas: ${JSON.stringify(s.findings, null, 1)}\nsingle: ${JSON.stringify(expectedAfter, null, 1)}`);
    });
  });
});
