import { checkNode, detectCni, type Finding, type NodeFacts } from '@routescope/checks';
import { formatValidationIssues, importCapture, snapshotToFacts, validateSnapshotLazily, type SnapshotWarning } from '@routescope/snapshot';
import { EXIT_OK, EXIT_PROBLEMS, checkNodeName, toNodeName } from './command-line';
import { formatJson, formatReport } from './finding-format';

/** The input is neither a snapshot nor a capture: one line on stderr, exit 1 (the command ran; the file is the problem). */
export class CheckInputError extends Error {}

export interface CheckInput {
  kind: 'snapshot' | 'capture';
  node: NodeFacts;
  /** what the capture import could not read */
  warnings: SnapshotWarning[];
}

/**
 * A snapshot when the text is a JSON object with `schemaVersion` (validated against the
 * contract); otherwise an `import`-style capture (`--- ip neigh pod NAME` sections).
 * `nodeName` overrides the node a snapshot or a capture names.
 */
export function readCheckInput(text: string, source: string, nodeName?: string): CheckInput {
  const json = parseJsonObject(text, source);
  if (json !== undefined) {
    if (!('schemaVersion' in json)) throw new CheckInputError(`${source} is JSON but not a Routescope snapshot (it has no schemaVersion)`);
    const validation = validateSnapshotLazily(json);
    if (!validation.ok) {
      const first = formatValidationIssues(validation.issues).split('\n')[0]?.trim() ?? '';
      const more = validation.issues.length > 1 ? ` (and ${validation.issues.length - 1} more)` : '';
      throw new CheckInputError(`${source} is not a valid snapshot: ${first}${more}`);
    }
    const snapshot = validation.snapshot;
    return { kind: 'snapshot', node: { node: nodeName ?? snapshot.node, facts: snapshotToFacts(snapshot) }, warnings: [] };
  }
  const imported = importCapture(text);
  const sections = imported.namespaces.reduce((n, ns) => n + (['links', 'addresses', 'routes', 'neighbors', 'sysctls'] as const).filter((s) => ns[s]).length, 0);
  if (sections === 0) {
    throw new CheckInputError(`${source} is neither a snapshot (JSON with schemaVersion) nor a capture (no readable "--- ip route"-style section)`);
  }
  const node = nodeName ?? (imported.nodeName ? checkNodeName(toNodeName(imported.nodeName)) : 'imported');
  return { kind: 'capture', node: { node, facts: snapshotToFacts({ namespaces: imported.namespaces }) }, warnings: imported.warnings };
}

export interface CheckResult {
  stdout: string;
  stderr: string;
  code: number;
  findings: Finding[];
}

/** Runs the node rules on a snapshot or capture text. Exit 1 when a finding is a warning or worse. */
export function runCheck(text: string, options: { source: string; json: boolean; node?: string }): CheckResult {
  let input: CheckInput;
  try {
    input = readCheckInput(text, options.source, options.node);
  } catch (error) {
    if (error instanceof CheckInputError) return { stdout: '', stderr: `routescope-collector: ${error.message}\n`, code: EXIT_PROBLEMS, findings: [] };
    throw error;
  }
  const findings = checkNode(input.node);
  const detection = detectCni(input.node);
  const stdout = options.json ? formatJson(input.node.node, findings, detection) : formatReport(input.node.node, findings, detection);
  const unread = input.warnings.filter((w) => w.code !== 'pod_veth_unpaired').length;
  const unpaired = input.warnings.filter((w) => w.code === 'pod_veth_unpaired').map((w) => w.namespace);
  const notes = [
    unread > 0 ? `note: ${unread} part${unread === 1 ? '' : 's'} of the capture could not be read (run "import --summary" to see them)` : '',
    unpaired.length > 0 ? `note: no host veth pairs with pod ${unpaired.join(', ')}; rules that compare the pod with its veth were skipped for it` : '',
  ].filter(Boolean);
  const code = findings.some((f) => f.severity !== 'info') ? EXIT_PROBLEMS : EXIT_OK;
  return { stdout, stderr: notes.map((n) => `routescope-collector: ${n}\n`).join(''), code, findings };
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
