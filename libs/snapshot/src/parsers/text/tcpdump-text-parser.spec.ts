import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTcpdumpText } from './tcpdump-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');
const POD_MAC = 'e2:8e:e9:c7:20:80';
const HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee';

describe('parseTcpdumpText on captures taken on this machine (tcpdump 4.99, a pod pinging its node through proxy ARP)', () => {
  it.each(['tcpdump-e-n.txt', 'tcpdump-e-nn.txt', 'tcpdump-tttt-e-n.txt', 'tcpdump-e-vvv.txt'])('%s: the ARP exchange and the echo frames with their MACs', (name) => {
    const { frames, warnings } = parseTcpdumpText(fixture(name), { ns: 'host', interface: 'calirsp0' });
    expect(warnings).toEqual([]);
    expect(frames).toHaveLength(6);
    expect(frames[0]).toMatchObject({
      line: 1,
      ns: 'host',
      interface: 'calirsp0',
      srcMac: POD_MAC,
      dstMac: 'ff:ff:ff:ff:ff:ff',
      ethertype: 'arp',
      arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '10.244.1.5' },
    });
    expect(frames[1]).toMatchObject({ srcMac: HOST_VETH_MAC, dstMac: POD_MAC, arp: { op: 'reply', targetIp: '169.254.1.1', resolvedMac: HOST_VETH_MAC } });
    expect(frames[2]).toMatchObject({ srcMac: POD_MAC, dstMac: HOST_VETH_MAC, ethertype: 'ipv4', ip: { src: '10.244.1.5', dst: '192.168.56.11', proto: 'icmp', icmp: 'echo-request' } });
    expect(frames[3].ip).toEqual({ src: '192.168.56.11', dst: '10.244.1.5', proto: 'icmp', icmp: 'echo-reply' });
    expect(frames.every((f) => f.resolvedNames === undefined)).toBe(true);
  });

  it('keeps the time as printed, with -tttt the date too', () => {
    expect(parseTcpdumpText(fixture('tcpdump-e-n.txt'), { ns: 'host' }).frames[0].time).toBe('09:04:40.197856');
    expect(parseTcpdumpText(fixture('tcpdump-tttt-e-n.txt'), { ns: 'host' }).frames[0].time).toBe('2026-12-06 09:05:27.437472');
  });

  it('reads -v records that go on over an indented line (the IP addresses are on the second line)', () => {
    const { frames } = parseTcpdumpText(fixture('tcpdump-e-vvv.txt'), { ns: 'host' });
    expect(frames.map((f) => f.line)).toEqual([1, 2, 3, 5, 7, 9]);
  });

  it('reads resolved names (no -n): "Broadcast", "(oui Unknown)" and host names, marking the frame', () => {
    for (const name of ['tcpdump-e-names.txt', 'tcpdump-e-v-names.txt']) {
      const { frames, warnings } = parseTcpdumpText(fixture(name), { ns: 'host' });
      expect(warnings).toEqual([]);
      expect(frames[0]).toMatchObject({ srcMac: POD_MAC, dstMac: 'ff:ff:ff:ff:ff:ff', arp: { op: 'request', targetIp: 'calico-gw', senderIp: 'web-7d4b9c-x2x8p' }, resolvedNames: true });
      expect(frames[1]).toMatchObject({ srcMac: HOST_VETH_MAC, arp: { op: 'reply', resolvedMac: HOST_VETH_MAC } });
      expect(frames[2].ip).toMatchObject({ src: 'web-7d4b9c-x2x8p', dst: 'rsp-node', icmp: 'echo-request' });
    }
  });

  it('reads the LINUX_SLL2 "any" form: interface and direction columns, source MAC only', () => {
    const { frames, warnings } = parseTcpdumpText(fixture('tcpdump-any-e-n.txt'), { ns: 'host' });
    expect(warnings).toEqual([]);
    expect(frames.map((f) => f.direction)).toEqual(['B', 'Out', 'In', 'Out', 'In', 'Out']);
    expect(frames[0]).toMatchObject({ interface: 'calirsp0', srcMac: POD_MAC, ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1' } });
    expect(frames[0].dstMac).toBeUndefined();
    expect(frames[1]).toMatchObject({ srcMac: HOST_VETH_MAC, arp: { op: 'reply', resolvedMac: HOST_VETH_MAC } });
    const names = parseTcpdumpText(fixture('tcpdump-any-e-names.txt'), { ns: 'host' });
    expect(names.frames[1]).toMatchObject({ interface: 'calirsp0', direction: 'Out', srcMac: HOST_VETH_MAC, resolvedNames: true });
  });

  it('reads frames without -e: no MACs, ARP and IP still read', () => {
    const any = parseTcpdumpText(fixture('tcpdump-any-n.txt'), { ns: 'host' }).frames;
    expect(any[0]).toMatchObject({ interface: 'calirsp0', direction: 'B', ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '10.244.1.5' } });
    expect(any[2]).toMatchObject({ direction: 'In', ethertype: 'ipv4', ip: { src: '10.244.1.5', icmp: 'echo-request' } });
    const plain = parseTcpdumpText(fixture('tcpdump-names.txt'), { ns: 'pod:web', interface: 'eth0' }).frames;
    expect(plain[1]).toMatchObject({ ns: 'pod:web', interface: 'eth0', ethertype: 'arp', arp: { op: 'reply', targetIp: 'calico-gw', resolvedMac: HOST_VETH_MAC } });
    expect(plain[1].srcMac).toBeUndefined();
  });

  it('reads unanswered requests and IPv6 (ND and ICMP6 echo) frames', () => {
    const unanswered = parseTcpdumpText(fixture('tcpdump-e-n-unanswered.txt'), { ns: 'host' }).frames;
    expect(unanswered.filter((f) => f.arp?.op === 'request')).toHaveLength(3);
    expect(unanswered.filter((f) => f.arp?.op === 'reply')).toHaveLength(0);
    const v6 = parseTcpdumpText(fixture('tcpdump-e-n-ipv6.txt'), { ns: 'host' }).frames;
    expect(v6.map((f) => f.ethertype)).toEqual(['ipv6', 'ipv6', 'ipv6', 'ipv6']);
    expect(v6[2].ip).toEqual({ src: 'fd00::5', dst: 'fd00::1', proto: 'icmp6', icmp: 'echo-request' });
  });

  it('reads TCP and UDP frames, stripping the port from the address, and ICMP unreachable', () => {
    // the pod opened a TCP connection to the node and sent a UDP probe (busybox traceroute)
    const { frames, warnings } = parseTcpdumpText(fixture('tcpdump-n-tcp-udp.txt'), { ns: 'host' });
    expect(warnings).toEqual([]);
    expect(frames.map((f) => f.ip)).toEqual([
      { src: '10.244.1.5', dst: '192.168.56.11', proto: 'tcp' },
      { src: '192.168.56.11', dst: '10.244.1.5', proto: 'tcp' },
      { src: '10.244.1.5', dst: '192.168.56.11', proto: 'tcp' },
      { src: '10.244.1.5', dst: '192.168.56.11', proto: 'tcp' },
      { src: '10.244.1.5', dst: '192.168.56.11', proto: 'udp' },
      { src: '192.168.56.11', dst: '10.244.1.5', proto: 'icmp', icmp: 'unreachable' },
    ]);
  });

  it('joins a record that a ticket wrapped after a comma (public output, calico#2334)', () => {
    const text = [
      '12:49:48.585996 IP 10.61.1.35.52108 > 151.101.128.70.443: Flags [S], seq 3528876158, win 29200, options [mss 1460,sackOK,TS val 454081318 ecr 0,nop,wscale 7],',
      'length 0',
      '12:49:48.592058 IP 10.61.1.35 > 151.101.128.70: ICMP 10.61.1.35 unreachable - need to frag (mtu 1440), length 556',
    ].join('\n');
    const { frames, warnings } = parseTcpdumpText(text, { ns: 'host' });
    expect(warnings).toEqual([]);
    expect(frames.map((f) => [f.line, f.ip?.proto, f.ip?.icmp])).toEqual([
      [1, 'tcp', undefined],
      [3, 'icmp', 'unreachable'],
    ]);
  });

  it('skips tcpdump chatter and warns about lines that are not frames', () => {
    const text = ['tcpdump: verbose output suppressed, use -v[v]... for full protocol decode', 'listening on calirsp0, link-type EN10MB (Ethernet), snapshot length 262144 bytes', 'garbage here', '3 packets captured'].join('\n');
    const { frames, warnings, frameLines } = parseTcpdumpText(text, { ns: 'host' });
    expect(frames).toEqual([]);
    expect(frameLines).toBe(0);
    expect(warnings).toEqual([{ line: 3, message: 'not a tcpdump frame line: "garbage here"' }]);
  });
});
