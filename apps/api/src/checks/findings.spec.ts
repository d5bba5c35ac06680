import type { Database } from '@routescope/db';
import type { Snapshot } from '@routescope/snapshot';
import { until } from '@routescope/testing';
import { DATABASE } from '../database/database.module';
import { IngestService } from '../ingest/ingest.service';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';
import { FindingsEvaluator } from './findings-evaluator.service';

// Findings over time through the real ingest path and GraphQL, on each database: checks run
// after every changed ingest, in the background (t.ingest waits for them with
// FindingsEvaluator.settled(); IngestService alone does not), and findings are intervals
// (opened, still one row while they hold, resolved by the snapshot that cleared them).

const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const VETH = 'calia1b2c3d4e5f';

function nodeA(seconds: number, seq: number, options: { proxyArp?: string; gateway?: string } = {}): Snapshot {
  const host = hostNamespace({ ip: '10.0.0.11', gateway: options.gateway ?? '10.0.0.1', blocks: [['172.17.8.0/26', undefined]], veths: [[VETH, '172.17.8.2']] });
  if (options.proxyArp) host.sysctls = host.sysctls!.map((s) => (s.path.endsWith('/proxy_arp') ? { ...s, value: options.proxyArp! } : s));
  return snapshot({ node: 'node-a', takenAt: at(seconds), seq, namespaces: [host, podNamespace('cni-aaaa', VETH, '172.17.8.2')] });
}

interface FindingNode {
  node: string;
  rule: string;
  subject: string;
  severity: string;
  openedAt: string;
  resolvedAt: string | null;
  open: boolean;
  evidence: Array<{ kind: string; key: string; attrs: { value?: string } | null }>;
}

const FIELDS = 'node rule subject severity openedAt resolvedAt open evidence';

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}

for (const kind of testDatabaseKinds()) {
  describe(`findings over time [${kind}]`, () => {
    let t: ApiTestApp;
    beforeEach(async () => {
      t = await startApiTestApp(kind);
    });
    afterEach(() => t.close());

    const findings = async (filter: Record<string, unknown>) =>
      dataOf(await t.graphql<{ findings: { edges: Array<{ node: FindingNode }> } }>(`query($f: FindingFilter) { findings(filter: $f) { edges { node { ${FIELDS} } } } }`, { f: filter })).findings.edges.map((e) => e.node);

    const findingRows = async () => {
      const database = t.app.get<Database>(DATABASE);
      const rows = await database.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM finding`;
      return Number(rows[0].n);
    };

    it('a healthy Calico node has no findings, and the rule catalogue explains each rule', async () => {
      await t.ingest(nodeA(0, 0));
      expect(await findings({ openAt: at(1) })).toEqual([]);
      const rules = dataOf(await t.graphql<{ rules: Array<{ id: string; explanation: string; remediation: string }> }>('{ rules { id explanation remediation } }')).rules;
      expect(rules.find((r) => r.id === 'CALICO_PROXY_ARP')).toEqual({ id: 'CALICO_PROXY_ARP', explanation: expect.stringContaining('proxy'), remediation: expect.any(String) });
    });

    it('a pod veth without proxy_arp opens CALICO_PROXY_ARP at the snapshot’s time, keeps one row while it holds, and resolves when fixed', async () => {
      await t.ingest(nodeA(0, 0));
      await t.ingest(nodeA(30, 1, { proxyArp: '0' }));
      // Still broken, while something else changes: the same finding, not a new one.
      await t.ingest(nodeA(60, 2, { proxyArp: '0', gateway: '10.0.0.254' }));
      const open = await findings({ openAt: at(61) });
      expect(open).toEqual([
        expect.objectContaining({ node: 'node-a', rule: 'CALICO_PROXY_ARP', subject: expect.stringContaining(VETH), openedAt: at(30), resolvedAt: null, open: true }),
      ]);
      expect(open[0].evidence).toContainEqual(expect.objectContaining({ kind: 'sysctl', key: `net/ipv4/conf/${VETH}/proxy_arp`, attrs: { value: '0' } }));
      expect(await findingRows()).toBe(1);

      await t.ingest(nodeA(90, 3, { gateway: '10.0.0.254' }));
      expect(await findings({ openAt: at(91) })).toEqual([]);
      expect(await findings({ openAt: at(45) })).toEqual([expect.objectContaining({ rule: 'CALICO_PROXY_ARP', resolvedAt: at(90), open: false })]);
      expect(await findings({ from: at(0), to: at(20) })).toEqual([]);
      expect((await findings({ from: at(80), to: at(200) })).map((f) => f.rule)).toEqual(['CALICO_PROXY_ARP']);
      expect(await findingRows()).toBe(1);

      const nodeFindings = dataOf(
        await t.graphql<{ node: { findings: Array<{ rule: string }> } }>('query($at: DateTime) { node(name: "node-a") { findings(openAt: $at) { rule } } }', { at: at(45) }),
      ).node.findings;
      expect(nodeFindings.map((f) => f.rule)).toEqual(['CALICO_PROXY_ARP']);
    });

    it('ingest answers before the checks ran; settled() resolves once their findings are written', async () => {
      const ingest = t.app.get(IngestService);
      const evaluator = t.app.get(FindingsEvaluator);
      await t.ingest(nodeA(0, 0));
      const before = evaluator.stats();
      expect(await ingest.ingest(nodeA(30, 1, { proxyArp: '0' }))).toMatchObject({ status: 'changed' });
      // Handed over, not evaluated yet: the evaluation needs the database, ingest did not wait for it.
      expect(evaluator.stats()).toMatchObject({ received: before.received + 1, nodeEvaluations: before.nodeEvaluations, running: true });
      await evaluator.settled();
      expect(evaluator.stats()).toMatchObject({ nodeEvaluations: before.nodeEvaluations + 1, clusterEvaluations: before.clusterEvaluations + 1, pending: 0, running: false, failures: 0 });
      expect(await findings({ openAt: at(31) })).toEqual([expect.objectContaining({ rule: 'CALICO_PROXY_ARP', openedAt: at(30), open: true })]);
    });

    it('filters by node, rule and severity, and rejects an inverted window', async () => {
      await t.ingest(nodeA(0, 0, { proxyArp: '0' }));
      expect((await findings({ rule: 'CALICO_PROXY_ARP', node: 'node-a', severity: ['ERROR'] })).length).toBe(1);
      expect(await findings({ severity: ['INFO'] })).toEqual([]);
      expect(await findings({ node: 'node-b' })).toEqual([]);
      const bad = await t.graphql(`query { findings(filter: { from: "${at(10)}", to: "${at(0)}" }) { edges { cursor } } }`);
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('findingChanged tells subscribers when a finding opens', async () => {
      await t.ingest(nodeA(0, 0));
      const client = t.subscriptionClient();
      const events: unknown[] = [];
      const done = new Promise<void>((resolve, reject) => {
        client.subscribe(
          { query: 'subscription { findingChanged(node: "node-a") { change node rule subject } }' },
          { next: (value) => (events.push(value.data), resolve()), error: reject, complete: () => resolve() },
        );
      });
      await until('the findingChanged subscription to be live', () => t.subscriptions('findingChanged') > 0 || undefined, 10_000, 10);
      // The event follows the background evaluation, after ingest answered.
      await t.app.get(IngestService).ingest(nodeA(30, 1, { proxyArp: '0' }));
      await done;
      expect(events).toEqual([{ findingChanged: { change: 'OPENED', node: 'node-a', rule: 'CALICO_PROXY_ARP', subject: expect.stringContaining(VETH) } }]);
    });
  });
}
