import { until } from '@routescope/testing';
import { createApiApplication } from '../api-application';
import { loadApiConfig } from '../config/api-config';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { ProbeEvents } from './probe-events';
import { ProbesService } from './probes.service';
import { proxyArpResult, ProbeRunnerClient } from '../../test/probe-runner-client';

// The probe channel end to end inside one real API (real HTTP, real PGlite and PostgreSQL): a
// client speaking the collector's protocol (apps/api/test/probe-runner-client.ts) long-polls and posts
// results built from real netlab tcpdump output; GraphQL asks for probes and reads them back.

const POD = 'cni-1';
const VETH = 'calia1b2c3d4e5f';
const PROBE_FIELDS = 'id node pod kind target state verdict reason requestedBy requestedAt dispatchedAt finishedAt stateVersionAt snapshotTakenAt ping { sent received } captures { point device lines frames }';
const REQUEST = `mutation($input: RequestProbeInput!) { requestProbe(input: $input) { ${PROBE_FIELDS} } }`;
const PROBE = `query($id: ID!) { probe(id: $id) { ${PROBE_FIELDS} } }`;

interface ProbeView {
  id: string;
  node: string;
  pod: string;
  kind: string;
  target: string | null;
  state: string;
  verdict: string | null;
  reason: string | null;
  requestedBy: string;
  dispatchedAt: string | null;
  finishedAt: string | null;
  stateVersionAt: number | null;
  ping: { sent: number; received: number } | null;
  captures: Array<{ point: string; device: string; lines: string[]; frames: Array<{ srcMac?: string; arp?: { op: string; resolvedMac?: string } }> }>;
}

for (const kind of testDatabaseKinds()) {
  describe(`live probes [${kind}]`, () => {
    let api: ApiTestApp;
    let base: string;
    let runner: ProbeRunnerClient;

    beforeAll(async () => {
      api = await startApiTestApp(kind, { env: { ROUTESCOPE_PROBE_QUEUE_SECONDS: '2' } });
      base = await api.app.getUrl();
      runner = new ProbeRunnerClient(base.replace('[::1]', '127.0.0.1'), api.tokens.admin);
      const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [[VETH, '172.17.8.2']] });
      for (const node of ['node-a', 'node-b', 'node-c', 'node-d']) {
        await api.ingest(snapshot({ node, takenAt: new Date(Date.now() - 60_000).toISOString(), seq: 1, namespaces: [host, podNamespace(POD, VETH, '172.17.8.2')] }));
      }
    });
    afterAll(() => api.close());

    async function request(input: Record<string, unknown>, token = api.tokens.admin) {
      return api.graphql<{ requestProbe: ProbeView }>(REQUEST, { input }, token);
    }
    async function probe(id: string): Promise<ProbeView> {
      const response = await api.graphql<{ probe: ProbeView }>(PROBE, { id });
      return response.data!.probe;
    }
    it('a collector already waiting gets the job requested meanwhile, and its verified result is stored with the frames', async () => {
      const waiting = runner.next('node-a', 20);
      // the long-poll is open before the request: the job must wake it, not a later poll
      await until('the long-poll to be open', () => (api.app.get(ProbeEvents).waiting > 0 ? true : undefined), 15_000, 50);
      const requested = await request({ node: 'node-a', pod: POD, kind: 'PROXY_ARP' });
      expect(requested.errors).toBeUndefined();
      expect(requested.data!.requestProbe).toMatchObject({ node: 'node-a', pod: POD, kind: 'PROXY_ARP', target: null, state: 'QUEUED', verdict: null, requestedBy: 'env-admin', stateVersionAt: 1 });
      const { status, job } = await waiting;
      expect(status).toBe(200);
      expect(job).toEqual({ id: requested.data!.requestProbe.id, kind: 'proxy-arp', node: 'node-a', pod: POD, timeoutMs: 3000, maxPackets: 5 });
      expect((await probe(job!.id)).state).toBe('DISPATCHED');

      expect((await runner.post(job!.id, proxyArpResult(job!, 'healthy', VETH))).status).toBe(204);
      const done = await probe(job!.id);
      expect(done).toMatchObject({ state: 'DONE', verdict: 'VERIFIED', ping: { sent: expect.any(Number), received: expect.any(Number) } });
      expect(done.ping!.received).toBeGreaterThan(0);
      const veth = done.captures.find((c) => c.point === 'host-veth')!;
      expect(veth.device).toBe(VETH);
      expect(veth.lines[1]).toContain('Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
      expect(veth.frames.some((f) => f.arp?.op === 'reply' && f.arp.resolvedMac === 'ee:ee:ee:ee:ee:ee')).toBe(true);
    });

    it('answers 204 when no job arrives within the wait, and refuses a bad node or wait naming the field', async () => {
      expect((await runner.next('node-b', 0)).status).toBe(204);
      expect(await runner.next('Not_A_Node', 1)).toMatchObject({ status: 400, body: { error: 'INVALID_PROBE_REQUEST', message: expect.stringMatching(/^node: /) } });
      expect(await runner.next('node-b', 31)).toMatchObject({ status: 400, body: { error: 'INVALID_PROBE_REQUEST', message: expect.stringMatching(/^wait: /) } });
    });

    it('refuses requests for unknown nodes and pods, bad targets, and tokens without the probe scopes', async () => {
      const codeAndMessage = (r: Awaited<ReturnType<typeof request>>) => [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.message];
      expect(codeAndMessage(await request({ node: 'node-z', pod: POD, kind: 'PROXY_ARP' }))).toEqual(['BAD_USER_INPUT', 'node: no node called "node-z" has reported']);
      expect(codeAndMessage(await request({ node: 'node-b', pod: 'cni-9', kind: 'PROXY_ARP' }))).toEqual([
        'BAD_USER_INPUT',
        'pod: node node-b has no pod network namespace "cni-9" in its current state (its pods: cni-1)',
      ]);
      expect(codeAndMessage(await request({ node: 'node-b', pod: POD, kind: 'PATH', target: 'db.example' }))).toEqual(['BAD_USER_INPUT', 'target: "db.example" is not an IP address literal (IPv4 or IPv6)']);
      expect(codeAndMessage(await request({ node: 'node-b', pod: POD, kind: 'PATH' }))).toEqual(['BAD_USER_INPUT', 'target: a path probe needs a target IP address']);
      expect(codeAndMessage(await request({ node: 'node-b', pod: POD, kind: 'PROXY_ARP', target: '10.0.0.1' }))).toEqual(['BAD_USER_INPUT', 'target: a proxy-arp probe takes no target (it pings the node from the pod)']);
      expect((await request({ node: 'node-b', pod: POD, kind: 'PROXY_ARP' }, api.tokens.read)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await new ProbeRunnerClient(base, api.tokens.read).next('node-b', 0)).body).toMatchObject({ error: 'INSUFFICIENT_SCOPE' });
      const listed = await api.graphql<{ probes: { edges: unknown[] } }>('{ probes(filter: {node: "node-b"}) { edges { node { id } } } }');
      expect(listed.data!.probes.edges).toEqual([]);
    });

    it('runs one probe at a time per node, and checks results against the contract and the probe state', async () => {
      const first = (await request({ node: 'node-b', pod: POD, kind: 'PROXY_ARP' })).data!.requestProbe;
      const second = await request({ node: 'node-b', pod: POD, kind: 'PATH', target: '10.0.0.12' });
      expect(second.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', reason: 'PROBE_BUSY' } });
      expect(second.errors?.[0]?.message).toContain(`node node-b is already running a probe (${first.id}, proxy-arp of ${POD}, queued)`);
      const job = { id: first.id, kind: 'proxy-arp' as const, node: 'node-b', pod: POD, timeoutMs: 3000, maxPackets: 5 };
      // queued, not dispatched yet: a result is refused
      expect(await runner.post(first.id, proxyArpResult(job, 'healthy'))).toMatchObject({ status: 409, body: { error: 'PROBE_NOT_DISPATCHED' } });
      expect((await runner.next('node-b', 1)).job?.id).toBe(first.id);
      const { verdict: _verdict, ...withoutVerdict } = proxyArpResult(job, 'healthy');
      expect(await runner.post(first.id, withoutVerdict)).toMatchObject({ status: 400, body: { error: 'INVALID_PROBE_RESULT', message: expect.stringContaining('verdict: '), details: [expect.objectContaining({ path: 'verdict' })] } });
      expect(await runner.post(first.id, { ...proxyArpResult(job, 'healthy'), pod: 'cni-2' })).toMatchObject({ status: 400, body: { error: 'INVALID_PROBE_RESULT', message: expect.stringMatching(/^pod: /) } });
      expect((await probe(first.id)).state).toBe('DISPATCHED');
      expect(await runner.post('4b7e0b7a-0000-4000-8000-000000000000', proxyArpResult(job, 'healthy'))).toMatchObject({ status: 404, body: { error: 'PROBE_NOT_FOUND' } });
      expect((await runner.post(first.id, proxyArpResult(job, 'healthy'))).status).toBe(204);
      expect(await runner.post(first.id, proxyArpResult(job, 'healthy'))).toMatchObject({ status: 409, body: { error: 'PROBE_NOT_DISPATCHED', message: expect.stringContaining('already has one') } });
      // done: the node is free again
      expect((await request({ node: 'node-b', pod: POD, kind: 'PATH', target: '10.0.0.12' })).data!.requestProbe.state).toBe('QUEUED');
    });

    it('a failed proxy-arp probe opens PROBE_PROXY_ARP_FAILED on the pod with its frames, the next verified one resolves it', async () => {
      const run = async (scene: 'proxy-arp-off' | 'healthy') => {
        const id = (await request({ node: 'node-c', pod: POD, kind: 'PROXY_ARP' })).data!.requestProbe.id;
        const { job } = await runner.next('node-c', 5);
        expect(job?.id).toBe(id);
        expect((await runner.post(id, proxyArpResult(job!, scene, VETH))).status).toBe(204);
        return id;
      };
      const FINDINGS = '{ findings(filter: {node: "node-c", rule: "PROBE_PROXY_ARP_FAILED"}) { edges { node { scope subject open message evidence } } } }';
      type FindingView = { scope: string; subject: string; open: boolean; message: string; evidence: Array<{ kind: string; key: string; attrs: Record<string, unknown> }> };
      const findings = async () => (await api.graphql<{ findings: { edges: Array<{ node: FindingView }> } }>(FINDINGS)).data!.findings.edges.map((e) => e.node);

      const failed = await run('proxy-arp-off');
      expect((await probe(failed)).verdict).toBe('NO_ARP_REPLY');
      const [opened] = await findings();
      expect(opened).toMatchObject({ scope: 'PROBE', subject: `pod:${POD}`, open: true });
      expect(opened!.message).toContain(`probe ${failed}`);
      expect(opened!.evidence[0]).toMatchObject({ kind: 'probe', key: failed, attrs: { verdict: 'no-arp-reply' } });
      const frames = opened!.evidence.filter((e) => e.kind === 'frame');
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.every((f) => (f.attrs['arp'] as { op?: string } | undefined)?.op !== 'reply')).toBe(true);

      await run('healthy');
      expect(await findings()).toEqual([expect.objectContaining({ subject: `pod:${POD}`, open: false })]);
    });

    it('announces each state change on probeUpdated, and gives up on probes nobody takes or answers', async () => {
      const client = api.subscriptionClient();
      const seen: string[] = [];
      const requested = (await request({ node: 'node-d', pod: POD, kind: 'PROXY_ARP' })).data!.requestProbe;
      client.subscribe<{ probeUpdated: { id: string; state: string } }>(
        { query: 'subscription($id: ID) { probeUpdated(id: $id) { id state } }', variables: { id: requested.id } },
        { next: (r) => r.data && seen.push(r.data.probeUpdated.state), error: () => undefined, complete: () => undefined },
      );
      // ROUTESCOPE_PROBE_QUEUE_SECONDS=2: nobody pulls it, it expires, the node is free again
      const expired = await until('the probe to expire', async () => {
        const read = await probe(requested.id);
        return read.state === 'EXPIRED' ? read : undefined;
      }, 15_000, 50);
      expect(expired.reason).toBe('no collector of the node asked for it in time');
      await until('the EXPIRED event', () => (seen.includes('EXPIRED') ? true : undefined), 15_000, 50);

      const taken = (await request({ node: 'node-d', pod: POD, kind: 'PROXY_ARP' })).data!.requestProbe;
      expect((await runner.next('node-d', 1)).job?.id).toBe(taken.id);
      // the collector never answers: past its timeout and the margin it is collector-unreachable
      await api.app.get(ProbesService).expireOverdue(new Date(Date.now() + 60_000));
      expect(await probe(taken.id)).toMatchObject({ state: 'COLLECTOR_UNREACHABLE', reason: 'the collector took the probe but sent no result in time' });

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/routescope_probes_finished_total\{kind="proxy-arp",state="expired",verdict=""\} 1/);
      expect(metrics).toMatch(/routescope_probes_finished_total\{kind="proxy-arp",state="collector-unreachable",verdict=""\} 1/);
      expect(metrics).toMatch(/routescope_probe_dispatch_seconds_count\{kind="proxy-arp"\} [1-9]/);
    });
  });
}

describe('live probes across two API replicas (Redis fan-out)', () => {
  // Two replicas on one PGlite database (one in-process instance, as in events/redis-fanout.spec.ts),
  // their events through Redis (ROUTESCOPE_TEST_REDIS_URL, default redis://127.0.0.1:6379): a
  // collector long-polling replica B gets the job requested on replica A, and B heard of it
  // through Redis (B's in-process PubSub alone never hears what A publishes), not only through
  // its periodic second look.
  const REDIS_URL = process.env['ROUTESCOPE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  it('a request on replica A wakes the long-poll held by replica B', async () => {
    const prefix = `rs-test-probes-${Date.now().toString(36)}`;
    const a = await startApiTestApp('pglite', { env: { ROUTESCOPE_REDIS_URL: REDIS_URL, ROUTESCOPE_REDIS_PREFIX: prefix } });
    const b = (
      await createApiApplication(
        loadApiConfig({ ROUTESCOPE_ADMIN_TOKEN: a.tokens.admin, ROUTESCOPE_LOG_LEVEL: 'error', ROUTESCOPE_REDIS_URL: REDIS_URL, ROUTESCOPE_REDIS_PREFIX: prefix, ROUTESCOPE_RETENTION_DAYS: '3650' }),
        a.app.get(DATABASE),
      )
    ).app;
    try {
      await b.listen(0, '127.0.0.1');
      const host = hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [[VETH, '172.17.8.2']] });
      await a.ingest(snapshot({ node: 'node-r', takenAt: new Date(Date.now() - 60_000).toISOString(), seq: 1, namespaces: [host, podNamespace(POD, VETH, '172.17.8.2')] }));
      const onB = new ProbeRunnerClient((await b.getUrl()).replace('[::1]', '127.0.0.1'), a.tokens.admin);
      const waiting = onB.next('node-r', 20);
      const bEvents = b.get(ProbeEvents);
      await until('the long-poll to be open on B', () => (bEvents.waiting > 0 ? true : undefined), 10_000, 20);
      const requested = await a.graphql<{ requestProbe: { id: string } }>(REQUEST, { input: { node: 'node-r', pod: POD, kind: 'PROXY_ARP' } }, a.tokens.admin);
      const { status, job } = await waiting;
      expect({ status, id: job?.id }).toEqual({ status: 200, id: requested.data!.requestProbe.id });
      expect(bEvents.received).toBe(1);
      const metricsOfB = await (await fetch(`${(await b.getUrl()).replace('[::1]', '127.0.0.1')}/metrics`)).text();
      expect(metricsOfB).toMatch(/routescope_probe_dispatch_seconds_count\{kind="proxy-arp"\} 1/);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
