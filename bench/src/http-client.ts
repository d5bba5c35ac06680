import { Worker } from 'node:worker_threads';
import { summarise, type Sample } from './measure';

// The HTTP side runs in a worker thread, so that the client's own work (sending ~200 KB
// bodies, reading answers) does not sit on the API's event loop and inflate its latency.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
(async () => {
  const { url, token, bodies, concurrency, nodes } = workerData;
  const latencies = new Array(bodies.length);
  const statuses = {};
  const lanes = Math.max(1, Math.min(concurrency, bodies.length));
  const queues = Array.from({ length: lanes }, () => []);
  // one node's snapshots stay on one lane, in order (item i is node i % nodes)
  bodies.forEach((_, i) => queues[(i % nodes) % lanes].push(i));
  const started = performance.now();
  const lane = async (queue) => {
    for (const i of queue) {
      const t = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: bodies[i] });
      const answer = await response.json();
      latencies[i] = performance.now() - t;
      const key = response.status + ' ' + (answer.status || answer.error);
      statuses[key] = (statuses[key] || 0) + 1;
    }
  };
  await Promise.all(queues.map(lane));
  parentPort.postMessage({ latencies, wallMs: performance.now() - started, statuses });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

export async function postAll(
  url: string,
  token: string,
  bodies: readonly string[],
  concurrency: number,
  nodes: number,
  route: 'snapshots' | 'heartbeats' = 'snapshots',
): Promise<{ sample: Sample; statuses: Record<string, number> }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { url: `${url}/api/v1/${route}`, token, bodies, concurrency, nodes } });
  try {
    const result = await new Promise<{ latencies: number[]; wallMs: number; statuses: Record<string, number>; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (result.error) throw new Error(result.error);
    return { sample: summarise(result.latencies, result.wallMs, concurrency), statuses: result.statuses };
  } finally {
    await worker.terminate();
  }
}
