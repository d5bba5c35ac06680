import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SyntheticCluster, type ChurnRates, DEFAULT_CHURN } from '@routescope/synth';
import type { Operation, WindowRecorder } from './soak-stats';

// The load: collectors and dashboard readers, both over real HTTP. Writers post every node of a
// synthetic Calico cluster (libs/synth) each interval, the churn model played `churnFactor` times
// faster than real time so that ten minutes see hours' worth of pod replacements and ARP changes.
// Readers ask GraphQL what the dashboard and an incident review ask: state(at), diff, findings, nodes.

export interface LoadOptions {
  api: string;
  ingestToken: string;
  readToken: string;
  nodes: number;
  podsPerNode: number;
  intervalMs: number;
  churnFactor: number;
  writers: number;
  readers: number;
  /** a reader's pause between two queries */
  readerPauseMs: number;
  seed: string;
  recorder: WindowRecorder;
  signal: AbortSignal;
}

const REQUEST_TIMEOUT_MS = 60_000;

export async function runLoad(o: LoadOptions): Promise<void> {
  const startedAt = Date.now();
  const churn = Object.fromEntries(Object.entries(DEFAULT_CHURN).map(([k, v]) => [k, v * o.churnFactor])) as unknown as ChurnRates;
  const cluster = new SyntheticCluster({ seed: o.seed, nodes: o.nodes, podsPerNode: o.podsPerNode, start: new Date(startedAt - o.intervalMs), churn });
  const names = cluster.nodeNames;
  // Readers only start once every node has posted (before that, NOT_FOUND is expected, not an error).
  let tick = Date.now();
  await postEveryNode(o, cluster, names.length);
  const readers = Array.from({ length: o.readers }, (_, lane) => readLoop(o, names, startedAt, lane));
  const writer = (async () => {
    while (!o.signal.aborted) {
      // every node once per interval, like collectors (a slow round starts the next one at once)
      await sleep(tick + o.intervalMs - Date.now(), o.signal);
      if (o.signal.aborted) break;
      tick = Date.now();
      cluster.advance(o.intervalMs * o.churnFactor);
      await postEveryNode(o, cluster, names.length);
    }
  })();
  await Promise.all([writer, ...readers]);
}

async function postEveryNode(o: LoadOptions, cluster: SyntheticCluster, nodes: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < nodes && !o.signal.aborted) {
      const i = next++;
      const snapshot = cluster.snapshot(i, Date.now());
      snapshot.snapshotId = randomUUID();
      await timed(o.recorder, 'ingest', async () => {
        const response = await fetch(`${o.api}/api/v1/snapshots`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${o.ingestToken}` },
          body: JSON.stringify(snapshot),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        if (!response.ok) return `${response.status} ${text.slice(0, 200)}`;
        return undefined;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.writers, nodes) }, lane));
}

const QUERIES: Record<Exclude<Operation, 'ingest'>, string> = {
  state: `query Soak($node: String!, $at: DateTime) { node(name: $node) { state(at: $at) { at covered namespaces routes { key dev } links { name mtu } neighbors { key lladdr } } } }`,
  diff: `query Soak($node: String!, $from: DateTime, $to: DateTime) { diff(node: $node, from: $from, to: $to) { changeCount host { changeCount } pods { name changeCount } } }`,
  findings: `query Soak { findings(first: 50) { edges { node { id rule node subject openedAt resolvedAt } } } }`,
  nodes: `query Soak($from: DateTime!) { nodes(first: 50) { totalCount edges { node { name status lastSeenAt changeCount(from: $from) } } } }`,
};
const READS = Object.keys(QUERIES) as Array<keyof typeof QUERIES>;

async function readLoop(o: LoadOptions, names: readonly string[], startedAt: number, lane: number): Promise<void> {
  for (let k = lane; !o.signal.aborted; k++) {
    const operation = READS[k % READS.length];
    const now = Date.now();
    const instant = (fraction: number) => new Date(startedAt + (now - startedAt) * fraction).toISOString();
    const node = names[Math.floor(Math.random() * names.length)];
    const variables: Record<string, unknown> = {
      state: { node, at: instant(Math.random()) },
      diff: { node, from: instant(Math.random() / 2), to: instant(0.5 + Math.random() / 2) },
      findings: {},
      nodes: { from: instant(0) },
    }[operation];
    await timed(o.recorder, operation, async () => {
      const response = await fetch(`${o.api}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.readToken}` },
        body: JSON.stringify({ query: QUERIES[operation], variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok) return `${response.status} ${text.slice(0, 200)}`;
      const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
      if (body.errors?.length) return body.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`.trim()).join('; ').slice(0, 200);
      return undefined;
    });
    await sleep(o.readerPauseMs, o.signal);
  }
}

/** Runs one request; a returned string is its error. Network errors and timeouts are errors too. */
async function timed(recorder: WindowRecorder, operation: Operation, request: () => Promise<string | undefined>): Promise<void> {
  const started = performance.now();
  let error: string | undefined;
  try {
    error = await request();
  } catch (failure) {
    const e = failure as { name?: string; message?: string; cause?: { code?: string } };
    error = e.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.message ?? String(failure));
  }
  if (error === undefined) recorder.ok(operation, performance.now() - started);
  else recorder.failed(operation, error);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
