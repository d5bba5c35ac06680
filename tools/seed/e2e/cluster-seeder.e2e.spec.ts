import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkApi, ClusterSeeder, describeFailures, seedCluster, SeedError, type SeedReport } from '../src';
import { freePort, scratchDatabase, untilChecksIdle, type ScratchDatabase } from '@routescope/testing';
import { runSeedCommand, secret, startApi, testDatabaseKinds, type RunningApi } from './support/routescope-api';

// The seeder against the real API: the built bundle as its own process on a fresh database
// (once on PostgreSQL, once on embedded PGlite; ROUTESCOPE_TEST_DATABASES=pglite narrows it),
// real HTTP both ways, and what the seeder reports checked against what the API's GraphQL read
// side then shows. The tests of one database build on each other, in order.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const nodeName = (i: number) => `node-${String(i).padStart(5, '0')}`;

interface NodeView {
  name: string;
  status: string;
  stateVersion: number;
  firstSeenAt: string;
  lastSeenAt: string;
  reportingIntervalSeconds: number;
  coverage: Array<{ start: string; end: string; snapshots: number; lastSnapshotAt: string }>;
  gaps: Array<{ start: string; end: string }>;
}

const NODES_QUERY = `{
  nodes(first: 500) {
    totalCount
    edges { node { name status stateVersion firstSeenAt lastSeenAt reportingIntervalSeconds coverage { start end snapshots lastSnapshotAt } gaps { start end } } }
  }
}`;

/** Every node the API knows, by name. */
async function nodesOf(api: RunningApi): Promise<Map<string, NodeView>> {
  const data = await api.graphql<{ nodes: { totalCount: number; edges: Array<{ node: NodeView }> } }>(NODES_QUERY);
  expect(data.nodes.edges).toHaveLength(data.nodes.totalCount);
  return new Map(data.nodes.edges.map((e) => [e.node.name, e.node]));
}

/** The changes of every node recorded in (from, to] (nodes' first snapshots included), over all pages of clusterChanges. */
async function changesRecorded(api: RunningApi, from: number, to: number): Promise<number> {
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const page: { clusterChanges: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await api.graphql(
      'query($from: DateTime!, $to: DateTime!, $after: String) { clusterChanges(from: $from, to: $to, first: 1000, after: $after, includeFirstSeen: true) { edges { cursor } pageInfo { hasNextPage endCursor } } }',
      { from: new Date(from).toISOString(), to: new Date(to).toISOString(), after },
    );
    count += page.clusterChanges.edges.length;
    if (!page.clusterChanges.pageInfo.hasNextPage) return count;
    after = page.clusterChanges.pageInfo.endCursor;
  }
}

/** Every state the API took in has been evaluated by its checks (60 s at most). */
const checksSettled = (api: RunningApi) => untilChecksIdle(api.url);

interface OpenFinding {
  node: string;
  rule: string;
  subject: string;
}

/** The findings open now, every page. */
async function openFindings(api: RunningApi): Promise<OpenFinding[]> {
  const data = await api.graphql<{ findings: { edges: Array<{ node: OpenFinding }>; pageInfo: { hasNextPage: boolean } } }>(
    'query($at: DateTime) { findings(filter: { openAt: $at }, first: 1000) { edges { node { node rule subject } } pageInfo { hasNextPage } } }',
    { at: new Date().toISOString() },
  );
  expect(data.findings.pageInfo.hasNextPage).toBe(false);
  return data.findings.edges.map((e) => e.node);
}

const snapshotsOf = (node: NodeView) => node.coverage.reduce((sum, c) => sum + c.snapshots, 0);
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const accepted = (report: SeedReport) => sum(Object.values(report.statuses));
// the simulated outage's length: deliberate, the seeder must ride it out
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `[seed] posted 4 snapshots in 0.3 s (…): 2 changed, 2 unchanged; 17 fact changes recorded` */
function summaryOf(stdout: string): { posted: number; statuses: Record<string, number>; changes: number } {
  const m = /posted ([\d,]+) snapshots in [^:]*: (.*); ([\d,]+) fact changes recorded/.exec(stdout);
  if (!m) throw new Error(`no summary in:\n${stdout}`);
  const count = (text: string) => Number(text.replace(/,/g, ''));
  const statuses = Object.fromEntries(m[2].split(', ').map((part) => [part.split(' ')[1], count(part.split(' ')[0])]));
  return { posted: count(m[1]), statuses, changes: count(m[3]) };
}

for (const kind of testDatabaseKinds()) {
  describe(`seeding a synthetic cluster into the real API [${kind}]`, () => {
    let api: RunningApi;
    let database: ScratchDatabase | undefined;
    let dataDir: string;

    // The history the tests below seed: 4 nodes, 1 h at 10 min, so 7 snapshots per node.
    const N = 4;
    const INTERVAL = 10 * MINUTE;
    const TICKS = 7;
    const history = { nodes: N, podsPerNode: 2, hours: 1, intervalMs: INTERVAL };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'rs-seed-e2e-'));
      if (kind === 'postgres') database = await scratchDatabase('rs_seed_e2e');
      const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
      api = await startApi({ tokens, databaseUrl: database?.url, dataDir: join(dataDir, 'data') });
    }, 120_000);

    afterAll(async () => {
      await api?.stop();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }, 30_000);

    it('stops at once with a clear error when the API refuses the token, and stores nothing', async () => {
      const refused = async (token: string) => {
        const seeder = new ClusterSeeder({ api: api.url, token, nodes: N, podsPerNode: 1, hours: 24, intervalMs: 5 * MINUTE });
        const started = Date.now();
        const error = await seeder.seed().catch((e: unknown) => e);
        return { error: error as Error, ms: Date.now() - started };
      };

      const unknown = await refused(secret('unknown'));
      expect(unknown.error).toBeInstanceOf(SeedError);
      expect(unknown.error.message).toMatch(/^the API refused the token \(401 INVALID_TOKEN: .+\); it needs the ingest or admin scope$/);
      // A token that reads but may not ingest.
      const readOnly = await refused(api.tokens.read);
      expect(readOnly.error).toBeInstanceOf(SeedError);
      expect(readOnly.error.message).toMatch(/^the API refused the token \(403 INSUFFICIENT_SCOPE: .+\); it needs the ingest or admin scope$/);
      // 578 snapshots planned: refused on the first answer, not after retries or the rest
      expect(unknown.ms).toBeLessThan(3000);
      expect(readOnly.ms).toBeLessThan(3000);
      expect((await nodesOf(api)).size).toBe(0);
    });

    it('seeds N nodes with H hours of history: nodes lists exactly them, each with all its snapshots in one unbroken coverage', async () => {
      const now = Date.now();
      const report = await seedCluster({ api: api.url, token: api.tokens.ingest, ...history, now, concurrency: 2 });

      expect(report.failures).toEqual([]);
      expect(report.stopped).toBeUndefined();
      expect(report.posted).toBe(N * TICKS);
      expect(accepted(report)).toBe(N * TICKS);
      expect(report.statuses['created']).toBe(N);
      expect(report.statuses['duplicate']).toBeUndefined();

      const nodes = await nodesOf(api);
      expect([...nodes.keys()].sort()).toEqual(Array.from({ length: N }, (_, i) => nodeName(i)));
      for (let i = 0; i < N; i++) {
        const node = nodes.get(nodeName(i))!;
        // Each node's snapshots are staggered within the interval, one interval apart, the last at the end.
        const last = now - Math.floor((i * INTERVAL) / N);
        expect(Date.parse(node.lastSeenAt)).toBe(last);
        expect(Date.parse(node.firstSeenAt)).toBe(last - (TICKS - 1) * INTERVAL);
        expect(node.reportingIntervalSeconds).toBe(INTERVAL / 1000);
        expect(node.status).toBe('REPORTING');
        expect(node.coverage).toHaveLength(1);
        expect(node.coverage[0]).toMatchObject({ start: node.firstSeenAt, lastSnapshotAt: node.lastSeenAt, snapshots: TICKS });
        expect(node.gaps).toEqual([]);
      }
      // What the seeder reports is what the API answered: every snapshot that created or changed
      // a node moved its state version, and the fact changes it counted are those history lists.
      expect(sum([...nodes.values()].map((n) => n.stateVersion))).toBe((report.statuses['created'] ?? 0) + (report.statuses['changed'] ?? 0));
      expect(report.statuses['changed'] ?? 0).toBeGreaterThan(0);
      expect(await changesRecorded(api, now - 2 * HOUR, now + MINUTE)).toBe(report.changes);
    });

    it('the seeded cluster is healthy: once the checks have evaluated every state, no finding is open', async () => {
      await checksSettled(api);
      expect(await openFindings(api)).toEqual([]);
    });

    it('a re-run of the history into the same database is accepted without rewriting it: covered history answers unchanged or late, never 409', async () => {
      const before = await nodesOf(api);
      const report = await seedCluster({ api: api.url, token: api.tokens.ingest, ...history, concurrency: 1 });
      expect(report.failures).toEqual([]);
      expect(report.posted).toBe(N * TICKS);
      // Older than each node's head and inside its coverage: agreeing (unchanged) or kept aside (late);
      // only each node's newest snapshot of the re-run, after its head, can change its present.
      expect(Object.keys(report.statuses).filter((s) => !['unchanged', 'late', 'changed'].includes(s))).toEqual([]);
      expect(report.statuses['changed'] ?? 0).toBeLessThanOrEqual(N);

      const after = await nodesOf(api);
      for (const [name, node] of after) {
        const was = before.get(name)!;
        expect(node.firstSeenAt).toBe(was.firstSeenAt);
        expect(node.coverage).toHaveLength(1);
        expect(Date.parse(node.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(was.lastSeenAt));
      }
    });

    it('a re-run without history (`--hours 0`, here with the admin token) adds one snapshot per node, taken as it is sent, as reported', async () => {
      const before = await nodesOf(api);
      const started = Date.now();
      const run = await runSeedCommand(['--api', api.url, '--token', api.tokens.admin, '--nodes', String(N), '--pods', '2']);
      const ended = Date.now();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const summary = summaryOf(run.stdout);
      expect(summary.posted).toBe(N);
      expect(summary.statuses['created']).toBeUndefined();
      expect((summary.statuses['changed'] ?? 0) + (summary.statuses['unchanged'] ?? 0)).toBe(N);

      const after = await nodesOf(api);
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      let moved = 0;
      for (const [name, node] of after) {
        const was = before.get(name)!;
        expect(Date.parse(node.lastSeenAt)).toBeGreaterThanOrEqual(started);
        expect(Date.parse(node.lastSeenAt)).toBeLessThanOrEqual(ended);
        // seconds after the history's end: the same coverage goes on
        expect(node.coverage).toHaveLength(1);
        expect(snapshotsOf(node)).toBe(snapshotsOf(was) + 1);
        if (node.stateVersion > was.stateVersion) moved++;
        expect(node.stateVersion - was.stateVersion).toBeLessThanOrEqual(1);
      }
      expect(moved).toBe(summary.statuses['changed'] ?? 0);
      expect(await changesRecorded(api, started - 1, ended)).toBe(summary.changes);
    });

    it('with follow, keeps posting every node each interval until stopped', async () => {
      const before = await nodesOf(api);
      const seeder = new ClusterSeeder({ api: api.url, token: api.tokens.ingest, nodes: N, podsPerNode: 2, intervalMs: 1000 });
      const report = await seeder.seed();
      const stop = new AbortController();
      const ticks: number[] = [];
      await seeder.follow(stop.signal, (_, at) => {
        ticks.push(at);
        if (ticks.length === 2) stop.abort();
      });

      expect(report.failures).toEqual([]);
      expect(accepted(report)).toBe(3 * N);
      expect(ticks[1] - ticks[0]).toBeGreaterThanOrEqual(1000);
      const after = await nodesOf(api);
      expect(after.size).toBe(N);
      for (const [name, node] of after) {
        expect(snapshotsOf(node)).toBe(snapshotsOf(before.get(name)!) + 3);
        expect(Date.parse(node.lastSeenAt)).toBe(ticks[1]);
        expect(node.status).toBe('REPORTING');
      }
    });

    it('tells a Routescope API from a wrong --api path by its /readyz', async () => {
      await expect(checkApi(api.url)).resolves.toBeUndefined();
      await expect(checkApi(`${api.url}/api/v1`)).rejects.toThrow(`${api.url}/api/v1 answers, but has no /readyz: is it a Routescope API? (pass --api)`);
    });

    if (kind === 'postgres') {
      // Only PostgreSQL can be taken away from under a running API (PGlite lives inside it).
      it('retries snapshots the API failed on (500 while its database is away) and loses none', async () => {
        const interrupt = new AbortController();
        const logBefore = api.output().length;
        let outage: Promise<void> | undefined;
        let postedWhenBack: number | undefined;
        let done = 0;
        // Two more nodes of an 8-node cluster, a day of history: far more than the outage needs.
        const seeder = new ClusterSeeder({
          api: api.url,
          token: api.tokens.ingest,
          nodes: 8,
          range: { from: 4, to: 6 },
          podsPerNode: 1,
          hours: 24,
          intervalMs: 5 * MINUTE,
          concurrency: 1,
          progressEveryMs: 0,
          signal: interrupt.signal,
          onProgress: (p) => {
            done = p.posted;
            if (!outage && done >= 3) {
              outage = (async () => {
                await database!.takeOffline();
                await sleep(1200);
                await database!.bringOnline();
                postedWhenBack = done;
              })();
            }
            // a few more once it is back, then stop
            if (postedWhenBack !== undefined && done >= postedWhenBack + 3) interrupt.abort();
          },
        });
        const report = await seeder.seed();
        await outage;

        expect(report.failures).toEqual([]);
        expect(report.stopped).toBe('interrupted');
        // the API did fail a post — its access log has a 5xx for one (which layer met the outage
        // first varies: the token check answers 500, ingest 503, the REST filter 500) — and at
        // least one post waited out a backoff (500 ms first) and then went through
        expect(api.output().slice(logBefore)).toMatch(/"method":"POST","route":"\/api\/v1\/snapshots","status":5\d\d/);
        expect(Math.max(...report.latenciesMs)).toBeGreaterThanOrEqual(500);
        const nodes = await nodesOf(api);
        expect([...nodes.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5].map(nodeName));
        // a retried snapshot the API had stored after all would answer `duplicate`
        const stored = snapshotsOf(nodes.get(nodeName(4))!) + snapshotsOf(nodes.get(nodeName(5))!);
        expect(stored).toBe(report.posted - (report.statuses['duplicate'] ?? 0));
        expect(report.posted).toBeGreaterThanOrEqual(6);
      });
    }

    it('when the API stops mid-run: network errors, each after its retries, then it stops and says why', async () => {
      let stopping: Promise<void> | undefined;
      const seeder = new ClusterSeeder({
        api: api.url,
        token: api.tokens.ingest,
        nodes: 8,
        range: { from: 6, to: 8 },
        podsPerNode: 1,
        hours: 24,
        intervalMs: 5 * MINUTE,
        concurrency: 2,
        maxFailures: 2,
        progressEveryMs: 0,
        onProgress: (p) => {
          if (!stopping && p.posted >= 4) stopping = api.stop();
        },
      });
      const report = await seeder.seed();
      await stopping;

      expect(report.posted).toBeGreaterThanOrEqual(4);
      expect(report.stopped).toBe('2 snapshots failed');
      expect(report.failures.length).toBeGreaterThanOrEqual(2);
      expect(report.failures.length).toBeLessThanOrEqual(3);
      for (const failure of report.failures) {
        expect([nodeName(6), nodeName(7)]).toContain(failure.node);
        expect(failure).toMatchObject({ status: 'network', code: 'ECONNREFUSED', error: 'ECONNREFUSED' });
      }
      // 3 retries, 0.5 + 1 + 2 s apart, before giving a snapshot up
      expect(report.latenciesMs.filter((ms) => ms >= 3500).length).toBeGreaterThanOrEqual(report.failures.length);
      const described = describeFailures(report.failures).join('\n');
      expect(described).toMatch(/network error, e\.g\. node-0000[67] at .*: ECONNREFUSED\n {4}→ the API stopped answering: is it still running\?/);
    });
  });
}

describe('npm run seed -- --faults, against the real API [pglite]', () => {
  it('proxy-arp-off:3 opens exactly 3 findings, CALICO_PROXY_ARP on 3 nodes; the rest of the cluster stays healthy', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rs-seed-e2e-faults-'));
    const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
    const api = await startApi({ tokens, dataDir: join(dataDir, 'data') });
    try {
      const run = await runSeedCommand(['--api', api.url, '--token', tokens.ingest, '--nodes', '8', '--pods', '3', '--hours', '1', '--interval', '10m', '--faults', 'proxy-arp-off:3']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('[seed] faults: proxy-arp-off on 3 node(s)');
      await checksSettled(api);
      const open = await openFindings(api);
      expect(open.map((f) => f.rule)).toEqual(['CALICO_PROXY_ARP', 'CALICO_PROXY_ARP', 'CALICO_PROXY_ARP']);
      expect(new Set(open.map((f) => f.node)).size).toBe(3);
      for (const f of open) expect(f.subject).toMatch(/^veth:cali[0-9a-f]{11}$/);
    } finally {
      await api.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('an unknown fault or a bad count is refused before anything is posted (exit 2)', async () => {
    const token = secret('ingest');
    const [unknown, count] = await Promise.all([
      runSeedCommand(['--token', token, '--faults', 'proxy-arp-of:3']),
      runSeedCommand(['--token', token, '--faults', 'proxy-arp-off:-1']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^seed: --faults: unknown fault "proxy-arp-of"; known: proxy-arp-off, /);
    expect(count).toEqual({ code: 2, stdout: '', stderr: 'seed: --faults: proxy-arp-off: expected a count of 1 or more, got "-1"\n(npm run seed -- --help for the options)\n' });
  });
});

describe('seeding through the API rate limit [pglite]', () => {
  it('waits out each 429 for its Retry-After, and every snapshot is stored', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rs-seed-e2e-limit-'));
    const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
    // 8 snapshots per 5 s window for the ingest token, 3 nodes x 7 ticks = 21 snapshots: most meet a 429
    // first, and a wait longer than the seeder's own retries (0.5 + 1 + 2 s) before the window ends.
    const api = await startApi({ tokens, dataDir: join(dataDir, 'data'), env: { ROUTESCOPE_RATE_LIMIT_INGEST: '8', ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS: '5' } });
    try {
      const report = await seedCluster({ api: api.url, token: tokens.ingest, nodes: 3, podsPerNode: 1, hours: 1, intervalMs: 10 * MINUTE, concurrency: 4 });
      expect(report.failures).toEqual([]);
      expect(accepted(report)).toBe(21);
      const nodes = await nodesOf(api);
      expect(sum([...nodes.values()].map(snapshotsOf))).toBe(21);
    } finally {
      await api.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('npm run seed, before it reaches an API', () => {
  it('names the bad argument (exit 2), and where it looked when nothing answers (exit 1)', async () => {
    const token = secret('ingest');
    const emptyDataDir = await mkdtemp(join(tmpdir(), 'rs-seed-e2e-empty-'));
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    try {
      const [nodes, interval, noToken, unreachable] = await Promise.all([
        runSeedCommand(['--nodes', '0', '--token', token]),
        runSeedCommand(['--hours', '1', '--interval', 'soon', '--token', token]),
        runSeedCommand(['--nodes', '3'], { ROUTESCOPE_DATA_DIR: emptyDataDir }),
        runSeedCommand(['--api', nowhere, '--token', token, '--nodes', '3']),
      ]);
      expect(nodes).toEqual({ code: 2, stdout: '', stderr: 'seed: --nodes: expected a whole number from 1 to 8000, got "0"\n(npm run seed -- --help for the options)\n' });
      expect(interval.code).toBe(2);
      expect(interval.stderr).toMatch(/^seed: --interval: expected a duration such as 30s, 5m or 1h, got "soon"\n/);
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/^seed: --token: missing: pass --token, set \$ROUTESCOPE_INGEST_TOKEN, or start the API once with `npm start` so that it writes .*tokens\.json\n/);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toBe(`seed: cannot reach the API at ${nowhere} (ECONNREFUSED): start it (\`npm start\`) or pass --api\n`);
    } finally {
      await rm(emptyDataDir, { recursive: true, force: true });
    }
  });

  it('refuses a range outside the cluster before posting anything', () => {
    expect(() => new ClusterSeeder({ api: 'http://127.0.0.1:1', token: secret('ingest'), nodes: 5, range: { from: 3, to: 9 } })).toThrow(new SeedError("range [3, 9) is not within the cluster's 5 nodes"));
  });
});
