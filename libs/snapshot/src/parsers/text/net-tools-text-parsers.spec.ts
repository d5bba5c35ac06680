import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArpTableText } from './arp-table-text-parser';
import { parseIfconfigText } from './ifconfig-text-parser';
import { maskLength, parseRouteTableText } from './route-table-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');

// The fixtures were captured in one namespace (net-tools 2.10, busybox 1.36): a Calico-like node
// with a pod route, a blackhole block (proto 80), an unreachable route, a VXLAN block route.
describe('parseRouteTableText (route, route -n, route -e, netstat -rn, busybox route)', () => {
  it.each(['net-tools-2.10.route-n.txt', 'net-tools-2.10.netstat-rn.txt', 'busybox-1.36.route-table-n.txt', 'busybox-1.36.route-table.txt'])('%s: every row, with its type', (name) => {
    const { entries, warnings, unresolved } = parseRouteTableText(fixture(name));
    expect(warnings).toEqual([]);
    expect(unresolved).toBe(0);
    expect(entries.map((r) => `${r.type} ${r.dst} ${r.gateway ?? '-'} ${r.dev ?? '-'}`)).toEqual([
      'unicast default 192.168.56.1 br0',
      'unreachable 10.99.0.0/16 - -',
      'blackhole 10.244.1.0/26 - -',
      'unicast 10.244.1.5/32 - calirsp0',
      'unicast 10.244.2.0/26 10.244.2.0 vxlan.calico',
      'unicast 10.244.9.0/24 192.168.56.1 br0',
      'unicast 192.168.56.0/24 - br0',
    ]);
  });

  it('keeps the metric and marks device routes scope link', () => {
    const { entries } = parseRouteTableText(fixture('net-tools-2.10.route-n.txt'));
    expect(entries[5]).toEqual({ family: 'inet', table: 'main', type: 'unicast', dst: '10.244.9.0/24', gateway: '192.168.56.1', dev: 'br0', metric: 100, flags: [] });
    expect(entries[3]).toEqual({ family: 'inet', table: 'main', type: 'unicast', dst: '10.244.1.5/32', dev: 'calirsp0', scope: 'link', flags: [] });
  });

  it('leaves out rows whose destination is a resolved host name (route without -n), counting them', () => {
    const { entries, unresolved, warnings } = parseRouteTableText(fixture('net-tools-2.10.route.txt'));
    expect(entries).toHaveLength(6);
    expect(unresolved).toBe(1);
    expect(warnings[0]).toEqual({ line: 6, message: 'route left out: destination "web-7d4b9c-x2x8" is a name, not an address (use route -n)' });
  });

  it('reads a table pasted without its two header lines', () => {
    const body = fixture('net-tools-2.10.route-n.txt').split('\n').slice(2).join('\n');
    expect(parseRouteTableText(body).entries).toHaveLength(7);
  });

  it('reads the IPv6 table (route -6 -n, route -A inet6)', () => {
    for (const name of ['net-tools-2.10.route-6-n.txt', 'net-tools-2.10.route-inet6.txt']) {
      const { entries, warnings } = parseRouteTableText(fixture(name));
      expect(warnings).toEqual([]);
      expect(entries[0]).toEqual({ family: 'inet6', table: 'main', type: 'unicast', dst: 'fd00::/64', dev: 'calirsp0', metric: 256, flags: [] });
      expect(entries.filter((r) => r.type === 'unreachable').map((r) => r.dst)).toEqual(['default', 'default']);
    }
  });

  it('turns netmasks into prefix lengths and refuses non-contiguous ones', () => {
    expect(maskLength('255.255.255.192')).toBe(26);
    expect(maskLength('0.0.0.0')).toBe(0);
    expect(maskLength('255.255.255.255')).toBe(32);
    expect(maskLength('255.0.255.0')).toBeUndefined();
  });
});

describe('parseIfconfigText', () => {
  it('reads net-tools 2.x records into links (no ifindex printed: 0) and addresses', () => {
    const { links, addresses, warnings } = parseIfconfigText(fixture('net-tools-2.10.ifconfig-a.txt'));
    expect(warnings).toEqual([]);
    expect(links.map((l) => l.name)).toEqual(['br0', 'calirsp0', 'lo', 'vxlan.calico']);
    expect(links[1]).toEqual({ ifindex: 0, name: 'calirsp0', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1500, operState: 'UP', flags: ['UP', 'BROADCAST', 'MULTICAST', 'LOWER_UP'] });
    expect(links[3].mtu).toBe(1450);
    expect(addresses).toContainEqual({ dev: 'br0', family: 'inet', local: '192.168.56.11', prefixlen: 24, flags: [] });
    expect(addresses).toContainEqual({ dev: 'vxlan.calico', family: 'inet', local: '10.244.1.0', prefixlen: 32, flags: [] });
    expect(addresses).toContainEqual({ dev: 'calirsp0', family: 'inet6', local: 'fe80::ecee:eeff:feee:eeee', prefixlen: 64, scope: 'link', flags: [] });
    expect(addresses).toContainEqual({ dev: 'calirsp0', family: 'inet6', local: 'fd00::1', prefixlen: 64, flags: [] });
    expect(addresses).toContainEqual({ dev: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', flags: [] });
  });

  it('reads the 1.x / busybox form (Link encap, HWaddr, inet addr:, MTU:) to the same links and addresses', () => {
    const old = parseIfconfigText(fixture('busybox-1.36.ifconfig-a.txt'));
    const current = parseIfconfigText(fixture('net-tools-2.10.ifconfig-a.txt'));
    expect(old.warnings).toEqual([]);
    expect(old.links).toEqual(current.links);
    expect(old.addresses).toEqual(current.addresses);
  });
});

describe('parseArpTableText', () => {
  const expected = [
    { family: 'inet', dst: '192.168.56.7', dev: 'br0', state: ['INCOMPLETE'] },
    { family: 'inet', dst: '192.168.56.1', dev: 'br0', lladdr: '52:54:00:12:34:56', state: ['REACHABLE'] },
    { family: 'inet', dst: '192.168.56.8', dev: 'br0', lladdr: '52:54:00:aa:bb:cc', state: ['PERMANENT'] },
    { family: 'inet', dst: '10.244.1.5', dev: 'calirsp0', lladdr: 'e2:8e:e9:c7:20:80', state: ['REACHABLE'] },
  ];
  it.each(['net-tools-2.10.arp-n.txt', 'net-tools-2.10.arp-a.txt', 'busybox-1.36.arp-a.txt', 'busybox-1.36.arp-n.txt'])('%s: every entry with its state', (name) => {
    const { entries, warnings } = parseArpTableText(fixture(name));
    expect(warnings).toEqual([]);
    expect(entries).toEqual(expected);
  });

  it('leaves out a row that shows a host name instead of the address (arp without -n)', () => {
    const { entries, unresolved } = parseArpTableText(fixture('net-tools-2.10.arp.txt'));
    expect(entries).toEqual(expected.slice(0, 3));
    expect(unresolved).toBe(1);
  });
});
