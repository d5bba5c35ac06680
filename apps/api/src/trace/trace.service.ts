import { Injectable } from '@nestjs/common';
import type { FactRef, TraceLeg as LibLeg, TraceResult } from '@routescope/trace';
import { addressValue, canonicalPrefix } from '@routescope/snapshot';
import { FactStore } from '../history/fact-store.service';
import type { FactKindValue } from '../history/types/fact-change.type';
import { NodeAddressDirectory } from './node-address-directory';
import { TraceError, TraceErrorCode } from './trace.errors';
import { TraceStateAt, traceLoading, type TraceAsk } from './trace-walk';
import type { Trace, TraceEvidence, TraceLeg, TraceVerdictValue } from './types/trace.type';

/** What `ping` sends by default: 56 bytes of data + 8 of ICMP header + 20 of IPv4 header. */
export const DEFAULT_TRACE_SIZE = 84;
/** The largest IP packet (IPv4 total length; an IPv6 jumbogram is not a trace question). */
export const MAX_TRACE_SIZE = 65535;

export interface TraceArguments {
  from: { node: string; pod?: string | null };
  to: string;
  at?: Date | null;
  size?: number | null;
  dontFragment?: boolean | null;
}

/** The question, checked: arguments named in every error. */
export interface ParsedTrace {
  node: string;
  pod?: string;
  to: string;
  size: number;
  dontFragment: boolean;
}

export function parseTraceArguments(args: TraceArguments): ParsedTrace {
  const node = args.from.node.trim();
  if (!node) throw new TraceError(TraceErrorCode.InvalidArgument, 'from.node must name a node');
  const pod = args.from.pod?.trim() || undefined;
  const to = args.to.trim();
  if (!addressValue(to)) throw new TraceError(TraceErrorCode.InvalidAddress, `to must be an IPv4 or IPv6 address (no prefix), got "${args.to}"`);
  const size = args.size ?? DEFAULT_TRACE_SIZE;
  const minimum = to.includes(':') ? 48 : 28;
  if (!Number.isInteger(size) || size < minimum || size > MAX_TRACE_SIZE) {
    throw new TraceError(TraceErrorCode.InvalidArgument, `size is the whole IP packet in bytes, between ${minimum} (headers of an empty ping) and ${MAX_TRACE_SIZE}; got ${size}`);
  }
  return { node, ...(pod ? { pod } : {}), to: canonicalPrefix(to), size, dontFragment: args.dontFragment ?? false };
}

export function requireDate(value: Date, name: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TraceError(TraceErrorCode.InvalidArgument, `${name} must be an ISO-8601 date-time`);
  return value;
}

/**
 * Path traces over the stored history: libs/trace walks the packet through the kernel state of
 * the nodes involved, read at one instant through the FactStore (see TraceStateAt for which
 * nodes are read and how they are found).
 */
@Injectable()
export class TraceService {
  constructor(
    private readonly store: FactStore,
    private readonly directory: NodeAddressDirectory,
  ) {}

  async trace(args: TraceArguments): Promise<Trace> {
    const question = parseTraceArguments(args);
    const at = args.at ? requireDate(args.at, 'at') : new Date();
    const { state, ask } = await this.stateFor(question, at);
    return toTrace(state, ask, await traceLoading(state, ask));
  }

  /** The state at `at` with the source node loaded (UNKNOWN_NODE when it never posted; the pod is resolved by the walk: UNKNOWN_POD). */
  async stateFor(question: ParsedTrace, at: Date): Promise<{ state: TraceStateAt; ask: TraceAsk }> {
    const state = new TraceStateAt(this.store, this.directory, at);
    // the destination's holders are looked up and read while the source node is (traceLoading asks for them first)
    state.prefetch([question.to]);
    const node = await this.store.node(question.node);
    if (!node) throw new TraceError(TraceErrorCode.UnknownNode, `no node called "${question.node}" (from.node) has posted a snapshot`);
    const source = { id: node.id, name: node.name, facts: await state.readState(node) };
    state.add(source);
    return { state, ask: { source, ...(question.pod ? { pod: question.pod } : {}), to: question.to, size: question.size, dontFragment: question.dontFragment } };
  }
}

export function toTrace(state: TraceStateAt, ask: TraceAsk, result: TraceResult): Trace {
  return {
    at: state.at,
    fromNode: ask.source.name,
    fromPod: ask.pod ?? null,
    to: ask.to,
    size: ask.size,
    dontFragment: ask.dontFragment,
    reachable: result.reachable,
    verdict: result.verdict as TraceVerdictValue,
    forward: toLeg(state, result.forward),
    reply: toLeg(state, result.reply),
    nodes: [...state.nodes.keys()],
  };
}

function toLeg(state: TraceStateAt, leg: LibLeg): TraceLeg {
  const evidence = (refs: readonly FactRef[]): TraceEvidence[] =>
    refs.map((ref) => ({ node: ref.node, namespace: ref.ns, kind: ref.kind as FactKindValue, key: ref.key, attributes: state.fact(ref.node, ref.ns, ref.kind, ref.key)?.attrs ?? null }));
  return {
    delivered: leg.delivered,
    deliveredTo: leg.deliveredTo ? { node: leg.deliveredTo.node, namespace: leg.deliveredTo.ns } : null,
    hops: leg.hops.map((hop) => ({ node: hop.node, namespace: hop.ns, step: hop.step, detail: hop.detail, evidence: evidence(hop.evidence) })),
    stop: leg.stop ? { reason: leg.stop.reason as TraceVerdictValue, node: leg.stop.node, namespace: leg.stop.ns, detail: leg.stop.detail, evidence: evidence(leg.stop.evidence) } : null,
  };
}

/** Every fact a trace cites, as `node\0ns\0kind\0key`. */
export function citedFacts(result: TraceResult): Set<string> {
  const cited = new Set<string>();
  for (const leg of [result.forward, result.reply]) {
    for (const ref of [...leg.hops.flatMap((h) => h.evidence), ...(leg.stop?.evidence ?? [])]) cited.add(factId(ref.node, ref.ns, ref.kind, ref.key));
  }
  return cited;
}

export const factId = (node: string, ns: string, kind: string, key: string): string => `${node}\u0000${ns}\u0000${kind}\u0000${key}`;
