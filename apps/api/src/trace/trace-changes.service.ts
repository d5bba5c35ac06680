import { Injectable } from '@nestjs/common';
import type { TraceResult } from '@routescope/trace';
import type { Fact, FactAttributes, FactKind } from '@routescope/snapshot';
import { FactStore, type ChangeRow } from '../history/fact-store.service';
import { FactChangeType, type FactKindValue } from '../history/types/fact-change.type';
import { NodeAddressDirectory } from './node-address-directory';
import { TraceError, TraceErrorCode } from './trace.errors';
import { citedFacts, factId, parseTraceArguments, requireDate, TraceService, type TraceArguments } from './trace.service';
import { TraceStateAt, traceAt, traceLoading, type LoadedNode } from './trace-walk';
import type { TraceChanges, TraceFactChange, TraceFlip, TraceVerdictValue } from './types/trace.type';

/** Longest window one call scans: an incident week. */
export const MAX_TRACE_CHANGES_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Change instants one call traces; past them the answer says where it stopped (`checkedThrough`). */
export const MAX_TRACED_INSTANTS = 500;
/** Changes read per involved node; a node with more ends the scan at its last complete instant. */
export const MAX_CHANGES_PER_NODE = 5000;

/**
 * "Since when, and what did it": the verdict of one trace across a window. The nodes involved
 * are those the trace reads at the window's start and at its end (TraceStateAt); their states at
 * the start are replayed forward through their recorded changes (FactStore.changesOfNodes), and
 * the trace is walked again at every instant where one of them changed. A node that only a
 * path in the middle of the window would have crossed is not read (its changes cannot flip a
 * verdict that both ends reach without it, unless the path moved to it and back within the window).
 */
@Injectable()
export class TraceChangesService {
  constructor(
    private readonly store: FactStore,
    private readonly directory: NodeAddressDirectory,
    private readonly traces: TraceService,
  ) {}

  async traceChanges(args: TraceArguments & { window: { from: Date; to: Date } }): Promise<TraceChanges> {
    const question = parseTraceArguments(args);
    const from = requireDate(args.window.from, 'window.from');
    const to = requireDate(args.window.to, 'window.to');
    if (from.getTime() >= to.getTime()) throw new TraceError(TraceErrorCode.InvalidArgument, `window.from (${from.toISOString()}) must be before window.to (${to.toISOString()})`);
    if (to.getTime() - from.getTime() > MAX_TRACE_CHANGES_WINDOW_MS) {
      throw new TraceError(TraceErrorCode.WindowTooLarge, `the window is longer than ${MAX_TRACE_CHANGES_WINDOW_MS / 86_400_000} days; ask for shorter windows one after another`);
    }

    const start = await this.traces.stateFor(question, from);
    const initial = await traceLoading(start.state, start.ask);
    const nodes = new Map<string, LoadedNode>(start.state.nodes);
    const atEnd = await this.traces.stateFor(question, to);
    const endLoaded = await traceLoading(atEnd.state, atEnd.ask).then(
      () => true,
      (error: unknown) => {
        // the pod may be gone by the end: then the nodes of the start are all there is to replay
        if (error instanceof TraceError && error.code === TraceErrorCode.UnknownPod) return false;
        throw error;
      },
    );
    if (endLoaded) {
      const missing = [...atEnd.state.nodes.values()].filter((n) => !nodes.has(n.name));
      for (const node of await Promise.all(missing.map(async (n) => ({ ...n, facts: await this.store.stateAt(n.id, from) })))) nodes.set(node.name, node);
    }

    const rows = await this.store.changesOfNodes([...nodes.values()].map((n) => n.id), from, to, MAX_CHANGES_PER_NODE + 1);
    const { instants, cutoff } = changeInstants(rows);
    const traced = instants.filter((i) => cutoff === undefined || i.at < cutoff).slice(0, MAX_TRACED_INSTANTS);

    const replay = new NodeReplay(nodes.values());
    const flips: TraceFlip[] = [];
    let previous = initial;
    let sourceGoneAt: Date | undefined;
    let tracedCount = 0;
    for (const instant of traced) {
      replay.apply(instant.changes);
      const state = new TraceStateAt(this.store, this.directory, new Date(instant.at));
      for (const node of replay.nodes()) state.add(node);
      let result: TraceResult;
      try {
        result = traceAt(state, start.ask);
      } catch (error) {
        if (!(error instanceof TraceError && error.code === TraceErrorCode.UnknownPod)) throw error;
        sourceGoneAt = state.at;
        break;
      }
      tracedCount++;
      if (result.verdict !== previous.verdict) flips.push(flip(instant, previous, result));
      previous = result;
    }
    const complete = tracedCount === instants.length;
    return {
      from,
      to,
      initial: initial.verdict as TraceVerdictValue,
      flips,
      nodes: [...nodes.keys()],
      instantsTraced: tracedCount,
      complete,
      sourceGoneAt: sourceGoneAt ?? null,
      checkedThrough: complete ? to : new Date(traced[tracedCount - 1]?.at ?? from.getTime()),
    };
  }
}

interface ChangeInstant {
  at: number;
  changes: ChangeRow[];
}

/**
 * Changes grouped by instant, in time order; `cutoff` is the first instant that may be missing
 * changes (a node that reached MAX_CHANGES_PER_NODE is complete only before its last instant read).
 */
export function changeInstants(rows: readonly ChangeRow[]): { instants: ChangeInstant[]; cutoff?: number } {
  const byInstant = new Map<number, ChangeRow[]>();
  const perNode = new Map<number, { count: number; last: number }>();
  for (const row of rows) {
    const at = row.at.getTime();
    const list = byInstant.get(at);
    if (list) list.push(row);
    else byInstant.set(at, [row]);
    const seen = perNode.get(row.nodeId) ?? { count: 0, last: at };
    perNode.set(row.nodeId, { count: seen.count + 1, last: Math.max(seen.last, at) });
  }
  let cutoff: number | undefined;
  for (const { count, last } of perNode.values()) if (count > MAX_CHANGES_PER_NODE) cutoff = Math.min(cutoff ?? last, last);
  const instants = [...byInstant].sort(([a], [b]) => a - b).map(([at, changes]) => ({ at, changes }));
  return { instants, ...(cutoff === undefined ? {} : { cutoff }) };
}

function flip(instant: ChangeInstant, before: TraceResult, after: TraceResult): TraceFlip {
  const cited = new Set([...citedFacts(before), ...citedFacts(after)]);
  const changes: TraceFactChange[] = instant.changes.map((row) => ({
    node: row.node,
    namespace: row.ns,
    kind: row.kind as FactKindValue,
    key: row.key,
    change: row.before === null ? FactChangeType.ADDED : row.after === null ? FactChangeType.REMOVED : FactChangeType.CHANGED,
    before: row.before,
    after: row.after,
    cited: cited.has(factId(row.node, row.ns, row.kind, row.key)),
  }));
  const stop = after.forward.stop ?? after.reply.stop;
  return {
    at: new Date(instant.at),
    before: before.verdict as TraceVerdictValue,
    after: after.verdict as TraceVerdictValue,
    detail: stop ? stop.detail : 'request and reply delivered',
    changes: [...changes.filter((c) => c.cited), ...changes.filter((c) => !c.cited)],
  };
}

/** The involved nodes' facts, moved forward change by change. */
class NodeReplay {
  private readonly facts = new Map<string, { node: LoadedNode; byKey: Map<string, Fact>; list?: Fact[] }>();

  constructor(nodes: Iterable<LoadedNode>) {
    for (const node of nodes) this.facts.set(node.name, { node, byKey: new Map(node.facts.map((f) => [factId('', f.ns, f.kind, f.key), f])), list: node.facts });
  }

  apply(changes: readonly ChangeRow[]): void {
    for (const row of changes) {
      const entry = this.facts.get(row.node);
      if (!entry) continue;
      const id = factId('', row.ns, row.kind, row.key);
      if (row.after === null) entry.byKey.delete(id);
      else entry.byKey.set(id, { ns: row.ns, kind: row.kind as FactKind, key: row.key, attrs: row.after as FactAttributes });
      entry.list = undefined;
    }
  }

  nodes(): LoadedNode[] {
    return [...this.facts.values()].map((entry) => {
      entry.list ??= [...entry.byKey.values()];
      return { ...entry.node, facts: entry.list };
    });
  }
}
