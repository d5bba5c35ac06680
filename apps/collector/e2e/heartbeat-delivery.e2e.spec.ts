import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotStateHash, validateHeartbeat, validateSnapshot, type Snapshot } from '@routescope/snapshot';
import { freePort, until } from '@routescope/testing';
import { collectorBin, isRoot } from './lab-harness';

// Contract v1.1 between real processes over real HTTP, on the real kernel: the bundled collector
// collects a network namespace made here and posts to a receiver that judges like the API (the
// state hash is libs/snapshot's, the API's; apps/api/src/ingest/heartbeat.spec.ts tests the API's
// side). An API of contract v1 is the same receiver without the heartbeat route.

interface Post {
  route: 'snapshot' | 'heartbeat';
  seq: number;
  snapshotId: string;
  stateHash: string;
  /** heartbeat: what the receiver answered */
  answer?: 'unchanged' | 'resend';
}

/** `v1.1`: the API of this contract; `v1`: an older API (no stateHash, its request gate refuses a body on an unknown route with 413); `no-route`: a proxy that 404s the route. */
type Mode = 'v1.1' | 'v1' | 'no-route';

class Receiver {
  readonly posts: Post[] = [];
  /** the node's stored state hash, as the API keeps it */
  head?: string;
  /** answer the next heartbeat `resend` even when it matches */
  forceResend = false;
  private server?: Server;

  constructor(private readonly mode: Mode) {}

  start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        const answer = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url === '/api/v1/snapshots') {
          const validation = validateSnapshot(JSON.parse(text));
          if (!validation.ok) return answer(400, { error: 'INVALID_SNAPSHOT' });
          const s: Snapshot = validation.snapshot;
          const stateHash = snapshotStateHash(s);
          this.posts.push({ route: 'snapshot', seq: s.collector.seq, snapshotId: s.snapshotId, stateHash });
          const status = this.head === stateHash ? 'unchanged' : 'changed';
          this.head = stateHash;
          return answer(201, { status, changes: 0, node: s.node, stateVersion: 1, ...(this.mode === 'v1' ? {} : { stateHash }) });
        }
        if (req.url === '/api/v1/heartbeats') {
          if (this.mode === 'v1') return answer(413, { error: 'BODY_TOO_LARGE', message: 'POST /api/v1/heartbeats takes no request body' });
          if (this.mode === 'no-route') return answer(404, { message: 'Cannot POST /api/v1/heartbeats' });
          const validation = validateHeartbeat(JSON.parse(text));
          if (!validation.ok) return answer(400, { error: 'INVALID_HEARTBEAT' });
          const beat = validation.heartbeat;
          const applies = beat.stateHash === this.head && !this.forceResend;
          this.forceResend = false;
          this.posts.push({ route: 'heartbeat', seq: beat.collector.seq, snapshotId: beat.snapshotId, stateHash: beat.stateHash, answer: applies ? 'unchanged' : 'resend' });
          return answer(200, applies ? { status: 'unchanged', node: beat.node, stateVersion: 1, stateHash: this.head } : { status: 'resend', node: beat.node, reason: 'another hash' });
        }
        return answer(404, {});
      });
    });
    return new Promise((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  count(route: Post['route']): number {
    return this.posts.filter((p) => p.route === route).length;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const NETNS = `hb-e2e-${process.pid}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function startCollector(port: number, spool: string): { child: ChildProcess; log: () => string; exit: Promise<number | null> } {
  const args = ['run', '--server', `http://127.0.0.1:${port}`, '--token', 'test-ingest-token', '--interval', '200ms', '--spool', spool, '--no-probes', '--netns', NETNS, '--node', 'node-hb', '--log-format', 'text'];
  const child = spawn(process.execPath, [collectorBin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => log, exit };
}

/** Every collection delivered once and in order: a resent heartbeat is followed by its full snapshot, and nothing else is repeated. */
function expectEachSeqDeliveredOnceInOrder(posts: readonly Post[]): void {
  const delivered = posts.filter((p, i) => !(p.route === 'heartbeat' && p.answer === 'resend' && posts[i + 1]?.snapshotId === p.snapshotId));
  expect(delivered.map((p) => p.seq)).toEqual(delivered.map((_, i) => i));
}

if (!isRoot) throw new Error('the heartbeat suite needs root (a network namespace of its own); run it as root, as CI does');

describe('run: heartbeats for unchanged snapshots (contract v1.1)', () => {
  let spool: string;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    spool = await mkdtemp(join(tmpdir(), 'rs-hb-'));
    ip('netns', 'add', NETNS);
    ip('-n', NETNS, 'link', 'set', 'lo', 'up');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    ip('netns', 'del', NETNS);
    await rm(spool, { recursive: true, force: true });
  });

  async function running(mode: Mode) {
    const receiver = new Receiver(mode);
    const port = await freePort();
    await receiver.start(port);
    cleanups.push(() => receiver.stop());
    const collector = startCollector(port, spool);
    cleanups.push(async () => {
      if (collector.child.exitCode === null) collector.child.kill('SIGTERM');
      return collector.exit;
    });
    return { receiver, collector };
  }

  it('sends a heartbeat while nothing changed, the full snapshot when the state changed or the API asks for it', async () => {
    const { receiver, collector } = await running('v1.1');
    await until('a full snapshot, then 3 heartbeats', () => receiver.count('heartbeat') >= 3 || undefined, 30000, 20);
    const first = receiver.posts[0];
    expect(first.route).toBe('snapshot');
    expect(receiver.posts.slice(1).every((p) => p.route === 'heartbeat' && p.stateHash === first.stateHash && p.answer === 'unchanged')).toBe(true);

    // The state changes: the next snapshot goes in full at once (no heartbeat of a state the API does not hold).
    const beforeChange = receiver.posts.length;
    ip('-n', NETNS, 'address', 'add', '192.0.2.1/32', 'dev', 'lo');
    await until('heartbeats of the new state', () => receiver.posts.slice(beforeChange).filter((p) => p.route === 'heartbeat' && p.stateHash !== first.stateHash).length >= 2 || undefined, 30000, 20);
    const afterChange = receiver.posts.slice(beforeChange);
    const changedFull = afterChange.find((p) => p.stateHash !== first.stateHash)!;
    expect(changedFull.route).toBe('snapshot');
    expect(afterChange.filter((p) => p.answer === 'resend')).toEqual([]);

    // The API answers resend: the same snapshot follows in full, at once, and heartbeats go on.
    const beforeResend = receiver.posts.length;
    receiver.forceResend = true;
    await until('heartbeats after a resend', () => receiver.posts.slice(beforeResend).filter((p) => p.answer === 'unchanged').length >= 2 || undefined, 30000, 20);
    const resent = receiver.posts.findIndex((p, i) => i >= beforeResend && p.answer === 'resend');
    expect(receiver.posts[resent + 1]).toMatchObject({ route: 'snapshot', snapshotId: receiver.posts[resent].snapshotId, stateHash: receiver.posts[resent].stateHash });

    collector.child.kill('SIGTERM');
    expect(await collector.exit).toBe(0);
    expectEachSeqDeliveredOnceInOrder(receiver.posts);
    expect(collector.log()).toMatch(/\d+ delivered as heartbeats/);
  });

  it('posts full snapshots to an API of contract v1, and to one whose heartbeat route is missing after one try', async () => {
    const v1 = await running('v1');
    await until('4 snapshots at a v1 API', () => v1.receiver.posts.length >= 4 || undefined, 30000, 20);
    expect(v1.receiver.posts.every((p) => p.route === 'snapshot')).toBe(true);
    await cleanups.pop()!();
    await cleanups.pop()!();
    expectEachSeqDeliveredOnceInOrder(v1.receiver.posts);
    await rm(spool, { recursive: true, force: true });

    const proxied = await running('no-route');
    await until('4 snapshots behind a proxy without the route', () => proxied.receiver.posts.length >= 4 || undefined, 30000, 20);
    expect(proxied.receiver.posts.map((p) => p.route)).toEqual(Array(proxied.receiver.posts.length).fill('snapshot'));
    expect(proxied.collector.log()).toMatch(/the API has no heartbeat route \(404\): posting full snapshots/);
    expect(proxied.collector.log().match(/no heartbeat route/g)).toHaveLength(1);
  });
});
