import { createServer, type Server } from 'node:http';
import type { PostFailureClass, RunLoopObserver } from './run-loop';

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const FAILURE_CLASSES: PostFailureClass[] = ['network', '5xx', '4xx', 'rate-limited'];

/**
 * The collector's Prometheus metrics, written as text exposition by hand: a dozen series do not
 * need prom-client's ~100 KB in the bundle, and this module is loaded only with --metrics-port.
 */
export class CollectorMetrics implements RunLoopObserver {
  private readonly durationBuckets = DURATION_BUCKETS.map(() => 0);
  private durationCount = 0;
  private durationSum = 0;
  private collectionFailures = 0;
  private lastSnapshotBytes?: number;
  private lastSuccessMs?: number;
  private readonly failures = new Map<PostFailureClass, number>(FAILURE_CLASSES.map((c) => [c, 0]));
  private rejectedTotal = 0;

  constructor(private readonly spoolDepth: () => number) {}

  collected(durationMs: number, bytes: number): void {
    const seconds = durationMs / 1000;
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.durationBuckets[i]++;
    });
    this.durationCount++;
    this.durationSum += seconds;
    this.lastSnapshotBytes = bytes;
  }

  collectionFailed(): void {
    this.collectionFailures++;
  }

  delivered(atMs: number): void {
    this.lastSuccessMs = atMs;
  }

  postFailed(failure: PostFailureClass): void {
    this.failures.set(failure, (this.failures.get(failure) ?? 0) + 1);
  }

  rejected(): void {
    this.rejectedTotal++;
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [suffix, value] of samples) lines.push(`${name}${suffix} ${value}`);
    };
    family('routescope_collector_collection_duration_seconds', 'histogram', 'Time to take one snapshot of the node and its pods', [
      ...DURATION_BUCKETS.map((le, i): [string, number] => [`_bucket{le="${le}"}`, this.durationBuckets[i]]),
      ['_bucket{le="+Inf"}', this.durationCount],
      ['_sum', this.durationSum],
      ['_count', this.durationCount],
    ]);
    family('routescope_collector_collection_failures_total', 'counter', 'Collections that failed (logged)', [['', this.collectionFailures]]);
    if (this.lastSnapshotBytes !== undefined) family('routescope_collector_snapshot_bytes', 'gauge', 'Size of the last snapshot taken, as posted (JSON)', [['', this.lastSnapshotBytes]]);
    family('routescope_collector_spool_snapshots', 'gauge', 'Snapshots waiting in the spool for delivery', [['', this.spoolDepth()]]);
    family('routescope_collector_post_failures_total', 'counter', 'Posts that did not deliver their snapshot, by class (network, 5xx, 4xx, rate-limited)', FAILURE_CLASSES.map((c): [string, number] => [`{class="${c}"}`, this.failures.get(c) ?? 0]));
    if (this.lastSuccessMs !== undefined) family('routescope_collector_last_successful_post_timestamp_seconds', 'gauge', 'When a snapshot was last delivered (Unix time)', [['', this.lastSuccessMs / 1000]]);
    family('routescope_collector_rejected_snapshots_total', 'counter', 'Snapshots the API refused for good (moved to rejected/)', [['', this.rejectedTotal]]);
    return lines.join('\n') + '\n';
  }

  /** GET /metrics on `port` (0: any free one); resolves with the server once it listens. */
  async listen(port: number, host: string): Promise<Server> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.render());
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    return server;
  }
}
