import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from '../../contract/snapshot-schema';
import { parseIpAddrText } from './ip-addr-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');
const byLocal = (addresses: Address[], local: string) => {
  const address = addresses.find((a) => a.local === local);
  if (!address) throw new Error(`no address ${local} in ${addresses.map((a) => a.local).join(', ')}`);
  return address;
};

describe('parseIpAddrText on `ip addr` captured from iproute2 6.1 (lab-node)', () => {
  const { links, addresses, warnings } = parseIpAddrText(fixture('lab-node.addr.txt'));

  it('reads every link header and address without a warning', () => {
    expect(warnings).toEqual([]);
    expect(links).toHaveLength(11);
    expect(addresses).toHaveLength(20);
  });

  it('produces links without kind from the headers (no -d detail lines)', () => {
    expect(links.every((l) => l.kind === undefined)).toBe(true);
    expect(links.find((l) => l.name === 'cali1a2b3c4d5e6')).toMatchObject({ ifindex: 10, peerIfindex: 2, linkNetnsId: 1, mac: 'ee:ee:ee:ee:ee:ee', mtu: 1450 });
  });

  it('maps a plain IPv4 address, with the trailing name as label and no lifetimes for `forever`', () => {
    expect(byLocal(addresses, '10.99.0.11')).toEqual({ dev: 'eth0', family: 'inet', local: '10.99.0.11', prefixlen: 24, scope: 'global', label: 'eth0', flags: [] });
  });

  it('maps `dynamic` and the lifetimes of the valid_lft line to numbers of seconds', () => {
    expect(byLocal(addresses, '10.99.1.5')).toMatchObject({ flags: ['dynamic'], validLifetime: 3576, preferredLifetime: 1776 });
  });

  it('keeps an alias label (eth0:1) and the secondary flag, with dev from the link header', () => {
    expect(byLocal(addresses, '10.99.0.21')).toMatchObject({ dev: 'eth0', label: 'eth0:1', flags: ['secondary'] });
  });

  it('keeps noprefixroute', () => {
    expect(byLocal(addresses, '10.98.0.1').flags).toEqual(['noprefixroute']);
  });

  it('maps `inet 10.200.0.1 peer 10.200.0.2/32` to local + peer with the peer prefix length', () => {
    expect(byLocal(addresses, '10.200.0.1')).toMatchObject({ local: '10.200.0.1', peer: '10.200.0.2', prefixlen: 32 });
  });

  it('maps IPv6 nodad deprecated with `preferred_lft 0sec` and valid forever', () => {
    const address = byLocal(addresses, 'fd00:99::21');
    expect(address).toMatchObject({ family: 'inet6', prefixlen: 64, flags: ['nodad', 'deprecated'], preferredLifetime: 0 });
    expect(address.validLifetime).toBeUndefined();
    expect(address.label).toBeUndefined();
  });

  it('puts each address on the device of the header above it', () => {
    expect(addresses.filter((a) => a.local === 'fe80::ecee:eeff:feee:eeee').map((a) => a.dev)).toEqual(['cali1a2b3c4d5e6', 'cali7f8e9d0c1b2']);
  });
});

describe('parseIpAddrText on other formats', () => {
  it('reads `ip -o addr` (dev before each address, lifetimes after a backslash) like `ip addr`', () => {
    const oneline = parseIpAddrText(fixture('lab-node.addr-oneline.txt'));
    const full = parseIpAddrText(fixture('lab-node.addr.txt'));
    expect(oneline.warnings).toEqual([]);
    expect(oneline.links).toEqual([]);
    // Lifetimes count down between the two captures; everything else must agree.
    const withoutLifetimes = (addresses: Address[]) => addresses.map(({ validLifetime: _v, preferredLifetime: _p, ...rest }) => rest);
    expect(withoutLifetimes(oneline.addresses)).toEqual(withoutLifetimes(full.addresses));
    expect(byLocal(oneline.addresses, '10.99.1.5')).toMatchObject({ validLifetime: 3562, preferredLifetime: 1762 });
  });

  it('keeps @ifNN and the namespace name, but no nsid, when the link line says `link-netns px-node`', () => {
    const { links, addresses, warnings } = parseIpAddrText(fixture('lab-pod-named.addr.txt'));
    expect(warnings).toEqual([]);
    expect(links.find((l) => l.name === 'eth0')).toEqual({
      ifindex: 2, name: 'eth0', mac: '02:0f:b6:6f:83:b4', mtu: 1450, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], peerIfindex: 10, linkNetns: 'px-node',
    });
    expect(byLocal(addresses, 'fd00:8::2')).toMatchObject({ dev: 'eth0', prefixlen: 128, flags: ['nodad'] });
  });

  it('reads iproute2 4.x output: brd, uppercase mac, temporary/mngtmpaddr/tentative/optimistic/dadfailed, link/ipip, link/none', () => {
    const { links, addresses, warnings } = parseIpAddrText(fixture('iproute2-4x.addr.txt'));
    expect(warnings).toEqual([]);
    expect(links.find((l) => l.name === 'ens3')?.mac).toBe('52:54:00:8a:11:3c');
    expect(links.find((l) => l.name === 'tunl0')).toMatchObject({ mac: '0.0.0.0' });
    expect(links.find((l) => l.name === 'wg0')?.mac).toBeUndefined();
    expect(byLocal(addresses, '10.20.0.11')).toEqual({
      dev: 'ens3', family: 'inet', local: '10.20.0.11', prefixlen: 24, scope: 'global', broadcast: '10.20.0.255', label: 'ens3',
      flags: ['dynamic'], validLifetime: 85841, preferredLifetime: 85841,
    });
    expect(byLocal(addresses, '10.20.0.100')).toMatchObject({ label: 'ens3:vip', dev: 'ens3', prefixlen: 32 });
    expect(byLocal(addresses, '2001:db8:20::11').flags).toEqual(['dynamic', 'mngtmpaddr', 'noprefixroute']);
    expect(byLocal(addresses, '2001:db8:20::5c1a:2e3f:aa01:9b2c').flags).toEqual(['temporary', 'dynamic']);
    expect(byLocal(addresses, '2001:db8:99::5').flags).toEqual(['tentative', 'optimistic']);
    expect(byLocal(addresses, '2001:db8:99::6').flags).toEqual(['dadfailed', 'tentative']);
    expect(byLocal(addresses, '2001:db8:99::7')).toMatchObject({ flags: ['deprecated', 'dynamic'], validLifetime: 1190, preferredLifetime: 0 });
    expect(byLocal(addresses, '10.66.0.1')).toMatchObject({ peer: '10.66.0.2', prefixlen: 32, dev: 'wg0' });
  });

  it('reads busybox 1.36 output (no link-netnsid, @ifNN kept)', () => {
    const { links, addresses, warnings } = parseIpAddrText(fixture('busybox-1.36.addr.txt'));
    expect(warnings).toEqual([]);
    expect(links.find((l) => l.name === 'eth0')).toMatchObject({ ifindex: 3, peerIfindex: 10, mtu: 1440, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'M-DOWN'] });
    expect(links.find((l) => l.name === 'eth0')?.linkNetnsId).toBeUndefined();
    expect(byLocal(addresses, '172.17.8.2')).toEqual({ dev: 'eth0', family: 'inet', local: '172.17.8.2', prefixlen: 32, scope: 'global', label: 'eth0', flags: [] });
  });

  it('gives links a kind when -d detail lines are present (`ip -d addr`)', () => {
    const { links, addresses, warnings } = parseIpAddrText(
      [
        '2: eth0@if10: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000',
        '    link/ether 02:0f:b6:6f:83:b4 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 ',
        '    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 ',
        '    inet 172.17.8.2/32 scope global eth0',
        '       valid_lft forever preferred_lft forever',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(links[0]).toMatchObject({ name: 'eth0', kind: 'veth', linkNetnsId: 0 });
    expect(addresses).toHaveLength(1);
  });

  it('keeps the flags home, stable-privacy, autojoin and nodad as printed, and never keeps `permanent`', () => {
    const { addresses, warnings } = parseIpAddrText(
      [
        '2: eth0: <UP> mtu 1500 qdisc noop state UP',
        '    inet6 2001:db8::1/64 scope global home nodad ',
        '    inet6 fe80::1c2d:3e4f:5a6b:7c8d/64 scope link stable-privacy ',
        '    inet 239.1.1.1/32 scope global autojoin eth0',
        '    inet 10.0.0.9/24 scope global permanent eth0',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(addresses.map((a) => a.flags)).toEqual([['home', 'nodad'], ['stable-privacy'], ['autojoin'], []]);
  });

  it('defaults a missing prefix length to 32 for IPv4 and 128 for IPv6', () => {
    const { addresses, warnings } = parseIpAddrText('2: eth0: <UP> mtu 1500 qdisc noop state UP\n    inet 10.0.0.5 scope global eth0\n    inet6 fd00::5 scope global\n');
    expect(warnings).toEqual([]);
    expect(addresses.map((a) => [a.local, a.prefixlen])).toEqual([['10.0.0.5', 32], ['fd00::5', 128]]);
  });

  it('takes dev from the label when there is no link header (`ip addr | grep inet`), and leaves out unlabelled IPv6', () => {
    const { addresses, warnings } = parseIpAddrText(
      ['    inet 10.20.0.11/24 brd 10.20.0.255 scope global dynamic ens3', '    inet 10.20.0.100/32 scope global ens3:vip', '    inet6 fe80::1/64 scope link'].join('\n'),
    );
    expect(addresses.map((a) => [a.dev, a.local, a.label])).toEqual([
      ['ens3', '10.20.0.11', 'ens3'],
      ['ens3', '10.20.0.100', 'ens3:vip'],
    ]);
    expect(warnings).toEqual([{ line: 3, message: 'address fe80::1 left out: no link header above it and no label naming its interface' }]);
  });
});

describe('parseIpAddrText on masked and broken input', () => {
  const { links, addresses, warnings } = parseIpAddrText(fixture('masked.addr.txt'));

  it('leaves out an address whose own address is masked, with a warning on its line', () => {
    expect(addresses.map((a) => a.local)).toEqual(['10.20.0.11', '10.66.0.1']);
    expect(warnings).toContainEqual({ line: 3, message: 'address left out: its address "10.20.x.x/24" is masked' });
    expect(warnings).toContainEqual({ line: 7, message: 'address left out: its address "2001:db8::xxxx/64" is masked' });
  });

  it('a masked broadcast is left out and marked redacted, with a warning on its line', () => {
    const address = byLocal(addresses, '10.20.0.11');
    expect(address.broadcast).toBeUndefined();
    expect(address.redacted).toEqual(['broadcast']);
    expect(warnings).toContainEqual({ line: 5, message: 'broadcast "x.x.x.x" is masked; left out and marked redacted' });
  });

  it('a masked peer is left out and marked redacted; the prefix length still comes from it', () => {
    expect(byLocal(addresses, '10.66.0.1')).toMatchObject({ prefixlen: 32, redacted: ['peer'] });
    expect(warnings).toContainEqual({ line: 15, message: 'peer "<redacted>/32" is masked; left out and marked redacted' });
  });

  it('leaves out a link with a masked name and the addresses under it, one warning each', () => {
    expect(links.map((l) => l.name)).toEqual(['eth0', 'tun0']);
    expect(links[0].redacted).toEqual(['mac']);
    expect(warnings.filter((w) => w.line !== undefined && w.line >= 9 && w.line <= 12)).toEqual([
      { line: 9, message: 'link left out: its interface name "<redacted>" is masked' },
      { line: 11, message: 'address "192.168.5.1/24" left out: the link it belongs to (line 9) was left out: its interface name "<redacted>" is masked' },
    ]);
  });

  it('warns about lifetimes that follow no address, words it does not know, wrong families and impossible lengths', () => {
    const result = parseIpAddrText(
      [
        '       valid_lft forever preferred_lft forever',
        '2: eth0: <UP> mtu 1500 qdisc noop state UP',
        '    inet 10.0.0.1/24 scope global frobnicate eth0',
        '    inet fd00::1/64 scope global',
        '    inet 10.0.0.2/33 scope global eth0',
        '    inet6 fd00::2/64 scope global',
        '       valid_lft 12xsec preferred_lft forever',
      ].join('\n'),
    );
    expect(result.addresses.map((a) => a.local)).toEqual(['10.0.0.1', 'fd00::2']);
    expect(result.addresses[1].validLifetime).toBeUndefined();
    expect(result.warnings).toEqual([
      { line: 1, message: 'lifetimes "valid_lft forever preferred_lft forever" follow no address line; skipped' },
      { line: 3, message: 'address 10.0.0.1: skipped words ip(8) does not print here: "frobnicate"' },
      { line: 4, message: 'address left out: "fd00::1" is not an inet address' },
      { line: 5, message: 'address 10.0.0.2 left out: prefix length "33" is not a number from 0 to 32' },
      { line: 7, message: 'valid_lft "12xsec" is not a number of seconds or "forever"; left out' },
    ]);
  });
});
