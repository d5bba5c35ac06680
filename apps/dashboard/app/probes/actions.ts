'use server';

import type { Loaded } from '../lib/api-problem';
import { load } from '../lib/data';
import { nodeNameSchema } from '../lib/search-params';
import { requestProbe, type ProbeRequest } from './probe-data';

/**
 * The probe controls' one call (Verify proxy ARP, Trace to…): a Server Action, so the token stays
 * on the dashboard's server. The target is passed through as typed: the API says why it is no IP.
 */
export async function requestProbeAction(node: unknown, pod: unknown, kind: unknown, target?: unknown): Promise<Loaded<{ id: string }>> {
  const name = nodeNameSchema.safeParse(node);
  if (!name.success || typeof pod !== 'string' || pod === '' || pod.length > 255) {
    return { ok: false, problem: { kind: 'bad-input', title: 'Which pod?', detail: 'The control names a node and one of its pods; reload the page.' } };
  }
  let input: ProbeRequest;
  if (kind === 'PROXY_ARP') input = { node: name.data, pod, kind };
  else if (kind === 'PATH' && typeof target === 'string' && target.length <= 255) input = { node: name.data, pod, kind, target: target.trim() };
  else return { ok: false, problem: { kind: 'bad-input', title: 'Which probe?', detail: 'A probe is a proxy-ARP check or a trace to a target IP address.' } };
  return load(() => requestProbe(input));
}
