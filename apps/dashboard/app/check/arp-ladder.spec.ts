import { REPORT } from '../../test/capture-report.fixture';
import { buildLadders } from './arp-ladder';

const frame = (line: number, attrs: Record<string, unknown>, ns = 'host') => ({ node: 'node-a', ns, kind: 'frame', key: `x#${line}`, attrs, line });

describe('buildLadders', () => {
  it('draws a -e capture on a cali veth: the pod asks, the host answers is-at ee:ee:ee:ee:ee:ee', () => {
    const [ladder, ...rest] = buildLadders([...REPORT.passed, ...REPORT.findings]);
    expect(rest).toEqual([]);
    expect(ladder.pod).toEqual({ label: 'pod eth0', ip: '10.244.1.5', mac: '02:42:0a:f4:01:05' });
    expect(ladder.host).toEqual({ label: 'host calif55e0ab04de', mac: 'ee:ee:ee:ee:ee:ee' });
    expect(ladder.steps.map((s) => [s.line, s.direction, s.label])).toEqual([
      [5, 'to-host', 'ARP request: who-has 169.254.1.1 tell 10.244.1.5'],
      [6, 'to-pod', 'ARP reply: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee'],
      [7, 'to-host', 'ICMP echo request 10.244.1.5 → 10.99.0.11'],
    ]);
    expect(ladder.steps[1].macs).toBe('ee:ee:ee:ee:ee:ee → 02:42:0a:f4:01:05');
    expect(ladder.steps[0].rules).toEqual(['CALICO_PROXY_ARP_VERIFIED']);
    expect(ladder.unanswered).toBe(false);
  });

  it('tells directions without -e from the addresses, merges frames quoted by several findings, and notes a request left unanswered', () => {
    const request = (line: number) => frame(line, { time: `09:47:4${line}`, ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '172.18.88.13' } });
    const ladders = buildLadders([
      { rule: 'CALICO_ARP_UNANSWERED', evidence: [request(1), request(2), request(3)] },
      { rule: 'CALICO_POD_FRAME_GATEWAY_MAC', evidence: [request(3), frame(4, { ethertype: 'ipv4', ip: { src: '10.99.0.11', dst: '172.18.88.13', proto: 'icmp', icmp: 'echo-reply' } })] },
      { rule: 'CALICO_BGP_PEER_DOWN', evidence: [{ kind: 'bgp-peer', key: 'ipv4|10.0.0.2', line: 9 }] },
    ]);
    expect(ladders).toHaveLength(1);
    expect(ladders[0].host.label).toBe('host cali veth');
    expect(ladders[0].steps.map((s) => [s.line, s.direction])).toEqual([
      [1, 'to-host'],
      [2, 'to-host'],
      [3, 'to-host'],
      [4, 'to-pod'],
    ]);
    expect(ladders[0].steps[2].rules).toEqual(['CALICO_ARP_UNANSWERED', 'CALICO_POD_FRAME_GATEWAY_MAC']);
    expect(ladders[0].steps[3].label).toBe('ICMP echo reply 10.99.0.11 → 172.18.88.13');
    expect(ladders[0].unanswered).toBe(true);
  });

  it('names the pod side after the pod when tcpdump ran in its namespace, one ladder per place', () => {
    const ladders = buildLadders([
      { rule: 'CALICO_PROXY_ARP_VERIFIED', evidence: [frame(3, { interface: 'eth0', ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '10.244.1.7' } }, 'pod:web-1')] },
      { rule: 'CALICO_PROXY_ARP_VERIFIED', evidence: [frame(8, { interface: 'cali123', ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '10.244.1.8' } })] },
    ]);
    expect(ladders.map((l) => [l.pod.label, l.host.label])).toEqual([
      ['pod web-1 eth0', 'host cali veth'],
      ['pod eth0', 'host cali123'],
    ]);
  });

  it('has no ladder when no finding quotes a frame', () => {
    expect(buildLadders(REPORT.findings)).toEqual([]);
  });
});
