import type { AddressInfo } from 'node:net';
import type { Database } from '@routescope/db';
import { heartbeatFor, snapshotStateHash, type Snapshot } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { MetricsService } from './metrics.service';
import { freePort, parseExposition, until, type Exposition } from '@routescope/testing';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';

// GET /metrics scraped like Prometheus does, after real ingests over HTTP on a real database:
// the series exist, and their values moved by what the requests did.

/** A node reporting now (snapshots a few seconds old) or one that fell silent long ago. */
function calicoNode(node: string, takenAt: Date, seq: number, proxyArp = '1'): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [['calia1b2c3d4e5f', '172.17.8.2']] });
  host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: proxyArp } : s));
  return snapshot({ node, takenAt: takenAt.toISOString(), seq, namespaces: [host, podNamespace('cni-1', 'calia1b2c3d4e5f', '172.17.8.2')] });
}

for (const kind of testDatabaseKinds()) {
  describe(`GET /metrics [${kind}]`, () => {
    let t: ApiTestApp;
    let base: string;

    afterEach(() => t.close());

    async function start(env: Record<string, string> = {}) {
      t = await startApiTestApp(kind, { env });
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      base = `http://127.0.0.1:${port}`;
    }

    async function post(body: unknown, token: string | null = t.tokens.ingest, route = 'snapshots') {
      const response = await fetch(`${base}/api/v1/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { changes?: number } };
    }

    async function scrape(token?: string): Promise<Exposition> {
      const response = await fetch(`${base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
      return parseExposition(await response.text());
    }

    it('counts ingests by status and outcome, their latency, bytes and changed facts, and shows findings and nodes from the store', async () => {
      await start();
      const now = Date.now();
      const fresh = calicoNode('node-a', new Date(now - 20_000), 0, '0');
      const created = await post(fresh);
      expect(created.status).toBe(201);
      expect((await post(fresh)).status).toBe(200); // duplicate
      expect((await post(calicoNode('node-a', new Date(now - 10_000), 1, '0'))).status).toBe(200); // unchanged
      const beat = calicoNode('node-a', new Date(now - 5_000), 2, '0');
      expect((await post(heartbeatFor(beat, snapshotStateHash(beat)), t.tokens.ingest, 'heartbeats')).status).toBe(200); // heartbeat: unchanged
      expect((await post(calicoNode('node-b', new Date(now - 30 * 86400_000), 0))).status).toBe(201); // silent long ago
      expect((await post(fresh, null)).status).toBe(401);
      expect((await post({ node: 'x' })).status).toBe(400);
      await t.settled();
      expect((await t.graphql<unknown>('query NodeNames { nodes(first: 5) { edges { node { name } } } }')).errors).toBeUndefined();

      const m = await scrape();
      expect(m.value('routescope_ingest_requests_total', { code: '201', outcome: 'created' })).toBe(2);
      expect(m.value('routescope_ingest_requests_total', { code: '200', outcome: 'duplicate' })).toBe(1);
      expect(m.value('routescope_ingest_requests_total', { code: '200', outcome: 'unchanged' })).toBe(1);
      expect(m.value('routescope_ingest_requests_total', { code: '401' })).toBe(1);
      expect(m.value('routescope_heartbeats_total', { code: '200', outcome: 'unchanged' })).toBe(1);
      expect(m.samples.find((s) => s.name === 'routescope_ingest_requests_total' && s.labels.code === '400')?.labels.outcome).toMatch(/^[a-z_]+$/);
      expect(m.sum('routescope_ingest_duration_seconds_count')).toBe(6);
      expect(m.value('routescope_ingest_snapshot_bytes_count')).toBe(6);
      expect(m.value('routescope_ingest_snapshot_bytes_sum')).toBeGreaterThan(6 * 500);
      expect(m.value('routescope_ingest_facts_changed_total')).toBeGreaterThanOrEqual(created.body.changes!);

      // The gauges read the store: the same numbers as SQL gives.
      const database = t.app.get<Database>(DATABASE);
      const open = await database.prisma.$queryRaw<Array<{ rule: string; severity: string; n: bigint }>>`SELECT rule, severity, count(*) AS n FROM finding WHERE resolved_at IS NULL GROUP BY rule, severity`;
      expect(open.length).toBeGreaterThan(0);
      for (const row of open) expect(m.value('routescope_findings_open', { rule: row.rule, severity: row.severity })).toBe(Number(row.n));
      expect(m.value('routescope_nodes', { status: 'reporting' })).toBe(1);
      expect(m.value('routescope_nodes', { status: 'silent' })).toBe(1);
      expect(m.value('routescope_coverage_gaps')).toBe(0);
      expect(m.value('routescope_checks_backlog')).toBe(0);
      expect(m.value('routescope_checks_evaluating')).toBe(0);
      expect(m.value('routescope_checks_node_evaluations_total')).toBeGreaterThanOrEqual(2);
      expect(m.value('routescope_checks_evaluation_duration_seconds_count', { scope: 'node' })).toBe(m.value('routescope_checks_node_evaluations_total'));
      expect(m.value('routescope_checks_evaluation_duration_seconds_count', { scope: 'cluster' })).toBeGreaterThanOrEqual(1);
      expect(m.value('routescope_graphql_operation_duration_seconds_count', { operation: 'NodeNames', type: 'query' })).toBe(1);
      expect(m.types.get('routescope_api_process_resident_memory_bytes')).toBe('gauge');
      expect(m.types.get('routescope_api_nodejs_eventloop_lag_seconds')).toBe('gauge');
      if (kind === 'postgres') expect(m.value('routescope_db_pool_connections')).toBeGreaterThan(0);
    });

    it('counts rate-limited requests by route', async () => {
      await start({ ROUTESCOPE_RATE_LIMIT_INGEST: '1', ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS: '3600' });
      expect((await post(calicoNode('node-a', new Date(Date.now() - 1000), 0))).status).toBe(201);
      expect((await post(calicoNode('node-a', new Date(Date.now() - 500), 1))).status).toBe(429);
      const m = await scrape();
      expect(m.value('routescope_rate_limited_requests_total', { route: 'ingest' })).toBe(1);
      expect(m.value('routescope_ingest_requests_total', { code: '429', outcome: 'rate_limited' })).toBe(1);
    });

    it('requires ROUTESCOPE_METRICS_TOKEN as a bearer token when it is set', async () => {
      const token = 'metrics-token-0123456789abcdef';
      await start({ ROUTESCOPE_METRICS_TOKEN: token });
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${t.tokens.read}` } })).status).toBe(401);
      expect((await scrape(token)).types.get('routescope_ingest_requests_total')).toBe('counter');
    });

    it('serves /metrics only on ROUTESCOPE_METRICS_PORT when it is set', async () => {
      const port = await freePort();
      await start({ ROUTESCOPE_METRICS_PORT: String(port) });
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      await t.app.get(MetricsService).listenOnOwnPort('127.0.0.1');
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(parseExposition(await response.text()).types.get('routescope_findings_open')).toBe('gauge');
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    });

    it('counts open subscription sockets, down again when a client leaves', async () => {
      await start();
      const gauge = async () => (await scrape()).value('routescope_graphql_websocket_connections');
      const connections = (want: number) => until(`${want} open subscription socket(s)`, async () => ((await gauge()) === want ? true : undefined), 10_000, 50);
      const client = t.subscriptionClient();
      const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      const stop = client.subscribe({ query: 'subscription { changesRecorded { changes } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      await connected;
      await connections(1);
      stop();
      await client.dispose();
      await connections(0);
    });

    it('labels GraphQL operations past the name budget as other, and unnamed ones as anonymous', async () => {
      await start();
      await t.graphql('{ nodes(first: 1) { edges { node { name } } } }');
      for (let i = 0; i < 101; i++) await t.graphql(`query Q${i} { nodes(first: 1) { edges { node { name } } } }`);
      const m = await scrape();
      expect(m.value('routescope_graphql_operation_duration_seconds_count', { operation: 'anonymous' })).toBe(1);
      expect(m.value('routescope_graphql_operation_duration_seconds_count', { operation: 'other' })).toBe(1);
      expect(new Set(m.samples.filter((s) => s.name === 'routescope_graphql_operation_duration_seconds_count').map((s) => s.labels.operation)).size).toBe(102);
    });
  });
}
