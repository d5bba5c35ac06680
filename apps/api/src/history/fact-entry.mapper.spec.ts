import { snapshotToFacts, type NetworkNamespace } from '@routescope/snapshot';
import { toLink, toPods, toRoute } from './fact-entry.mapper';
import { toStoredFacts } from './store/fact-rows';

const pod: NetworkNamespace = {
  kind: 'pod',
  name: 'cni-1111',
  hostVeth: 'cali1234567890a',
  links: [{ ifindex: 3, name: 'eth0', mac: 'AA:BB:CC:DD:EE:01', mtu: 1440, operState: 'UP', flags: ['UP', 'BROADCAST'], peerIfindex: 9, linkNetnsId: 0 }],
  addresses: [{ dev: 'eth0', family: 'inet', local: '172.17.8.2', prefixlen: 32, flags: [] }],
  routes: [
    { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
    { family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
  ],
  neighbors: [{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['STALE'] }],
  sysctls: [],
};

describe('fact entry mapping', () => {
  const facts = toStoredFacts(snapshotToFacts({ namespaces: [pod] }).map((f) => ({ ...f, attrs: JSON.stringify(f.attrs) })));

  it('reads attributes stored as JSON text as well as parsed jsonb', () => {
    expect(facts.every((f) => typeof f.attrs === 'object')).toBe(true);
  });

  it('a link keeps its normalised attributes and marks a peer in another namespace', () => {
    const link = toLink(facts.find((f) => f.kind === 'link')!);
    expect(link).toMatchObject({ namespace: 'pod:cni-1111', name: 'eth0', mac: 'aa:bb:cc:dd:ee:01', mtu: 1440, peerIfindex: 9, peerInOtherNetns: true, flags: ['BROADCAST', 'UP'], vxlan: null });
  });

  it('a route reads its canonical destination and defaults', () => {
    const routes = facts.filter((f) => f.kind === 'route').map(toRoute);
    expect(routes.map((r) => [r.dst, r.gateway, r.scope, r.protocol, r.metric])).toEqual([
      ['0.0.0.0/0', '169.254.1.1', 'global', 'boot', 0],
      ['169.254.1.1/32', null, 'link', 'boot', 0],
    ]);
  });

  it('a pod gathers its host veth and its own facts only', () => {
    const [only] = toPods(facts);
    expect(only).toMatchObject({ name: 'cni-1111', namespace: 'pod:cni-1111', hostVeth: 'cali1234567890a', captured: ['links', 'addresses', 'routes', 'neighbors', 'sysctls'] });
    expect(only.routes).toHaveLength(2);
    expect(only.neighbors[0]).toMatchObject({ dst: '169.254.1.1', state: 'resolved', proxy: false });
  });
});
