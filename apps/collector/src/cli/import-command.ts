import { SCHEMA_VERSION, formatValidationIssues, importCaptureNodes, validateSnapshot, type SectionCoverage, type Snapshot } from '@routescope/snapshot';
import { randomUuid } from '../collect/random-uuid';
import { collectorVersion } from '../collect/snapshot-taker';
import { EXIT_OK, EXIT_PROBLEMS, UsageError, checkNodeName, toNodeName } from './command-line';

export interface ImportResult {
  code: number;
  /** one snapshot per node named in the capture */
  snapshots: Snapshot[];
  /** coverage per section (formatCoverage), for stderr */
  coverage: string;
  /** why nothing was written, in one line */
  problem?: string;
}

/** Node name of an import without any `node NAME`, prompt host or fleet prefix. */
export const DEFAULT_IMPORT_NODE = 'imported';

/**
 * `import`: a pasted capture into one snapshot per node, and what was read of each section.
 * `node` names the node of a one-node capture (a usage error for several).
 */
export function runImport(text: string, options: { source: string; node?: string; now?: Date }): ImportResult {
  const imported = importCaptureNodes(text);
  const coverage = formatCoverage(imported.coverage);
  if (imported.unreadable !== undefined) {
    return { code: EXIT_PROBLEMS, snapshots: [], coverage, problem: `nothing in ${options.source} could be read: ${imported.unreadable}` };
  }
  if (options.node !== undefined && imported.nodes.length > 1) {
    throw new UsageError(`--node names the node of a one-node capture; ${options.source} names ${imported.nodes.length} nodes (${imported.nodes.map((n) => n.nodeName ?? DEFAULT_IMPORT_NODE).join(', ')})`);
  }
  const takenAt = (options.now ?? new Date()).toISOString();
  const snapshots: Snapshot[] = [];
  const names = new Set<string>();
  for (const node of imported.nodes) {
    let name = options.node !== undefined ? checkNodeName(options.node) : node.nodeName !== undefined ? toNodeName(node.nodeName) || DEFAULT_IMPORT_NODE : DEFAULT_IMPORT_NODE;
    // Two prompts that differ only in case or punctuation become one node name: keep them apart.
    for (let i = 2; names.has(name); i++) name = `${name.replace(/-\d+$/, '')}-${i}`;
    names.add(name);
    const snapshot: Snapshot = {
      schemaVersion: SCHEMA_VERSION,
      snapshotId: randomUuid(),
      node: name,
      collector: { version: collectorVersion, bootId: randomUuid(), seq: 0, source: 'import' },
      takenAt,
      namespaces: node.namespaces,
      warnings: node.warnings.slice(0, 1000),
    };
    const validation = validateSnapshot(snapshot);
    if (!validation.ok) {
      return { code: EXIT_PROBLEMS, snapshots: [], coverage, problem: `the capture of node ${name} does not make a valid snapshot:\n${formatValidationIssues(validation.issues)}` };
    }
    snapshots.push(validation.snapshot);
  }
  return { code: EXIT_OK, snapshots, coverage };
}

/**
 * One line per section: `line 12  partial      ip route | grep cali  (node-1, host): Filtered by …`.
 * Read sections say what they were read as; the others say why not, or why only in part.
 */
export function formatCoverage(coverage: SectionCoverage[]): string {
  if (coverage.length === 0) return '';
  const counts = (['read', 'partial', 'unsupported'] as const).map((s) => `${coverage.filter((c) => c.status === s).length} ${s}`).join(', ');
  const lines = coverage.map((c) => {
    const where = [c.node, c.ns].filter((w) => w !== undefined).join(', ');
    const detail = c.status === 'read' ? (c.format ? `read as ${c.format}` : '') : (c.reason ?? '');
    return `  line ${String(c.headerLine).padEnd(5)} ${c.status.padEnd(11)} ${c.command.slice(0, 80)}  (${where})${detail ? `: ${detail}` : ''}`;
  });
  return `coverage: ${coverage.length} section${coverage.length === 1 ? '' : 's'} (${counts})\n${lines.join('\n')}\n`;
}
