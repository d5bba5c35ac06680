import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Link } from '../../contract/snapshot-schema';
import { parseIpLinkText } from './ip-link-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');
const byName = (links: Link[], name: string) => {
  const link = links.find((l) => l.name === name);
  if (!link) throw new Error(`no link ${name} in ${links.map((l) => l.name).join(', ')}`);
  return link;
};

describe('parseIpLinkText on `ip -d link` captured from iproute2 6.1 (lab-node)', () => {
  const { entries, warnings } = parseIpLinkText(fixture('lab-node.link.txt'));

  it('reads every link without a warning', () => {
    expect(warnings).toEqual([]);
    expect(entries.map((l) => l.name)).toEqual([
      'lo', 'eth0', 'vxlan.calico', 'vxlan-v6.calico', 'br0', 'vbr-b', 'vbr-a', 'vdown-b', 'vdown-a', 'cali1a2b3c4d5e6', 'cali7f8e9d0c1b2',
    ]);
  });

  it('maps a veth whose peer is in another namespace: @ifNN → peerIfindex, link-netnsid → linkNetnsId, kind veth', () => {
    expect(byName(entries, 'cali1a2b3c4d5e6')).toEqual({
      ifindex: 10,
      name: 'cali1a2b3c4d5e6',
      kind: 'veth',
      mac: 'ee:ee:ee:ee:ee:ee',
      mtu: 1450,
      operState: 'UP',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      peerIfindex: 2,
      linkNetnsId: 1,
    });
    expect(byName(entries, 'eth0')).toMatchObject({ peerIfindex: 2, linkNetnsId: 0, kind: 'veth' });
  });

  it('maps @peer of a same-namespace veth to peerName, and `master br0` to master', () => {
    const vbrA = byName(entries, 'vbr-a');
    expect(vbrA).toMatchObject({ peerName: 'vbr-b', master: 'br0', kind: 'veth' });
    expect(vbrA.peerIfindex).toBeUndefined();
  });

  it('takes the kind from the line after link/ether, never from a bridge_slave line', () => {
    expect(byName(entries, 'vbr-a').kind).toBe('veth');
    expect(byName(entries, 'br0').kind).toBe('bridge');
  });

  it('reads vxlan id, local, dev, dstport and nolearning from the vxlan detail line', () => {
    expect(byName(entries, 'vxlan.calico')).toMatchObject({
      kind: 'vxlan',
      mtu: 1450,
      vxlan: { id: 4096, local: '10.99.0.11', dev: 'eth0', port: 4789, learning: false },
    });
  });

  it('reports learning:true for a vxlan line without `nolearning`, with an IPv6 local address', () => {
    expect(byName(entries, 'vxlan-v6.calico').vxlan).toEqual({ id: 4097, local: 'fd00:99::11', dev: 'eth0', port: 4789, learning: true });
  });

  it('keeps flags as printed (NO-CARRIER, M-DOWN) and the operational state', () => {
    expect(byName(entries, 'vdown-a')).toMatchObject({
      flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP', 'M-DOWN'],
      operState: 'LOWERLAYERDOWN',
      peerName: 'vdown-b',
    });
  });

  it('maps link/loopback 00:00:00:00:00:00 to that mac', () => {
    expect(byName(entries, 'lo')).toEqual({
      ifindex: 1,
      name: 'lo',
      mac: '00:00:00:00:00:00',
      mtu: 65536,
      operState: 'UNKNOWN',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
    });
  });
});

describe('parseIpLinkText on other captures', () => {
  it('gives no kind for plain `ip link`, which has no detail lines', () => {
    const { entries, warnings } = parseIpLinkText(fixture('lab-node.link-plain.txt'));
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(11);
    expect(entries.every((l) => l.kind === undefined && l.vxlan === undefined)).toBe(true);
    expect(byName(entries, 'cali1a2b3c4d5e6')).toMatchObject({ peerIfindex: 2, linkNetnsId: 1, mac: 'ee:ee:ee:ee:ee:ee' });
  });

  it('reads `ip -o link` (one line per link, backslash-separated) like `ip link`', () => {
    const oneline = parseIpLinkText(fixture('lab-node.link-oneline.txt'));
    const plain = parseIpLinkText(fixture('lab-node.link-plain.txt'));
    expect(oneline.warnings).toEqual([]);
    expect(oneline.entries).toEqual(plain.entries);
  });

  it('maps `link-netns px-pod` (iproute2 names the peer namespace when it can) to linkNetns, with no nsid', () => {
    const { entries, warnings } = parseIpLinkText(fixture('lab-node-named.link.txt'));
    expect(warnings).toEqual([]);
    const cali = byName(entries, 'cali1a2b3c4d5e6');
    expect(cali.linkNetns).toBe('px-pod');
    expect(cali.linkNetnsId).toBeUndefined();
    expect(cali.peerIfindex).toBe(2);
    expect(cali.kind).toBe('veth');
    expect(byName(entries, 'eth0').linkNetns).toBe('px-underlay');
  });

  it('reads the link blocks of `ip addr` output and ignores its address lines', () => {
    const { entries, warnings } = parseIpLinkText(fixture('lab-node.addr.txt'));
    expect(warnings).toEqual([]);
    expect(entries.map((l) => l.name)).toContain('vxlan.calico');
  });
});

describe('parseIpLinkText on iproute2 4.x `ip -d link` (written by hand)', () => {
  const { entries, warnings } = parseIpLinkText(fixture('iproute2-4x.link-d.txt'));

  it('reads every link without a warning', () => {
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(9);
  });

  it('@NONE gives neither peerIfindex nor peerName; link/ipip 0.0.0.0 is kept as the link-layer address', () => {
    const tunl0 = byName(entries, 'tunl0');
    expect(tunl0).toMatchObject({ kind: 'ipip', mac: '0.0.0.0', mtu: 1440, flags: ['NOARP', 'UP', 'LOWER_UP'] });
    expect(tunl0.peerIfindex).toBeUndefined();
    expect(tunl0.peerName).toBeUndefined();
  });

  it('a physical port whose first detail line is bridge_slave/bond_slave has no kind but keeps master', () => {
    expect(byName(entries, 'ens3')).toMatchObject({ master: 'br-ex' });
    expect(byName(entries, 'ens3').kind).toBeUndefined();
    expect(byName(entries, 'eth1')).toMatchObject({ master: 'bond0' });
    expect(byName(entries, 'eth1').kind).toBeUndefined();
    expect(byName(entries, 'bond0').kind).toBe('bond');
  });

  it('leaves out the IPv6 endpoint of link/tunnel6 (not a link-layer address) without a warning', () => {
    const tunnel = byName(entries, 'ip6tnl0');
    expect(tunnel.kind).toBe('ip6tnl');
    expect(tunnel.mac).toBeUndefined();
    expect(tunnel.redacted).toBeUndefined();
  });

  it('reads an older vxlan line (flannel.1, learning on, dstport 8472)', () => {
    expect(byName(entries, 'flannel.1').vxlan).toEqual({ id: 1, local: '10.20.0.11', dev: 'ens3', port: 8472, learning: true });
  });
});

describe('parseIpLinkText details', () => {
  it('lowercases the mac and maps link/none to no mac', () => {
    const { entries, warnings } = parseIpLinkText(
      [
        '2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000',
        '    link/ether 52:54:00:8A:11:3C brd ff:ff:ff:ff:ff:ff',
        '8: wg0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1420 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
        '    link/none ',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(entries[0].mac).toBe('52:54:00:8a:11:3c');
    expect(entries[1].mac).toBeUndefined();
  });

  it('accepts busybox headers without `state` and `ip -s link` counter lines without warnings', () => {
    const { entries, warnings } = parseIpLinkText(
      [
        '3: eth0@if10: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1440 qdisc noqueue ',
        '    link/ether 4a:3f:51:2c:8e:10 brd ff:ff:ff:ff:ff:ff',
        '    RX:  bytes packets errors dropped  missed   mcast',
        '         1234      12      0       0       0       0',
        '    TX:  bytes packets errors dropped carrier collsns',
        '          987      10      0       0       0       0',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(entries).toEqual([
      { ifindex: 3, name: 'eth0', mac: '4a:3f:51:2c:8e:10', mtu: 1440, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'M-DOWN'], peerIfindex: 10 },
    ]);
  });

  it('a masked mac is left out and marked redacted, with a warning on its line', () => {
    const { entries, warnings } = parseIpLinkText(fixture('masked.link.txt'));
    const eth0 = byName(entries, 'eth0');
    expect(eth0.mac).toBeUndefined();
    expect(eth0.redacted).toEqual(['mac']);
    expect(warnings).toContainEqual({ line: 2, message: expect.stringContaining('mac "xx:xx:xx:xx:xx:xx" is masked') });
  });

  it('a link whose name is masked is left out with one warning, and its own lines raise none', () => {
    const { entries, warnings } = parseIpLinkText(fixture('masked.link.txt'));
    expect(entries.map((l) => l.name)).toEqual(['eth0', 'vxlan.calico']);
    expect(warnings.filter((w) => w.line !== undefined && w.line >= 4 && w.line <= 6)).toEqual([
      { line: 4, message: 'link left out: its interface name "<redacted>" is masked' },
    ]);
  });

  it('a masked master and a masked vxlan local are left out and marked redacted', () => {
    const { entries, warnings } = parseIpLinkText(fixture('masked.link.txt'));
    const vxlan = byName(entries, 'vxlan.calico');
    expect(vxlan.master).toBeUndefined();
    expect(vxlan.vxlan).toEqual({ id: 4096, dev: 'eth0', port: 4789, learning: false });
    expect(vxlan.redacted).toEqual(['master', 'vxlan.local']);
    expect(warnings.map((w) => w.line)).toEqual([2, 4, 7, 9]);
  });

  it('warns, with line numbers, about lines that are not ip link output, inside and outside a link block', () => {
    const { entries, warnings } = parseIpLinkText(
      [
        'here is the output:',
        '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
        '',
        '    Hope this helps!',
        '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000',
        '    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff',
      ].join('\n'),
    );
    expect(entries.map((l) => l.name)).toEqual(['lo', 'eth0']);
    expect(warnings).toEqual([
      { line: 1, message: 'not a line of ip link output: "here is the output:"' },
      { line: 5, message: 'not a line of ip link output: "Hope this helps!"' },
    ]);
  });

  it('leaves out a link whose name is longer than an interface name can be', () => {
    const { entries, warnings } = parseIpLinkText('7: averyveryverylongname: <UP> mtu 1500 qdisc noop state DOWN\n    link/ether 02:00:00:00:00:07 brd ff:ff:ff:ff:ff:ff');
    expect(entries).toEqual([]);
    expect(warnings).toEqual([{ line: 1, message: 'link left out: "averyveryverylongname" is not an interface name' }]);
  });

  it('an mtu that cannot be an mtu is left out and marked redacted, the link is kept', () => {
    const { entries, warnings } = parseIpLinkText('7: eth7: <UP> mtu 99999999 qdisc noop state DOWN\n    link/ether 02:00:00:00:00:07 brd ff:ff:ff:ff:ff:ff');
    expect(entries).toEqual([{ ifindex: 7, name: 'eth7', mac: '02:00:00:00:00:07', operState: 'DOWN', flags: ['UP'], redacted: ['mtu'] }]);
    expect(warnings).toEqual([{ line: 1, message: 'mtu "99999999" is not an MTU; left out and marked redacted' }]);
  });
});
