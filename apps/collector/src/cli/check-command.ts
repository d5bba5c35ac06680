import { checkCapture, type CaptureImportInput, type CaptureReport, type Finding } from '@routescope/checks';
import { emptyEvidence, formatValidationIssues, importCaptureNodes, validateSnapshot, type SnapshotWarning } from '@routescope/snapshot';
import { EXIT_OK, EXIT_PROBLEMS, checkNodeName, toNodeName } from './command-line';
import { formatJson, formatReport } from './finding-format';

/** The input is neither a snapshot nor a capture: one line on stderr, exit 1 (the command ran; the file is the problem). */
export class CheckInputError extends Error {}

export interface CheckInput {
  kind: 'snapshot' | 'capture';
  /** one node per snapshot; one per `node NAME` of a capture */
  imported: CaptureImportInput;
  /** what the capture import could not read */
  warnings: SnapshotWarning[];
}

/**
 * A snapshot when the text is a JSON object with `schemaVersion` (validated against the
 * contract); otherwise a pasted capture (any format `import` reads). `nodeName` overrides the
 * node a snapshot or a one-node capture names.
 */
export function readCheckInput(text: string, source: string, nodeName?: string): CheckInput {
  const json = parseJsonObject(text, source);
  if (json !== undefined) {
    if (!('schemaVersion' in json)) throw new CheckInputError(`${source} is JSON but not a Routescope snapshot (it has no schemaVersion)`);
    const validation = validateSnapshot(json);
    if (!validation.ok) {
      const first = formatValidationIssues(validation.issues).split('\n')[0]?.trim() ?? '';
      const more = validation.issues.length > 1 ? ` (and ${validation.issues.length - 1} more)` : '';
      throw new CheckInputError(`${source} is not a valid snapshot: ${first}${more}`);
    }
    const snapshot = validation.snapshot;
    const node = { nodeName: nodeName ?? snapshot.node, namespaces: snapshot.namespaces, evidence: emptyEvidence(), coverage: [] };
    return { kind: 'snapshot', imported: { nodes: [node], coverage: [] }, warnings: [] };
  }
  const imported = importCaptureNodes(text);
  if (imported.unreadable !== undefined) {
    throw new CheckInputError(`${source} is neither a snapshot (JSON with schemaVersion) nor a capture Routescope can read: ${imported.unreadable}`);
  }
  if (nodeName !== undefined && imported.nodes.length > 1) {
    throw new CheckInputError(`--node renames the node of a one-node capture; ${source} names ${imported.nodes.length} nodes (${imported.nodes.map((n) => n.nodeName ?? '?').join(', ')})`);
  }
  const nodes = imported.nodes.map((n) => {
    const name = nodeName ?? (n.nodeName !== undefined ? checkNodeName(toNodeName(n.nodeName)) : undefined);
    return { ...n, nodeName: name };
  });
  // The import's own list holds every section warning; a node's adds only its unpaired pods.
  const warnings = [...imported.warnings, ...imported.nodes.flatMap((n) => n.warnings.filter((w) => w.code === 'pod_veth_unpaired'))];
  return { kind: 'capture', imported: { ...imported, nodes }, warnings };
}

export interface CheckResult {
  stdout: string;
  stderr: string;
  code: number;
  findings: Finding[];
  report?: CaptureReport;
}

/**
 * Runs the rules on a snapshot or capture text: node rules per node, cross-node rules over a
 * multi-node capture, the rules over what the capture observed (tcpdump -e frames, calicoctl
 * node status, ip monitor). Exit 1 when a finding is a warning or worse.
 */
export function runCheck(text: string, options: { source: string; json: boolean; node?: string }): CheckResult {
  let input: CheckInput;
  try {
    input = readCheckInput(text, options.source, options.node);
  } catch (error) {
    if (error instanceof CheckInputError) return { stdout: '', stderr: `routescope-collector: ${error.message}\n`, code: EXIT_PROBLEMS, findings: [] };
    throw error;
  }
  const report = checkCapture(input.imported);
  const stdout = options.json ? formatJson(report) : formatReport(report, { coverage: input.kind === 'capture' });
  const unread = input.warnings.filter((w) => w.code !== 'pod_veth_unpaired').length;
  const unpaired = input.warnings.filter((w) => w.code === 'pod_veth_unpaired').map((w) => w.namespace);
  const notes = [
    unread > 0 ? `note: ${unread} line${unread === 1 ? '' : 's'} or part${unread === 1 ? '' : 's'} of the capture could not be read (run "import --summary" to see them)` : '',
    unpaired.length > 0 ? `note: no host veth pairs with pod ${unpaired.join(', ')}; rules that compare the pod with its veth were skipped for it` : '',
  ].filter(Boolean);
  const code = report.findings.some((f) => f.severity !== 'info') ? EXIT_PROBLEMS : EXIT_OK;
  return { stdout, stderr: notes.map((n) => `routescope-collector: ${n}\n`).join(''), code, findings: report.findings, report };
}

/** A JSON object, or undefined for text that is not one (a capture never starts with "{"). */
function parseJsonObject(text: string, source: string): Record<string, unknown> | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed) as Record<string, unknown>;
  } catch (error) {
    throw new CheckInputError(`${source} looks like JSON but does not parse: ${(error as Error).message.split('\n')[0]}`);
  }
}
