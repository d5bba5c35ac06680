import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testing } from '@routescope/db';
import type { Snapshot } from '@routescope/snapshot';
import { Client } from 'pg';
import { calicoNodeSnapshot } from './support/calico-node';
import { freePort, scratchDatabase, until } from '@routescope/testing';
import { ApiProcess, collectorBin, request, secretToken, type ApiTokens } from './support/api-process';
import { PostgresCluster } from './support/postgres-cluster';

// Faults with real processes: the built API killed with SIGKILL while a real collector `run`
// posts, a PostgreSQL server of the suite's own stopped and crashed under ingest, a poison
// snapshot at the head of a spool, duplicate and concurrent deliveries. Each prints
// `taken / stored / lost / duplicated` and must lose and duplicate nothing.
// Root only: the collector collects a network namespace the suite creates.

if (process.getuid?.() !== 0) throw new Error('the faults suite needs root (a network namespace for the collector); run it as root, as CI does');

const tokens: ApiTokens = { ingest: secretToken('ingest'), read: secretToken('read'), admin: secretToken('admin') };
const netns = `rsf-${randomBytes(4).toString('hex')}`;
const SPOOL_FILE = /^\d{16}-[\w-]+\.json$/;
const scratch: string[] = [];

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
});

afterAll(async () => {
  execFileSync('ip', ['netns', 'del', netns]);
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `rs-faults-${name}-`));
  scratch.push(dir);
  return dir;
}

/** A real `routescope-collector run` of the suite's namespace, posting to `server`. */
class CollectorRun {
  private output = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(server: string, readonly spool: string, readonly node: string) {
    this.child = spawn(process.execPath, [collectorBin, 'run', '--server', server, '--netns', netns, '--node', node, '--interval', '250ms', '--spool', spool], {
      env: { ...process.env, ROUTESCOPE_TOKEN: tokens.ingest },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get log(): string {
    return this.output;
  }

  count(pattern: RegExp): number {
    return this.output.split('\n').filter((line) => pattern.test(line)).length;
  }

  /** SIGTERM: the post in flight completes; what was not delivered stays in the spool. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Snapshots waiting in a spool (their seqs), and the snapshots in its rejected/ folder. */
async function spoolContents(spool: string): Promise<{ waiting: number[]; rejected: Array<{ file: string; status: number; body: string }> }> {
  const waiting = await Promise.all(
    (await readdir(spool)).filter((f) => SPOOL_FILE.test(f)).map(async (f) => (JSON.parse(await readFile(join(spool, f), 'utf8')) as Snapshot).collector.seq),
  );
  const rejectedDir = join(spool, 'rejected');
  const names = await readdir(rejectedDir).catch(() => [] as string[]);
  const rejected = await Promise.all(
    names.filter((f) => SPOOL_FILE.test(f)).map(async (file) => ({ file, ...(JSON.parse(await readFile(join(rejectedDir, `${file}.response.json`), 'utf8')) as { status: number; body: string }) })),
  );
  return { waiting, rejected };
}

/** One SQL query on a fresh connection (the server may have restarted since the last one). */
async function sql<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Snapshots the API accepted for a node: every accepted, non-duplicate snapshot adds one to a coverage interval. */
async function storedFor(url: string, node: string): Promise<{ stored: number; lastSeq: number }> {
  const [row] = await sql<{ stored: string | null; last_seq: string | null }>(
    url,
    'SELECT (SELECT sum(c.snapshots) FROM coverage c WHERE c.node_id = n.id) AS stored, n.last_seq FROM node n WHERE n.name = $1',
    [node],
  );
  return { stored: Number(row?.stored ?? 0), lastSeq: row?.last_seq === null || row === undefined ? -1 : Number(row.last_seq) };
}

interface Tally {
  taken: number;
  stored: number;
  lost: number;
  duplicated: number;
}

function tally(taken: number, stored: number, accountedElsewhere: number): Tally {
  const missing = taken - stored - accountedElsewhere;
  return { taken, stored, lost: Math.max(0, missing), duplicated: Math.max(0, -missing) };
}

function report(name: string, t: Tally, extra = ''): void {
  process.stdout.write(`faults: ${name}: taken ${t.taken} / stored ${t.stored} / lost ${t.lost} / duplicated ${t.duplicated}${extra ? ` (${extra})` : ''}\n`);
}

/** A collector run's account once it stopped: everything it took is stored, still spooled, or rejected. */
async function collectorTally(url: string, run: CollectorRun): Promise<{ tally: Tally; waiting: number; rejected: number }> {
  const { stored, lastSeq } = await storedFor(url, run.node);
  const { waiting, rejected } = await spoolContents(run.spool);
  const taken = Math.max(lastSeq, ...waiting) + 1;
  return { tally: tally(taken, stored, waiting.length + rejected.length), waiting: waiting.length, rejected: rejected.length };
}

describe('faults on the shared PostgreSQL server', () => {
  let database: testing.TestDatabase;
  let api: ApiProcess;
  let url: string;

  beforeAll(async () => {
    database = await testing.createTestDatabase('postgres', { migrate: false });
    url = database.databaseUrl!;
    api = new ApiProcess({ databaseUrl: url, dataDir: await tempDir('api'), port: await freePort(), tokens });
    await api.start();
  }, 120000);

  afterAll(async () => {
    await api?.stop();
    await database?.dispose();
  });

  it('loses and duplicates nothing when the API is killed with SIGKILL three times while a collector posts', async () => {
    const run = new CollectorRun(api.base, await tempDir('spool'), 'faults-kill9');
    try {
      for (let kill = 1; kill <= 3; kill++) {
        const before = (await storedFor(url, run.node)).stored;
        await until('deliveries before the kill', async () => ((await storedFor(url, run.node)).stored >= before + 3 ? true : undefined), 60000);
        const failuresBefore = run.count(/post failed/);
        await api.kill9();
        await until('the collector to notice the API is gone', () => (run.count(/post failed/) > failuresBefore ? true : undefined), 60000);
        await api.start();
      }
      const before = (await storedFor(url, run.node)).stored;
      await until('deliveries after the last restart', async () => ((await storedFor(url, run.node)).stored >= before + 3 ? true : undefined), 60000);
      // Let the backlog drain, then stop between two deliveries.
      await until('the spool to drain', async () => ((await spoolContents(run.spool)).waiting.length === 0 ? true : undefined), 60000);
    } finally {
      expect(await run.stop()).toBe(0);
    }
    const { tally: t, waiting, rejected } = await collectorTally(url, run);
    report('API kill -9 x3 during collector run', t, `${waiting} still spooled, ${rejected} rejected, ${api.starts} API starts`);
    expect({ ...t, rejected }).toEqual({ taken: t.taken, stored: t.stored, lost: 0, duplicated: 0, rejected: 0 });
    expect(t.taken).toBeGreaterThan(12);
    expect(api.log).not.toMatch(/internal error|"context":"(REST|HTTP)"/);
  }, 170000);

  it('moves poison snapshots at the head of the spool to rejected/ with the answer, and delivers everything behind them', async () => {
    const spool = await tempDir('poison');
    const takenAt = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    // The owner of an id that a later spooled snapshot of another node reuses.
    const owned = calicoNodeSnapshot({ node: 'faults-owner', takenAt: takenAt(30) });
    expect((await request(`${api.base}/api/v1/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` }, body: JSON.stringify(owned) })).status).toBe(201);
    const nul = calicoNodeSnapshot({ node: 'faults-poison', takenAt: takenAt(20) });
    nul.warnings = [{ code: 'bad_text', message: 'a NUL \u0000 byte' }];
    const conflict = { ...calicoNodeSnapshot({ node: 'faults-thief', takenAt: takenAt(19) }), snapshotId: owned.snapshotId };
    const fixture = calicoNodeSnapshot({ node: 'faults-fixture', takenAt: takenAt(18) });
    await mkdir(spool, { recursive: true });
    for (const [i, s] of [nul, conflict, fixture].entries()) await writeFile(join(spool, `${String(i).padStart(16, '0')}-${s.snapshotId}.json`), JSON.stringify(s));

    const run = new CollectorRun(api.base, spool, 'faults-behind-poison');
    try {
      await until('the spooled fixture and the collector’s own snapshots to be stored', async () =>
        (await storedFor(url, 'faults-fixture')).stored === 1 && (await storedFor(url, run.node)).stored >= 3 ? true : undefined,
      );
    } finally {
      expect(await run.stop()).toBe(0);
    }
    const { rejected, waiting } = await spoolContents(spool);
    expect(rejected.map((r) => ({ file: r.file, status: r.status, error: (JSON.parse(r.body) as { error: string }).error })).sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: `0000000000000000-${nul.snapshotId}.json`, status: 400, error: 'INVALID_SNAPSHOT' },
      { file: `0000000000000001-${conflict.snapshotId}.json`, status: 409, error: 'SNAPSHOT_ID_CONFLICT' },
    ]);
    expect(rejected[0].body).toMatch(/warnings\[0\]\.message.*NUL/);
    expect(run.log).toMatch(/server rejected 0000000000000000-[\w-]+\.json with 400: .*moved to .*rejected with the response \(1 rejected since start/);
    expect(run.log).toMatch(/server rejected 0000000000000001-[\w-]+\.json with 409: .*already belongs to node faults-owner.*\(2 rejected since start/);
    // Nothing of the poison reached the database; the thief node was never created.
    expect(await sql(url, "SELECT name FROM node WHERE name IN ('faults-poison', 'faults-thief')")).toEqual([]);

    const own = await storedFor(url, run.node);
    const ownTaken = Math.max(own.lastSeq, ...waiting) + 1;
    const t = tally(3 + ownTaken, (await storedFor(url, 'faults-fixture')).stored + own.stored, rejected.length + waiting.length);
    report('poison snapshots at the head of the spool', t, `${rejected.length} rejected with their answers, ${waiting.length} still spooled`);
    expect(t).toMatchObject({ lost: 0, duplicated: 0 });
  }, 120000);

  it('stores each of many concurrent and duplicate deliveries exactly once', async () => {
    const post = (s: Snapshot) =>
      request(`${api.base}/api/v1/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` }, body: JSON.stringify(s) });
    // One snapshot delivered 20 times at once.
    const once = calicoNodeSnapshot({ node: 'faults-dup', takenAt: new Date(Date.now() - 60000) });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(once)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array.from({ length: 19 }, () => 200), 201]);
    expect(answers.filter((a) => a.json?.status === 'duplicate')).toHaveLength(19);

    // 10 nodes posting at once, each 6 changes in order, each change delivered twice at the same moment.
    const nodes = Array.from({ length: 10 }, (_, i) => `faults-conc-${i}`);
    const start = Date.now() - 50000;
    const statuses: number[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        for (let seq = 0; seq < 6; seq++) {
          const s = calicoNodeSnapshot({ node, seq, takenAt: new Date(start + seq * 1000), proxyArp: String(seq % 2) });
          const pair = await Promise.all([post(s), post(s)]);
          statuses.push(...pair.map((p) => p.status));
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const [row] = await sql<{ rows: string; ids: string; coverage: string }>(
      url,
      "SELECT count(*) AS rows, count(DISTINCT s.id) AS ids, (SELECT sum(c.snapshots) FROM coverage c JOIN node n2 ON n2.id = c.node_id WHERE n2.name LIKE 'faults-conc-%' OR n2.name = 'faults-dup') AS coverage FROM snapshot s JOIN node n ON n.id = s.node_id WHERE n.name LIKE 'faults-conc-%' OR n.name = 'faults-dup'",
    );
    const taken = 1 + nodes.length * 6;
    const t = tally(taken, Number(row.coverage), 0);
    report('duplicate and concurrent deliveries', t, `${answers.length + statuses.length} posts, ${Number(row.rows)} snapshot rows`);
    expect({ ...t, rows: Number(row.rows), ids: Number(row.ids) }).toEqual({ taken, stored: taken, lost: 0, duplicated: 0, rows: taken, ids: taken });
  }, 120000);
});

describe('a PostgreSQL server of the suite’s own, stopped and crashed under ingest', () => {
  let cluster: PostgresCluster;
  let api: ApiProcess;
  let url: string;

  beforeAll(async () => {
    cluster = await PostgresCluster.create(await freePort());
    url = (await scratchDatabase('rs_faults', cluster.url)).url; // the cluster goes with the suite: no drop
    api = new ApiProcess({ databaseUrl: url, dataDir: await tempDir('api-pg'), port: await freePort(), tokens });
    await api.start();
  }, 120000);

  afterAll(async () => {
    await api?.stop();
    await cluster?.dispose();
  });

  it('answers 503 with Retry-After (GraphQL: UNAVAILABLE) while PostgreSQL is down, and the collector loses nothing', async () => {
    const run = new CollectorRun(api.base, await tempDir('spool-pg'), 'faults-pg-restart');
    let outage: { status: number; retryAfter: string | null; error: unknown; graphqlCode: unknown } | undefined;
    try {
      for (const mode of ['fast', 'immediate'] as const) {
        const before = (await storedFor(url, run.node)).stored;
        await until('deliveries before the outage', async () => ((await storedFor(url, run.node)).stored >= before + 3 ? true : undefined), 60000);
        const failuresBefore = run.count(/post failed \(503/);
        await cluster.stop(mode);
        await until('the collector to be told 503', () => (run.count(/post failed \(503/) > failuresBefore ? true : undefined), 60000);
        if (!outage) {
          const ingest = await request(`${api.base}/api/v1/snapshots`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
            body: JSON.stringify(calicoNodeSnapshot({ node: 'faults-during-outage', takenAt: new Date() })),
          });
          const graphql = await request(`${api.base}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.read}` },
            body: JSON.stringify({ query: '{ nodes { totalCount } }' }),
          });
          outage = {
            status: ingest.status,
            retryAfter: ingest.headers.get('retry-after'),
            error: ingest.json?.error,
            graphqlCode: (graphql.json?.errors as Array<{ extensions?: { code?: string } }> | undefined)?.[0]?.extensions?.code,
          };
        }
        await cluster.start();
      }
      const before = (await storedFor(url, run.node)).stored;
      await until('deliveries after the last restart', async () => ((await storedFor(url, run.node)).stored >= before + 3 ? true : undefined), 60000);
      await until('the spool to drain', async () => ((await spoolContents(run.spool)).waiting.length === 0 ? true : undefined), 60000);
    } finally {
      expect(await run.stop()).toBe(0);
    }
    expect(outage).toEqual({ status: 503, retryAfter: '5', error: 'DATABASE_UNAVAILABLE', graphqlCode: 'UNAVAILABLE' });
    expect(run.log).toMatch(/post failed \(503: .*DATABASE_UNAVAILABLE.*retrying in \d+ ms \(Retry-After 5 s\)/);
    const { tally: t, waiting, rejected } = await collectorTally(url, run);
    report('PostgreSQL stopped (fast) and crashed (immediate) under ingest', t, `${waiting} still spooled, ${rejected} rejected`);
    expect({ ...t, rejected }).toEqual({ taken: t.taken, stored: t.stored, lost: 0, duplicated: 0, rejected: 0 });
    expect(api.alive).toBe(true);
    expect(api.log).not.toMatch(/"context":"(REST|HTTP)"/);
  }, 170000);
});
