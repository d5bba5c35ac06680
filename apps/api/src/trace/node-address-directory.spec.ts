import { snapshotToFacts } from '@routescope/snapshot';
import { snapshot } from '../../test/api-test-app';
import { addressIndex, macKey } from './node-address-directory';
import { namespacesOf, nodeA, nodeB } from '../../test/trace-cluster';

describe('the address index a trace finds its next nodes by', () => {
  const facts = (node: string, spec: typeof nodeA) => snapshotToFacts(snapshot({ node, takenAt: '2025-04-01T00:00:00Z', seq: 0, namespaces: namespacesOf(spec) }));
  const index = addressIndex(new Map([['node-a', facts('node-a', nodeA)], ['node-b', facts('node-b', nodeB)]]));

  it('places underlay, VTEP and pod addresses on their node, and a VXLAN next hop by its VTEP MAC', () => {
    expect(index.get('10.0.0.12')).toEqual(['node-b']);
    expect(index.get('172.17.9.0')).toEqual(['node-b']);
    expect(index.get('172.17.9.2')).toEqual(['node-b']);
    expect(index.get(macKey('66:00:00:00:00:0B'))).toEqual(['node-b']);
  });

  it('does not place a node by the MAC every Calico host veth shares', () => {
    expect(index.get(macKey('ee:ee:ee:ee:ee:ee'))).toBeUndefined();
  });
});
