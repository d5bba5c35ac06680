import { Injectable } from '@nestjs/common';
import { diffFacts, type FactChange as DiffChange } from '@routescope/diff';
import { sameJson, type FactAttributes, type FactKind } from '@routescope/snapshot';
import { NodeDirectoryService } from './node-directory.service';
import { NodeStateService } from './node-state.service';
import { CoverageService } from './coverage.service';
import { podNetnsName } from './fact-entry.mapper';
import { FactStateRepository } from './store/fact-state.repository';
import { requireValidDate } from './history-arguments';
import { HistoryError, HistoryErrorCode } from './history.errors';
import type { HistoryLoaders } from './history-loaders';
import { DiffMode, NamespacePresence, type DiffEntry, type KindDiff, type NamespaceDiff, type StateDiff } from './types/state-diff.type';

export interface DiffArguments {
  node: string;
  from?: Date | null;
  to?: Date | null;
  otherNode?: string | null;
  at?: Date | null;
}

type DiffRequest = { mode: DiffMode.TIME; node: string; from: Date; to: Date } | { mode: DiffMode.NODES; node: string; otherNode: string; at: Date };

/** Which section of NamespaceDiff each fact kind fills. */
const SECTIONS: Record<FactKind, keyof Pick<NamespaceDiff, 'netns' | 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls'>> = {
  netns: 'netns',
  link: 'links',
  address: 'addresses',
  route: 'routes',
  neighbor: 'neighbors',
  sysctl: 'sysctls',
};

/**
 * Two states and libs/diff between them: one node at `from` and at `to`, or two nodes at
 * `at`. Namespaces are matched by key. Comparing two nodes, pod netns names (cni-<uuid>)
 * are unique per pod and so almost never match: a pod present on one side only is listed
 * with its presence and its netns entry, not with every fact of it as added or removed.
 */
@Injectable()
export class StateDiffService {
  constructor(
    private readonly directory: NodeDirectoryService,
    private readonly states: NodeStateService,
    private readonly history: FactStateRepository,
    private readonly coverage: CoverageService,
  ) {}

  async diff(loaders: HistoryLoaders, args: DiffArguments): Promise<StateDiff> {
    const request = parseDiffArguments(args);
    const beforeNode = await this.directory.get(loaders, request.node, 'node');
    const afterNode = request.mode === DiffMode.NODES ? await this.directory.get(loaders, request.otherNode, 'otherNode') : beforeNode;
    const beforeAt = request.mode === DiffMode.TIME ? request.from : request.at;
    const afterAt = request.mode === DiffMode.TIME ? request.to : request.at;
    let sections: NamespaceDiff[];
    let covered: [boolean, boolean];
    if (request.mode === DiffMode.TIME) {
      // One node over time: only the keys that changed in the window are read and compared.
      const [window, beforeCovered, afterCovered] = await Promise.all([
        this.history.windowFacts(beforeNode.nodeId, beforeAt, afterAt),
        this.coverage.coveredAt(loaders, beforeNode, beforeAt),
        this.coverage.coveredAt(loaders, afterNode, afterAt),
      ]);
      sections = namespaceDiffs(window.namespacesBefore, window.namespacesAfter, diffFacts(window.before, window.after), request.mode);
      covered = [beforeCovered, afterCovered];
    } else {
      const [before, after] = await Promise.all([this.states.factsAt(loaders, beforeNode, beforeAt), this.states.factsAt(loaders, afterNode, afterAt)]);
      sections = namespaceDiffs(new Set(before.facts.map((f) => f.ns)), new Set(after.facts.map((f) => f.ns)), diffFacts(before.facts, after.facts), request.mode);
      covered = [before.covered, after.covered];
    }
    const host = sections.find((s) => s.namespace === 'host') ?? emptyNamespaceDiff('host', 'host', NamespacePresence.BOTH);
    const pods = sections.filter((s) => s.namespace !== 'host' && s.changeCount > 0);
    return {
      mode: request.mode,
      node: beforeNode.name,
      otherNode: afterNode.name,
      beforeAt,
      afterAt,
      beforeCovered: covered[0],
      afterCovered: covered[1],
      changeCount: host.changeCount + pods.reduce((sum, p) => sum + p.changeCount, 0),
      host,
      pods,
    };
  }
}

/** `diff` takes (node, from, to) or (node, otherNode, at); anything else names what is wrong. */
export function parseDiffArguments(args: DiffArguments): DiffRequest {
  const byNode = args.otherNode != null || args.at != null;
  const byTime = args.from != null || args.to != null;
  if (byNode && byTime) {
    const extra = [args.from != null ? 'from' : undefined, args.to != null ? 'to' : undefined].filter(Boolean).join(' and ');
    throw new HistoryError(HistoryErrorCode.InvalidArgument, `diff takes either from and to, or otherNode and at: ${extra} cannot be combined with ${args.otherNode != null ? 'otherNode' : 'at'}`);
  }
  if (byNode) {
    if (args.otherNode == null) throw new HistoryError(HistoryErrorCode.InvalidArgument, 'diff with at also needs otherNode, the node to compare with');
    if (args.at == null) throw new HistoryError(HistoryErrorCode.InvalidArgument, 'diff with otherNode also needs at, the instant to compare the two nodes at');
    return { mode: DiffMode.NODES, node: args.node, otherNode: args.otherNode, at: requireValidDate(args.at, 'at') };
  }
  if (args.from == null || args.to == null) {
    throw new HistoryError(HistoryErrorCode.InvalidArgument, `diff needs either from and to (one node over time) or otherNode and at (two nodes): ${args.from == null ? 'from' : 'to'} is missing`);
  }
  requireValidDate(args.from, 'from');
  requireValidDate(args.to, 'to');
  if (args.from.getTime() >= args.to.getTime()) {
    throw new HistoryError(HistoryErrorCode.InvalidTimeRange, `from (${args.from.toISOString()}) must be before to (${args.to.toISOString()})`);
  }
  return { mode: DiffMode.TIME, node: args.node, from: args.from, to: args.to };
}

/** Sections per namespace present on either side (`inBefore`/`inAfter`: namespaces with any fact then). */
function namespaceDiffs(inBefore: ReadonlySet<string>, inAfter: ReadonlySet<string>, changes: readonly DiffChange[], mode: DiffMode): NamespaceDiff[] {
  const byNamespace = new Map<string, NamespaceDiff>();
  for (const ns of [...new Set([...inBefore, ...inAfter])].sort()) {
    const presence = inBefore.has(ns) && inAfter.has(ns) ? NamespacePresence.BOTH : inBefore.has(ns) ? NamespacePresence.BEFORE_ONLY : NamespacePresence.AFTER_ONLY;
    byNamespace.set(ns, emptyNamespaceDiff(ns, podNetnsName(ns) ?? ns, presence));
  }
  for (const change of changes) {
    const section = byNamespace.get(change.ns);
    if (!section) continue;
    // Two nodes' pods are different pods: for one seen on one side only, its netns entry says enough.
    if (mode === DiffMode.NODES && section.presence !== NamespacePresence.BOTH && change.kind !== 'netns') continue;
    const entries = section[SECTIONS[change.kind]];
    if (change.change === 'added') entries.added.push(diffEntry(change.key, undefined, change.after));
    else if (change.change === 'removed') entries.removed.push(diffEntry(change.key, change.before, undefined));
    else entries.changed.push(diffEntry(change.key, change.before, change.after));
    section.changeCount++;
  }
  return [...byNamespace.values()];
}

function diffEntry(key: string, before: FactAttributes | undefined, after: FactAttributes | undefined): DiffEntry {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const changedAttributes = before && after ? names.filter((n) => !sameJson(before[n] ?? null, after[n] ?? null)) : names;
  return { key, before: before ?? null, after: after ?? null, changedAttributes };
}

function emptyNamespaceDiff(namespace: string, name: string, presence: NamespacePresence): NamespaceDiff {
  const kind = (): KindDiff => ({ added: [], removed: [], changed: [] });
  return { namespace, name, presence, changeCount: 0, netns: kind(), links: kind(), addresses: kind(), routes: kind(), neighbors: kind(), sysctls: kind() };
}
