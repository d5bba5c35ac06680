import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';

// checkCapture over GraphQL on each database: pasted text in, coverage / findings / passed
// evidence out, nothing stored. Captures are real: the netlab's pod with an unanswered ARP
// (libs/checks/test/fixtures/text) and the frames tcpdump -e prints on the lab (TOOLCHAIN.md).

const FIXTURES = join(__dirname, '../../../../libs/checks/test/fixtures/text');

const HEALTHY_TCPDUMP = [
  '--- tcpdump -e -n -l -i calidd33ceb84a6',
  '12:00:01.000001 0a:58:ac:11:08:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 172.17.8.2, length 28',
  '12:00:01.000050 ee:ee:ee:ee:ee:ee > 0a:58:ac:11:08:02, ethertype ARP (0x0806), length 42: Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee, length 28',
  '12:00:01.000080 0a:58:ac:11:08:02 > ee:ee:ee:ee:ee:ee, ethertype IPv4 (0x0800), length 98: 172.17.8.2 > 10.99.0.11: ICMP echo request, id 1, seq 1, length 64',
  '12:00:01.000120 ee:ee:ee:ee:ee:ee > 0a:58:ac:11:08:02, ethertype IPv4 (0x0800), length 98: 10.99.0.11 > 172.17.8.2: ICMP echo reply, id 1, seq 1, length 64',
  '',
].join('\n');

const CHECK = `
  query($text: String!, $context: CaptureContextInput) {
    checkCapture(text: $text, context: $context) {
      nodes { node cni mode namespaces facts }
      coverage { headerLine command ns node format status reason }
      findings { rule scope severity title message node subject evidence lines }
      passed { rule scope severity message subject evidence lines }
      notChecked
      unreadable
    }
  }`;

interface Report {
  nodes: Array<{ node: string; cni: string; mode: string | null; namespaces: number; facts: number }>;
  coverage: Array<{ headerLine: number; command: string; ns: string; node: string | null; format: string | null; status: string; reason: string | null }>;
  findings: Array<{ rule: string; scope: string; severity: string; title: string; message: string; node: string; subject: string; evidence: Array<Record<string, unknown>>; lines: number[] }>;
  passed: Array<{ rule: string; scope: string; severity: string; message: string; subject: string; evidence: Array<Record<string, unknown>>; lines: number[] }>;
  notChecked: string[];
  unreadable: string | null;
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}

for (const kind of testDatabaseKinds()) {
  describe(`checkCapture [${kind}]`, () => {
    let t: ApiTestApp;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(async () => {
      await t?.close();
    });

    const check = async (text: string, context?: unknown, token?: string | null) =>
      t.graphql<{ checkCapture: Report }>(CHECK, { text, ...(context ? { context } : {}) }, token === undefined ? t.tokens.read : token);

    it('a healthy tcpdump -e of the pod’s ARP is passed evidence "proxy ARP verified", with the lines of its frames (ARP, then the first echo request and reply)', async () => {
      const report = dataOf(await check(HEALTHY_TCPDUMP)).checkCapture;
      expect(report.findings).toEqual([]);
      expect(report.passed).toEqual([
        expect.objectContaining({ rule: 'CALICO_PROXY_ARP_VERIFIED', scope: 'CAPTURE', severity: 'INFO', subject: 'veth:calidd33ceb84a6', lines: [2, 3, 4, 5] }),
      ]);
      expect(report.passed[0].message).toContain('Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on calidd33ceb84a6');
      expect(report.coverage).toEqual([expect.objectContaining({ headerLine: 1, command: 'tcpdump -e -n -l -i calidd33ceb84a6', ns: 'host', status: 'READ' })]);
      expect(report.nodes).toEqual([expect.objectContaining({ node: 'imported', cni: 'calico' })]);
      expect(report.unreadable).toBeNull();
    });

    it('a pasted node + pod capture gives its finding with evidence, and context names the pod', async () => {
      const text = readFileSync(join(FIXTURES, 'pod-arp-failed.capture.txt'), 'utf8');
      const context = { pods: [{ namespace: 'shop', name: 'web-1', ips: ['172.17.8.2'] }] };
      const report = dataOf(await check(text, context)).checkCapture;
      expect(report.findings.map((f) => [f.rule, f.scope, f.severity, f.node, f.subject])).toEqual([['CALICO_POD_GATEWAY_NEIGHBOR', 'NODE', 'ERROR', 'rk-node-a', 'pod:rk-pod-a1']]);
      expect(report.findings[0].message).toContain('Pod shop/web-1 (netns rk-pod-a1)');
      expect(report.findings[0].evidence).toContainEqual(expect.objectContaining({ ns: 'pod:rk-pod-a1', kind: 'neighbor', key: 'eth0|169.254.1.1' }));
      expect(report.nodes).toEqual([expect.objectContaining({ node: 'rk-node-a', cni: 'calico', mode: 'vxlan' })]);
      expect(report.coverage.every((c) => c.status === 'READ')).toBe(true);
    });

    it('stores nothing: no node appears in the history after a check', async () => {
      await check(readFileSync(join(FIXTURES, 'pod-arp-failed.capture.txt'), 'utf8'));
      const nodes = dataOf(await t.graphql<{ nodes: { edges: unknown[] } }>('{ nodes { edges { cursor } } }', {}, t.tokens.read));
      expect(nodes.nodes.edges).toEqual([]);
    });

    it('text with no readable section is a report saying why, not an error', async () => {
      const report = dataOf(await check('just some notes\nfrom a ticket\n')).checkCapture;
      expect(report.unreadable).toEqual(expect.any(String));
      expect(report.findings).toEqual([]);
    });

    it('more than 1 MiB of text is refused with PAYLOAD_TOO_LARGE, saying the limit', async () => {
      const response = await check(`--- ip route\n${'10.0.0.0/24 dev eth0 proto kernel scope link\n'.repeat(30_000)}`);
      expect(response.data).toBeNull();
      expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE', reason: 'CAPTURE_TOO_LARGE' } });
      expect(response.errors?.[0].message).toContain('exceed the limit of 1048576 bytes');
    });

    it.each([
      [{ ipPools: [{ name: 'p', cidr: '10.244.0.0/33', encapsulation: 'VXLAN' }] }, 'context.ipPools[0].cidr: "10.244.0.0/33" is not a CIDR'],
      [{ ipPools: [{ name: 'p', cidr: '10.244.0.0/16', encapsulation: 'IPIP', blockSize: 8 }] }, 'context.ipPools[0].blockSize: 8 is not a prefix length'],
      [{ nodes: [{ name: 'n1', internalIPs: ['10.0.0.300'] }] }, 'context.nodes[0].internalIPs[0]: "10.0.0.300" is not an IP address'],
      [{ blockAffinities: [{ cidr: 'x', node: 'n1' }] }, 'context.blockAffinities[0].cidr: "x" is not a CIDR'],
    ])('a bad context %j is BAD_USER_INPUT naming the field', async (context, message) => {
      const response = await check(HEALTHY_TCPDUMP, context);
      expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_CAPTURE_CONTEXT' } });
      expect(response.errors?.[0].message).toContain(message);
    });

    it('needs the read scope: no token is UNAUTHENTICATED, an ingest token FORBIDDEN', async () => {
      expect((await check(HEALTHY_TCPDUMP, undefined, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect((await check(HEALTHY_TCPDUMP, undefined, t.tokens.ingest)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });
}
