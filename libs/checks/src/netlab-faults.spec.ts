import { LAB_CONTEXT, labFacts, labScenarios } from '../test/fixtures';
import type { ClusterContext, Finding, NodeFacts } from './check-types';
import { checkCluster } from './cluster-rules';
import { clusterView } from './cluster-view';
import { checkNode } from './node-rules';
import { NETLAB_FAULT_RULES, ruleById } from './rules/catalogue';

/** Everything the API would open for the lab: node rules on both nodes, cluster rules over both views. */
function allFindings([a, b]: [NodeFacts, NodeFacts], context?: ClusterContext): Finding[] {
  return [...checkNode(a, context), ...checkNode(b, context), ...checkCluster([clusterView(a), clusterView(b)], context)];
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.node} ${f.subject}`);

describe('the netlab faults (real captures of tools/netlab, fault injected on pod-a1 / node-a)', () => {
  it('every netlab fault has a stored capture and maps to a catalogued rule', () => {
    const scenarios = labScenarios();
    for (const [fault, rule] of Object.entries(NETLAB_FAULT_RULES)) {
      expect({ fault, captured: scenarios.includes(fault), rule: ruleById(rule)?.id }).toEqual({ fault, captured: true, rule });
    }
  });

  it.each([['healthy'], ['healthy-quiet']])('the %s lab gives zero findings, with and without cluster context', (scenario) => {
    expect(summary(allFindings(labFacts(scenario)))).toEqual([]);
    expect(summary(allFindings(labFacts(scenario), LAB_CONTEXT))).toEqual([]);
  });

  it.each(Object.entries(NETLAB_FAULT_RULES))('%s produces exactly %s and nothing else', (fault, rule) => {
    const findings = allFindings(labFacts(fault));
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set([rule]));
  });

  it.each(Object.entries(NETLAB_FAULT_RULES))('%s still produces exactly %s when the API supplies the lab’s Calico context', (fault, rule) => {
    expect(new Set(allFindings(labFacts(fault), LAB_CONTEXT).map((f) => f.rule))).toEqual(new Set([rule]));
  });

  it.each(Object.entries(NETLAB_FAULT_RULES))('%s names node-a and pod-a1 (its netns or host veth) or the block or address concerned', (fault) => {
    const findings = allFindings(labFacts(fault));
    for (const f of findings) {
      const text = `${f.subject} ${f.message}`;
      if (fault.startsWith('remote-block')) expect({ node: f.node, text }).toEqual({ node: 'rk-node-a', text: expect.stringContaining('172.17.8.64/26') });
      else if (fault === 'duplicate-pod-ip') expect(text).toContain('172.17.8.2');
      else if (['ip-forward-off', 'default-route-missing', 'blackhole-missing'].includes(fault)) expect(f.node).toBe('rk-node-a');
      else {
        expect(f.node).toBe('rk-node-a');
        expect(text.includes('calidd33ceb84a6') || text.includes('rk-pod-a1')).toBe(true);
      }
      expect(f.message).toContain(f.node);
    }
  });

  it('names the pod by its Kubernetes name when the context lists it', () => {
    const [finding] = allFindings(labFacts('proxy-arp-off'), LAB_CONTEXT);
    expect(finding.message).toContain('pod default/pod-a1 (netns rk-pod-a1)');
  });
});
