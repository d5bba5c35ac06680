import { addressValue, compareAddressText, lookupRoute, type RouteLike } from './route-lookup';

const route = (dst: string, extra: Partial<RouteLike> & { dev?: string } = {}): RouteLike & { dev?: string } => ({ dst, family: dst.includes(':') ? 'inet6' : 'inet', table: 'main', type: 'unicast', metric: 0, ...extra });

describe('address order', () => {
  it('sorts addresses as numbers: 172.16.0.64 before 172.16.0.128', () => {
    expect(['172.16.0.128', '172.16.0.64', '10.0.0.1', '172.16.0.9'].sort(compareAddressText)).toEqual(['10.0.0.1', '172.16.0.9', '172.16.0.64', '172.16.0.128']);
  });

  it('puts default first, IPv4 before IPv6, a shorter prefix before a longer one at the same address, and non-addresses last', () => {
    expect(['fd00::/64', 'not-an-ip', '10.0.0.0/24', 'default', '10.0.0.0/8', '10.0.0.0'].sort(compareAddressText)).toEqual(['default', '10.0.0.0/8', '10.0.0.0/24', '10.0.0.0', 'fd00::/64', 'not-an-ip']);
  });

  it('reads IPv6 with :: and rejects what is not an address', () => {
    expect(addressValue('fd00::1')).toEqual({ family: 'inet6', value: (0xfd00n << 112n) | 1n });
    expect(addressValue('256.0.0.1')).toBeUndefined();
    expect(addressValue('10.0.0')).toBeUndefined();
    expect(addressValue('fd00::1::2')).toBeUndefined();
  });
});

describe('which route does an address take', () => {
  const routes = [
    route('default', { dev: 'eth0' }),
    route('172.16.0.0/16', { dev: 'tunl0' }),
    route('172.16.0.64/26', { dev: 'blackhole', type: 'blackhole' }),
    route('172.16.0.70', { dev: 'cali1' }),
    route('172.16.0.70', { dev: 'cali-metric', metric: 100 }),
    route('10.1.0.0/24', { dev: 'eth0', metric: 200 }),
    route('10.1.0.0/24', { dev: 'eth1', metric: 100 }),
    route('10.9.9.9', { dev: 'eth0', table: 'local', type: 'local' }),
    route('10.9.9.0/24', { dev: 'eth2' }),
    route('192.168.5.0/24', { dev: 'custom', table: '100' }),
    route('fd00::/64', { dev: 'eth0' }),
  ];

  it('takes the longest prefix: a pod /32 beats its block, the block beats the pool, the pool beats default', () => {
    expect(lookupRoute(routes, '172.16.0.70')).toMatchObject({ ok: true, prefixlen: 32, route: { dev: 'cali1' } });
    expect(lookupRoute(routes, '172.16.0.71')).toMatchObject({ ok: true, prefixlen: 26, route: { type: 'blackhole' } });
    expect(lookupRoute(routes, '172.16.1.1')).toMatchObject({ ok: true, prefixlen: 16, route: { dev: 'tunl0' } });
    expect(lookupRoute(routes, '8.8.8.8')).toMatchObject({ ok: true, prefixlen: 0, route: { dev: 'eth0' } });
  });

  it('breaks a tie on prefix length by the lower metric', () => {
    expect(lookupRoute(routes, '10.1.0.5')).toMatchObject({ ok: true, route: { dev: 'eth1' } });
  });

  it('consults the local table before main, and ignores custom tables', () => {
    expect(lookupRoute(routes, '10.9.9.9')).toMatchObject({ ok: true, table: 'local', route: { type: 'local' } });
    expect(lookupRoute(routes, '192.168.5.1')).toMatchObject({ ok: true, prefixlen: 0, route: { dev: 'eth0' } });
  });

  it('matches IPv6 only against IPv6 routes and says when nothing covers the address or it is not one', () => {
    expect(lookupRoute(routes, 'fd00::5')).toMatchObject({ ok: true, prefixlen: 64 });
    expect(lookupRoute(routes.filter((r) => r.family === 'inet'), 'fd01::5')).toEqual({ ok: false, reason: 'no-route' });
    expect(lookupRoute(routes, 'pod-a')).toEqual({ ok: false, reason: 'not-an-address' });
  });
});
