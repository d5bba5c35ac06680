import type { CaptureReport } from '../app/lib/data';

// A report as the API answers for the capture below (shape of checkCapture), shared by the
// component tests: an ip route section, a tcpdump -e on a cali veth, calicoctl node status.
export const CAPTURE_TEXT = [
  '--- ip route', // 1
  'default via 10.99.0.1 dev eth0 proto static', // 2
  '10.244.1.5 dev calif55e0ab04de scope link', // 3
  '--- tcpdump -e -n -i calif55e0ab04de', // 4
  '12:00:00.000001 02:42:0a:f4:01:05 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 10.244.1.5, length 28', // 5
  '12:00:00.000040 ee:ee:ee:ee:ee:ee > 02:42:0a:f4:01:05, ethertype ARP (0x0806), length 42: Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee, length 28', // 6
  '12:00:00.000090 02:42:0a:f4:01:05 > ee:ee:ee:ee:ee:ee, ethertype IPv4 (0x0800), length 98: 10.244.1.5 > 10.99.0.11: ICMP echo request, id 1, seq 1, length 64', // 7
  '--- calicoctl node status', // 8
  'Calico process is running.', // 9
  'IPv4 BGP status', // 10
  '| PEER ADDRESS | PEER TYPE | STATE | SINCE | INFO |', // 11
  '| 10.99.0.12 | node-to-node mesh | start | 00:21:18 | Active Socket: Connection refused |', // 12
  '--- ethtool -S eth0', // 13
  'NIC statistics:', // 14
].join('\n');

const frame = (line: number, attrs: Record<string, unknown>) => ({ node: 'node-a', ns: 'host', kind: 'frame', key: `calif55e0ab04de#${line}`, attrs: { ns: 'host', interface: 'calif55e0ab04de', ...attrs }, line });

export const REPORT: CaptureReport = {
  nodes: [{ node: 'node-a', cni: 'calico', mode: 'ipip', namespaces: 1, facts: 3 }],
  coverage: [
    { headerLine: 1, command: 'ip route', ns: 'host', node: 'node-a', format: 'ip route', status: 'READ', reason: null },
    { headerLine: 4, command: 'tcpdump -e -n -i calif55e0ab04de', ns: 'host', node: 'node-a', format: 'tcpdump', status: 'READ', reason: null },
    { headerLine: 8, command: 'calicoctl node status', ns: 'host', node: 'node-a', format: 'calicoctl node status', status: 'PARTIAL', reason: 'The peer table was cut short.' },
    { headerLine: 13, command: 'ethtool -S eth0', ns: 'host', node: 'node-a', format: null, status: 'UNSUPPORTED', reason: 'ethtool output is not a format Routescope reads.' },
  ],
  findings: [
    {
      rule: 'CALICO_BGP_PEER_DOWN',
      severity: 'ERROR',
      title: 'A BGP peer of the node is not Established',
      message: 'The BGP session from node node-a to 10.99.0.12 (node-to-node mesh, IPv4) is not Established: start — Active Socket: Connection refused since 00:21:18.',
      node: 'node-a',
      subject: 'bgp-peer:10.99.0.12',
      evidence: [{ node: 'node-a', ns: 'host', kind: 'bgp-peer', key: 'ipv4|10.99.0.12', attrs: { family: 'ipv4', peer: '10.99.0.12', type: 'node-to-node mesh', state: 'start', since: '00:21:18', info: 'Active Socket: Connection refused' }, line: 12 }],
      lines: [12],
    },
    {
      rule: 'CALICO_BLACKHOLE',
      severity: 'WARNING',
      title: 'No blackhole route for the node’s block',
      message: 'Node node-a routes pod 10.244.1.5 but has no blackhole route for its block 10.244.1.0/26 (Calico’s default block size: assumed).',
      node: 'node-a',
      subject: 'block:10.244.1.0/26',
      evidence: [{ node: 'node-a', ns: 'host', kind: 'assumption', key: 'block-size', attrs: { family: 'inet', prefixlen: 26, reason: "Calico's default block size (/26): no IP pool context and no other block route of the node to infer it from" } }],
      lines: [],
    },
  ],
  passed: [
    {
      rule: 'CALICO_PROXY_ARP_VERIFIED',
      severity: 'INFO',
      title: 'Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee',
      message: 'Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on calif55e0ab04de (asked by the pod with 10.244.1.5 on node node-a).',
      node: 'node-a',
      subject: 'veth:calif55e0ab04de',
      evidence: [
        frame(5, { time: '12:00:00.000001', srcMac: '02:42:0a:f4:01:05', dstMac: 'ff:ff:ff:ff:ff:ff', ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '10.244.1.5' } }),
        frame(6, { time: '12:00:00.000040', srcMac: 'ee:ee:ee:ee:ee:ee', dstMac: '02:42:0a:f4:01:05', ethertype: 'arp', arp: { op: 'reply', targetIp: '169.254.1.1', resolvedMac: 'ee:ee:ee:ee:ee:ee' } }),
        frame(7, { time: '12:00:00.000090', srcMac: '02:42:0a:f4:01:05', dstMac: 'ee:ee:ee:ee:ee:ee', ethertype: 'ipv4', ip: { src: '10.244.1.5', dst: '10.99.0.11', proto: 'icmp', icmp: 'echo-request' } }),
      ],
      lines: [5, 6, 7],
    },
  ],
  notChecked: ['"calicoctl node status" (line 8): partial (The peer table was cut short.) — its facts are used, but nothing is concluded missing from it.'],
  unreadable: null,
};
