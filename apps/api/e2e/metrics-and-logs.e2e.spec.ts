import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, parseExposition, until, type Exposition } from '@routescope/testing';
import { ApiProcess, collectorBin, secretToken, type ApiTokens } from './support/api-process';

// The built API and a real collector `run` as processes: both scraped like Prometheus does
// after the collector delivered, and both logs read as JSON lines like a log pipeline does.
// Root only: the collector collects a network namespace the suite creates.

if (process.getuid?.() !== 0) throw new Error('the metrics-and-logs suite needs root (a network namespace for the collector); run it as root, as CI does');

const tokens: ApiTokens = { ingest: secretToken('ingest'), read: secretToken('read'), admin: secretToken('admin') };
const netns = `rsm-${randomBytes(4).toString('hex')}`;
const scratch: string[] = [];

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `rs-metrics-${name}-`));
  scratch.push(dir);
  return dir;
}

async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return parseExposition(await response.text());
}

/** A real `routescope-collector run --metrics-port`, posting to `server`. */
class Collector {
  output = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(server: string, spool: string, readonly metricsPort: number, token: string) {
    this.child = spawn(
      process.execPath,
      [collectorBin, 'run', '--server', server, '--netns', netns, '--node', 'metrics-node', '--interval', '250ms', '--spool', spool, '--metrics-port', String(metricsPort), '--metrics-host', '127.0.0.1', '--log-format', 'json'],
      { env: { ...process.env, ROUTESCOPE_TOKEN: token }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  metrics(): Promise<Exposition> {
    return scrape(`http://127.0.0.1:${this.metricsPort}/metrics`);
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

let api: ApiProcess;

beforeAll(async () => {
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  api = new ApiProcess({ dataDir: await tempDir('api'), port: await freePort(), tokens, env: { ROUTESCOPE_LOG_LEVEL: 'log', ROUTESCOPE_LOG_FORMAT: 'json' } });
  await api.start();
});

afterAll(async () => {
  await api?.stop();
  execFileSync('ip', ['netns', 'del', netns]);
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('metrics after a collector run', () => {
  it('the collector and the API both show what the run did on /metrics', async () => {
    const collector = new Collector(api.base, await tempDir('spool'), await freePort(), tokens.ingest);
    try {
      const delivered = await until('the collector to report a delivered snapshot', async () => {
        const m = await collector.metrics();
        return m.value('routescope_collector_last_successful_post_timestamp_seconds') !== undefined ? m : undefined;
      });
      expect(delivered.value('routescope_collector_last_successful_post_timestamp_seconds')! * 1000).toBeLessThanOrEqual(Date.now());
      expect(delivered.value('routescope_collector_collection_duration_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(delivered.value('routescope_collector_snapshot_bytes')).toBeGreaterThan(200);
      expect(delivered.value('routescope_collector_spool_snapshots')).toBeGreaterThanOrEqual(0);
      expect(delivered.value('routescope_collector_post_failures_total', { class: 'network' })).toBe(0);
      expect(delivered.value('routescope_collector_rejected_snapshots_total')).toBe(0);
      expect(delivered.types.get('routescope_collector_collection_duration_seconds')).toBe('histogram');

      const m = await scrape(`${api.base}/metrics`);
      expect(m.value('routescope_ingest_requests_total', { code: '201', outcome: 'created' })).toBe(1);
      expect(m.sum('routescope_ingest_duration_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(m.value('routescope_ingest_facts_changed_total')).toBeGreaterThan(0);
      expect(m.value('routescope_nodes', { status: 'reporting' })).toBe(1);

      // Contract v1.1: the idle node's next snapshots go as heartbeats, counted apart from snapshot posts.
      const beats = await until('a heartbeat the API applied', async () => {
        const scraped = await scrape(`${api.base}/metrics`);
        return (scraped.value('routescope_heartbeats_total', { code: '200', outcome: 'unchanged' }) ?? 0) >= 2 ? scraped : undefined;
      });
      expect(beats.sum('routescope_heartbeats_total')).toBe(beats.value('routescope_heartbeats_total', { code: '200', outcome: 'unchanged' }));
      expect(beats.value('routescope_nodes', { status: 'reporting' })).toBe(1);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });

  it('counts posts refused for a bad token as 4xx failures, and keeps the snapshots spooled', async () => {
    const collector = new Collector(api.base, await tempDir('spool-bad'), await freePort(), secretToken('wrong'));
    try {
      const m = await until('a refused post', async () => {
        const scraped = await collector.metrics();
        return (scraped.value('routescope_collector_post_failures_total', { class: '4xx' }) ?? 0) > 0 ? scraped : undefined;
      });
      expect(m.value('routescope_collector_spool_snapshots')).toBeGreaterThanOrEqual(1);
      expect(m.value('routescope_collector_last_successful_post_timestamp_seconds')).toBeUndefined();
      const apiMetrics = await scrape(`${api.base}/metrics`);
      expect(apiMetrics.value('routescope_ingest_requests_total', { code: '401', outcome: 'invalid_token' })).toBeGreaterThanOrEqual(1);
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });
});

describe('logs', () => {
  /** Every line of a log as JSON; a line that is not JSON fails the test, naming it. */
  function jsonLines(log: string): Array<Record<string, unknown>> {
    return log
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${line}`);
        }
      });
  }

  it('the API writes JSON lines: one per request with id, route, status, latency, node and token name, never the token', async () => {
    const requestId = `e2e-${randomBytes(6).toString('hex')}`;
    const collector = new Collector(api.base, await tempDir('spool-logs'), await freePort(), tokens.ingest);
    try {
      await until('a delivery', async () => ((await collector.metrics()).value('routescope_collector_last_successful_post_timestamp_seconds') !== undefined ? true : undefined));
    } finally {
      expect(await collector.stop()).toBe(0);
    }
    const refused = await fetch(`${api.base}/api/v1/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${tokens.read}`, 'x-request-id': requestId, 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-request-id')).toBe(requestId);

    const lines = await until('the API to log the refused request', () => {
      const parsed = jsonLines(api.log);
      return parsed.some((l) => l.requestId === requestId) ? parsed : undefined;
    });
    expect(lines.find((l) => typeof l.msg === 'string' && (l.msg as string).includes('listening on'))).toMatchObject({ level: 'info', name: 'routescope-api', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const ingest = lines.find((l) => l.msg === 'request' && l.status === 201);
    expect(ingest).toMatchObject({ level: 'info', method: 'POST', route: '/api/v1/snapshots', node: 'metrics-node', token: 'env-ingest', requestId: expect.any(String), latencyMs: expect.any(Number) });
    expect(lines.find((l) => l.requestId === requestId)).toMatchObject({ level: 'warn', status: 403, method: 'POST', route: '/api/v1/snapshots' });
    for (const secret of Object.values(tokens)) expect(api.log).not.toContain(secret);
    expect(api.log.toLowerCase()).not.toContain('bearer');

    // and the collector's --log-format json: every line an object with time, level, msg and node
    const collectorLines = jsonLines(collector.output);
    expect(collectorLines.length).toBeGreaterThan(0);
    for (const line of collectorLines) expect(line).toMatchObject({ time: expect.any(String), level: 'info', name: 'routescope-collector', node: 'metrics-node', msg: expect.any(String) });
    expect(collector.output).not.toContain(tokens.ingest);
  });
});
