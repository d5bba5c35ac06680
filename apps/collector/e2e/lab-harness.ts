import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { formatValidationIssues, snapshotToFacts, validateSnapshot, type Fact, type Snapshot } from '@routescope/snapshot';

export const repoRoot = resolve(__dirname, '../../..');
export const collectorBin = resolve(repoRoot, 'apps/collector/dist/routescope-collector.cjs');
const netlabScript = resolve(repoRoot, 'tools/netlab/netlab');

export interface LabPod {
  name: string;
  namespace: string;
  node: string;
  nodeNamespace: string;
  ip: string;
  hostVeth: string;
  /** the pod's eth0 MAC */
  podMac: string;
  mtu: number;
}

export interface LabInfo {
  prefix: string;
  router: { ip: string; mac: string };
  nodes: { name: string; namespace: string; underlayIp: string; underlayMac: string; block: string; vtep: { ip: string; mac: string } }[];
  pods: LabPod[];
  faultNames: string[];
}

export const isRoot = process.getuid?.() === 0;

/** Runs tools/netlab/netlab with its own namespace prefix, so suites never share a lab. */
export function netlab(prefix: string, ...args: string[]): string {
  return execFileSync(netlabScript, args, { env: { ...process.env, NETLAB_PREFIX: prefix }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function labInfo(prefix: string): LabInfo {
  return JSON.parse(netlab(prefix, 'info')) as LabInfo;
}

export interface CollectorRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCollector(args: string[], input?: string): CollectorRun {
  const result = spawnSync(process.execPath, [collectorBin, ...args], { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `collect --netns NS --out -`, checked against the contract. */
export function collectSnapshot(netns: string): Snapshot {
  return parseSnapshot(runCollector(['collect', '--netns', netns, '--out', '-']));
}

export function parseSnapshot(run: CollectorRun): Snapshot {
  if (run.status !== 0) throw new Error(`collector exited ${run.status}: ${run.stderr}`);
  const validation = validateSnapshot(JSON.parse(run.stdout));
  if (!validation.ok) throw new Error(`snapshot breaks the contract:\n${formatValidationIssues(validation.issues)}`);
  return validation.snapshot;
}

export function factsOf(snapshot: Snapshot): Fact[] {
  return snapshotToFacts(snapshot);
}

export function findFact(facts: Fact[], ns: string, kind: Fact['kind'], key: string): Fact | undefined {
  return facts.find((f) => f.ns === ns && f.kind === kind && f.key === key);
}

/** `ip netns exec NS ping` once; true when a reply came back. */
export function ping(netns: string, address: string, tries = 2): boolean {
  for (let i = 0; i < tries; i++) {
    const result = spawnSync('ip', ['netns', 'exec', netns, 'ping', '-c', '1', '-W', '1', address], { encoding: 'utf8' });
    if (result.status === 0) return true;
  }
  return false;
}
