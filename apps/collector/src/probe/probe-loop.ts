import { loadProbeSchema, type ProbeJob, type ProbeResult } from '@routescope/probe';
import { backoffDelay } from '../run/run-loop';

/** Seconds the API may hold a poll open before answering 204. */
export const PROBE_POLL_WAIT_S = 25;
/** Attempts at posting one result before it is dropped (the API expires the job meanwhile). */
export const RESULT_POST_ATTEMPTS = 8;

export interface ProbeLoopOptions {
  server: string;
  token: string;
  node: string;
  runner: { run(job: ProbeJob): Promise<ProbeResult> };
  log(message: string): void;
  waitSeconds?: number;
  /** the wait before retry `attempt` (0-based); the run loop's backoff by default */
  retryDelayMs?: (attempt: number) => number;
}

/**
 * The collector's side of the probe channel: the API never connects to nodes, so the collector
 * long-polls `GET /api/v1/probes/next?node=NAME&wait=25` (200 with a ProbeJob, 204 when none
 * came within `wait`), runs the job and posts the ProbeResult to
 * `POST /api/v1/probes/{id}/result`. Separate from the snapshot loop: a probe never delays
 * a snapshot. A result is retried on 5xx and network errors with backoff, and dropped with a log
 * line on a 4xx (the API refused it for good, e.g. the job expired).
 */
export class ProbeLoop {
  private stopping = false;
  private readonly abort = new AbortController();
  private wake?: () => void;
  private readonly nextUrl: string;
  private readonly retryDelayMs: (attempt: number) => number;
  /** jobs run since start */
  ran = 0;

  constructor(private readonly options: ProbeLoopOptions) {
    const wait = options.waitSeconds ?? PROBE_POLL_WAIT_S;
    this.nextUrl = new URL(`/api/v1/probes/next?node=${encodeURIComponent(options.node)}&wait=${wait}`, options.server).toString();
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => backoffDelay(attempt));
  }

  stop(): void {
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const poll = await this.poll();
      if (this.stopping) break;
      switch (poll.kind) {
        case 'none':
          failures = 0;
          continue;
        case 'job':
          failures = 0;
          await this.runJob(poll.job);
          continue;
        case 'refused-job':
          failures = 0;
          this.options.log(`probe job refused: ${poll.detail}`);
          continue;
        case 'retry': {
          const delay = this.retryDelayMs(failures++);
          this.options.log(`probe poll failed (${poll.detail}); polling again in ${delay} ms`);
          await this.sleep(delay);
        }
      }
    }
  }

  private async poll(): Promise<{ kind: 'none' } | { kind: 'job'; job: ProbeJob } | { kind: 'refused-job'; detail: string } | { kind: 'retry'; detail: string }> {
    let response: Response;
    try {
      response = await fetch(this.nextUrl, {
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(((this.options.waitSeconds ?? PROBE_POLL_WAIT_S) + 15) * 1000)]),
      });
    } catch (error) {
      return { kind: 'retry', detail: networkDetail(error) };
    }
    const text = await response.text().catch(() => '');
    if (response.status === 204) return { kind: 'none' };
    if (response.status !== 200) return { kind: 'retry', detail: `${response.status}: ${text.slice(0, 200).replace(/\s+/g, ' ')}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'refused-job', detail: `the API sent a job that is not JSON: ${text.slice(0, 200)}` };
    }
    // zod is loaded here, on the first job, never at start-up.
    const validation = loadProbeSchema().validateProbeJob(body);
    if (!validation.ok) return { kind: 'refused-job', detail: validation.issues.map((i) => `${i.path}: ${i.message}`).join('; ') };
    return { kind: 'job', job: validation.value };
  }

  private async runJob(job: ProbeJob): Promise<void> {
    this.options.log(`probe ${job.id}: ${job.kind} of pod ${job.pod}${job.target ? ` to ${job.target}` : ''}`);
    const result = await this.options.runner.run(job);
    this.ran++;
    this.options.log(`probe ${job.id}: ${result.verdict}${result.reason ? ` (${result.reason})` : ''}`);
    const url = new URL(`/api/v1/probes/${encodeURIComponent(job.id)}/result`, this.options.server).toString();
    const body = JSON.stringify(result);
    for (let attempt = 0; attempt < RESULT_POST_ATTEMPTS; attempt++) {
      let detail: string;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(15000),
        });
        const text = (await response.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ');
        if (response.ok) return;
        if (response.status >= 400 && response.status < 500) {
          this.options.log(`probe ${job.id}: the API refused the result with ${response.status}: ${text}; dropped`);
          return;
        }
        detail = `${response.status}: ${text}`;
      } catch (error) {
        detail = networkDetail(error);
      }
      if (attempt === RESULT_POST_ATTEMPTS - 1) {
        this.options.log(`probe ${job.id}: posting the result failed ${RESULT_POST_ATTEMPTS} times (last: ${detail}); dropped`);
        return;
      }
      if (this.stopping) {
        this.options.log(`probe ${job.id}: posting the result failed (${detail}) while stopping; dropped`);
        return;
      }
      const delay = this.retryDelayMs(attempt);
      this.options.log(`probe ${job.id}: posting the result failed (${detail}); retrying in ${delay} ms`);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function networkDetail(error: unknown): string {
  return (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
}
