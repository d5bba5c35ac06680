import { calicoSnapshot } from '../../test/calico-snapshot';
import type { Snapshot } from '../contract/snapshot-schema';
import { canonicalPrefix } from './address-canonical';
import { hashFacts } from './fact-hash';
import { namespaceToFacts, normaliseNeighborState, routeKey, snapshotToFacts, type Fact } from './fact-normaliser';

function withChange(change: (s: Snapshot) => void): Snapshot {
  const snapshot = structuredClone(calicoSnapshot());
  change(snapshot);
  return snapshot;
}

const hashOf = (s: Snapshot) => hashFacts(snapshotToFacts(s));
const find = (facts: Fact[], ns: string, kind: Fact['kind'], key: string) => facts.find((f) => f.ns === ns && f.kind === kind && f.key === key);

describe('normalisation into facts', () => {
  it('keys the pod namespace by its netns name and records its host veth', () => {
    const facts = snapshotToFacts(calicoSnapshot());
    const pod = find(facts, 'pod:cni-5e0b2c1a-0000-4000-8000-000000000001', 'netns', 'cni-5e0b2c1a-0000-4000-8000-000000000001');
    expect(pod?.attrs).toEqual({ kind: 'pod', hostVeth: 'calia1b2c3d4e5f', captured: ['links', 'addresses', 'routes', 'neighbors', 'sysctls'] });
  });

  it('keys routes by table, family, type, destination and metric, with default and host routes spelled as prefixes', () => {
    const facts = snapshotToFacts(calicoSnapshot());
    expect(find(facts, 'host', 'route', 'main|inet|unicast|0.0.0.0/0|0')?.attrs).toMatchObject({ gateway: '10.99.0.1', dev: 'eth0', protocol: 'boot', scope: 'global' });
    expect(find(facts, 'host', 'route', 'main|inet|unicast|172.17.8.2/32|0')?.attrs).toMatchObject({ dev: 'calia1b2c3d4e5f', scope: 'link' });
    expect(find(facts, 'host', 'route', 'main|inet|blackhole|172.17.8.0/26|0')?.attrs).toMatchObject({ protocol: 'bird' });
  });

  it('treats a numeric protocol with a well-known name as that name, and keeps unknown numbers', () => {
    const a = withChange((s) => (s.namespaces[0].routes![2].protocol = '12'));
    expect(hashOf(a)).toBe(hashOf(calicoSnapshot()));
    const felix = withChange((s) => (s.namespaces[0].routes![2].protocol = '80'));
    expect(find(snapshotToFacts(felix), 'host', 'route', 'main|inet|blackhole|172.17.8.0/26|0')?.attrs.protocol).toBe('80');
  });

  it('does not change when a neighbour goes from REACHABLE to STALE, DELAY or PROBE', () => {
    for (const state of ['STALE', 'DELAY', 'PROBE']) {
      expect(hashOf(withChange((s) => (s.namespaces[1].neighbors![0].state = [state])))).toBe(hashOf(calicoSnapshot()));
    }
  });

  it('changes when the neighbour 169.254.1.1 becomes FAILED or INCOMPLETE, and the two stay distinct', () => {
    const failed = withChange((s) => (s.namespaces[1].neighbors![0] = { family: 'inet', dst: '169.254.1.1', dev: 'eth0', state: ['FAILED'] }));
    const incomplete = withChange((s) => (s.namespaces[1].neighbors![0] = { family: 'inet', dst: '169.254.1.1', dev: 'eth0', state: ['INCOMPLETE'] }));
    const key = 'eth0|169.254.1.1';
    const ns = 'pod:cni-5e0b2c1a-0000-4000-8000-000000000001';
    expect(find(snapshotToFacts(failed), ns, 'neighbor', key)?.attrs.state).toBe('failed');
    expect(find(snapshotToFacts(incomplete), ns, 'neighbor', key)?.attrs.state).toBe('incomplete');
    expect(find(snapshotToFacts(calicoSnapshot()), ns, 'neighbor', key)?.attrs).toEqual({ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: 'resolved' });
  });

  it('collapses NUD states in a fixed order of importance', () => {
    expect(normaliseNeighborState(['REACHABLE'])).toBe('resolved');
    expect(normaliseNeighborState(['PERMANENT'])).toBe('permanent');
    expect(normaliseNeighborState(['STALE', 'NOARP'])).toBe('noarp');
    expect(normaliseNeighborState([])).toBe('none');
  });

  it('ignores address lifetimes and DAD tentativeness', () => {
    const later = withChange((s) => {
      s.namespaces[0].addresses![0].validLifetime = 3600;
      s.namespaces[0].addresses![0].preferredLifetime = 1800;
      s.namespaces[0].addresses![1].flags = ['tentative'];
    });
    expect(hashOf(later)).toBe(hashOf(calicoSnapshot()));
  });

  it('ignores route expiry timers', () => {
    expect(hashOf(withChange((s) => (s.namespaces[0].routes![0].expires = 94731)))).toBe(hashOf(calicoSnapshot()));
  });

  it('does not depend on the order in which ip(8) listed things', () => {
    const reordered = withChange((s) => {
      s.namespaces[0].routes!.reverse();
      s.namespaces[0].links!.reverse();
      s.namespaces.reverse();
    });
    expect(hashOf(reordered)).toBe(hashOf(calicoSnapshot()));
  });

  it('changes when proxy_arp is turned off on the cali veth', () => {
    const off = withChange((s) => (s.namespaces[0].sysctls![1].value = '0'));
    expect(hashOf(off)).not.toBe(hashOf(calicoSnapshot()));
    expect(find(snapshotToFacts(off), 'host', 'sysctl', 'net/ipv4/conf/calia1b2c3d4e5f/proxy_arp')?.attrs).toEqual({ value: '0' });
  });

  it('does not list a partial section (pasted through grep) as captured, but keeps its entries as facts', () => {
    const facts = namespaceToFacts({
      kind: 'host',
      name: 'host',
      routes: [{ family: 'inet', table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', flags: [] }],
      links: [],
      partial: ['routes'],
    });
    expect(facts.find((f) => f.kind === 'netns')?.attrs).toEqual({ kind: 'host', captured: ['links'], partial: ['routes'] });
    expect(facts.filter((f) => f.kind === 'route')).toHaveLength(1);
  });

  it('tells a section that was not captured from one that is empty', () => {
    const notCaptured = withChange((s) => delete s.namespaces[1].sysctls);
    expect(hashOf(notCaptured)).not.toBe(hashOf(calicoSnapshot()));
  });

  it('keys proxy neighbour entries apart from cache entries for the same address', () => {
    const facts = snapshotToFacts(
      withChange((s) => s.namespaces[0].neighbors!.push({ family: 'inet', dst: '10.99.0.1', dev: 'eth0', state: [], proxy: true })),
    );
    expect(find(facts, 'host', 'neighbor', 'proxy|eth0|10.99.0.1')?.attrs).toEqual({ family: 'inet', dst: '10.99.0.1', dev: 'eth0', proxy: true });
    expect(find(facts, 'host', 'neighbor', 'eth0|10.99.0.1')?.attrs.state).toBe('resolved');
  });

  it('spells IPv6 addresses one way whoever printed them', () => {
    expect(canonicalPrefix('FE80:0:0:0:0:0:0:1')).toBe('fe80::1');
    expect(canonicalPrefix('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalPrefix('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
    expect(canonicalPrefix('::')).toBe('::');
    expect(canonicalPrefix('10.0.0.1')).toBe('10.0.0.1');
    expect(routeKey({ table: 'main', family: 'inet6', type: 'unicast', dst: 'default', metric: 1024 })).toBe('main|inet6|unicast|::/0|1024');
  });
});
