import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatValidationIssues, snapshotToFacts, validateSnapshot, type NetworkNamespace, type Snapshot } from '@routescope/snapshot';
import type { NodeFacts } from '../src/check-types';

/** Fixtures: real netlab captures (lab/), this machine's own capture, hand-written ones; see fixtures/README.md. */
export const FIXTURES = join(__dirname, 'fixtures');

const cache = new Map<string, Snapshot>();

/** A stored snapshot, validated against the v1 contract (a fixture that is not valid fails the test). */
export function loadSnapshot(file: string): Snapshot {
  let snapshot = cache.get(file);
  if (!snapshot) {
    const validation = validateSnapshot(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')));
    if (!validation.ok) throw new Error(`${file} is not a valid snapshot:\n${formatValidationIssues(validation.issues)}`);
    cache.set(file, (snapshot = validation.snapshot));
  }
  return structuredClone(snapshot);
}

export function toNodeFacts(snapshot: Snapshot): NodeFacts {
  return { node: snapshot.node, facts: snapshotToFacts(snapshot) };
}

export function nodeFacts(file: string): NodeFacts {
  return toNodeFacts(loadSnapshot(file));
}

/** `lab/<scenario>.node-a.json` and `.node-b.json`: both nodes of one lab state. */
export function lab(scenario: string): { a: Snapshot; b: Snapshot } {
  return { a: loadSnapshot(`lab/${scenario}.node-a.json`), b: loadSnapshot(`lab/${scenario}.node-b.json`) };
}

export function labFacts(scenario: string): [NodeFacts, NodeFacts] {
  const { a, b } = lab(scenario);
  return [toNodeFacts(a), toNodeFacts(b)];
}

export function labScenarios(): string[] {
  return [...new Set(readdirSync(join(FIXTURES, 'lab')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.node-[ab]\.json$/, '')))].sort();
}

export type SectionName = 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls';

/** A partial capture: `section` removed (not captured, as opposed to empty) from the host, every pod, or one pod. */
export function withoutSection(snapshot: Snapshot, where: 'host' | 'pods' | string, section: SectionName): Snapshot {
  const copy = structuredClone(snapshot);
  for (const ns of copy.namespaces) {
    const hit = where === 'pods' ? ns.kind === 'pod' : where === 'host' ? ns.kind === 'host' : ns.name === where;
    if (hit) delete (ns as Partial<NetworkNamespace>)[section];
  }
  return copy;
}

/** `section` kept but marked partial (grep'd, cut short) in the host, every pod, or one pod: its facts stay, "missing" may not be concluded from it. */
export function withPartialSection(snapshot: Snapshot, where: 'host' | 'pods' | string, section: SectionName): Snapshot {
  const copy = structuredClone(snapshot);
  for (const ns of copy.namespaces) {
    const hit = where === 'pods' ? ns.kind === 'pod' : where === 'host' ? ns.kind === 'host' : ns.name === where;
    if (hit && ns[section] !== undefined) ns.partial = [...new Set([...(ns.partial ?? []), section])];
  }
  return copy;
}

/** The same node without some pod namespaces (a namespace that was not captured at all). */
export function withoutNamespace(snapshot: Snapshot, name: string): Snapshot {
  const copy = structuredClone(snapshot);
  copy.namespaces = copy.namespaces.filter((ns) => ns.name !== name);
  return copy;
}

/** The same node with its pods' hostVeth pairing dropped (pods whose veth could not be paired). */
export function withoutHostVeth(snapshot: Snapshot): Snapshot {
  const copy = structuredClone(snapshot);
  for (const ns of copy.namespaces) delete ns.hostVeth;
  return copy;
}

/** The lab's Calico data, as the API's Kubernetes watch would give it. */
export const LAB_CONTEXT = {
  nodes: [
    { name: 'rk-node-a', internalIPs: ['10.99.0.11'] },
    { name: 'rk-node-b', internalIPs: ['10.99.0.12'] },
  ],
  ipPools: [{ name: 'default-ipv4-ippool', cidr: '172.17.8.0/24', encapsulation: 'VXLAN' as const, mtu: 1450, blockSize: 26 }],
  blockAffinities: [
    { cidr: '172.17.8.0/26', node: 'rk-node-a' },
    { cidr: '172.17.8.64/26', node: 'rk-node-b' },
  ],
  pods: [
    { namespace: 'default', name: 'pod-a1', node: 'rk-node-a', ips: ['172.17.8.2'] },
    { namespace: 'default', name: 'pod-a2', node: 'rk-node-a', ips: ['172.17.8.3'] },
    { namespace: 'default', name: 'pod-b1', node: 'rk-node-b', ips: ['172.17.8.66'] },
    { namespace: 'default', name: 'pod-b2', node: 'rk-node-b', ips: ['172.17.8.67'] },
  ],
};
