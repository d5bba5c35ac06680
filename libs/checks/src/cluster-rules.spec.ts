import { LAB_CONTEXT, lab, labFacts, nodeFacts, toNodeFacts, withPartialSection, withoutSection, type SectionName } from '../test/fixtures';
import type { ClusterContext, Finding } from './check-types';
import { checkCluster } from './cluster-rules';
import { clusterView, type ClusterView } from './cluster-view';
import { checkNode } from './node-rules';
import { RULES } from './rules/catalogue';

type Removal = [node: 'a' | 'b', where: string, section: SectionName];

interface ClusterRuleCase {
  rule: string;
  behaviour: string;
  scenario: string;
  context?: ClusterContext;
  /** [node, subject] of every finding expected */
  expected: Array<[string, string]>;
  /** facts that must be in the first finding's evidence: [node, ns, kind, key, attrs subset | null] */
  evidence: Array<[string, string, string, string, Record<string, unknown> | null]>;
  /** each entry is one partial capture (all its removals at once) that must silence the rule */
  partial: Removal[][];
}

const A = 'rk-node-a';
const B = 'rk-node-b';

const CASES: ClusterRuleCase[] = [
  {
    rule: 'CALICO_BLOCK_ROUTE_MISSING',
    behaviour: 'node-a without a route to node-b’s block',
    scenario: 'remote-block-route-missing',
    expected: [[A, 'block:172.17.8.64/26']],
    evidence: [
      [A, 'host', 'route', 'main|inet|unicast|172.17.8.64/26|0', null],
      [B, 'host', 'route', 'main|inet|blackhole|172.17.8.64/26|0', { type: 'blackhole' }],
    ],
    partial: [[['a', 'host', 'routes']], [['b', 'host', 'routes']]],
  },
  {
    rule: 'CALICO_BLOCK_ROUTE_WRONG_NODE',
    behaviour: 'node-a routing node-b’s block via the router 10.99.0.1',
    scenario: 'remote-block-wrong-node',
    expected: [[A, 'block:172.17.8.64/26']],
    evidence: [[A, 'host', 'route', 'main|inet|unicast|172.17.8.64/26|0', { gateway: '10.99.0.1', dev: 'eth0' }]],
    partial: [[['a', 'host', 'routes']], [['b', 'host', 'addresses']]],
  },
  {
    rule: 'CALICO_BLOCK_ROUTE_SPLIT',
    behaviour: 'node-a splitting node-b’s block over node-b and the router',
    scenario: 'block-route-split',
    expected: [[A, 'block:172.17.8.64/26']],
    evidence: [[A, 'host', 'route', 'main|inet|unicast|172.17.8.64/26|0', { nexthops: [{ gateway: '172.17.8.64' }, { gateway: '10.99.0.1' }] }]],
    partial: [[['a', 'host', 'routes']], [['b', 'host', 'addresses']]],
  },
  {
    rule: 'CALICO_BLOCK_ROUTE_STALE',
    behaviour: 'node-a still routing 172.17.8.128/26 to a VTEP no node has, with the node list known',
    scenario: 'block-route-stale',
    context: { nodes: LAB_CONTEXT.nodes },
    expected: [[A, 'block:172.17.8.128/26']],
    evidence: [[A, 'host', 'route', 'main|inet|unicast|172.17.8.128/26|0', { gateway: '172.17.8.128', protocol: '80' }]],
    partial: [[['a', 'host', 'routes']]],
  },
  {
    rule: 'CALICO_BLOCK_CONFLICT',
    behaviour: 'node-b with a blackhole for node-a’s block',
    scenario: 'block-claimed-twice',
    expected: [
      [A, 'block:172.17.8.0/26'],
      [B, 'block:172.17.8.0/26'],
    ],
    evidence: [
      [A, 'host', 'route', 'main|inet|blackhole|172.17.8.0/26|0', {}],
      [B, 'host', 'route', 'main|inet|blackhole|172.17.8.0/26|0', {}],
    ],
    partial: [[['b', 'host', 'routes']]],
  },
  {
    rule: 'CALICO_DUPLICATE_ADDRESS',
    behaviour: 'pod-a1’s 172.17.8.2 also on pod-b2',
    scenario: 'duplicate-pod-ip',
    expected: [
      [A, 'address:172.17.8.2'],
      [B, 'address:172.17.8.2'],
    ],
    evidence: [
      [A, 'pod:rk-pod-a1', 'address', 'eth0|172.17.8.2/32', { local: '172.17.8.2' }],
      [B, 'pod:rk-pod-b2', 'address', 'eth0|172.17.8.2/32', { local: '172.17.8.2' }],
    ],
    // node-b's own /32 route to pod-b2 also shows the address: both must be missing
    partial: [[['b', 'rk-pod-b2', 'addresses'], ['b', 'host', 'routes']]],
  },
  {
    rule: 'CALICO_BORROWED_ADDRESS_ROUTE',
    behaviour: 'node-a, owner of 172.17.8.0/26, without a /32 to 172.17.8.10 borrowed by pod-b3 on node-b',
    scenario: 'borrowed-address-unrouted',
    expected: [[A, 'address:172.17.8.10']],
    evidence: [
      [A, 'host', 'route', 'main|inet|unicast|172.17.8.10/32|0', null],
      [B, 'pod:rk-pod-b3', 'address', 'eth0|172.17.8.10/32', { local: '172.17.8.10' }],
      [A, 'host', 'route', 'main|inet|blackhole|172.17.8.0/26|0', {}],
    ],
    partial: [[['a', 'host', 'routes']], [['b', 'host', 'addresses']]],
  },
  {
    rule: 'CALICO_MTU_INCONSISTENT',
    behaviour: 'node-b at MTU 1400 (tunnel and veths) next to node-a at 1450',
    scenario: 'mtu-inconsistent',
    expected: [
      [A, 'mtu:pods'],
      [A, 'mtu:vxlan.calico'],
      [B, 'mtu:pods'],
      [B, 'mtu:vxlan.calico'],
    ],
    evidence: [
      [A, 'host', 'link', 'calidd33ceb84a6', { mtu: 1450 }],
      [B, 'host', 'link', 'cali36e184374a9', { mtu: 1400 }],
    ],
    partial: [[['a', 'host', 'links']], [['b', 'host', 'links']]],
  },
];

function cluster(scenario: string, removals: Removal[] = [], context?: ClusterContext, change: typeof withoutSection = withoutSection): Finding[] {
  let { a, b } = lab(scenario);
  for (const [node, where, section] of removals) {
    if (node === 'a') a = change(a, where, section);
    else b = change(b, where, section);
  }
  return checkCluster([clusterView(toNodeFacts(a)), clusterView(toNodeFacts(b))], context);
}

const ofRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);
const NON_CALICO = ['plain-vm.json', 'flannel-node.json'];

describe('cross-node rules, one broken real capture (both lab nodes) each', () => {
  it('every cluster rule of the catalogue has a case here', () => {
    expect(CASES.map((c) => c.rule).sort()).toEqual(RULES.filter((r) => r.scope === 'cluster').map((r) => r.id).sort());
  });

  describe.each(CASES)('$rule', (c) => {
    it(`${c.behaviour} opens ${c.rule}, and nothing else`, () => {
      const findings = cluster(c.scenario, [], c.context);
      expect(findings.map((f) => [f.rule, f.node, f.subject])).toEqual(c.expected.map(([node, subject]) => [c.rule, node, subject]));
      const evidence = findings[0].evidence;
      for (const [node, ns, kind, key, attrs] of c.evidence) {
        const match = evidence.find((e) => e.node === node && e.ns === ns && e.kind === kind && e.key === key);
        expect({ key, found: match !== undefined }).toEqual({ key, found: true });
        if (attrs === null) expect(match!.attrs).toBeNull();
        else expect(match!.attrs).toMatchObject(attrs);
      }
      for (const f of findings) expect(f.message).toContain(f.node);
    });

    it(`node rules see nothing wrong in ${c.scenario}: the problem only shows across nodes`, () => {
      const [a, b] = labFacts(c.scenario);
      expect([...checkNode(a), ...checkNode(b)].map((f) => f.rule).filter((r) => r === c.rule)).toEqual([]);
    });

    it(`the healthy lab does not open ${c.rule}`, () => {
      expect(ofRule(cluster('healthy', [], c.context), c.rule)).toEqual([]);
      expect(ofRule(cluster('healthy-quiet', [], c.context), c.rule)).toEqual([]);
    });

    it.each(c.partial.map((removals) => [removals.map((r) => r.join(' ')).join(' + '), removals] as const))('stays silent when %s is not captured', (_label, removals) => {
      expect(ofRule(cluster(c.scenario, [...removals], c.context), c.rule)).toEqual([]);
    });

    // The same sections kept but partial (grep'd): their facts are there, yet no absence is
    // concluded from them; an address present twice is still a duplicate.
    const presence = c.rule === 'CALICO_DUPLICATE_ADDRESS';
    it.each(c.partial.map((removals) => [removals.map((r) => r.join(' ')).join(' + '), removals] as const))(
      presence ? 'still fires when %s is partial (the facts it rests on are present)' : 'stays silent when %s is partial',
      (_label, removals) => {
        const found = ofRule(cluster(c.scenario, [...removals], c.context, withPartialSection), c.rule).map((f) => [f.node, f.subject]);
        expect(found).toEqual(presence ? c.expected : []);
      },
    );

    it(`non-Calico nodes never open ${c.rule}, alone or next to the broken lab`, () => {
      const others = NON_CALICO.map((f) => nodeFacts(f));
      expect(checkCluster(others, c.context)).toEqual([]);
      const [a, b] = labFacts(c.scenario);
      const mixed = checkCluster([a, b, ...others], c.context);
      expect(mixed.map((f) => [f.rule, f.node, f.subject])).toEqual(c.expected.map(([node, subject]) => [c.rule, node, subject]));
    });
  });
});

describe('cluster context and views', () => {
  it('a stale block route is only decided with cluster context: without it an unknown next hop may be a node that does not report', () => {
    expect(cluster('block-route-stale')).toEqual([]);
    expect(cluster('block-route-stale', [], LAB_CONTEXT).map((f) => `${f.rule} ${f.subject}`)).toEqual(['CALICO_BLOCK_ROUTE_STALE block:172.17.8.128/26']);
  });

  it('a healthy borrowed address (a /32 via the hosting node on the owner) opens nothing, with or without context', () => {
    expect(cluster('borrowed-address')).toEqual([]);
    expect(cluster('borrowed-address', [], LAB_CONTEXT)).toEqual([]);
    const [a, b] = labFacts('borrowed-address');
    expect([...checkNode(a), ...checkNode(b)]).toEqual([]);
  });

  it('a duplicated tunnel address is a duplicate too', () => {
    expect(cluster('duplicate-tunnel-address').map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual([
      'CALICO_DUPLICATE_ADDRESS rk-node-a address:172.17.8.0',
      'CALICO_DUPLICATE_ADDRESS rk-node-b address:172.17.8.0',
    ]);
  });

  it('a duplicated address is not also reported as borrowed', () => {
    expect(new Set(cluster('duplicate-pod-ip').map((f) => f.rule))).toEqual(new Set(['CALICO_DUPLICATE_ADDRESS']));
  });

  it('with block affinities, ownership follows them: a blackhole for a block affine to another node is a conflict', () => {
    const findings = cluster('block-claimed-twice', [], LAB_CONTEXT);
    expect(findings.map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual(['CALICO_BLOCK_CONFLICT rk-node-b block:172.17.8.0/26']);
    expect(findings[0].message).toContain('the block affinity gives it to node rk-node-a');
  });

  it('with block affinities, a block owned by a node that does not report is still checked on the others', () => {
    const context = { ...LAB_CONTEXT, blockAffinities: [...LAB_CONTEXT.blockAffinities, { cidr: '172.17.8.192/26', node: 'rk-node-c' }] };
    expect(cluster('healthy', [], context).map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual([
      'CALICO_BLOCK_ROUTE_MISSING rk-node-a block:172.17.8.192/26',
      'CALICO_BLOCK_ROUTE_MISSING rk-node-b block:172.17.8.192/26',
    ]);
  });

  it('accepts node facts, views, and views that went through JSON, with the same result', () => {
    const [a, b] = labFacts('remote-block-wrong-node');
    const views = [clusterView(a), clusterView(b)];
    const roundTripped = JSON.parse(JSON.stringify(views)) as ClusterView[];
    const expected = checkCluster([a, b]);
    expect(expected).toHaveLength(1);
    expect(checkCluster(views)).toEqual(expected);
    expect(checkCluster(roundTripped)).toEqual(expected);
    expect(checkCluster([a, views[1]])).toEqual(expected);
  });

  it('a view keeps only what cross-node rules need: no sysctls, no neighbours, no local pod routes', () => {
    const [a] = labFacts('healthy');
    const view = clusterView(a);
    expect(view).toMatchObject({
      node: 'rk-node-a',
      cni: 'calico',
      mode: 'vxlan',
      captured: { links: true, addresses: true, routes: true },
      addresses: [
        { ip: '10.99.0.11', dev: 'eth0', tunnel: false },
        { ip: '172.17.8.0', dev: 'vxlan.calico', tunnel: true },
      ],
      pods: [
        { ip: '172.17.8.2', pod: 'rk-pod-a1', veth: 'calidd33ceb84a6' },
        { ip: '172.17.8.3', pod: 'rk-pod-a2', veth: 'calif55e0ab04de' },
      ],
      blocks: [{ cidr: '172.17.8.0/26', source: 'blackhole' }],
      tunnels: [{ dev: 'vxlan.calico', mtu: 1450 }],
      underlay: { dev: 'eth0', mtu: 1500 },
      podMtu: { mtu: 1450, veths: 2 },
    });
    expect(view.routes.map((r) => r.key)).toEqual(['main|inet|blackhole|172.17.8.0/26|0', 'main|inet|unicast|172.17.8.64/26|0']);
    const kinds = new Set(JSON.stringify(view).match(/"kind":"(\w+)"/g));
    expect([...kinds].some((k) => k.includes('sysctl') || k.includes('neighbor'))).toBe(false);
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(a.facts).length / 5);
  });

  it('a view of a non-Calico node is empty apart from its detection', () => {
    expect(clusterView(nodeFacts('flannel-node.json'))).toMatchObject({ cni: 'flannel', addresses: [], pods: [], routes: [], blocks: [], tunnels: [] });
  });

  it('is deterministic: node order does not change the findings', () => {
    const [a, b] = labFacts('duplicate-pod-ip');
    expect(checkCluster([b, a])).toEqual(checkCluster([a, b]));
  });
});
