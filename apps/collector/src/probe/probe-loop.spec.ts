import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateProbeResult, type ProbeResult } from '@routescope/probe';
import { ProbeLoop } from './probe-loop';
import { ProbeRunner } from './probe-runner';

// The probe channel's wire protocol, served by a local HTTP server exactly as the API speaks it:
// GET /api/v1/probes/next?node=NAME&wait=S → 200 ProbeJob | 204; POST /api/v1/probes/{id}/result.
// The runner is the real one on a "node" without tcpdump, so every job ends `unavailable`.

interface Exchange {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

type Answer = { status: number; body?: unknown } | 'hold' | 'reset';

class ProbeApi {
  readonly exchanges: Exchange[] = [];
  private readonly polls: Answer[];
  private readonly results: Answer[];
  private readonly held: ServerResponse[] = [];
  private readonly waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  private server!: Server;
  url = '';

  constructor(script: { polls: Answer[]; results?: Answer[] }) {
    this.polls = [...script.polls];
    this.results = [...(script.results ?? [])];
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Resolves once `test` holds for the exchanges seen so far. */
  until(test: (exchanges: Exchange[]) => boolean): Promise<void> {
    if (test(this.exchanges)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test: () => test(this.exchanges), resolve }));
  }

  posts(): Exchange[] {
    return this.exchanges.filter((e) => e.method === 'POST');
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      this.exchanges.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body });
      const answer = (request.method === 'GET' ? this.polls : this.results).shift() ?? (request.method === 'GET' ? 'hold' : { status: 200 });
      if (answer === 'hold') this.held.push(response);
      else if (answer === 'reset') response.socket?.destroy();
      else {
        response.writeHead(answer.status, answer.body === undefined ? {} : { 'content-type': 'application/json' });
        response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      }
      for (const waiter of this.waiters.filter((w) => w.test())) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  }
}

const JOB = { id: 'job-1', kind: 'proxy-arp', node: 'node-a', pod: 'cni-0f3c', timeoutMs: 3000, maxPackets: 5 };
const withoutTcpdump = new ProbeRunner({ nodeTarget: { kind: 'current' }, node: 'node-a', hasProgram: async () => false });

describe('probe loop against the API protocol', () => {
  let api: ProbeApi;
  let loop: ProbeLoop;
  let running: Promise<void>;
  const logs: string[] = [];

  async function start(script: ConstructorParameters<typeof ProbeApi>[0]): Promise<void> {
    api = new ProbeApi(script);
    await api.start();
    logs.length = 0;
    loop = new ProbeLoop({ server: api.url, token: 'collector-token', node: 'node-a', runner: withoutTcpdump, log: (m) => logs.push(m), waitSeconds: 1, retryDelayMs: () => 10 });
    running = loop.run();
  }

  afterEach(async () => {
    loop.stop();
    await running;
    await api.stop();
  });

  it('polls with the token and the node, runs the job that arrives, and posts its result under the job id', async () => {
    await start({ polls: [{ status: 204 }, { status: 200, body: JOB }] });
    await api.until(() => api.posts().length === 1);
    const [first, second] = api.exchanges;
    expect(first).toMatchObject({ method: 'GET', url: '/api/v1/probes/next?node=node-a&wait=1', authorization: 'Bearer collector-token' });
    expect(second.url).toBe('/api/v1/probes/next?node=node-a&wait=1');
    const [post] = api.posts();
    expect(post).toMatchObject({ url: '/api/v1/probes/job-1/result', authorization: 'Bearer collector-token' });
    const result = JSON.parse(post.body) as ProbeResult;
    expect(validateProbeResult(result).ok).toBe(true);
    expect(result).toMatchObject({ id: 'job-1', kind: 'proxy-arp', node: 'node-a', pod: 'cni-0f3c', verdict: 'unavailable', reason: 'tcpdump not installed', captures: [] });
    // and it goes back to polling
    await api.until((e) => e.filter((x) => x.method === 'GET').length === 3);
  });

  it('retries a result the API could not take (5xx, then a reset connection) until it is accepted', async () => {
    await start({ polls: [{ status: 200, body: JOB }], results: [{ status: 503, body: { message: 'database restarting' } }, 'reset', { status: 201 }] });
    await api.until(() => api.posts().length === 3);
    expect(new Set(api.posts().map((p) => p.body)).size).toBe(1);
    expect(logs.filter((l) => l.includes('posting the result failed'))).toEqual([
      'probe job-1: posting the result failed (503: {"message":"database restarting"}); retrying in 10 ms',
      'probe job-1: posting the result failed (UND_ERR_SOCKET); retrying in 10 ms',
    ]);
  });

  it('drops a result the API refuses for good (4xx) with a log line, and polls on', async () => {
    await start({ polls: [{ status: 200, body: JOB }, { status: 200, body: { ...JOB, id: 'job-2' } }], results: [{ status: 409, body: { message: 'job job-1 expired' } }] });
    await api.until(() => api.posts().length === 2);
    expect(api.posts().map((p) => p.url)).toEqual(['/api/v1/probes/job-1/result', '/api/v1/probes/job-2/result']);
    expect(logs).toContain('probe job-1: the API refused the result with 409: {"message":"job job-1 expired"}; dropped');
  });

  it('refuses a job that breaks the contract with a log line naming the field, and runs none', async () => {
    await start({ polls: [{ status: 200, body: { ...JOB, kind: 'path' } }, { status: 200, body: { ...JOB, pod: '../../proc/1/ns/net' } }] });
    await api.until((e) => e.filter((x) => x.method === 'GET').length === 3);
    expect(api.posts()).toEqual([]);
    expect(logs.filter((l) => l.startsWith('probe job refused'))).toEqual([
      'probe job refused: target: is required for a path probe',
      'probe job refused: pod: is not a pod network namespace name (a name under /var/run/netns, or pid:N)',
    ]);
  });

  it('backs off after a failed poll and polls again', async () => {
    await start({ polls: [{ status: 500 }, { status: 401, body: { message: 'unknown token' } }, { status: 204 }] });
    await api.until((e) => e.filter((x) => x.method === 'GET').length === 4);
    expect(logs.slice(0, 2)).toEqual(['probe poll failed (500: ); polling again in 10 ms', 'probe poll failed (401: {"message":"unknown token"}); polling again in 10 ms']);
  });

  it('stops while a long poll is held open', async () => {
    await start({ polls: ['hold'] });
    await api.until((e) => e.length === 1);
    loop.stop();
    await running;
    expect(loop.ran).toBe(0);
  });
});
