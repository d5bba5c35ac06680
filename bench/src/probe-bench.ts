import { performance } from 'node:perf_hooks';
import type { SyntheticCluster } from '@routescope/synth';
import { freshDatabase, startApi, type DatabaseKind, type RunningApi } from './api-under-test';
import { log, summarise, type Sample } from './measure';

// Probe dispatch latency (issue #11): from the GraphQL requestProbe to the node's collector
// holding the job, with a client that speaks the collector's protocol over real HTTP (a GET
// /api/v1/probes/next long-poll already waiting, as `routescope-collector run --probes` keeps
// one open). The baseline is the same two round trips without any waiting: requestProbe, then
// a GET that finds the job already queued (wait=0). Their ratio is what the long-poll's wake-up
// (the probeQueued event through the events fan-out) adds.

export interface ProbeBenchResult {
  kind: DatabaseKind;
  samples: number;
  /** requestProbe sent → the waiting long-poll answered with the job */
  dispatch: Sample;
  /** requestProbe round trip + an immediate GET next (wait=0) that finds the job */
  baseline: Sample;
}

const GAP_BEFORE_REQUEST_MS = 50;

export async function benchProbes(kind: DatabaseKind, cluster: SyntheticCluster, options: { samples: number }): Promise<ProbeBenchResult> {
  const database = await freshDatabase(kind);
  const api = await startApi(database, { ROUTESCOPE_RATE_LIMIT_PROBES: '0' });
  try {
    const snapshot = cluster.snapshot(0) as { node: string; namespaces: Array<{ kind: string; name: string }> };
    const body = { ...snapshot, takenAt: new Date().toISOString() };
    await api.ingest(body);
    const node = snapshot.node;
    const pod = snapshot.namespaces.find((ns) => ns.kind === 'pod')?.name;
    if (!pod) throw new Error(`the synthetic snapshot of ${node} has no pod`);
    const dispatch: number[] = [];
    const baseline: number[] = [];
    // one warm-up of each path (JIT, connection pools), not counted
    for (let i = -1; i < options.samples; i++) {
      const waiting = nextJob(api, node, 25);
      // the collector's poll is open before the request, as in steady state
      await new Promise((r) => setTimeout(r, GAP_BEFORE_REQUEST_MS));
      const t0 = performance.now();
      const id = await requestProbe(api, node, pod);
      const job = await waiting;
      const t1 = performance.now();
      if (job.id !== id) throw new Error(`the long-poll answered ${job.id}, requested ${id}`);
      await finish(api, job);

      const b0 = performance.now();
      const id2 = await requestProbe(api, node, pod);
      const job2 = await nextJob(api, node, 0);
      const b1 = performance.now();
      if (job2.id !== id2) throw new Error(`GET next answered ${job2.id}, requested ${id2}`);
      await finish(api, job2);
      if (i >= 0) {
        dispatch.push(t1 - t0);
        baseline.push(b1 - b0);
      }
    }
    const result = { kind, samples: options.samples, dispatch: summarise(dispatch, dispatch.reduce((s, v) => s + v, 0), 1), baseline: summarise(baseline, baseline.reduce((s, v) => s + v, 0), 1) };
    log(`probes ${kind}: dispatch p50 ${result.dispatch.p50} p95 ${result.dispatch.p95} ms; baseline p95 ${result.baseline.p95} ms`);
    return result;
  } finally {
    await api.close();
    await database.dispose();
  }
}

async function requestProbe(api: RunningApi, node: string, pod: string): Promise<string> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminToken}` },
    // literals, not a typed $input: the bench's esbuild bundle renames decorated classes (RequestProbeInput2), and with them their GraphQL type names
    body: JSON.stringify({ query: `mutation { requestProbe(input: { node: ${JSON.stringify(node)}, pod: ${JSON.stringify(pod)}, kind: PROXY_ARP }) { id } }` }),
  });
  const answer = (await response.json()) as { data?: { requestProbe: { id: string } }; errors?: unknown };
  if (!answer.data) throw new Error(`requestProbe failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.requestProbe.id;
}

async function nextJob(api: RunningApi, node: string, wait: number): Promise<{ id: string; node: string; pod: string; kind: string }> {
  const response = await fetch(`${api.url}/api/v1/probes/next?node=${encodeURIComponent(node)}&wait=${wait}`, { headers: { authorization: `Bearer ${api.adminToken}` } });
  if (response.status !== 200) throw new Error(`GET /api/v1/probes/next answered ${response.status}`);
  return (await response.json()) as { id: string; node: string; pod: string; kind: string };
}

/** Frees the node for the next sample: a result the rules leave alone (the probe could not run). */
async function finish(api: RunningApi, job: { id: string; node: string; pod: string }): Promise<void> {
  const now = new Date().toISOString();
  const response = await fetch(`${api.url}/api/v1/probes/${job.id}/result`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminToken}` },
    body: JSON.stringify({ id: job.id, kind: 'proxy-arp', node: job.node, pod: job.pod, verdict: 'unavailable', reason: 'bench: not run', startedAt: now, finishedAt: now, captures: [], ping: { sent: 0, received: 0 } }),
  });
  if (response.status !== 204) throw new Error(`POST result answered ${response.status}: ${await response.text()}`);
}
