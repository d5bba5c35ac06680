import 'server-only';
import { query } from '../lib/api-client';
import { ApiProblemError } from '../lib/api-problem';
import type { NodeProbesQuery as NodeProbesQueryResult, ProbeFieldsFragment, WindowProbesQuery as WindowProbesQueryResult } from '../lib/generated/graphql';
import { NodeProbesQuery, ProbeQuery, RequestProbeMutation, WindowProbesQuery } from '../lib/operations/probes.operations';

// Data fetching for live probes (the probe page, the node page's probe list, the Verify button).

export type ProbeDetail = ProbeFieldsFragment;
export type NodeProbe = NodeProbesQueryResult['probes']['edges'][number]['node'];

/** One probe, or undefined when the API knows no such id. */
export async function fetchProbe(id: string): Promise<ProbeDetail | undefined> {
  try {
    return (await query(ProbeQuery, { id })).probe;
  } catch (error) {
    if (error instanceof ApiProblemError && error.problem.kind === 'not-found') return undefined;
    throw error;
  }
}

/** The node's probes requested within [from, to], newest first (at most 100). */
export async function fetchNodeProbes(node: string, from: string, to: string): Promise<NodeProbe[]> {
  return (await query(NodeProbesQuery, { node, from, to, first: 100 })).probes.edges.map((e) => e.node);
}

export type ProbeRequest = { node: string; pod: string; kind: 'PROXY_ARP' } | { node: string; pod: string; kind: 'PATH'; target: string };

export type WindowProbe = WindowProbesQueryResult['probes']['edges'][number]['node'];

/** Probes listed at most for a window (the review and its export say when there were more). */
export const WINDOW_PROBES_MAX = 200;

/** Every node's probes requested within [from, to], newest first. */
export async function fetchWindowProbes(from: Date, to: Date): Promise<{ probes: WindowProbe[]; more: boolean }> {
  const page = (await query(WindowProbesQuery, { from: from.toISOString(), to: to.toISOString(), first: WINDOW_PROBES_MAX })).probes;
  return { probes: page.edges.map((e) => e.node), more: page.pageInfo.hasNextPage };
}

/** Queues a probe; a token without the probe scope gets words about that scope (not about reading). */
export async function requestProbe(input: ProbeRequest): Promise<{ id: string }> {
  try {
    return (await query(RequestProbeMutation, { input })).requestProbe;
  } catch (error) {
    if (error instanceof ApiProblemError && error.problem.kind === 'forbidden') {
      throw new ApiProblemError({ ...error.problem, title: 'Your token may not run probes.', detail: 'Sign in with a token that has the probe scope (routescope-admin tokens create NAME --scopes read,probe).' });
    }
    throw error;
  }
}
