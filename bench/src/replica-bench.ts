import { SyntheticCluster } from '@routescope/synth';
import type { Snapshot } from '@routescope/snapshot';
import { freshDatabase, loadBundle, startApi, type Database, type RunningApi } from './api-under-test';
import { log } from './measure';

// Cross-node checks with several API replicas (issue #16): two replicas on one PostgreSQL
// database ingest different nodes, one replica ingests all of them on another database; the
// findings must be the same. Then the leader's database session ends (as when its process dies:
// the server closes the session and releases the advisory lock) and the time until the other
// replica is elected is measured, in debounce intervals; the findings after further changes
// must still be the single replica's.

export interface ReplicaBenchResult {
  nodes: number;
  debounceMs: number;
  /** same findings (rule, node, subject, opened, resolved) as one replica ingesting every node */
  agreement: { equal: boolean; findings: number; crossNode: number };
  failover: { ms: number; debounceIntervals: number; findingsEqualAfter: boolean };
  method: string;
}

interface Api {
  api: RunningApi;
  leader(): { role: string; since?: string };
  database: Database;
}

export async function benchReplicas(o: { seed: number; nodes: number; debounceMs: number }): Promise<ReplicaBenchResult> {
  const bundle = loadBundle();
  const shared = await freshDatabase('postgres');
  const single = await freshDatabase('postgres');
  const second = await bundle.createDatabase({ databaseUrl: shared.databaseUrl! });
  const env = { ROUTESCOPE_CHECKS_DEBOUNCE_MS: String(o.debounceMs), ROUTESCOPE_RETENTION_DAYS: '3650' };
  const started: Api[] = [];
  const start = async (database: Database): Promise<Api> => {
    const api = await startApi(database, env);
    const leadership = api.nest.get(bundle.ClusterLeadership);
    const entry = { api, database, leader: () => leadership.status() };
    started.push(entry);
    return entry;
  };
  try {
    const a = await start(shared);
    const b = await start(second);
    const reference = await start(single);
    const cluster = new SyntheticCluster({ seed: o.seed, nodes: o.nodes, podsPerNode: 5 });
    let last = 0;
    const round = async (k: number, target: (i: number) => Api, broken: (i: number) => boolean) => {
      for (let i = 0; i < o.nodes; i++) {
        const at = cluster.now + k * 60_000 + i;
        const body = withoutBlockRoute(cluster.snapshot(i, at), broken(i));
        await target(i).api.ingest(structuredClone(body));
        const { status } = await reference.api.ingest(structuredClone(body));
        // the leader's progress reaches the last instant at which some node's state changed
        if (status !== 'unchanged' && status !== 'duplicate') last = Math.max(last, at);
      }
    };
    // Round 0 healthy, round 1: every third node lost a route to another node's block.
    await round(0, (i) => (i % 2 === 0 ? a : b), () => false);
    await round(1, (i) => (i % 2 === 0 ? a : b), (i) => i % 3 === 0);
    const expected = await caughtUp(single, last);
    const replicas = await caughtUp(shared, last);
    const crossNode = expected.filter((f) => f.startsWith('cluster ')).length;
    const equal = JSON.stringify(expected) === JSON.stringify(replicas);
    log(`replicas: ${equal ? 'same' : 'DIFFERENT'} findings (${expected.length}, ${crossNode} cross-node) as one replica`);

    const [leader, follower] = a.leader().role === 'leader' ? [a, b] : [b, a];
    const endedAt = Date.now();
    await leader.database.withExecutor((sql) => sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`routescope cluster checks ${leader.api.nest.get(bundle.ClusterLeadership).replica}`]));
    let since: string | undefined;
    while (!since) {
      const status = follower.leader();
      if (status.role === 'leader') since = status.since;
      else if (Date.now() - endedAt > 60_000) throw new Error('replicas: no replica elected within 60 s of the leader session ending');
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const failoverMs = Math.max(0, Date.parse(since) - endedAt);
    // Round 2, every node posting to the new leader: the broken routes are back, others break.
    await round(2, () => follower, (i) => i % 3 === 1);
    const after = await caughtUp(single, last);
    const findingsEqualAfter = JSON.stringify(after) === JSON.stringify(await caughtUp(shared, last));
    log(`replicas: failover ${failoverMs} ms (${(failoverMs / o.debounceMs).toFixed(2)} debounce intervals), findings after it ${findingsEqualAfter ? 'same' : 'DIFFERENT'}`);
    return {
      nodes: o.nodes,
      debounceMs: o.debounceMs,
      agreement: { equal, findings: expected.length, crossNode },
      failover: { ms: failoverMs, debounceIntervals: Math.round((failoverMs / o.debounceMs) * 100) / 100, findingsEqualAfter },
      method: `libs/synth cluster of ${o.nodes} nodes; two API replicas (in one process, separate pools and leader sessions) on one PostgreSQL database ingest the even and the odd nodes, one replica ingests all on another; failover: the leader's lock session terminated by the server (pg_terminate_backend), as when its process dies`,
    };
  } finally {
    for (const s of started.reverse()) await s.api.close().catch(() => undefined);
    await second.close().catch(() => undefined);
    await shared.dispose();
    await single.dispose();
  }
}

/** A node lost one of its routes to another node's block (a cross-node finding). */
function withoutBlockRoute(snapshot: Snapshot, broken: boolean): Snapshot {
  const host = snapshot.namespaces.find((ns) => ns.kind === 'host');
  const index = host?.routes?.findIndex((r) => r.type !== 'blackhole' && r.gateway !== undefined && r.dst.endsWith('/26')) ?? -1;
  if (broken && index >= 0) host!.routes!.splice(index, 1);
  return snapshot;
}

/** The findings once the leader evaluated everything queued up to `until`. */
async function caughtUp(database: Database, until: number): Promise<string[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [{ queued, evaluatedUntil }] = await database.prisma.$queryRaw<Array<{ queued: number; evaluatedUntil: Date | null }>>`
      SELECT (SELECT count(*)::int FROM cluster_check_queue) AS queued, evaluated_until AS "evaluatedUntil" FROM cluster_checks_leader`;
    if (queued === 0 && evaluatedUntil && evaluatedUntil.getTime() >= until) break;
    if (Date.now() > deadline) throw new Error(`replicas: the leader did not evaluate up to ${new Date(until).toISOString()} within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const rows = await database.prisma.$queryRaw<Array<{ scope: string; rule: string; node: string; subject: string; openedAt: Date; resolvedAt: Date | null }>>`
    SELECT f.scope, f.rule, n.name AS node, f.subject, f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt"
    FROM finding f JOIN node n ON n.id = f.node_id ORDER BY f.scope, f.rule, n.name, f.subject, f.opened_at`;
  return rows.map((r) => `${r.scope} ${r.rule} ${r.node} ${r.subject} ${r.openedAt.toISOString()}–${r.resolvedAt?.toISOString() ?? ''}`);
}
