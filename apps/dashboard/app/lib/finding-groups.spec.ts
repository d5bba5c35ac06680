import { groupCountText, subjectKind } from './finding-groups';

describe('findings grouped by rule and subject kind', () => {
  it('reads the subject kind before the colon', () => {
    expect(subjectKind('address:10.0.0.5')).toBe('address');
    expect(subjectKind('block:10.244.1.0/26')).toBe('block');
    expect(subjectKind('node')).toBe('node');
  });

  it('words the API\'s counts: 3 addresses × 2 nodes, 1 veth on 1 node, 4 nodes', () => {
    expect(groupCountText({ subjectKind: 'address', subjectCount: 3, nodeCount: 2 })).toBe('3 addresses × 2 nodes');
    expect(groupCountText({ subjectKind: 'veth', subjectCount: 1, nodeCount: 1 })).toBe('1 veth on 1 node');
    expect(groupCountText({ subjectKind: 'node', subjectCount: 4, nodeCount: 4 })).toBe('4 nodes');
  });
});
