import { groupCountText, groupFindings, subjectKind, type GroupableFinding } from './finding-groups';

const finding = (id: number, rule: string, subject: string, node: string, severity: GroupableFinding['severity'] = 'ERROR'): GroupableFinding => ({ id: String(id), rule, title: rule, severity, subject, node });

describe('findings grouped by rule and subject kind', () => {
  it('reads the subject kind before the colon', () => {
    expect(subjectKind('address:10.0.0.5')).toBe('address');
    expect(subjectKind('block:10.244.1.0/26')).toBe('block');
    expect(subjectKind('node')).toBe('node');
  });

  it('collapses copies of one rule across nodes into one group with its counts: 3 addresses × 2 nodes', () => {
    const findings = [
      ...['10.0.0.1', '10.0.0.2', '10.0.0.3'].flatMap((ip, i) => ['n1', 'n2'].map((node, j) => finding(i * 2 + j, 'CALICO_BORROWED_ADDRESS_ROUTE', `address:${ip}`, node))),
      finding(10, 'CALICO_PROXY_ARP', 'veth:cali1', 'n1'),
      finding(11, 'CALICO_MTU_INCONSISTENT', 'mtu:pods', 'n3', 'WARNING'),
    ];
    const groups = groupFindings(findings);
    expect(groups.map((g) => [g.rule, g.subjectKind, g.findings.length])).toEqual([
      ['CALICO_BORROWED_ADDRESS_ROUTE', 'address', 6],
      ['CALICO_PROXY_ARP', 'veth', 1],
      ['CALICO_MTU_INCONSISTENT', 'mtu', 1],
    ]);
    expect(groupCountText(groups[0]!)).toBe('3 addresses × 2 nodes');
    expect(groupCountText(groups[1]!)).toBe('1 veth on 1 node');
    expect(groupCountText({ subjectKind: 'node', subjectCount: 4, nodeCount: 4 })).toBe('4 nodes');
  });
});
