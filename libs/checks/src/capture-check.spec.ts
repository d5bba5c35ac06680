import { emptyEvidence, type CapturedFrame, type NetworkNamespace, type SectionCoverage } from '@routescope/snapshot';
import { lab } from '../test/fixtures';
import { checkCapture, type CaptureImportInput, type CaptureNodeInput } from './capture-check';

// checkCapture over hand-built imports in the shape of libs/snapshot's importCaptureNodes:
// namespaces from real lab captures, evidence as the tcpdump / calicoctl / kubectl readers give it.

const section = (headerLine: number, command: string, status: SectionCoverage['status'], extra: Partial<SectionCoverage> = {}): SectionCoverage => ({
  headerLine,
  command,
  ns: 'host',
  status,
  ...extra,
});

function node(nodeName: string | undefined, namespaces: NetworkNamespace[], extra: Partial<CaptureNodeInput> = {}): CaptureNodeInput {
  return { ...(nodeName ? { nodeName } : {}), namespaces, evidence: emptyEvidence(), coverage: [], ...extra };
}

const frame = (line: number, f: Partial<CapturedFrame>): CapturedFrame => ({ line, ns: 'host', interface: 'calidd33ceb84a6', ethertype: 'arp', ...f });
const healthyExchange = [
  frame(2, { srcMac: '0a:58:ac:11:08:02', dstMac: 'ff:ff:ff:ff:ff:ff', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '172.17.8.2' } }),
  frame(3, { srcMac: 'ee:ee:ee:ee:ee:ee', dstMac: '0a:58:ac:11:08:02', arp: { op: 'reply', targetIp: '169.254.1.1', resolvedMac: 'ee:ee:ee:ee:ee:ee' } }),
];

describe('checkCapture', () => {
  it('a two-node import runs the node rules per node and the cluster rules over both (a block route missing on node-a)', () => {
    const { a, b } = lab('remote-block-route-missing');
    const imported: CaptureImportInput = { nodes: [node('rk-node-a', a.namespaces), node('rk-node-b', b.namespaces)], coverage: [] };
    const report = checkCapture(imported);
    expect(report.findings.map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual(['CALICO_BLOCK_ROUTE_MISSING rk-node-a block:172.17.8.64/26']);
    expect(report.nodes).toEqual([
      { node: 'rk-node-a', cni: 'calico', mode: 'vxlan', namespaces: 3, facts: expect.any(Number) },
      { node: 'rk-node-b', cni: 'calico', mode: 'vxlan', namespaces: 3, facts: expect.any(Number) },
    ]);
    expect(report.nodes[0].facts).toBeGreaterThan(20);
    expect(report.passed).toEqual([]);
    expect(report.notChecked).toEqual([]);
  });

  it('a healthy tcpdump -e exchange is passed evidence, not a finding; a tcpdump-only capture is recognised as Calico by it', () => {
    const imported: CaptureImportInput = {
      nodes: [node(undefined, [{ kind: 'host', name: 'host' }], { evidence: { ...emptyEvidence(), frames: healthyExchange } })],
      coverage: [section(1, 'tcpdump -e -n -i calidd33ceb84a6', 'read', { format: 'tcpdump' })],
    };
    const report = checkCapture(imported);
    expect(report.findings).toEqual([]);
    expect(report.passed.map((f) => [f.rule, f.node, f.message])).toEqual([
      ['CALICO_PROXY_ARP_VERIFIED', 'imported', 'Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on calidd33ceb84a6 (asked by the pod with 172.17.8.2 on node imported).'],
    ]);
    expect(report.nodes).toEqual([{ node: 'imported', cni: 'calico', namespaces: 1, facts: 0 }]);
  });

  it('kubectl listings become context: the pod is named, and a single-node cluster has no BGP peers to miss', () => {
    const imported: CaptureImportInput = {
      nodes: [
        node('n1', [{ kind: 'host', name: 'host', routes: [{ family: 'inet', table: 'main', type: 'blackhole', dst: '192.168.5.0/26', protocol: 'bird', flags: [] }, { family: 'inet', table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'ens3', protocol: 'dhcp', flags: [] }] }], {
          evidence: { ...emptyEvidence(), frames: healthyExchange.map((f) => ({ ...f, arp: { ...f.arp!, ...(f.arp?.op === 'request' ? { senderIp: '192.168.5.7' } : {}) } })), calicoNodeStatus: { processRunning: true, peers: [], families: ['ipv4'] } },
        }),
      ],
      coverage: [],
      kubernetes: { pods: [{ line: 9, namespace: 'shop', name: 'web-1', ip: '192.168.5.7', node: 'n1' }], nodes: [{ line: 12, name: 'n1', internalIP: '10.0.0.11' }] },
    };
    const report = checkCapture(imported);
    expect(report.passed[0].message).toContain('pod shop/web-1 (192.168.5.7)');
    expect(report.findings).toEqual([]);
    // Two nodes listed: the same node's empty peer table is now a warning.
    const twoNodes = { ...imported, kubernetes: { ...imported.kubernetes!, nodes: [...imported.kubernetes!.nodes, { line: 13, name: 'n2', internalIP: '10.0.0.12' }] } };
    expect(checkCapture(twoNodes).findings.map((f) => f.rule)).toEqual(['CALICO_BGP_NO_PEERS']);
  });

  it('partial and unsupported sections, and host sections never captured, are said in notChecked', () => {
    const { a } = lab('healthy');
    const host = { ...a.namespaces[0], partial: ['routes' as const] };
    delete host.sysctls;
    const imported: CaptureImportInput = {
      nodes: [node('rk-node-a', [host, ...a.namespaces.slice(1)])],
      coverage: [section(1, 'ip route | grep cali', 'partial', { format: 'ip route', reason: 'filtered with grep' }), section(20, 'iptables-save', 'unsupported', { reason: 'not a format Routescope reads.' })],
    };
    const report = checkCapture(imported);
    expect(report.findings).toEqual([]);
    expect(report.notChecked).toEqual([
      '"ip route | grep cali" (line 1): partial (filtered with grep) — its facts are used, but nothing is concluded missing from it.',
      '"iptables-save" (line 20): not read — not a format Routescope reads.',
      'node rk-node-a: no host sysctls in the capture — proxy_arp, proxy_delay and ip_forward rules not applied.',
    ]);
  });

  it('ip monitor events of the capture run the history rules: a route deleted and re-added 3 times is ROUTE_FLAP', () => {
    const fact = { ns: 'host', kind: 'route' as const, key: 'main|inet|unicast|10.244.1.0/26|0', attrs: { family: 'inet', table: 'main', type: 'unicast', dst: '10.244.1.0/26', gateway: '10.0.0.12', dev: 'tunl0', protocol: 'bird' } };
    const monitorEvents = [1, 2, 3, 4, 5, 6].map((line) => ({ line, deleted: line % 2 === 1, fact }));
    const report = checkCapture({ nodes: [node('n1', [{ kind: 'host', name: 'host' }], { evidence: { ...emptyEvidence(), monitorEvents } })], coverage: [] });
    expect(report.findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(['ROUTE_FLAP route:host|main|inet|unicast|10.244.1.0/26|0']);
  });

  it('ip monitor events alone tell the CNI (neighbour events on cali veths)', () => {
    const fact = { ns: 'host', kind: 'neighbor' as const, key: 'cali0db61bfb821|10.233.82.189', attrs: { family: 'inet', dst: '10.233.82.189', dev: 'cali0db61bfb821', state: 'failed' } };
    const report = checkCapture({ nodes: [node(undefined, [{ kind: 'host', name: 'host' }], { evidence: { ...emptyEvidence(), monitorEvents: [{ line: 2, deleted: false, fact }] } })], coverage: [] });
    expect(report.nodes[0]).toMatchObject({ cni: 'calico' });
    expect(report.findings).toEqual([]);
  });

  it('a flannel node is reported as such, with a sentence that the Calico rules did not run', () => {
    const report = checkCapture({
      nodes: [node('f1', [{ kind: 'host', name: 'host', links: [{ ifindex: 4, name: 'flannel.1', kind: 'vxlan', mtu: 1450, flags: ['UP'] }], addresses: [{ dev: 'flannel.1', family: 'inet', local: '10.244.1.0', prefixlen: 32, scope: 'global', flags: [] }] }])],
      coverage: [],
    });
    expect(report.nodes[0]).toMatchObject({ node: 'f1', cni: 'flannel', mode: 'vxlan' });
    expect(report.notChecked).toEqual(['node f1: Calico was not detected (CNI: flannel), so the Calico rules were not run.']);
  });
});
