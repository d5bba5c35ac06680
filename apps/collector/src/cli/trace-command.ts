import { formatValidationIssues, importCaptureNodes, snapshotToFacts, validateSnapshot, type NetworkNamespace } from '@routescope/snapshot';
import { TraceRequestError, tracePath, type TraceHop, type TraceLeg, type TraceNodeState, type TracePodContext, type TraceResult } from '@routescope/trace';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, toNodeName } from './command-line';

/** One file given to `trace`: a snapshot, a JSON array of snapshots (`import` of several nodes), or a pasted capture. */
export interface TraceInputFile {
  source: string;
  text: string;
}

export interface TraceOptions {
  /** `pod:NAME`, `node:NAME`, a node name, or `node` when one node was given */
  from: string;
  to: string;
  size?: number;
  dontFragment: boolean;
  json: boolean;
}

export interface TraceCommandResult {
  stdout: string;
  stderr: string;
  code: number;
  result?: TraceResult;
}

/** The input cannot be traced (not a snapshot or capture, a node twice): one line, exit 1. */
class TraceInputError extends Error {}

/**
 * `trace`: the nodes' states from the files, then tracePath from `--from` to `--to`. A pod is
 * looked up on every node (by netns name, Kubernetes name through a capture's `kubectl get pods
 * -o wide`, or Calico's veth naming). Exit 0 reachable, 1 not (or unreadable input).
 */
export function runTrace(files: readonly TraceInputFile[], options: TraceOptions): TraceCommandResult {
  let nodes: TraceNodeState[];
  let pods: TracePodContext[];
  try {
    ({ nodes, pods } = readNodes(files));
  } catch (error) {
    if (error instanceof TraceInputError) return { stdout: '', stderr: `routescope-collector: ${error.message}\n`, code: EXIT_PROBLEMS };
    throw error;
  }
  const result = traceFrom(nodes, pods, options);
  const stdout = options.json ? `${JSON.stringify(jsonOf(result), null, 2)}\n` : formatTrace(result, options);
  return { stdout, stderr: '', code: result.reachable ? EXIT_OK : EXIT_PROBLEMS, result };
}

function traceFrom(nodes: TraceNodeState[], pods: TracePodContext[], options: TraceOptions): TraceResult {
  const request = { nodes, pods, to: options.to, size: options.size, dontFragment: options.dontFragment };
  const names = nodes.map((n) => n.node);
  if (options.from.startsWith('pod:')) {
    const pod = options.from.slice(4);
    if (!pod) throw new UsageError('--from: pod: needs a pod name (pod:NAME)');
    const found: TraceResult[] = [];
    for (const node of names) {
      try {
        found.push(tracePath({ ...request, from: { node, pod } }));
      } catch (error) {
        if (!(error instanceof TraceRequestError && error.field === 'from.pod')) usageOf(error);
      }
    }
    if (found.length === 1) return found[0];
    if (found.length === 0) throw new UsageError(`--from: no pod "${pod}" on ${names.join(', ')} (a netns name as the snapshot lists it, or a Kubernetes name)`);
    throw new UsageError(`--from: pod "${pod}" is on several nodes (${found.map((r) => r.source?.node).join(', ')}); give one snapshot of its node first`);
  }
  const node = options.from === 'node' ? (names.length === 1 ? names[0] : undefined) : options.from.replace(/^node:/, '');
  if (node === undefined) throw new UsageError(`--from: "node" is ambiguous with ${names.length} nodes; name one (node:NAME: ${names.join(', ')})`);
  try {
    return tracePath({ ...request, from: { node } });
  } catch (error) {
    return usageOf(error);
  }
}

/** A request the trace refused is a usage error naming the option (--to, --size, --from). */
function usageOf(error: unknown): never {
  if (!(error instanceof TraceRequestError)) throw error;
  const option = error.field === 'to' || error.field === 'size' ? error.field : 'from';
  throw new UsageError(`--${option}: ${error.message.replace(/^[\w.]+: /, '')}`);
}

function readNodes(files: readonly TraceInputFile[]): { nodes: TraceNodeState[]; pods: TracePodContext[] } {
  const nodes = new Map<string, NetworkNamespace[]>();
  const pods: TracePodContext[] = [];
  const add = (name: string, namespaces: NetworkNamespace[], source: string) => {
    if (nodes.has(name)) throw new TraceInputError(`${source}: node ${name} was already given; trace one state per node`);
    nodes.set(name, namespaces);
  };
  for (const file of files) {
    const trimmed = file.text.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      let json: unknown;
      try {
        json = JSON.parse(trimmed);
      } catch (error) {
        throw new TraceInputError(`${file.source} looks like JSON but does not parse: ${(error as Error).message.split('\n')[0]}`);
      }
      for (const [i, entry] of (Array.isArray(json) ? json : [json]).entries()) {
        const validation = validateSnapshot(entry);
        const where = Array.isArray(json) ? `${file.source}[${i}]` : file.source;
        if (!validation.ok) throw new TraceInputError(`${where} is not a valid snapshot: ${formatValidationIssues(validation.issues).split('\n')[0]?.trim()}`);
        add(validation.snapshot.node, validation.snapshot.namespaces, where);
      }
      continue;
    }
    const imported = importCaptureNodes(file.text);
    if (imported.unreadable !== undefined) throw new TraceInputError(`${file.source} is neither a snapshot nor a capture Routescope can read: ${imported.unreadable}`);
    for (const node of imported.nodes) add(node.nodeName !== undefined ? toNodeName(node.nodeName) || 'imported' : 'imported', node.namespaces, file.source);
    for (const pod of imported.kubernetes?.pods ?? []) {
      if (pod.ip) pods.push({ namespace: pod.namespace ?? 'default', name: pod.name, node: pod.node, ips: [pod.ip] });
    }
  }
  return { nodes: [...nodes].map(([node, namespaces]) => ({ node, facts: snapshotToFacts({ namespaces }) })), pods };
}

/** `--json`: the verdict first, then the legs with their hops (and stop). */
function jsonOf(result: TraceResult): object {
  return { reachable: result.reachable, verdict: result.verdict, source: result.source, forward: result.forward, reply: result.reply, ...(result.unresolved ? { unresolved: result.unresolved } : {}) };
}

export function formatTrace(result: TraceResult, options: Pick<TraceOptions, 'to' | 'size' | 'dontFragment'>): string {
  const from = result.source ? `${result.source.node} ${result.source.ns} (${result.source.address})` : options.to;
  const lines = [`trace ${from} → ${options.to}, ${options.size ?? 84} bytes${options.dontFragment ? ', DF' : ''}`, ''];
  lines.push(...formatLeg('request', result.forward));
  if (result.forward.delivered) lines.push('', ...formatLeg('reply', result.reply));
  if (result.unresolved) {
    const wanted = [...result.unresolved.addresses.map((a) => `holds ${a}`), ...result.unresolved.macs.map((m) => `has the VXLAN MAC ${m}`)];
    lines.push('', `note: none of the given snapshots is of a node that ${wanted.join(', or ')}; add that node's snapshot to follow the packet further`);
  }
  lines.push('', result.reachable ? 'verdict: reachable (request and reply delivered)' : `verdict: NOT reachable — ${result.verdict}`);
  return `${lines.join('\n')}\n`;
}

function formatLeg(name: string, leg: TraceLeg): string[] {
  const lines = [`${name}:`];
  leg.hops.forEach((hop, i) => lines.push(...formatHop(i + 1, hop)));
  if (leg.stop) {
    lines.push(`  ✗ stops at ${leg.stop.node} ${leg.stop.ns}: ${leg.stop.reason} — ${leg.stop.detail}`);
    if (leg.stop.evidence.length > 0) lines.push(`      facts: ${leg.stop.evidence.map((e) => `${e.ns} ${e.kind} ${e.key}`).join('; ')}`);
  } else if (leg.delivered) {
    lines.push(`  ✓ delivered to ${leg.deliveredTo?.node} ${leg.deliveredTo?.ns}`);
  }
  return lines;
}

function formatHop(n: number, hop: TraceHop): string[] {
  const lines = [`  ${String(n).padStart(2)}. ${hop.node} ${hop.ns}  ${hop.step}: ${hop.detail}`];
  if (hop.evidence.length > 0) lines.push(`      facts: ${hop.evidence.map((e) => `${e.ns === hop.ns && e.node === hop.node ? '' : `${e.node} ${e.ns} `}${e.kind} ${e.key}`).join('; ')}`);
  return lines;
}
