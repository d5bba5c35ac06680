import { parentPort } from 'node:worker_threads';
import { evaluateClusterInstants, type ClusterViews } from './cluster-instants';
import type { ThreadReply, ThreadRequest } from './cluster-checks-thread';

// The worker thread of ClusterChecksThread (its own entry: dist/cluster-checks.worker.js). It
// keeps every node's cluster view between evaluations, so that an evaluation sends only the
// views that changed: `evaluate` works on a copy, `commit` keeps it, `discard` drops it.

let committed: ClusterViews = new Map();
let candidate: ClusterViews | undefined;
const port = parentPort;
if (!port) throw new Error('cluster-checks.worker runs as a worker thread (ClusterChecksThread starts it)');

// loaded: ClusterChecksThread.prestart() resolves
port.postMessage({ kind: 'ready' } satisfies ThreadReply);

port.on('message', (message: ThreadRequest) => {
  switch (message.kind) {
    case 'evaluate': {
      let reply: ThreadReply;
      try {
        const { views, evaluation } = evaluateClusterInstants(committed, message.request);
        candidate = views;
        reply = { kind: 'evaluated', id: message.id, evaluation };
      } catch (error) {
        candidate = undefined;
        reply = { kind: 'failed', id: message.id, message: (error as Error).stack ?? String(error) };
      }
      port.postMessage(reply);
      return;
    }
    case 'commit':
      if (candidate) committed = candidate;
      candidate = undefined;
      return;
    case 'discard':
      candidate = undefined;
      return;
  }
});
