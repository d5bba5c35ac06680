import type { Snapshot } from '@routescope/snapshot';
import { LAB_CONTEXT, lab, labFacts, loadSnapshot, nodeFacts, toNodeFacts, withPartialSection, withoutHostVeth, withoutNamespace, withoutSection, type SectionName } from '../test/fixtures';
import type { EvidenceFact, Finding } from './check-types';
import { checkNode } from './node-rules';
import { RULES } from './rules/catalogue';

const VETH_A1 = 'calidd33ceb84a6';

interface NodeRuleCase {
  rule: string;
  /** what the broken capture shows, for the test name */
  behaviour: string;
  /** lab scenario whose node-a capture is broken (libs/checks/test/fixtures/lab) */
  scenario: string;
  subject: string;
  /** facts that must be in the evidence (attrs: a subset, or null for an absent fact) */
  evidence: Array<Omit<EvidenceFact, 'node' | 'attrs'> & { attrs: Record<string, unknown> | null }>;
  /** sections whose absence must silence the rule */
  partial: Array<[where: string, section: SectionName]>;
  /** other partial captures (a namespace missing, an unpaired pod) that must silence it */
  silentWhen: Array<[label: string, change: (s: Snapshot) => Snapshot]>;
}

const noPodA1: [string, (s: Snapshot) => Snapshot] = ['pod-a1’s namespace was not captured', (s) => withoutNamespace(s, 'rk-pod-a1')];
const unpaired: [string, (s: Snapshot) => Snapshot] = ['the pods are not paired with a host veth', withoutHostVeth];
const noHost: [string, (s: Snapshot) => Snapshot] = ['the host namespace was not captured', (s) => withoutNamespace(s, 'host')];

const CASES: NodeRuleCase[] = [
  {
    rule: 'CALICO_POD_ADDRESS_PREFIX',
    behaviour: 'a pod whose eth0 carries 172.17.8.2/24',
    scenario: 'pod-prefix-wide',
    subject: 'pod:rk-pod-a1',
    evidence: [{ ns: 'pod:rk-pod-a1', kind: 'address', key: 'eth0|172.17.8.2/24', attrs: { prefixlen: 24 } }],
    partial: [['rk-pod-a1', 'addresses']],
    silentWhen: [noPodA1],
  },
  {
    rule: 'CALICO_POD_DEFAULT_ROUTE',
    behaviour: 'a pod without a default route',
    scenario: 'pod-default-route-missing',
    subject: 'pod:rk-pod-a1',
    evidence: [{ ns: 'pod:rk-pod-a1', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0', attrs: null }],
    // without its addresses, the pod's route to 169.254.1.1 on eth0 still says it is an IPv4 pod (a pasted netstat -nr)
    partial: [['rk-pod-a1', 'routes']],
    silentWhen: [noPodA1],
  },
  {
    rule: 'CALICO_POD_GATEWAY_ROUTE',
    behaviour: 'a pod without "169.254.1.1 dev eth0 scope link"',
    scenario: 'pod-gateway-route-missing',
    subject: 'pod:rk-pod-a1',
    evidence: [{ ns: 'pod:rk-pod-a1', kind: 'route', key: 'main|inet|unicast|169.254.1.1/32|0', attrs: null }],
    partial: [['rk-pod-a1', 'routes']],
    silentWhen: [noPodA1],
  },
  {
    rule: 'CALICO_POD_GATEWAY_NEIGHBOR',
    behaviour: 'a pod whose ARP for 169.254.1.1 got no answer (host veth NOARP)',
    scenario: 'pod-arp-unanswered',
    subject: 'pod:rk-pod-a1',
    evidence: [{ ns: 'pod:rk-pod-a1', kind: 'neighbor', key: 'eth0|169.254.1.1', attrs: { state: 'incomplete' } }],
    partial: [['rk-pod-a1', 'neighbors']],
    silentWhen: [noPodA1],
  },
  {
    rule: 'CALICO_POD_GATEWAY_MAC',
    behaviour: 'a pod that cached 169.254.1.1 with a MAC that is not its veth’s',
    scenario: 'pod-gateway-mac-stale',
    subject: 'pod:rk-pod-a1',
    evidence: [
      { ns: 'pod:rk-pod-a1', kind: 'neighbor', key: 'eth0|169.254.1.1', attrs: { lladdr: '02:42:ac:11:00:02' } },
      { ns: 'host', kind: 'link', key: VETH_A1, attrs: { mac: 'ee:ee:ee:ee:ee:ee' } },
    ],
    partial: [['rk-pod-a1', 'neighbors']],
    silentWhen: [noPodA1],
  },
  {
    rule: 'CALICO_VETH_MAC',
    behaviour: 'a host veth with MAC 2a:5e:1c:00:00:01',
    scenario: 'veth-mac-wrong',
    subject: `veth:${VETH_A1}`,
    evidence: [{ ns: 'host', kind: 'link', key: VETH_A1, attrs: { mac: '2a:5e:1c:00:00:01' } }],
    partial: [['host', 'links']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_PROXY_ARP',
    behaviour: 'a pod whose host veth has proxy_arp 0',
    scenario: 'proxy-arp-off',
    subject: `veth:${VETH_A1}`,
    evidence: [{ ns: 'host', kind: 'sysctl', key: `net/ipv4/conf/${VETH_A1}/proxy_arp`, attrs: { value: '0' } }],
    partial: [['host', 'sysctls']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_PROXY_DELAY',
    behaviour: 'a host veth with the kernel’s default proxy_delay 80',
    scenario: 'proxy-delay-default',
    subject: `veth:${VETH_A1}`,
    evidence: [{ ns: 'host', kind: 'sysctl', key: `net/ipv4/neigh/${VETH_A1}/proxy_delay`, attrs: { value: '80' } }],
    partial: [['host', 'sysctls']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_HOST_ROUTE',
    behaviour: 'a node without the /32 route to its pod',
    scenario: 'host-route-missing',
    subject: 'pod:rk-pod-a1',
    evidence: [
      { ns: 'pod:rk-pod-a1', kind: 'address', key: 'eth0|172.17.8.2/32', attrs: { local: '172.17.8.2' } },
      { ns: 'host', kind: 'route', key: 'main|inet|unicast|172.17.8.2/32|0', attrs: null },
    ],
    partial: [['host', 'routes'], ['rk-pod-a1', 'addresses']],
    silentWhen: [noPodA1, unpaired, noHost],
  },
  {
    rule: 'CALICO_ROUTE_TO_DOWN_VETH',
    behaviour: 'a route to a cali veth whose pod took eth0 down',
    scenario: 'veth-linkdown',
    subject: `veth:${VETH_A1}`,
    evidence: [
      { ns: 'host', kind: 'link', key: VETH_A1, attrs: { operState: 'DOWN' } },
      { ns: 'host', kind: 'route', key: 'main|inet|unicast|172.17.8.2/32|0', attrs: { flags: ['linkdown'] } },
    ],
    partial: [['host', 'routes'], ['host', 'links']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_IP_FORWARD',
    behaviour: 'a node with net.ipv4.ip_forward 0',
    scenario: 'ip-forward-off',
    subject: 'node',
    evidence: [{ ns: 'host', kind: 'sysctl', key: 'net/ipv4/ip_forward', attrs: { value: '0' } }],
    partial: [['host', 'sysctls']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_EXIT_ROUTE',
    behaviour: 'a node without a default route',
    scenario: 'default-route-missing',
    subject: 'node',
    evidence: [{ ns: 'host', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0', attrs: null }],
    partial: [['host', 'routes']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_BLACKHOLE',
    behaviour: 'a node whose pods’ block has no blackhole',
    scenario: 'blackhole-missing',
    subject: 'block:172.17.8.0/26',
    evidence: [
      { ns: 'host', kind: 'route', key: 'main|inet|blackhole|172.17.8.0/26|0', attrs: null },
      { ns: 'host', kind: 'route', key: 'main|inet|unicast|172.17.8.64/26|0', attrs: { dev: 'vxlan.calico' } },
      { ns: 'pod:rk-pod-a1', kind: 'address', key: 'eth0|172.17.8.2/32', attrs: { local: '172.17.8.2' } },
    ],
    partial: [['host', 'routes']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_POD_MTU',
    behaviour: 'a pod with MTU 1500 behind a 1450 veth',
    scenario: 'mtu-mismatch',
    subject: 'pod:rk-pod-a1',
    evidence: [
      { ns: 'pod:rk-pod-a1', kind: 'link', key: 'eth0', attrs: { mtu: 1500 } },
      { ns: 'host', kind: 'link', key: VETH_A1, attrs: { mtu: 1450 } },
    ],
    partial: [['rk-pod-a1', 'links'], ['host', 'links']],
    silentWhen: [noPodA1, unpaired],
  },
  {
    rule: 'CALICO_VETH_TUNNEL_MTU',
    behaviour: 'a 1500-byte veth on a node whose vxlan.calico has 1450',
    scenario: 'veth-mtu-over-tunnel',
    subject: `veth:${VETH_A1}`,
    evidence: [
      { ns: 'host', kind: 'link', key: VETH_A1, attrs: { mtu: 1500 } },
      { ns: 'host', kind: 'link', key: 'vxlan.calico', attrs: { mtu: 1450 } },
    ],
    partial: [['host', 'links']],
    silentWhen: [noHost],
  },
  {
    rule: 'CALICO_TUNNEL_UNDERLAY_MTU',
    behaviour: 'vxlan.calico at 1450 over a 1400-byte eth0',
    scenario: 'tunnel-mtu-over-underlay',
    subject: 'link:vxlan.calico',
    evidence: [
      { ns: 'host', kind: 'link', key: 'vxlan.calico', attrs: { mtu: 1450 } },
      { ns: 'host', kind: 'link', key: 'eth0', attrs: { mtu: 1400 } },
    ],
    partial: [['host', 'links']],
    silentWhen: [noHost],
  },
  {
    rule: 'CNI_SECOND_POD_NETWORK',
    behaviour: 'a pod on a cni0 bridge with 10.244.0.5/24 next to Calico',
    scenario: 'mixed-cni-bridge',
    subject: 'pod:rk-pod-x',
    evidence: [
      { ns: 'host', kind: 'link', key: 'cni0', attrs: { kind: 'bridge' } },
      { ns: 'pod:rk-pod-x', kind: 'address', key: 'eth0|10.244.0.5/24', attrs: { local: '10.244.0.5' } },
    ],
    // the pools are inferred from the node's Calico routes, so without routes nothing is known
    partial: [['host', 'links'], ['host', 'routes'], ['rk-pod-x', 'addresses']],
    silentWhen: [noHost],
  },
];

/**
 * Where each rule concludes from a section that something is missing (or, for the bridge rule,
 * that an address is outside pools known only from a complete route table): marked partial,
 * that section silences it. Every other section of CASES[].partial only adds present facts.
 */
const PARTIAL_SILENCES: Record<string, Array<[string, SectionName]>> = {
  CALICO_POD_DEFAULT_ROUTE: [['rk-pod-a1', 'routes']],
  CALICO_POD_GATEWAY_ROUTE: [['rk-pod-a1', 'routes']],
  CALICO_HOST_ROUTE: [['host', 'routes'], ['rk-pod-a1', 'addresses']],
  CALICO_EXIT_ROUTE: [['host', 'routes']],
  CALICO_BLACKHOLE: [['host', 'routes']],
  CNI_SECOND_POD_NETWORK: [['host', 'links'], ['host', 'routes'], ['rk-pod-x', 'addresses']],
};

const ofRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);
const HEALTHY = ['healthy.node-a', 'healthy.node-b', 'healthy-quiet.node-a', 'healthy-quiet.node-b'];
const NON_CALICO = ['plain-vm.json', 'flannel-node.json'];

describe('node rules, one broken real capture each', () => {
  it('every node rule of the catalogue has a case here', () => {
    expect(CASES.map((c) => c.rule).sort()).toEqual(RULES.filter((r) => r.scope === 'node').map((r) => r.id).sort());
  });

  describe.each(CASES)('$rule', (c) => {
    const broken = () => lab(c.scenario).a;

    it(`${c.behaviour} opens ${c.rule} on ${c.subject}, and nothing else`, () => {
      const findings = checkNode(toNodeFacts(broken()));
      expect(findings.map((f) => [f.rule, f.subject])).toEqual([[c.rule, c.subject]]);
      const [finding] = findings;
      expect(finding).toMatchObject({ node: 'rk-node-a', severity: RULES.find((r) => r.id === c.rule)?.severity });
      for (const expected of c.evidence) {
        const match = finding.evidence.find((e) => e.ns === expected.ns && e.kind === expected.kind && e.key === expected.key);
        expect({ key: expected.key, match }).toEqual({ key: expected.key, match: expect.objectContaining({ node: 'rk-node-a' }) });
        if (expected.attrs === null) expect(match!.attrs).toBeNull();
        else expect(match!.attrs).toMatchObject(expected.attrs);
      }
      expect(finding.message).toContain('rk-node-a');
      expect(finding.message).toMatch(/\.$/);
    });

    it.each(HEALTHY)(`the healthy capture %s does not open ${c.rule}`, (file) => {
      expect(ofRule(checkNode(nodeFacts(`lab/${file}.json`)), c.rule)).toEqual([]);
    });

    it.each(c.partial)(`stays silent when %s did not capture %s`, (where, section) => {
      expect(ofRule(checkNode(toNodeFacts(withoutSection(broken(), where, section))), c.rule)).toEqual([]);
    });

    // A partial (grep'd) section adds its facts but proves no absence: a rule that concludes
    // something is missing from it stays silent, a rule about a fact that is present still fires.
    it.each(c.partial)(`with %s's %s partial: fires only on a fact present, never on one missing`, (where, section) => {
      const fires = ofRule(checkNode(toNodeFacts(withPartialSection(broken(), where, section))), c.rule).length > 0;
      const needsCompleteSection = PARTIAL_SILENCES[c.rule]?.some(([w, s]) => w === where && s === section) ?? false;
      expect({ where, section, fires }).toEqual({ where, section, fires: !needsCompleteSection });
    });

    it.each(c.silentWhen)('stays silent when %s', (_label, change) => {
      expect(ofRule(checkNode(toNodeFacts(change(broken()))), c.rule)).toEqual([]);
    });

    it.each(NON_CALICO)(`never opens ${c.rule} on the non-Calico capture %s`, (file) => {
      expect(checkNode(nodeFacts(file))).toEqual([]);
      expect(checkNode(nodeFacts(file), LAB_CONTEXT)).toEqual([]);
    });
  });
});

/** Edits a stored capture in place of a lab state the lab cannot produce. */
function edit(file: string, change: (host: Snapshot['namespaces'][number], snapshot: Snapshot) => void): Snapshot {
  const snapshot = loadSnapshot(file);
  change(snapshot.namespaces.find((n) => n.kind === 'host')!, snapshot);
  return snapshot;
}

const rulesOf = (snapshot: Snapshot, context?: Parameters<typeof checkNode>[1]) => checkNode(toNodeFacts(snapshot), context).map((f) => `${f.rule} ${f.subject}`);

describe('the exit route for 169.254.1.1', () => {
  it('a 0.0.0.0/32 host route is not a default route: CALICO_EXIT_ROUTE still opens', () => {
    const snapshot = edit('lab/default-route-missing.node-a.json', (host) => {
      host.routes!.push({ family: 'inet', table: 'main', type: 'unicast', dst: '0.0.0.0/32', gateway: '10.99.0.1', dev: 'eth0', flags: [] });
    });
    expect(rulesOf(snapshot)).toEqual(['CALICO_EXIT_ROUTE node']);
  });

  it('a covering route via the underlay that is not a default is enough', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.routes = host.routes!.filter((r) => r.dst !== 'default');
      host.routes.push({ family: 'inet', table: 'main', type: 'unicast', dst: '169.254.0.0/16', gateway: '10.99.0.1', dev: 'eth0', flags: [] });
    });
    expect(rulesOf(snapshot)).toEqual([]);
  });

  it('a more specific blackhole for 169.254.0.0/16 beats the default route and opens CALICO_EXIT_ROUTE', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.routes!.push({ family: 'inet', table: 'main', type: 'blackhole', dst: '169.254.0.0/16', flags: [] });
    });
    const [finding] = checkNode(toNodeFacts(snapshot));
    expect(finding).toMatchObject({ rule: 'CALICO_EXIT_ROUTE', evidence: [expect.objectContaining({ key: 'main|inet|blackhole|169.254.0.0/16|0' })] });
  });

  it('a route for 169.254.1.1 through a cali veth does not count as leaving by another interface', () => {
    const snapshot = edit('lab/default-route-missing.node-a.json', (host) => {
      host.routes!.push({ family: 'inet', table: 'main', type: 'unicast', dst: '169.254.1.1', dev: VETH_A1, scope: 'link', flags: [] });
    });
    expect(rulesOf(snapshot)).toEqual(['CALICO_EXIT_ROUTE node']);
  });
});

describe('host-side details', () => {
  it('proxy_arp 0 on a veth is fine while conf/all/proxy_arp is 1 (the kernel ORs them)', () => {
    const off = (value: string) =>
      edit('lab/healthy.node-a.json', (host) => {
        host.sysctls = host.sysctls!.map((s) => (s.path === `net/ipv4/conf/${VETH_A1}/proxy_arp` ? { ...s, value: '0' } : s.path === 'net/ipv4/conf/all/proxy_arp' ? { ...s, value } : s));
      });
    expect(rulesOf(off('0'))).toEqual([`CALICO_PROXY_ARP veth:${VETH_A1}`]);
    expect(rulesOf(off('1'))).toEqual([]);
  });

  it('the unanswered ARP of proxy-arp-off is left to CALICO_PROXY_ARP, but is reported when the sysctls were not captured', () => {
    const { a } = lab('proxy-arp-off');
    expect(a.namespaces.find((n) => n.name === 'rk-pod-a1')!.neighbors).toContainEqual(expect.objectContaining({ dst: '169.254.1.1', state: ['INCOMPLETE'] }));
    expect(rulesOf(a)).toEqual([`CALICO_PROXY_ARP veth:${VETH_A1}`]);
    expect(rulesOf(withoutSection(a, 'host', 'sysctls'))).toEqual(['CALICO_POD_GATEWAY_NEIGHBOR pod:rk-pod-a1']);
  });

  it('pods of a node without ip_forward or without a default route do not each get a neighbour finding', () => {
    for (const scenario of ['ip-forward-off', 'default-route-missing']) {
      const { a } = lab(scenario);
      expect(a.namespaces.filter((n) => n.neighbors?.some((x) => x.dst === '169.254.1.1' && x.state.includes('INCOMPLETE')))).toHaveLength(2);
      expect(checkNode(toNodeFacts(a))).toHaveLength(1);
    }
  });

  it('a route naming a cali veth the capture does not have opens CALICO_ROUTE_TO_DOWN_VETH (the veth does not exist)', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.routes!.push({ family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.9', dev: 'cali0123456789a', scope: 'link', flags: [] });
    });
    const [finding] = checkNode(toNodeFacts(snapshot));
    expect(finding).toMatchObject({ rule: 'CALICO_ROUTE_TO_DOWN_VETH', subject: 'veth:cali0123456789a', evidence: expect.arrayContaining([{ node: 'rk-node-a', ns: 'host', kind: 'link', key: 'cali0123456789a', attrs: null }]) });
    expect(finding.message).toContain('does not exist');
    // From a grep'd link list the veth's absence proves nothing.
    const host = snapshot.namespaces.find((n) => n.kind === 'host')!;
    host.partial = ['links'];
    expect(checkNode(toNodeFacts(snapshot))).toEqual([]);
  });

  it('a host route that points at another pod’s veth opens CALICO_HOST_ROUTE naming both veths', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.routes = host.routes!.map((r) => (r.dst === '172.17.8.2' ? { ...r, dev: 'calif55e0ab04de' } : r));
    });
    const [finding] = checkNode(toNodeFacts(snapshot));
    expect(finding).toMatchObject({ rule: 'CALICO_HOST_ROUTE', subject: 'pod:rk-pod-a1' });
    expect(finding.message).toContain('dev calif55e0ab04de instead of dev calidd33ceb84a6');
  });
});

describe('block ownership for CALICO_BLACKHOLE', () => {
  it('with block affinities, a block given to the node without a blackhole opens the rule even without pods in it', () => {
    const context = { blockAffinities: [...LAB_CONTEXT.blockAffinities, { cidr: '172.17.8.128/26', node: 'rk-node-a' }] };
    const [a] = labFacts('healthy');
    expect(checkNode(a, context).map((f) => [f.rule, f.subject])).toEqual([['CALICO_BLACKHOLE', 'block:172.17.8.128/26']]);
  });

  it('with block affinities the inference is not used: a block the affinities do not give the node is not its', () => {
    const [a] = labFacts('blackhole-missing');
    expect(checkNode(a, { blockAffinities: [{ cidr: '172.17.8.64/26', node: 'rk-node-b' }] })).toEqual([]);
  });

  it('a pod address borrowed from a block the node routes to another node is not a block of its own', () => {
    const [, b] = labFacts('borrowed-address');
    expect(checkNode(b)).toEqual([]);
  });

  it('without any block route or pool context it assumes Calico’s default /26 and says so in the message and the evidence', () => {
    const snapshot = edit('lab/blackhole-missing.node-a.json', (host) => {
      host.routes = host.routes!.filter((r) => r.dst !== '172.17.8.64/26');
    });
    const [finding, ...rest] = checkNode(toNodeFacts(snapshot));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: 'CALICO_BLACKHOLE', subject: 'block:172.17.8.0/26' });
    expect(finding.message).toContain("assuming Calico's default block size /26");
    expect(finding.evidence).toContainEqual(expect.objectContaining({ kind: 'assumption', key: 'block-size', attrs: expect.objectContaining({ family: 'inet', prefixlen: 26 }) }));
    // The pool's blockSize is known: no assumption.
    const withPools = checkNode(toNodeFacts(snapshot), { ipPools: LAB_CONTEXT.ipPools });
    expect(withPools.map((f) => `${f.rule} ${f.subject}`)).toEqual(['CALICO_BLACKHOLE block:172.17.8.0/26']);
    expect(withPools[0].evidence.some((e) => e.kind === 'assumption')).toBe(false);
  });

  it('an IPv6 pod address with nothing to infer from assumes Calico’s default /122', () => {
    const snapshot = edit('lab/blackhole-missing.node-a.json', (host) => {
      host.routes = host.routes!.filter((r) => r.dst !== '172.17.8.64/26');
      host.routes.push({ family: 'inet6', table: 'main', type: 'unicast', dst: 'fd00:10:244:1::5/128', dev: 'calidd33ceb84a6', scope: 'link', flags: [] });
    });
    expect(rulesOf(snapshot)).toEqual(['CALICO_BLACKHOLE block:172.17.8.0/26', 'CALICO_BLACKHOLE block:fd00:10:244:1::/122']);
  });

  it('a grep’d (partial) route table is never read as "no blackhole": the rule stays silent', () => {
    const snapshot = edit('lab/blackhole-missing.node-a.json', (host) => {
      host.routes = host.routes!.filter((r) => r.dst !== '172.17.8.64/26');
    });
    snapshot.namespaces.find((n) => n.kind === 'host')!.partial = ['routes'];
    expect(rulesOf(snapshot)).toEqual([]);
  });

  it('the pods’ /32 routes stand in for pod namespaces that were not captured', () => {
    const { a } = lab('blackhole-missing');
    const hostOnly = withoutNamespace(withoutNamespace(a, 'rk-pod-a1'), 'rk-pod-a2');
    expect(rulesOf(hostOnly)).toEqual(['CALICO_BLACKHOLE block:172.17.8.0/26']);
  });
});

describe('tunnels other than VXLAN', () => {
  /** node-a of the lab as if it ran IPIP: vxlan.calico becomes tunl0. */
  function ipipNode(tunnelMtu: number): Snapshot {
    return edit('lab/healthy.node-a.json', (host) => {
      host.links = host.links!.map((l) => (l.name === 'vxlan.calico' ? { ifindex: l.ifindex, name: 'tunl0', kind: 'ipip', mtu: tunnelMtu, operState: 'UNKNOWN', flags: ['NOARP', 'UP', 'LOWER_UP'] } : l));
      host.addresses = host.addresses!.map((a) => (a.dev === 'vxlan.calico' ? { ...a, dev: 'tunl0', label: 'tunl0' } : a));
      host.routes = host.routes!.map((r) => (r.dev === 'vxlan.calico' ? { ...r, dev: 'tunl0', protocol: 'bird' } : r));
      host.neighbors = host.neighbors!.filter((n) => n.dev !== 'vxlan.calico');
    });
  }

  it('an IPIP tunnel is measured against the interface of the default route', () => {
    expect(rulesOf(ipipNode(1480))).toEqual([]);
    const [finding] = checkNode(toNodeFacts(ipipNode(1490)));
    expect(finding).toMatchObject({ rule: 'CALICO_TUNNEL_UNDERLAY_MTU', subject: 'link:tunl0' });
    expect(finding.evidence.map((e) => e.key)).toEqual(['tunl0', 'eth0', 'main|inet|unicast|0.0.0.0/0|0']);
  });
});

describe('mixed CNIs', () => {
  it('a docker0 bridge with a container veth but no captured pod namespace is reported by its veth', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.links!.push(
        { ifindex: 20, name: 'docker0', kind: 'bridge', mac: '02:42:8c:11:22:33', mtu: 1500, operState: 'UP', flags: ['UP'] },
        { ifindex: 21, name: 'veth9f8e7d6', kind: 'veth', mac: '66:11:22:33:44:55', mtu: 1500, operState: 'UP', flags: ['UP'], master: 'docker0', peerIfindex: 5, linkNetnsId: 7 },
      );
      host.addresses!.push({ dev: 'docker0', family: 'inet', local: '172.18.0.1', prefixlen: 16, scope: 'global', flags: [] });
    });
    expect(rulesOf(snapshot)).toEqual(['CNI_SECOND_POD_NETWORK veth:veth9f8e7d6']);
  });

  it('a bridge whose pods are inside the Calico pools given by the context is not a second network', () => {
    const { a } = lab('mixed-cni-bridge');
    expect(rulesOf(a, { ipPools: [{ name: 'p', cidr: '10.244.0.0/16', encapsulation: 'None' }, ...LAB_CONTEXT.ipPools] })).toEqual([]);
  });
});

describe('field captures (issue #10)', () => {
  it('a pod table pasted alone (netstat -nr: routes via 169.254.1.1, no addresses) without a default opens CALICO_POD_DEFAULT_ROUTE', () => {
    const snapshot = withoutSection(lab('pod-default-route-missing').a, 'rk-pod-a1', 'addresses');
    expect(rulesOf(snapshot).filter((r) => r.startsWith('CALICO_POD_'))).toEqual(['CALICO_POD_DEFAULT_ROUTE pod:rk-pod-a1']);
    // A pod table with nothing via 169.254.1.1 (not a Calico IPv4 pod as far as the paste shows) says nothing.
    const bare = structuredClone(snapshot);
    const pod = bare.namespaces.find((n) => n.name === 'rk-pod-a1')!;
    pod.routes = pod.routes!.filter((r) => r.dst !== '169.254.1.1');
    pod.neighbors = [];
    expect(rulesOf(bare).filter((r) => r.startsWith('CALICO_POD_DEFAULT'))).toEqual([]);
  });

  it('cali veths at MTU 1500 beside tunl0 at 1440 that is up with an address (no route via it captured) open CALICO_VETH_TUNNEL_MTU', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.links = host.links!.filter((l) => l.name !== 'vxlan.calico');
      host.links.push({ ifindex: 40, name: 'tunl0', kind: 'ipip', mtu: 1440, operState: 'UNKNOWN', flags: ['NOARP', 'UP', 'LOWER_UP'] });
      host.links = host.links.map((l) => (l.name.startsWith('cali') ? { ...l, mtu: 1500 } : l));
      host.addresses = host.addresses!.filter((a) => a.dev !== 'vxlan.calico');
      host.addresses.push({ dev: 'tunl0', family: 'inet', local: '172.17.8.1', prefixlen: 32, scope: 'global', flags: [] });
      host.routes = host.routes!.filter((r) => r.dev !== 'vxlan.calico');
    });
    for (const ns of snapshot.namespaces) if (ns.kind === 'pod') ns.links = ns.links!.map((l) => (l.name === 'eth0' ? { ...l, mtu: 1500 } : l));
    expect(rulesOf(snapshot)).toEqual([`CALICO_VETH_TUNNEL_MTU veth:calidd33ceb84a6`, 'CALICO_VETH_TUNNEL_MTU veth:calif55e0ab04de']);
    // The same from `ip a | grep mtu` (links partial) and an address read without a scope (ifconfig).
    const host = snapshot.namespaces.find((n) => n.kind === 'host')!;
    host.partial = ['links', 'addresses'];
    host.addresses = host.addresses!.map((a) => (a.dev === 'tunl0' ? { ...a, scope: undefined } : a));
    expect(rulesOf(snapshot)).toEqual([`CALICO_VETH_TUNNEL_MTU veth:calidd33ceb84a6`, 'CALICO_VETH_TUNNEL_MTU veth:calif55e0ab04de']);
  });

  it('a tunl0 that is down (address left over) and carries no route is not in use', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.links!.push({ ifindex: 40, name: 'tunl0', kind: 'ipip', mtu: 1300, operState: 'DOWN', flags: ['NOARP'] });
      host.addresses!.push({ dev: 'tunl0', family: 'inet', local: '172.17.8.1', prefixlen: 32, scope: 'global', flags: [] });
    });
    expect(rulesOf(snapshot)).toEqual([]);
  });

  it('a BGP-only Calico node (proto bird routes, no pods, no tunnel) without a default route opens CALICO_EXIT_ROUTE', () => {
    const snapshot: Snapshot = {
      ...loadSnapshot('plain-vm.json'),
      node: 'bgp-1',
      namespaces: [
        {
          kind: 'host',
          name: 'host',
          routes: [
            { family: 'inet', table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'ens3', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.11', flags: [] },
            { family: 'inet', table: 'main', type: 'unicast', dst: '192.168.77.0/26', gateway: '10.0.0.12', dev: 'ens3', protocol: 'bird', flags: [] },
            { family: 'inet', table: 'main', type: 'unicast', dst: '192.168.88.64/26', gateway: '10.0.0.13', dev: 'ens3', protocol: 'bird', flags: [] },
          ],
        },
      ],
    };
    expect(rulesOf(snapshot)).toEqual(['CALICO_EXIT_ROUTE node']);
  });

  it('a host route table quoted as two lines (no connected route: an excerpt) proves no missing default route or blackhole', () => {
    const excerpt: Snapshot = {
      ...loadSnapshot('plain-vm.json'),
      namespaces: [
        {
          kind: 'host',
          name: 'host',
          routes: [
            { family: 'inet', table: 'main', type: 'blackhole', dst: '10.33.92.0/26', protocol: 'bird', flags: [] },
            { family: 'inet', table: 'main', type: 'unicast', dst: '10.33.92.0/24', gateway: '10.104.115.183', dev: 'tunl0', protocol: 'bird', flags: ['onlink'] },
            { family: 'inet', table: 'main', type: 'unicast', dst: '10.33.92.7', dev: 'cali0123456789a', scope: 'link', flags: [] },
          ],
        },
      ],
    };
    expect(rulesOf(excerpt)).toEqual([]);
    // The same lines with the node's connected subnet are a whole table: the missing default route is a finding.
    excerpt.namespaces[0].routes!.push({ family: 'inet', table: 'main', type: 'unicast', dst: '10.104.115.0/24', dev: 'ens3', protocol: 'kernel', scope: 'link', flags: [] });
    expect(rulesOf(excerpt)).toEqual(['CALICO_EXIT_ROUTE node']);
    // A GCE-style node (its address a /32, the gateway on-link) has no subnet route, yet its table is whole.
    excerpt.namespaces[0].routes = excerpt.namespaces[0].routes!.filter((r) => r.dst !== '10.104.115.0/24');
    excerpt.namespaces[0].routes.push({ family: 'inet', table: 'main', type: 'unicast', dst: '10.128.0.1', dev: 'ens4', protocol: 'dhcp', scope: 'link', flags: [] });
    expect(rulesOf(excerpt)).toEqual(['CALICO_EXIT_ROUTE node']);
  });

  it('a Calico eBPF-dataplane node (bpfnatin/bpfnatout, no per-pod routes or proxy_arp) is not judged by the iptables-dataplane rules', () => {
    const snapshot = edit('lab/healthy.node-a.json', (host) => {
      host.links!.push({ ifindex: 50, name: 'bpfnatin', kind: 'veth', mtu: 1500, operState: 'UP', flags: ['UP'] }, { ifindex: 51, name: 'bpfnatout', kind: 'veth', mtu: 1500, operState: 'UP', flags: ['UP'] });
      host.routes = host.routes!.filter((r) => !(r.dev ?? '').startsWith('cali') && r.type !== 'blackhole');
      host.sysctls = host.sysctls!.map((s) => (/proxy_arp$/.test(s.path) ? { ...s, value: '0' } : s));
    });
    expect(checkNode(toNodeFacts(snapshot))).toEqual([]);
    // The same facts without the bpf devices are judged (and broken).
    const iptables = structuredClone(snapshot);
    const host = iptables.namespaces.find((n) => n.kind === 'host')!;
    host.links = host.links!.filter((l) => !l.name.startsWith('bpf'));
    expect(new Set(rulesOf(iptables).map((r) => r.split(' ')[0]))).toEqual(new Set(['CALICO_PROXY_ARP', 'CALICO_HOST_ROUTE', 'CALICO_BLACKHOLE']));
  });
});
