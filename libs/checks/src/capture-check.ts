import { snapshotToFacts, type CaptureEvidence, type KubernetesListing, type NetworkNamespace, type SectionCoverage } from '@routescope/snapshot';
import type { ClusterContext, CniDetection, CniMode, CniName, Finding, NodeFacts } from './check-types';
import { checkCaptureEvidence, monitorChanges } from './capture-evidence-rules';
import { checkCluster } from './cluster-rules';
import { detectFromIndex, wiresPodsLikeCalico } from './cni-detection';
import { LINK_LOCAL_GATEWAY, NodeIndex, isCaliVeth, str, type Section } from './facts/node-index';
import { checkHistory } from './history-rules';
import { checkNode } from './node-rules';
import { RULES } from './rules/catalogue';
import { sortFindings } from './rules/finding';

const RULE_ORDER = RULES.map((r) => r.id);

/** One node of an imported capture (libs/snapshot `importCaptureNodes`). */
export interface CaptureNodeInput {
  nodeName?: string;
  namespaces: NetworkNamespace[];
  evidence: CaptureEvidence;
  coverage: SectionCoverage[];
}

/** What `importCaptureNodes` returns, as far as the checks read it. */
export interface CaptureImportInput {
  nodes: readonly CaptureNodeInput[];
  coverage: SectionCoverage[];
  kubernetes?: KubernetesListing;
}

export interface CaptureNodeReport {
  node: string;
  cni: CniName;
  mode?: CniMode;
  namespaces: number;
  facts: number;
}

export interface CaptureReport {
  nodes: CaptureNodeReport[];
  coverage: SectionCoverage[];
  /** node rules per node, cluster rules over all nodes, capture-evidence and ip monitor history rules */
  findings: Finding[];
  /** passed evidence (severity info), e.g. CALICO_PROXY_ARP_VERIFIED */
  passed: Finding[];
  /** what could not be checked, one sentence each */
  notChecked: string[];
}

/** The node name a capture without `node NAME` qualifiers is checked under. */
export const UNNAMED_CAPTURE_NODE = 'imported';

/**
 * Checks a pasted capture: the node rules on each node's facts, the same cross-node rules as
 * the API over all of them, the rules over what the capture observed (tcpdump frames,
 * calicoctl node status) and the history rules over its `ip monitor` events. kubectl
 * listings in the capture join `context` (pod → node/IP, node → address). Pure.
 */
export function checkCapture(imported: CaptureImportInput, context: ClusterContext = {}): CaptureReport {
  const fullContext = withKubernetes(context, imported.kubernetes);
  const singleNodeCluster = (fullContext.nodes?.length ?? 0) === 1;
  const nodes = imported.nodes.map((n, i) => {
    const node = n.nodeName ?? (imported.nodes.length === 1 ? UNNAMED_CAPTURE_NODE : `node-${i + 1}`);
    const facts: NodeFacts = { node, facts: snapshotToFacts({ namespaces: n.namespaces }) };
    const index = new NodeIndex(facts);
    const detection = withEvidence(detectFromIndex(index), n.evidence, facts);
    return { input: n, facts, index, detection };
  });

  const findings: Finding[] = [];
  const passed: Finding[] = [];
  for (const { input, facts, index, detection } of nodes) {
    const nodeFindings = checkNode(facts, fullContext);
    findings.push(...nodeFindings);
    const evidence = checkCaptureEvidence({
      nodeFindings,
      node: facts.node,
      evidence: input.evidence,
      detection,
      podMacs: podMacs(index),
      coverage: imported.coverage,
      context: fullContext,
      singleNodeCluster,
    });
    findings.push(...evidence.findings);
    passed.push(...evidence.passed);
    if (input.evidence.monitorEvents.length > 0) findings.push(...checkHistory(facts.node, monitorChanges(input.evidence.monitorEvents)));
  }
  findings.push(...checkCluster(nodes.map((n) => n.facts), fullContext));

  return {
    nodes: nodes.map(({ facts, index, detection }) => ({
      node: facts.node,
      cni: detection.cni,
      ...(detection.mode ? { mode: detection.mode } : {}),
      namespaces: index.namespaces.size,
      facts: facts.facts.filter((f) => f.kind !== 'netns').length,
    })),
    coverage: imported.coverage,
    findings: sortFindings(findings, RULE_ORDER),
    passed: sortFindings(passed, RULE_ORDER),
    notChecked: notChecked(imported, nodes),
  };
}

/** kubectl get pods/nodes -o wide as cluster context, after what the caller gave. */
export function withKubernetes(context: ClusterContext, listing: KubernetesListing | undefined): ClusterContext {
  if (!listing) return context;
  const pods = listing.pods.filter((p) => p.ip).map((p) => ({ namespace: p.namespace ?? 'default', name: p.name, ...(p.node ? { node: p.node } : {}), ips: [p.ip as string] }));
  const nodes = listing.nodes.map((n) => ({ name: n.name, internalIPs: n.internalIP ? [n.internalIP] : [] }));
  return {
    ...context,
    ...(pods.length > 0 || context.pods ? { pods: [...(context.pods ?? []), ...pods] } : {}),
    ...(nodes.length > 0 || context.nodes ? { nodes: [...(context.nodes ?? []), ...nodes] } : {}),
  };
}

/**
 * What the capture itself says about the CNI beyond kernel facts: the routes, links and
 * neighbours `ip monitor` showed (a BIRD route, a cali veth), the pod's ARP for 169.254.1.1,
 * tcpdump on a cali veth and calicoctl output, which are Calico's own.
 */
function withEvidence(detection: CniDetection, evidence: CaptureEvidence, facts: NodeFacts): CniDetection {
  if (detection.cni !== 'unknown') return detection;
  if (evidence.monitorEvents.length > 0) {
    const seen = detectFromIndex(new NodeIndex({ node: facts.node, facts: [...facts.facts, ...evidence.monitorEvents.map((e) => e.fact)] }));
    if (seen.cni !== 'unknown') return seen;
  }
  const gatewayArp = evidence.frames.some((f) => f.arp?.targetIp === LINK_LOCAL_GATEWAY);
  // tcpdump -i caliXXX: only Calico names a veth that way.
  const onCaliVeth = evidence.frames.some((f) => f.ns === 'host' && f.interface !== undefined && isCaliVeth(f.interface));
  if (gatewayArp || onCaliVeth || evidence.calicoNodeStatus) return { ...detection, cni: 'calico' };
  return detection;
}

/** eth0 MACs of the node's Calico pods, by MAC. */
function podMacs(index: NodeIndex): Map<string, { pod: string }> {
  const macs = new Map<string, { pod: string }>();
  for (const pod of index.pods()) {
    const mac = str(pod.deviceLink?.attrs.mac);
    if (pod.calico && mac) macs.set(mac, { pod: pod.name });
  }
  return macs;
}

const SECTION_RULES: Record<Section, string> = {
  routes: 'missing-route rules (pod and host routes, exit route, blackholes, block routes)',
  links: 'missing-veth rules',
  addresses: 'pod address rules',
  neighbors: 'gateway neighbour rules',
  sysctls: 'proxy_arp, proxy_delay and ip_forward rules',
};

function notChecked(imported: CaptureImportInput, nodes: Array<{ input: CaptureNodeInput; facts: NodeFacts; index: NodeIndex; detection: CniDetection }>): string[] {
  const out: string[] = [];
  for (const section of imported.coverage) {
    const where = `${section.ns === 'host' ? '' : ` in ${section.ns.replace(/^pod:/, 'pod ')}`}${section.node ? ` on node ${section.node}` : ''}`;
    const at = section.headerLine > 0 ? `line ${section.headerLine}` : 'no command line';
    const reason = section.reason?.trim().replace(/\.$/, '');
    if (section.status === 'unsupported') {
      out.push(`"${section.command}"${where} (${at}): not read${reason ? ` — ${reason}` : ''}.`);
    } else if (section.status === 'partial') {
      out.push(`"${section.command}"${where} (${at}): partial${reason ? ` (${reason})` : ''} — its facts are used, but nothing is concluded missing from it.`);
    }
  }
  for (const { facts, index, detection, input } of nodes) {
    if (!wiresPodsLikeCalico(detection)) {
      if (index.host?.netns && (facts.facts.length > 1 || input.evidence.frames.length > 0)) {
        out.push(`node ${facts.node}: Calico was not detected (CNI: ${detection.cni}), so the Calico rules were not run.`);
      }
      continue;
    }
    if (detection.mode === 'ebpf') out.push(`node ${facts.node}: Calico eBPF dataplane — proxy_arp, proxy_delay, host-route, exit-route and blackhole rules do not apply and were not run.`);
    const host = index.host;
    const missing = (['routes', 'sysctls'] as Section[]).filter((s) => !host?.captured(s) && !(host?.netns?.attrs.partial as string[] | undefined)?.includes(s));
    if (missing.length > 0 && facts.facts.length > 1) {
      out.push(`node ${facts.node}: no host ${missing.join(' or ')} in the capture — ${missing.map((s) => SECTION_RULES[s]).join('; ')} not applied.`);
    }
    const frames = input.evidence.frames;
    if (frames.length > 0 && frames.every((f) => !f.srcMac)) {
      out.push(`node ${facts.node}: tcpdump was printed without -e (no MAC addresses) — the MAC a pod resolved or sends to cannot be checked.`);
    }
  }
  return out;
}
