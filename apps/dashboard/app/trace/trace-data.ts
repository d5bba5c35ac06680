import 'server-only';
import { query } from '../lib/api-client';
import type { StoredTraceQuery as StoredTraceResult, TraceChangesQuery as TraceChangesResult, TraceLegFieldsFragment } from '../lib/generated/graphql';
import { StoredTraceQuery, TraceChangesQuery } from '../lib/operations/trace.operations';

// Data fetching for the stored-state trace page: the trace at an instant and its verdict's flips before it.

export type StoredTrace = StoredTraceResult['trace'];
export type TraceLegView = TraceLegFieldsFragment;
export type TraceChangesView = TraceChangesResult['traceChanges'];

export interface TraceQuestion {
  node: string;
  pod?: string;
  to: string;
  /** ISO instant; absent: now */
  at?: string;
  size?: number;
  dontFragment?: boolean;
}

const from = (q: TraceQuestion) => ({ node: q.node, ...(q.pod ? { pod: q.pod } : {}) });

export async function fetchStoredTrace(q: TraceQuestion): Promise<StoredTrace> {
  return (await query(StoredTraceQuery, { from: from(q), to: q.to, at: q.at ?? null, size: q.size ?? null, dontFragment: q.dontFragment ?? null })).trace;
}

/** The verdict's flips in (windowFrom, windowTo]. */
export async function fetchTraceChanges(q: TraceQuestion, windowFrom: Date, windowTo: Date): Promise<TraceChangesView> {
  return (await query(TraceChangesQuery, { from: from(q), to: q.to, size: q.size ?? null, dontFragment: q.dontFragment ?? null, window: { from: windowFrom.toISOString(), to: windowTo.toISOString() } }))
    .traceChanges;
}
