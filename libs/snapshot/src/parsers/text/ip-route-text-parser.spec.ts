import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from '../../contract/snapshot-schema';
import { IGNORED_ROUTE_KEYWORDS, parseIpRouteText } from './ip-route-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');
const find = (routes: Route[], dst: string, where: Partial<Route> = {}) => {
  const found = routes.filter((r) => r.dst === dst && Object.entries(where).every(([k, v]) => (r as Record<string, unknown>)[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} routes to ${dst} ${JSON.stringify(where)}`);
  return found[0];
};

describe('parseIpRouteText on `ip route show table all` captured from iproute2 6.1 (lab-node, both families)', () => {
  const { entries, warnings } = parseIpRouteText(fixture('lab-node.route.txt'));

  it('reads every route without a warning', () => {
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(82);
  });

  it('maps `default via 10.99.0.1 dev eth0` with table main and type unicast', () => {
    expect(find(entries, 'default', { family: 'inet' })).toEqual({
      family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.99.0.1', dev: 'eth0', flags: [],
    });
  });

  it('infers inet6 for a `default` whose gateway is IPv6 in a mixed-family paste', () => {
    expect(find(entries, 'default', { family: 'inet6', table: 'main' })).toEqual({
      family: 'inet6', table: 'main', type: 'unicast', dst: 'default', gateway: 'fd00:99::1', dev: 'eth0', metric: 1024, pref: 'medium', flags: [],
    });
  });

  it('maps blackhole, unreachable, prohibit and throw routes', () => {
    expect(find(entries, '172.17.8.0/26')).toEqual({ family: 'inet', table: 'main', type: 'blackhole', dst: '172.17.8.0/26', protocol: 'bird', flags: [] });
    expect(find(entries, '10.250.0.0/16').type).toBe('unreachable');
    expect(find(entries, '10.251.0.0/16').type).toBe('prohibit');
    expect(find(entries, '10.252.0.0/16')).toMatchObject({ type: 'throw', table: '100' });
    expect(find(entries, '2001:db8:dead::/48')).toMatchObject({ type: 'unreachable', family: 'inet6', dev: 'lo', metric: 1024 });
    expect(find(entries, '2001:db8:bad::/48')).toMatchObject({ type: 'blackhole', family: 'inet6' });
  });

  it('keeps a host route bare, with scope link', () => {
    expect(find(entries, '172.17.8.2', { table: 'main' })).toEqual({
      family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.2', dev: 'cali1a2b3c4d5e6', scope: 'link', flags: [],
    });
  });

  it('maps a numeric protocol and onlink (Calico VXLAN block route)', () => {
    expect(find(entries, '172.17.9.0/26')).toMatchObject({ gateway: '172.17.9.0', dev: 'vxlan.calico', protocol: '80', flags: ['onlink'] });
  });

  it('maps a route in a numbered table with proto and metric', () => {
    expect(find(entries, '10.72.0.0/16')).toMatchObject({ table: '200', protocol: '80', metric: 50, gateway: '10.99.0.1' });
    expect(find(entries, '10.83.0.0/16')).toMatchObject({ table: '100', scope: 'link', dev: 'eth0' });
  });

  it('maps multipath nexthop lines with weights', () => {
    expect(find(entries, '10.70.0.0/16')).toEqual({
      family: 'inet', table: 'main', type: 'unicast', dst: '10.70.0.0/16', protocol: 'static', flags: [],
      nexthops: [
        { gateway: '10.99.0.1', dev: 'eth0', weight: 1, flags: [] },
        { gateway: '10.99.0.12', dev: 'eth0', weight: 2, flags: [] },
      ],
    });
  });

  it('keeps flags of a nexthop (linkdown) on that nexthop', () => {
    expect(find(entries, '10.71.0.0/16').nexthops).toEqual([
      { gateway: '10.99.0.1', dev: 'eth0', weight: 1, flags: [] },
      { gateway: '10.97.0.2', dev: 'vdown-a', weight: 1, flags: ['linkdown'] },
    ]);
  });

  it('maps `mtu lock 1400`, `tos 0x10`, `src` and `metric`', () => {
    expect(find(entries, '10.80.0.0/16').mtu).toBe(1400);
    expect(find(entries, '10.81.0.0/16')).toMatchObject({ tos: '0x10', gateway: '10.99.0.1' });
    expect(find(entries, '10.82.0.0/16')).toMatchObject({ prefsrc: '10.99.0.11', metric: 100 });
  });

  it('maps `via inet6 fe80::1` on an IPv4 route to an IPv6 gateway on an inet route', () => {
    expect(find(entries, '10.84.0.0/16')).toEqual({ family: 'inet', table: 'main', type: 'unicast', dst: '10.84.0.0/16', gateway: 'fe80::1', dev: 'eth0', flags: [] });
  });

  it('maps linkdown on a route and kernel routes with src', () => {
    expect(find(entries, '10.97.0.0/24')).toEqual({
      family: 'inet', table: 'main', type: 'unicast', dst: '10.97.0.0/24', dev: 'vdown-a', protocol: 'kernel', scope: 'link', prefsrc: '10.97.0.1', flags: ['linkdown'],
    });
  });

  it('maps local and broadcast routes of table local', () => {
    expect(find(entries, '127.0.0.0/8')).toEqual({
      family: 'inet', table: 'local', type: 'local', dst: '127.0.0.0/8', dev: 'lo', protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1', flags: [],
    });
    expect(find(entries, '10.97.0.255')).toMatchObject({ type: 'broadcast', table: 'local', flags: ['linkdown'] });
  });

  it('maps IPv6 `expires 94707sec`, `pref high` and `pref medium`', () => {
    expect(find(entries, '2001:db8:5::/64')).toMatchObject({ expires: 94707, pref: 'medium', metric: 1024, family: 'inet6' });
    expect(find(entries, '2001:db8:6::/64').pref).toBe('high');
  });

  it('maps IPv6 multipath and a linkdown IPv6 route', () => {
    expect(find(entries, '2001:db8:7::/64').nexthops).toEqual([
      { gateway: 'fd00:99::1', dev: 'eth0', weight: 1, flags: [] },
      { gateway: 'fd00:99::12', dev: 'eth0', weight: 1, flags: [] },
    ]);
    expect(find(entries, '2001:db8:8::/64').flags).toEqual(['linkdown']);
  });

  it('maps the IPv6 kernel routes: fe80::/64, multicast ff00::/8, local ::1, anycast fe80::', () => {
    expect(find(entries, 'fe80::/64', { dev: 'eth0' })).toEqual({
      family: 'inet6', table: 'main', type: 'unicast', dst: 'fe80::/64', dev: 'eth0', protocol: 'kernel', metric: 256, pref: 'medium', flags: [],
    });
    expect(find(entries, 'ff00::/8', { dev: 'eth0' })).toMatchObject({ type: 'multicast', table: 'local', protocol: 'kernel', metric: 256 });
    expect(find(entries, '::1')).toMatchObject({ type: 'local', table: 'local', metric: 0, dev: 'lo' });
    expect(find(entries, 'fe80::', { dev: 'eth0' })).toMatchObject({ type: 'anycast', table: 'local', metric: 0, family: 'inet6' });
  });
});

describe('parseIpRouteText on other captures and versions', () => {
  it('reads `ip -6 route show table all` from lab-node the same way as the IPv6 part of the mixed paste', () => {
    const v6 = parseIpRouteText(fixture('lab-node.route6.txt'), { family: 'inet6' });
    const mixed = parseIpRouteText(fixture('lab-node.route.txt'));
    expect(v6.warnings).toEqual([]);
    const strip = (routes: Route[]) => routes.map(({ expires: _e, ...rest }) => rest);
    expect(strip(v6.entries)).toEqual(strip(mixed.entries.filter((r) => r.family === 'inet6')));
  });

  it('reads a pod namespace (Calico model routes)', () => {
    const { entries, warnings } = parseIpRouteText(fixture('lab-pod.route.txt'));
    expect(warnings).toEqual([]);
    expect(find(entries, 'default', { family: 'inet' })).toMatchObject({ gateway: '169.254.1.1', dev: 'eth0' });
    expect(find(entries, '169.254.1.1')).toMatchObject({ dev: 'eth0', scope: 'link' });
    expect(find(entries, 'default', { family: 'inet6' })).toMatchObject({ gateway: 'fe80::ecee:eeff:feee:eeee' });
    expect(find(entries, 'fd00:8::2', { table: 'main' })).toMatchObject({ protocol: 'kernel', metric: 256 });
  });

  it('marks `ip route get` output (a `cache` continuation line) with the cache flag', () => {
    const { entries, warnings } = parseIpRouteText(fixture('lab-node.route-get.txt'));
    expect(warnings).toEqual([]);
    expect(entries).toEqual([{ family: 'inet', table: 'main', type: 'unicast', dst: '10.99.0.1', dev: 'eth0', prefsrc: '10.99.0.11', flags: ['cache'] }]);
  });

  it('reads `cache` continuation lines with expires and mtu (PMTU exceptions)', () => {
    const { entries, warnings } = parseIpRouteText('10.9.0.1 via 10.0.0.1 dev eth0 table main\n    cache expires 582sec mtu 1400 ');
    expect(warnings).toEqual([]);
    expect(entries[0]).toMatchObject({ flags: ['cache'], expires: 582, mtu: 1400, gateway: '10.0.0.1' });
  });

  it('reads double-spaced iproute2 4.x output with trailing spaces, dead and linkdown flags', () => {
    const { entries, warnings } = parseIpRouteText(fixture('iproute2-4x.route.txt'));
    expect(warnings).toEqual([]);
    expect(find(entries, 'default')).toEqual({ family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.20.0.1', dev: 'ens3', protocol: 'static', metric: 100, flags: [] });
    expect(find(entries, '10.20.0.0/24')).toMatchObject({ protocol: 'kernel', scope: 'link', prefsrc: '10.20.0.11', metric: 100 });
    expect(find(entries, '10.244.4.0/26')).toMatchObject({ dev: 'tunl0', protocol: 'bird', flags: ['onlink'] });
    expect(find(entries, '10.244.5.0/26').flags).toEqual(['onlink', 'dead']);
    expect(find(entries, '172.18.0.0/16').flags).toEqual(['linkdown']);
  });

  it('reads iproute2 3.x IPv6 output: `error -113` and `hoplimit` ignored silently, `metric -1` is 4294967295, `via ::` kept', () => {
    const { entries, warnings } = parseIpRouteText(fixture('iproute2-3x.route6.txt'), { family: 'inet6' });
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(10);
    expect(find(entries, '::/96')).toEqual({ family: 'inet6', table: 'main', type: 'unreachable', dst: '::/96', dev: 'lo', metric: 1024, flags: [] });
    expect(find(entries, '::ffff:0.0.0.0/96').type).toBe('unreachable');
    expect(find(entries, 'default', { table: 'main' })).toMatchObject({ gateway: 'fe80::1', protocol: 'ra', metric: 1024, expires: 1793 });
    expect(find(entries, 'default', { table: 'unspec' })).toEqual({
      family: 'inet6', table: 'unspec', type: 'unreachable', dst: 'default', dev: 'lo', protocol: 'kernel', metric: 4294967295, flags: [],
    });
    expect(find(entries, '::1')).toMatchObject({ gateway: '::', protocol: 'none', table: 'local' });
    expect(find(entries, 'ff00::/8')).toMatchObject({ table: 'local', metric: 256, type: 'unicast' });
  });

  it('reads busybox 1.36 `ip route` (no proto, `scope link  src`)', () => {
    const { entries, warnings } = parseIpRouteText(fixture('busybox-1.36.route.txt'));
    expect(warnings).toEqual([]);
    expect(find(entries, 'default')).toEqual({ family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '192.168.1.1', dev: 'eth0', metric: 202, flags: [] });
    expect(find(entries, '192.168.1.0/24')).toEqual({ family: 'inet', table: 'main', type: 'unicast', dst: '192.168.1.0/24', dev: 'eth0', scope: 'link', prefsrc: '192.168.1.5', flags: [] });
    expect(find(entries, '10.244.3.0/26').type).toBe('blackhole');
    expect(find(entries, '10.244.4.0/26').flags).toEqual(['onlink']);
  });

  it('uses options.family for a `default` with no address on the line (busybox `ip -6 route`)', () => {
    const v6 = parseIpRouteText(fixture('busybox-1.36.route6.txt'), { family: 'inet6' });
    expect(v6.warnings).toEqual([]);
    expect(find(v6.entries, 'default', { type: 'unreachable' })).toMatchObject({ family: 'inet6', metric: 4294967295, dev: 'lo' });
    const unknown = parseIpRouteText('unreachable default dev lo  metric 1024');
    expect(unknown.entries[0].family).toBe('inet');
  });

  it('reads every route type word, including the rare nat and an explicit unicast', () => {
    const types = ['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multicast', 'anycast', 'nat'];
    const { entries, warnings } = parseIpRouteText(types.map((t, i) => `${t} 10.${i}.0.0/16 dev eth0`).join('\n'));
    expect(warnings).toEqual([]);
    expect(entries.map((r) => r.type)).toEqual(types);
  });

  it('keeps the bare route flags pervasive, offload, trap, notify, rt_offload, rt_trap and rt_offload_failed', () => {
    const flags = ['pervasive', 'offload', 'trap', 'notify', 'rt_offload', 'rt_trap', 'rt_offload_failed'];
    const { entries, warnings } = parseIpRouteText(`10.3.0.0/16 via 10.0.0.1 dev swp1 proto bgp metric 20 ${flags.join(' ')}`);
    expect(warnings).toEqual([]);
    expect(entries[0].flags).toEqual(flags);
  });

  it('maps `via inet 10.0.0.1` on an address-less IPv6 default to an IPv4 gateway on an inet6 route', () => {
    const { entries, warnings } = parseIpRouteText('default via inet 10.0.0.1 dev eth0 proto static metric 1024');
    expect(warnings).toEqual([]);
    expect(entries[0]).toMatchObject({ family: 'inet6', gateway: '10.0.0.1' });
  });

  it('infers inet6 for an address-less `default` from `pref`, which ip(8) prints for IPv6 only', () => {
    const { entries } = parseIpRouteText('unreachable default dev lo proto kernel metric 4294967295 pref medium');
    expect(entries[0].family).toBe('inet6');
  });

  it('infers the family of `default` from src or from the nexthops when there is no gateway', () => {
    const { entries } = parseIpRouteText('default dev wg0 scope link src fd00::1\ndefault proto static metric 100\n\tnexthop via fe80::1 dev eth0 weight 1\n\tnexthop via fe80::2 dev eth1 weight 1');
    expect(entries.map((r) => r.family)).toEqual(['inet6', 'inet6']);
  });
});

describe('parseIpRouteText on masked, pasted and broken input', () => {
  it('a masked gateway is left out and marked redacted, with a warning on its line', () => {
    const { entries, warnings } = parseIpRouteText(fixture('masked.route.txt'));
    const route = find(entries, '172.17.9.0/26');
    expect(route.gateway).toBeUndefined();
    expect(route.redacted).toEqual(['gateway']);
    expect(warnings).toContainEqual({ line: 3, message: 'gateway "<redacted>" is masked; left out and marked redacted' });
  });

  it('a masked gateway and prefsrc on a default route: both redacted, family still read from the masked shape', () => {
    const { entries, warnings } = parseIpRouteText(fixture('masked.route.txt'));
    expect(find(entries, 'default', { family: 'inet' })).toEqual({
      family: 'inet', table: 'main', type: 'unicast', dst: 'default', dev: 'eth0', protocol: 'dhcp', metric: 100, flags: [], redacted: ['gateway', 'prefsrc'],
    });
    expect(find(entries, 'default', { family: 'inet6' }).redacted).toEqual(['gateway']);
    expect(warnings.filter((w) => w.line === 1)).toHaveLength(2);
  });

  it('a route whose destination is masked is left out with a warning on its line', () => {
    const { entries, warnings } = parseIpRouteText(fixture('masked.route.txt'));
    expect(entries.map((r) => r.dst)).toEqual(['default', '172.17.9.0/26', '10.244.7.0/26', 'default']);
    expect(warnings).toContainEqual({ line: 2, message: 'route left out: its destination "10.xx.xx.0/24" is masked' });
    expect(warnings).toContainEqual({ line: 4, message: 'route left out: its destination "10.X.Y.Z" is masked' });
    expect(warnings).toContainEqual({ line: 8, message: 'route left out: its destination "2001:db8:xxxx::/64" is masked' });
  });

  it('a masked nexthop gateway is marked redacted by its index, with a warning on the nexthop line', () => {
    const { entries, warnings } = parseIpRouteText(fixture('masked.route.txt'));
    const route = find(entries, '10.244.7.0/26');
    expect(route.nexthops).toEqual([
      { gateway: '10.20.0.17', dev: 'tunl0', weight: 1, flags: ['onlink'] },
      { dev: 'tunl0', weight: 1, flags: ['onlink'] },
    ]);
    expect(route.redacted).toEqual(['nexthops[1].gateway']);
    expect(warnings).toContainEqual({ line: 7, message: 'nexthops[1].gateway "10.20.xx.18" is masked; left out and marked redacted' });
  });

  it('strips markdown quotes, code fences and indentation; warns about prose and prompt lines by line number', () => {
    const { entries, warnings } = parseIpRouteText(fixture('ticket-quoted.route.txt'));
    expect(entries).toEqual([
      { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.20.0.1', dev: 'ens3', protocol: 'dhcp', prefsrc: '10.20.0.11', metric: 100, flags: [] },
      { family: 'inet', table: 'main', type: 'unicast', dst: '10.244.3.0/26', gateway: '10.20.0.12', dev: 'tunl0', protocol: 'bird', flags: ['onlink'] },
      { family: 'inet', table: 'main', type: 'blackhole', dst: '10.244.4.0/26', protocol: 'bird', flags: [] },
    ]);
    expect(warnings).toEqual([
      { line: 1, message: 'not a line of ip route output: "Output from the node, routes look wrong:"' },
      { line: 3, message: 'not a line of ip route output: "$ ip route"' },
    ]);
  });

  it('gives the same routes for Windows line endings', () => {
    const unix = fixture('lab-pod.route.txt');
    expect(parseIpRouteText(unix.replace(/\n/g, '\r\n'))).toEqual(parseIpRouteText(unix));
  });

  it('ignores the listed keywords (with their values and `lock`) without a warning', () => {
    const line = `10.5.0.0/16 via 10.0.0.1 dev eth0 ${IGNORED_ROUTE_KEYWORDS.map((k) => (k === 'rtt' ? 'rtt lock 10ms' : `${k} 7`)).join(' ')} metric 5`;
    const { entries, warnings } = parseIpRouteText(line);
    expect(warnings).toEqual([]);
    expect(entries).toEqual([{ family: 'inet', table: 'main', type: 'unicast', dst: '10.5.0.0/16', gateway: '10.0.0.1', dev: 'eth0', metric: 5, flags: [] }]);
  });

  it('keeps a route with an unknown word, warning about the word', () => {
    const { entries, warnings } = parseIpRouteText('10.6.0.0/16 dev eth0 frobnicate 3');
    expect(entries).toHaveLength(1);
    expect(warnings).toEqual([{ line: 1, message: 'route 10.6.0.0/16: skipped words this parser does not know: "frobnicate", "3"' }]);
  });

  it('marks a gateway printed as a host name (`ip -r route`) redacted, with a warning', () => {
    const { entries, warnings } = parseIpRouteText('default via router.lan dev eth0 proto dhcp metric 100');
    expect(entries[0]).toMatchObject({ dst: 'default', redacted: ['gateway'] });
    expect(entries[0].gateway).toBeUndefined();
    expect(warnings).toEqual([{ line: 1, message: 'gateway "router.lan" is not an IP address; left out and marked redacted' }]);
  });

  it('leaves out a route whose metric is not a number (the metric is part of its identity)', () => {
    const { entries, warnings } = parseIpRouteText('10.7.0.0/16 dev eth0 metric high\n10.8.0.0/16 dev eth0 metric 10');
    expect(entries.map((r) => r.dst)).toEqual(['10.8.0.0/16']);
    expect(warnings).toEqual([{ line: 1, message: 'route 10.7.0.0/16 left out: metric "high" is not a number from 0 to 4294967295' }]);
  });

  it('warns about a nexthop line that follows no route, and an invalid destination', () => {
    const { entries, warnings } = parseIpRouteText('\tnexthop via 10.0.0.1 dev eth0 weight 1\n10.0.0.0/33 dev eth0\n300.1.1.1 dev eth0');
    expect(entries).toEqual([]);
    expect(warnings).toEqual([
      { line: 1, message: '"nexthop" line follows no route; skipped' },
      { line: 2, message: 'route left out: "10.0.0.0/33" is not a destination (default, an address or address/length)' },
      { line: 3, message: 'route left out: "300.1.1.1" is not a destination (default, an address or address/length)' },
    ]);
  });

  it('silently skips the nexthop lines of a route that was left out', () => {
    const { entries, warnings } = parseIpRouteText('x.x.0.0/16 proto static\n\tnexthop via 10.0.0.1 dev eth0 weight 1\n\tnexthop via 10.0.0.2 dev eth0 weight 1');
    expect(entries).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('reads nexthops written on the route line itself', () => {
    const { entries } = parseIpRouteText('10.9.0.0/16 proto static nexthop via 10.0.0.1 dev eth0 weight 1 nexthop via inet6 fe80::1 dev eth1 weight 3 onlink');
    expect(entries[0].nexthops).toEqual([
      { gateway: '10.0.0.1', dev: 'eth0', weight: 1, flags: [] },
      { gateway: 'fe80::1', dev: 'eth1', weight: 3, flags: ['onlink'] },
    ]);
  });
});
