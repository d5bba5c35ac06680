import fc from 'fast-check';
import { factIdentity, type Fact } from '@routescope/snapshot';
import { LAB_CONTEXT, lab, labFacts, labScenarios, toNodeFacts, withoutNamespace, withoutSection, type SectionName } from '../test/fixtures';
import { SEVERITIES, type Finding, type NodeFacts } from './check-types';
import { checkCluster } from './cluster-rules';
import { checkNode } from './node-rules';
import { NETLAB_FAULT_RULES, RULES, ruleById } from './rules/catalogue';

const SECTIONS: SectionName[] = ['links', 'addresses', 'routes', 'neighbors', 'sysctls'];

describe('the catalogue', () => {
  it('has unique, stable-looking ids and a complete definition for every rule', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(['node', 'cluster', 'history', 'capture', 'probe']).toContain(rule.scope);
      expect(SEVERITIES).toContain(rule.severity);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.explanation.length).toBeGreaterThan(150);
      expect(rule.remediation.length).toBeGreaterThan(20);
      expect(ruleById(rule.id)).toBe(rule);
    }
    expect(ruleById('NO_SUCH_RULE')).toBeUndefined();
  });

  it('maps every netlab fault to a node or cluster rule', () => {
    for (const rule of Object.values(NETLAB_FAULT_RULES)) expect(['node', 'cluster']).toContain(ruleById(rule)?.scope);
  });
});

describe('findings never invent facts', () => {
  /** Every finding of every stored lab state, node and cluster rules, with and without context. */
  function everything(): Array<{ finding: Finding; nodes: NodeFacts[] }> {
    const out: Array<{ finding: Finding; nodes: NodeFacts[] }> = [];
    for (const scenario of labScenarios()) {
      const nodes = labFacts(scenario);
      for (const context of [undefined, LAB_CONTEXT]) {
        for (const finding of [...nodes.flatMap((n) => checkNode(n, context)), ...checkCluster(nodes, context)]) out.push({ finding, nodes });
      }
    }
    return out;
  }

  it('evidence with attributes is a fact of the named node, verbatim; evidence with null attributes is a fact that node does not have', () => {
    const all = everything();
    expect(all.length).toBeGreaterThan(30);
    for (const { finding, nodes } of all) {
      expect(finding.evidence.length).toBeGreaterThan(0);
      for (const e of finding.evidence) {
        const node = nodes.find((n) => n.node === e.node);
        expect({ rule: finding.rule, node: e.node, known: node !== undefined }).toEqual({ rule: finding.rule, node: e.node, known: true });
        const fact = node!.facts.find((f) => f.kind === e.kind && factIdentity(f) === factIdentity(e as Fact));
        if (e.attrs === null) expect({ rule: finding.rule, key: e.key, present: fact !== undefined }).toEqual({ rule: finding.rule, key: e.key, present: false });
        else expect({ rule: finding.rule, key: e.key, attrs: fact?.attrs }).toEqual({ rule: finding.rule, key: e.key, attrs: e.attrs });
      }
    }
  });

  it('findings carry the catalogue’s severity and title, and name their node in one sentence', () => {
    for (const { finding } of everything()) {
      const rule = ruleById(finding.rule)!;
      expect({ severity: finding.severity, title: finding.title }).toEqual({ severity: rule.severity, title: rule.title });
      expect(finding.message).toContain(finding.node);
      expect(finding.message.trim()).toMatch(/^[A-Z][^\n]*\.$/);
      expect(finding.subject).toMatch(/^(pod|veth|block|address|link|mtu):\S+$|^node$/);
    }
  });
});

describe('stay silent without data', () => {
  const healthy = lab('healthy');
  const namespaces = healthy.a.namespaces.map((n) => n.name);

  it('any partial capture of the healthy lab (sections or pod namespaces missing, on either node) gives no finding', () => {
    const removal = fc.record({ node: fc.constantFrom<'a' | 'b'>('a', 'b'), ns: fc.constantFrom(...namespaces, 'rk-pod-b1', 'rk-pod-b2'), section: fc.constantFrom<SectionName | 'all'>(...SECTIONS, 'all') });
    fc.assert(
      fc.property(fc.array(removal, { maxLength: 6 }), (removals) => {
        let { a, b } = lab('healthy');
        for (const r of removals) {
          const apply = (s: typeof a) => (r.section === 'all' ? (r.ns === 'host' ? s : withoutNamespace(s, r.ns)) : withoutSection(s, r.ns, r.section));
          if (r.node === 'a') a = apply(a);
          else b = apply(b);
        }
        const nodes = [toNodeFacts(a), toNodeFacts(b)];
        const findings = [...nodes.flatMap((n) => checkNode(n)), ...checkCluster(nodes), ...checkCluster(nodes, LAB_CONTEXT)];
        expect(findings.map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a node with no facts at all, or only a host namespace with nothing captured, gives nothing', () => {
    expect(checkNode({ node: 'empty', facts: [] })).toEqual([]);
    expect(checkCluster([{ node: 'empty', facts: [] }])).toEqual([]);
    const hostOnly = { node: 'bare', facts: [{ ns: 'host', kind: 'netns' as const, key: 'host', attrs: { kind: 'host', captured: [] } }] };
    expect(checkNode(hostOnly)).toEqual([]);
  });
});
