import fc from 'fast-check';
import type { CalicoNodeStatus, CapturedFrame, CaptureEvidence, MonitorEvent, SectionCoverage } from '@routescope/snapshot';
import type { CniDetection } from './check-types';
import { checkCaptureEvidence, monitorChanges } from './capture-evidence-rules';
import { checkHistory } from './history-rules';

// Hand-built evidence in the shape libs/snapshot's tcpdump / calicoctl / ip monitor readers
// produce (capture-evidence.ts). The frames are those the netlab prints (TOOLCHAIN.md).

const POD_MAC = '0a:58:ac:11:08:02';
const VETH = 'calidd33ceb84a6';
let line = 0;

function arpRequest(extra: Partial<CapturedFrame> = {}): CapturedFrame {
  return {
    line: ++line,
    ns: 'host',
    interface: VETH,
    srcMac: POD_MAC,
    dstMac: 'ff:ff:ff:ff:ff:ff',
    ethertype: 'arp',
    arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '172.17.8.2' },
    ...extra,
  };
}

function arpReply(mac: string, extra: Partial<CapturedFrame> = {}): CapturedFrame {
  return { line: ++line, ns: 'host', interface: VETH, srcMac: mac, dstMac: POD_MAC, ethertype: 'arp', arp: { op: 'reply', targetIp: '169.254.1.1', resolvedMac: mac }, ...extra };
}

function icmp(srcMac: string, dstMac: string, src = '172.17.8.2', dst = '10.99.0.11'): CapturedFrame {
  const icmpType = srcMac === 'ee:ee:ee:ee:ee:ee' ? 'echo-reply' : 'echo-request';
  return { line: ++line, ns: 'host', interface: VETH, srcMac, dstMac, ethertype: 'ipv4', ip: { src, dst, proto: 'icmp', icmp: icmpType } };
}

function evidence(frames: CapturedFrame[], extra: Partial<CaptureEvidence> = {}): CaptureEvidence {
  return { frames, monitorEvents: [], ...extra };
}

const tcpdumpSection = (status: SectionCoverage['status']): SectionCoverage[] => [
  { headerLine: 0, command: `tcpdump -e -n -i ${VETH}`, ns: 'host', format: 'tcpdump', status, ...(status === 'partial' ? { reason: 'filtered with grep' } : {}) },
];

const check = (ev: CaptureEvidence, more: Partial<Parameters<typeof checkCaptureEvidence>[0]> = {}) => checkCaptureEvidence({ node: 'node-a', evidence: ev, ...more });
const rules = (result: ReturnType<typeof check>) => result.findings.map((f) => `${f.rule} ${f.subject}`);

describe('ARP for 169.254.1.1 in tcpdump -e frames', () => {
  it('a request answered is-at ee:ee:ee:ee:ee:ee is passed evidence "proxy ARP verified" on the veth, and no finding', () => {
    const result = check(evidence([arpRequest(), arpReply('ee:ee:ee:ee:ee:ee'), icmp(POD_MAC, 'ee:ee:ee:ee:ee:ee'), icmp('ee:ee:ee:ee:ee:ee', POD_MAC, '10.99.0.11', '172.17.8.2')]));
    expect(result.findings).toEqual([]);
    expect(result.passed).toHaveLength(1);
    expect(result.passed[0]).toMatchObject({ rule: 'CALICO_PROXY_ARP_VERIFIED', severity: 'info', subject: `veth:${VETH}`, node: 'node-a' });
    expect(result.passed[0].message).toContain(`Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on ${VETH}`);
    // request, reply, then the pod's first echo request and its reply: the whole exchange, with lines
    expect(result.passed[0].evidence.map((e) => e.kind)).toEqual(['frame', 'frame', 'frame', 'frame']);
    expect(result.passed[0].evidence.map((e) => e.line)).toEqual([line - 3, line - 2, line - 1, line]);
    expect(result.passed[0].evidence[1].attrs).toMatchObject({ arp: { op: 'reply', resolvedMac: 'ee:ee:ee:ee:ee:ee' } });
    expect(result.passed[0].evidence[3].attrs).toMatchObject({ ip: { icmp: 'echo-reply' } });
  });

  it('the request repeated with no reply is CALICO_ARP_UNANSWERED naming the likely host-side causes', () => {
    const result = check(evidence([arpRequest(), arpRequest(), arpRequest()]), { coverage: tcpdumpSection('read') });
    expect(rules(result)).toEqual([`CALICO_ARP_UNANSWERED veth:${VETH}`]);
    expect(result.findings[0].severity).toBe('error');
    expect(result.findings[0].message).toContain('3 times');
    expect(result.findings[0].message).toContain('proxy_arp');
    expect(result.findings[0].evidence).toHaveLength(3);
    expect(result.passed).toEqual([]);
  });

  it('with the node’s facts in the same capture, the unanswered ARP names the host-side cause found (proxy_arp off on that veth)', () => {
    const proxyArpOff = {
      rule: 'CALICO_PROXY_ARP',
      severity: 'error' as const,
      title: 'Proxy ARP is off on a pod’s host veth',
      message: '…',
      node: 'node-a',
      subject: `veth:${VETH}`,
      evidence: [{ node: 'node-a', ns: 'host', kind: 'sysctl' as const, key: `net/ipv4/conf/${VETH}/proxy_arp`, attrs: { value: '0' } }],
    };
    const result = check(evidence([arpRequest(), arpRequest()]), { nodeFindings: [proxyArpOff, { ...proxyArpOff, subject: 'veth:caliother000' }] });
    expect(result.findings[0].message).toContain('the capture shows why: CALICO_PROXY_ARP.');
    expect(result.findings[0].evidence.map((e) => e.kind)).toEqual(['frame', 'frame', 'sysctl']);
  });

  it('a single unanswered request (the capture may have ended before the reply) is not a finding', () => {
    expect(check(evidence([arpRequest()])).findings).toEqual([]);
  });

  it('unanswered requests in a filtered (partial) tcpdump section prove nothing: the replies may have been grep’d away', () => {
    expect(check(evidence([arpRequest(), arpRequest()]), { coverage: tcpdumpSection('partial') }).findings).toEqual([]);
  });

  it.each([`tcpdump -e -n -i ${VETH} arp and src host 172.17.8.2`, `tcpdump -e -n -i ${VETH} 'arp[6:2] = 1'`, `tcpdump -e -n -Q in -i ${VETH} arp`])(
    'unanswered requests under a capture filter that can drop replies (%s) prove nothing',
    (command) => {
      const coverage: SectionCoverage[] = [{ headerLine: 0, command, ns: 'host', format: 'tcpdump', status: 'read' }];
      expect(check(evidence([arpRequest(), arpRequest()]), { coverage }).findings).toEqual([]);
    },
  );

  it('a capture filter on the pod’s host (both directions) still proves the missing reply', () => {
    const coverage: SectionCoverage[] = [{ headerLine: 0, command: `tcpdump -e -n -i ${VETH} arp and host 172.17.8.2`, ns: 'host', format: 'tcpdump', status: 'read' }];
    expect(rules(check(evidence([arpRequest(), arpRequest()]), { coverage }))).toEqual([`CALICO_ARP_UNANSWERED veth:${VETH}`]);
  });

  it('a reply with another MAC is CALICO_ARP_WRONG_MAC, and the pod’s frames to that MAC are not a second finding', () => {
    const wrong = '02:42:ac:11:00:99';
    const result = check(evidence([arpRequest(), arpReply(wrong), icmp(POD_MAC, wrong), icmp(POD_MAC, wrong)]));
    expect(rules(result)).toEqual([`CALICO_ARP_WRONG_MAC veth:${VETH}`]);
    expect(result.findings[0].message).toContain(`is-at ${wrong}`);
    expect(result.passed).toEqual([]);
  });

  it('IP frames from the pod (known by its ARP request) to a MAC other than ee:ee:ee:ee:ee:ee are CALICO_POD_FRAME_GATEWAY_MAC', () => {
    const stale = '02:11:22:33:44:55';
    const result = check(evidence([arpRequest(), arpReply('ee:ee:ee:ee:ee:ee'), icmp(POD_MAC, stale), icmp(POD_MAC, stale)]));
    expect(rules(result)).toEqual([`CALICO_POD_FRAME_GATEWAY_MAC veth:${VETH}`]);
    expect(result.findings[0]).toMatchObject({ severity: 'warning' });
    expect(result.findings[0].message).toContain('2 IP frames');
  });

  it('the pod’s MAC can come from its eth0 link fact when the capture has no ARP', () => {
    const result = check(evidence([icmp(POD_MAC, '02:11:22:33:44:55')]), { podMacs: new Map([[POD_MAC, { pod: 'cni-1234' }]]) });
    expect(rules(result)).toEqual([`CALICO_POD_FRAME_GATEWAY_MAC veth:${VETH}`]);
    expect(result.findings[0].message).toContain('Pod cni-1234');
  });

  it('frames to broadcast/multicast MACs and frames of unknown senders are not judged', () => {
    const result = check(evidence([arpRequest(), arpReply('ee:ee:ee:ee:ee:ee'), icmp(POD_MAC, '01:00:5e:00:00:fb'), icmp('02:99:99:99:99:99', '02:11:22:33:44:55')]));
    expect(result.findings).toEqual([]);
  });

  it('captured inside the pod (ns pod:X, no interface) the finding is about the pod', () => {
    const inPod = { ns: 'pod:web-1', interface: undefined };
    const result = check(evidence([arpRequest(inPod), arpRequest(inPod)]));
    expect(rules(result)).toEqual(['CALICO_ARP_UNANSWERED pod:web-1']);
    expect(result.findings[0].message).toContain('on eth0 of pod web-1');
  });

  it('without -e (no MACs) a reply on the same interface still verifies proxy ARP; with cluster context the pod is named', () => {
    const noMacs = { srcMac: undefined, dstMac: undefined };
    const result = check(evidence([arpRequest(noMacs), arpReply('ee:ee:ee:ee:ee:ee', noMacs)]), {
      context: { pods: [{ namespace: 'shop', name: 'web-1', ips: ['172.17.8.2'] }] },
    });
    expect(result.passed.map((f) => f.rule)).toEqual(['CALICO_PROXY_ARP_VERIFIED']);
    expect(result.passed[0].message).toContain('pod shop/web-1 (172.17.8.2)');
  });

  it('a reply addressed to another pod’s MAC does not answer this pod', () => {
    const result = check(evidence([arpRequest(), arpRequest(), arpReply('ee:ee:ee:ee:ee:ee', { dstMac: '0a:58:ac:11:08:99' })]));
    expect(rules(result)).toEqual([`CALICO_ARP_UNANSWERED veth:${VETH}`]);
  });
});

describe('calicoctl node status', () => {
  const BGP: CniDetection = { cni: 'calico', mode: 'bgp', evidence: [] };
  const status = (s: Partial<CalicoNodeStatus>): CaptureEvidence => evidence([], { calicoNodeStatus: { processRunning: true, peers: [], families: ['ipv4'], ...s } });
  const peer = (state: string, info: string, ip = '10.0.0.12') => ({ line: 7, family: 'ipv4' as const, peer: ip, type: 'node-to-node mesh', state, since: '2021-03-04', info });

  it('a peer in state start / Active Socket: Connection refused is CALICO_BGP_PEER_DOWN with the row as evidence', () => {
    const result = check(status({ peers: [peer('up', 'Established', '10.0.0.11'), peer('start', 'Active Socket: Connection refused')] }), { detection: BGP });
    expect(rules(result)).toEqual(['CALICO_BGP_PEER_DOWN bgp-peer:10.0.0.12']);
    expect(result.findings[0].message).toContain('start — Active Socket: Connection refused');
    expect(result.findings[0].evidence[0]).toMatchObject({ kind: 'bgp-peer', line: 7, attrs: expect.objectContaining({ peer: '10.0.0.12', state: 'start' }) });
  });

  it.each(['Passive', 'Connect', 'Idle', 'OpenSent'])('a peer in %s is down', (info) => {
    expect(rules(check(status({ peers: [peer('start', info)] }), { detection: BGP }))).toEqual(['CALICO_BGP_PEER_DOWN bgp-peer:10.0.0.12']);
  });

  it('all peers Established: nothing', () => {
    expect(check(status({ peers: [peer('up', 'Established')] }), { detection: BGP }).findings).toEqual([]);
  });

  it('no peers on a BGP-mode node is CALICO_BGP_NO_PEERS; not on a single-node cluster, nor in VXLAN mode, nor without knowing the mode', () => {
    expect(rules(check(status({}), { detection: BGP }))).toEqual(['CALICO_BGP_NO_PEERS node']);
    expect(rules(check(status({}), { detection: { cni: 'calico', mode: 'ipip', evidence: [] } }))).toEqual(['CALICO_BGP_NO_PEERS node']);
    expect(check(status({}), { detection: BGP, singleNodeCluster: true }).findings).toEqual([]);
    expect(check(status({}), { detection: { cni: 'calico', mode: 'vxlan', evidence: [] } }).findings).toEqual([]);
    expect(check(status({})).findings).toEqual([]);
  });

  it('"Calico process is not running" is CALICO_NODE_NOT_RUNNING (and no NO_PEERS on top)', () => {
    const result = check(status({ processRunning: false, families: [] }), { detection: BGP });
    expect(rules(result)).toEqual(['CALICO_NODE_NOT_RUNNING node']);
    expect(result.findings[0].severity).toBe('error');
  });
});

describe('ip monitor events as history', () => {
  const route = { ns: 'host', kind: 'route' as const, key: 'main|inet|unicast|10.244.1.0/26|0', attrs: { family: 'inet', table: 'main', type: 'unicast', dst: '10.244.1.0/26', gateway: '10.0.0.12', dev: 'tunl0', protocol: 'bird' } };
  const events = (count: number, at?: (i: number) => string): MonitorEvent[] =>
    Array.from({ length: count * 2 }, (_, i) => ({ line: i + 1, deleted: i % 2 === 0, fact: route, ...(at ? { at: at(i) } : {}) }));

  it('a route deleted and re-added 3 times inside one capture is ROUTE_FLAP', () => {
    const findings = checkHistory('node-a', monitorChanges(events(3)));
    expect(findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(['ROUTE_FLAP route:host|main|inet|unicast|10.244.1.0/26|0']);
    expect(findings[0].message).toContain('3 times in a row');
    // No time was printed: the evidence gives the capture lines of the re-adds, never an invented time.
    expect(findings[0].evidence.map((e) => [e.line, e.at])).toEqual([
      [2, undefined],
      [4, undefined],
      [6, undefined],
    ]);
  });

  it('twice is not flapping', () => {
    expect(checkHistory('node-a', monitorChanges(events(2)))).toEqual([]);
  });

  it('with timestamps, three cycles spread over an hour are not flapping inside the 15-minute window', () => {
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i * 10)).toISOString();
    expect(checkHistory('node-a', monitorChanges(events(3, at)))).toEqual([]);
  });

  it('a neighbour whose lladdr changes between two events is NEIGHBOR_MAC_FLAP', () => {
    const neighbor = (line: number, lladdr: string): MonitorEvent => ({
      line,
      deleted: false,
      fact: { ns: 'host', kind: 'neighbor', key: 'eth0|10.0.0.1', attrs: { family: 'inet', dst: '10.0.0.1', dev: 'eth0', lladdr, state: 'resolved' } },
    });
    const findings = checkHistory('node-a', monitorChanges([neighbor(1, '52:54:00:00:00:01'), neighbor(2, '52:54:00:00:00:02')]));
    expect(findings.map((f) => f.rule)).toEqual(['NEIGHBOR_MAC_FLAP']);
  });

  it('netconf events switching proxy_arp of a cali veth off and on 3 times are PROXY_ARP_TOGGLED', () => {
    const netconf = (line: number, value: string): MonitorEvent => ({ line, deleted: false, fact: { ns: 'host', kind: 'sysctl', key: 'net/ipv4/conf/calirsp0/proxy_arp', attrs: { value } } });
    const findings = checkHistory('node-a', monitorChanges(['1', '0', '1', '0'].map((v, i) => netconf(i + 1, v))));
    expect(findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(['PROXY_ARP_TOGGLED veth:calirsp0']);
  });

  it('events of another namespace ([nsid N]) are kept apart from the host’s', () => {
    const mixed = events(3).map((e, i) => (i >= 3 ? { ...e, nsid: 2 } : e));
    expect(checkHistory('node-a', monitorChanges(mixed))).toEqual([]);
  });
});

describe('any evidence', () => {
  const mac = fc.constantFrom('ee:ee:ee:ee:ee:ee', POD_MAC, 'ff:ff:ff:ff:ff:ff', '02:11:22:33:44:55', 'zz', '');
  const ip = fc.constantFrom('169.254.1.1', '172.17.8.2', '10.0.0.1', 'web-1.default', '');
  const frame = fc.record(
    {
      line: fc.integer({ min: 1, max: 50 }),
      ns: fc.constantFrom('host', 'pod:web-1'),
      interface: fc.option(fc.constantFrom(VETH, 'eth0', 'any'), { nil: undefined }),
      srcMac: fc.option(mac, { nil: undefined }),
      dstMac: fc.option(mac, { nil: undefined }),
      ethertype: fc.constantFrom('arp' as const, 'ipv4' as const, 'ipv6' as const, 'other' as const),
      arp: fc.option(fc.record({ op: fc.constantFrom('request' as const, 'reply' as const), targetIp: fc.option(ip, { nil: undefined }), senderIp: fc.option(ip, { nil: undefined }), resolvedMac: fc.option(mac, { nil: undefined }) }), { nil: undefined }),
      ip: fc.option(fc.record({ src: fc.option(ip, { nil: undefined }), dst: fc.option(ip, { nil: undefined }) }), { nil: undefined }),
    },
    { requiredKeys: ['line', 'ns', 'ethertype'] },
  );

  it('never throws, and every finding is catalogued with frame evidence that carries its line', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), (frames) => {
        const result = check(evidence(frames as CapturedFrame[]), { coverage: tcpdumpSection('read') });
        for (const f of [...result.findings, ...result.passed]) {
          expect(f.evidence.length).toBeGreaterThan(0);
          for (const e of f.evidence) expect(e).toMatchObject({ kind: 'frame', line: expect.any(Number) });
        }
        expect(result.passed.every((f) => f.severity === 'info')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
