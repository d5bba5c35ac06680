'use server';

import type { Loaded } from '../lib/api-problem';
import { load } from '../lib/data';
import { nodeNameSchema } from '../lib/search-params';
import { requestProxyArpProbe } from './probe-data';

/** The Verify proxy ARP button's call: a Server Action, so the token stays on the dashboard's server. */
export async function requestProxyArpProbeAction(node: unknown, pod: unknown): Promise<Loaded<{ id: string }>> {
  const name = nodeNameSchema.safeParse(node);
  if (!name.success || typeof pod !== 'string' || pod === '' || pod.length > 255) {
    return { ok: false, problem: { kind: 'bad-input', title: 'Which pod?', detail: 'The button names a node and one of its pods; reload the node page.' } };
  }
  return load(() => requestProxyArpProbe(name.data, pod));
}
