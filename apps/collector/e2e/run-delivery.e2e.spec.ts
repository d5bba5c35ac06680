import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorBin } from './lab-harness';
import { freePort, until } from '@routescope/testing';

// Real processes and real HTTP: the bundled collector posts to a small receiver started here,
// standing in for the API's POST /api/v1/snapshots (the History store issue builds the real one).

interface Received {
  bootId: string;
  seq: number;
  snapshotId: string;
  authorization?: string;
  clockSkewMs?: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

class Receiver {
  readonly received: Received[] = [];
  private server?: Server;
  responseDelayMs = 0;
  onRequest?: () => void;
  /** answers other than 201 stored, by the attempt number (0-based) of each post */
  reply?: (attempt: number, snapshot: { collector: { seq: number } }) => Reply | undefined;
  /** extra headers on the 201 answers (e.g. a skewed Date) */
  headers?: () => Record<string, string>;
  private attempts = 0;

  start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (body) => {
        this.onRequest?.();
        if (this.responseDelayMs) await new Promise((r) => setTimeout(r, this.responseDelayMs));
        const snapshot = JSON.parse(body);
        const reply = this.reply?.(this.attempts++, snapshot);
        if (reply) {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
          return;
        }
        this.received.push({ bootId: snapshot.collector.bootId, seq: snapshot.collector.seq, snapshotId: snapshot.snapshotId, authorization: req.headers.authorization, clockSkewMs: snapshot.collector.clockSkewMs });
        res.writeHead(201, { 'content-type': 'application/json', ...this.headers?.() }).end('{"status":"stored","changes":0}');
      });
    });
    return new Promise((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function startCollector(port: number, spool: string): { child: ChildProcess; log: () => string; exit: Promise<number | null> } {
  // The receiver speaks only the snapshot route; the probe loop's long-poll is tested in its own suite.
  const child = spawn(process.execPath, [collectorBin, 'run', '--server', `http://127.0.0.1:${port}`, '--token', 'test-ingest-token', '--interval', '250ms', '--spool', spool, '--no-probes'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => log, exit };
}

async function spooledSeqs(spool: string): Promise<number[]> {
  const files = (await readdir(spool)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(spool, f), 'utf8')).collector.seq as number));
}

describe('run: posting with a spool', () => {
  let spool: string;
  let receiver: Receiver;
  beforeEach(async () => {
    spool = await mkdtemp(join(tmpdir(), 'rs-run-'));
    receiver = new Receiver();
  });
  afterEach(async () => {
    await receiver.stop();
    await rm(spool, { recursive: true, force: true });
  });

  it('delivers every snapshot once and in order when the receiver is down, then up', async () => {
    const port = await freePort();
    const first = startCollector(port, spool);
    // Down: posts fail and snapshots pile up in the spool.
    await until('a failed post', () => /retrying in/.test(first.log()) || undefined, 10000, 50);
    // A backlog of several snapshots (the collector posts every 250 ms) before the receiver comes up.
    await until('4 snapshots in the spool', async () => ((await spooledSeqs(spool)).length >= 4 ? true : undefined), 10000, 50);
    expect(receiver.received).toHaveLength(0);
    // Up: the backlog drains oldest first, then new snapshots follow.
    await receiver.start(port);
    await until('8 snapshots received', () => receiver.received.length >= 8 || undefined, 30000, 50);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    const bootId = receiver.received[0].bootId;
    const leftovers = await spooledSeqs(spool);

    // A restarted collector sends what was left over before anything new.
    const second = startCollector(port, spool);
    await until('a snapshot of the restarted collector', () => receiver.received.some((r) => r.bootId !== bootId) || undefined, 30000, 50);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);

    const fromFirstBoot = receiver.received.filter((r) => r.bootId === bootId).map((r) => r.seq);
    const lastSeq = Math.max(...fromFirstBoot);
    expect(fromFirstBoot).toEqual(Array.from({ length: lastSeq + 1 }, (_, i) => i));
    expect(leftovers).toEqual(fromFirstBoot.slice(fromFirstBoot.length - leftovers.length));
    expect(new Set(receiver.received.map((r) => r.snapshotId)).size).toBe(receiver.received.length);
    const firstOfSecondBoot = receiver.received.findIndex((r) => r.bootId !== bootId);
    expect(receiver.received.slice(firstOfSecondBoot).every((r) => r.bootId !== bootId)).toBe(true);
    expect(receiver.received.every((r) => r.authorization === 'Bearer test-ingest-token')).toBe(true);
  });

  it('finishes the post in flight on SIGTERM, exits 0, and does not send it again', async () => {
    const port = await freePort();
    receiver.responseDelayMs = 1500;
    let inFlight = false;
    receiver.onRequest = () => (inFlight = true);
    await receiver.start(port);
    const collector = startCollector(port, spool);
    await until('a post in flight', () => inFlight || undefined, 30000, 50);
    collector.child.kill('SIGTERM');
    expect(await collector.exit).toBe(0);
    expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    const delivered = receiver.received.map((r) => r.seq);
    expect(await spooledSeqs(spool)).not.toContain(delivered[delivered.length - 1]);
    expect(collector.log()).toMatch(/SIGTERM: finishing the current post/);
  });

  it('moves a 4xx-refused snapshot to rejected/ with the answer, retries 5xx after Retry-After, and delivers all the rest in order', async () => {
    const port = await freePort();
    receiver.reply = (attempt) => {
      if (attempt === 0) return { status: 400, body: '{"error":"INVALID_SNAPSHOT","message":"invalid snapshot: warnings[0].message: contains a NUL character"}' };
      if (attempt === 1) return { status: 409, body: '{"error":"SNAPSHOT_ID_CONFLICT","message":"snapshotId x already belongs to node other"}' };
      if (attempt === 2) return { status: 503, headers: { 'retry-after': '1' }, body: '{"error":"DATABASE_UNAVAILABLE"}' };
      return undefined;
    };
    await receiver.start(port);
    const collector = startCollector(port, spool);
    await until('4 snapshots received', () => receiver.received.length >= 4 || undefined, 30000, 50);
    collector.child.kill('SIGTERM');
    expect(await collector.exit).toBe(0);

    const rejectedDir = join(spool, 'rejected');
    const rejected = (await readdir(rejectedDir)).filter((f) => /^\d{16}-[\w-]+\.json$/.test(f)).sort();
    const answers = await Promise.all(rejected.map(async (f) => JSON.parse(await readFile(join(rejectedDir, `${f}.response.json`), 'utf8'))));
    const rejectedSeqs = await Promise.all(rejected.map(async (f) => JSON.parse(await readFile(join(rejectedDir, f), 'utf8')).collector.seq as number));
    expect(answers.map((a) => a.status)).toEqual([400, 409]);
    expect(answers[0].body).toMatch(/NUL character/);
    expect(rejectedSeqs).toEqual([0, 1]);
    // The 503 was retried (after at least its Retry-After), not rejected: seq 2 was delivered, then the rest in order.
    const seqs = receiver.received.map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 2));
    expect(collector.log()).toMatch(/server rejected 0000000000000000-[\w-]+\.json with 400: .*NUL character.*; moved to .*rejected with the response \(1 rejected since start/);
    expect(collector.log()).toMatch(/post failed \(503: .*retrying in \d+ ms \(Retry-After 1 s\)/);
    expect(collector.log()).toMatch(/stopped; \d+ snapshot\(s\) left in the spool, 2 rejected since start/);
    // Owner-only: the spool, rejected/, and every file in them.
    const modes = new Set<string>();
    for (const dir of [spool, rejectedDir]) {
      modes.add(`dir ${((await stat(dir)).mode & 0o777).toString(8)}`);
      for (const f of await readdir(dir)) if (f !== 'rejected') modes.add(`file ${((await stat(join(dir, f))).mode & 0o777).toString(8)}`);
    }
    expect([...modes].sort()).toEqual(['dir 700', 'file 600']);
  });

  it('measures its clock skew from the server’s Date header, logs it, and sends it in the next snapshots', async () => {
    const port = await freePort();
    // A server whose clock is 90 s behind the collector's.
    receiver.reply = () => undefined;
    const serverDate = () => new Date(Date.now() - 90_000).toUTCString();
    receiver.headers = () => ({ date: serverDate() });
    await receiver.start(port);
    const collector = startCollector(port, spool);
    await until('3 snapshots received', () => receiver.received.length >= 3 || undefined, 30000, 50);
    collector.child.kill('SIGTERM');
    expect(await collector.exit).toBe(0);
    const [first, ...later] = receiver.received;
    expect(first.clockSkewMs).toBeUndefined();
    for (const r of later) expect(Math.abs(r.clockSkewMs! - 90_000)).toBeLessThan(2000);
    // The Date header has whole-second resolution, so the measured skew is 90 s give or take one.
    const logged = /clock skew: this node's clock is (\d+\.\d) s ahead of the API's \(more than 10\.0 s\); snapshots carry collector\.clockSkewMs=\d+/.exec(collector.log());
    expect(logged).not.toBeNull();
    expect(Math.abs(Number(logged![1]) - 90)).toBeLessThan(2);
  });

  it('refuses to start without a server or a token, with exit code 2', async () => {
    const child = spawn(process.execPath, [collectorBin, 'run', '--server', 'http://127.0.0.1:1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ROUTESCOPE_TOKEN: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^routescope-collector: run: an ingest token is required/);
  });
});
