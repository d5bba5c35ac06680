import { describeChangedAttributes, describeKey, formatFact } from './fact-format';

describe('facts as one line', () => {
  it('write routes the way ip route does', () => {
    expect(formatFact('ROUTE', 'main|inet|unicast|0.0.0.0/0|0', { table: 'main', family: 'inet', type: 'unicast', dst: '0.0.0.0/0', metric: 0, gateway: '10.0.0.1', dev: 'eth0', protocol: 'boot', scope: 'global', flags: [] })).toBe('default via 10.0.0.1 dev eth0');
    expect(formatFact('ROUTE', 'main|inet|unicast|10.244.1.2/32|0', { table: 'main', type: 'unicast', dst: '10.244.1.2/32', metric: 0, dev: 'cali1', protocol: 'boot', scope: 'link', flags: [] })).toBe('10.244.1.2 dev cali1 scope link');
    expect(formatFact('ROUTE', 'main|inet|blackhole|10.244.1.0/26|0', { table: 'main', type: 'blackhole', dst: '10.244.1.0/26', metric: 0, protocol: 'bird', scope: 'global', flags: [] })).toBe('blackhole 10.244.1.0/26 proto bird');
    expect(formatFact('ROUTE', 'k', { table: 'local', type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.11', metric: 100, flags: ['linkdown'] })).toBe(
      '10.0.0.0/24 dev eth0 table local proto kernel scope link src 10.0.0.11 metric 100 linkdown',
    );
  });

  it('write links, addresses, neighbours and sysctls', () => {
    expect(formatFact('LINK', 'cali1', { kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1440, operState: 'UP', flags: ['UP'], peerIfindex: 3, peerInOtherNetns: true })).toBe(
      'cali1@if3: <UP> mtu 1440 state UP kind veth link/ether ee:ee:ee:ee:ee:ee link-netns (other namespace)',
    );
    expect(formatFact('ADDRESS', 'eth0|10.0.0.11/24', { dev: 'eth0', family: 'inet', local: '10.0.0.11', prefixlen: 24, scope: 'global', flags: [] })).toBe('eth0: inet 10.0.0.11/24 scope global');
    expect(formatFact('NEIGHBOR', 'eth0|169.254.1.1', { dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: 'failed' })).toBe('169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee FAILED');
    expect(formatFact('SYSCTL', 'net/ipv4/conf/cali1/proxy_arp', { value: '0' })).toBe('net.ipv4.conf.cali1.proxy_arp = 0');
  });

  it('name keys and changed attributes readably', () => {
    expect(describeKey('ROUTE', 'main|inet|unicast|10.244.3.0/26|0')).toBe('10.244.3.0/26');
    expect(describeKey('NEIGHBOR', 'proxy|eth0|10.0.0.5')).toBe('proxy 10.0.0.5 dev eth0');
    expect(describeChangedAttributes({ gateway: '10.0.0.13', dev: 'tunl0' }, { gateway: '10.0.0.23', dev: 'tunl0' })).toBe('gateway 10.0.0.13 → 10.0.0.23');
    expect(describeChangedAttributes({ mtu: 1440 }, { mtu: 1440, master: 'br0' })).toBe('master ∅ → br0');
  });
});
