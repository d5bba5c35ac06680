import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkPromql } from './promql-check';
import { freePort, launchApi, until, type LaunchedApi } from '@routescope/testing';

// deploy/monitoring as Prometheus and Grafana read it: every rule and panel expression parses,
// and every metric it names exists on a real scrape: of the built API (a process on embedded
// PGlite) and of the built collector's `run --metrics-port` once it delivered a snapshot of this host.
// `promtool check rules` also runs when promtool is installed (Debian: the prometheus package).

const DIR = __dirname;
const REPO = join(DIR, '..', '..');
const API_BUNDLE = join(REPO, 'apps/api/dist/main.js');
const COLLECTOR_BUNDLE = join(REPO, 'apps/collector/dist/routescope-collector.cjs');
/** Series Prometheus itself adds to every scrape. */
const SCRAPE_SERIES = new Set(['up']);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { groups: Array<{ name: string; rules: Rule[] }> };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Array<{ id: number; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets: Array<{ expr: string; refId: string }> }>;
}

const rules = parse(readFileSync(join(DIR, 'prometheus-rules.yaml'), 'utf8')) as RuleFile;
const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
const alerts = rules.spec.groups.flatMap((g) => g.rules);
const panelExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })));
const everyExpr = [...alerts.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })), ...panelExprs];

/** Metric family and sample names of one scrape (a histogram's family and its _bucket/_sum/_count). */
function namesIn(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) {
      names.add(type[1]);
      // a labelled histogram has no sample before its first observation; its series are these
      if (type[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(type[1] + suffix);
    }
    else if (line && !line.startsWith('#')) names.add(line.split(/[{\s]/, 1)[0]);
  }
  return names;
}

/** Polls until `probe` gives a value; fails at once when `child` exits, with its output. */
async function poll<T>(what: string, probe: () => Promise<T | undefined>, child: ChildProcess, output: () => string): Promise<T> {
  let exited = false;
  return until(
    what,
    async () => {
      if (child.exitCode !== null) {
        exited = true;
        return null;
      }
      return probe();
    },
    // generous: a busy 2-core CI machine
    120_000,
  ).then(
    (value) => {
      if (exited) throw new Error(`exited with ${child.exitCode} while waiting for ${what}:\n${output()}`);
      return value as T;
    },
    (error: Error) => {
      throw new Error(`${error.message}:\n${output().slice(-4000)}`, { cause: error });
    },
  );
}

describe('deploy/monitoring', () => {
  let api: LaunchedApi | undefined;
  let collector: ChildProcess | undefined;
  let dataDir: string;
  let scraped: Set<string>;

  beforeAll(async () => {
    for (const bundle of [API_BUNDLE, COLLECTOR_BUNDLE]) {
      if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build it first (npx nx run-many -t build -p api collector; the deploy test target depends on both)`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'rs-monitoring-'));
    const metricsPort = await freePort();
    const token = (name: string) => `rs_monitoring_${name}_${randomBytes(12).toString('hex')}`;
    const ingestToken = token('ingest');
    let output = '';
    const start = (args: string[], env: Record<string, string>) => {
      const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (output += d));
      child.stderr!.on('data', (d: Buffer) => (output += d));
      return child;
    };
    // the API migrates a fresh embedded PGlite first, slow on a busy 2-core CI machine
    api = await launchApi({
      bundle: API_BUNDLE,
      baseEnv: 'path-only',
      readyPath: '/healthz',
      readyTimeoutMs: 120_000,
      onOutput: (chunk) => (output += chunk),
      env: { ROUTESCOPE_DATA_DIR: join(dataDir, 'api'), ROUTESCOPE_KUBERNETES: 'off', ROUTESCOPE_LOG_LEVEL: 'warn', ROUTESCOPE_INGEST_TOKEN: ingestToken, ROUTESCOPE_READ_TOKEN: token('read'), ROUTESCOPE_ADMIN_TOKEN: token('admin') },
    });
    const apiUrl = api.url;
    collector = start(
      [COLLECTOR_BUNDLE, 'run', '--server', apiUrl, '--node', 'monitoring-test', '--interval', '250ms', '--spool', join(dataDir, 'spool'), '--metrics-port', String(metricsPort), '--metrics-host', '127.0.0.1'],
      { ROUTESCOPE_TOKEN: ingestToken },
    );
    const collectorScrape = await poll(
      'the collector to deliver a snapshot',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return text.includes('routescope_collector_last_successful_post_timestamp_seconds ') ? text : undefined;
      },
      collector,
      () => output,
    );
    const apiScrape = await (await fetch(`${apiUrl}/metrics`)).text();
    scraped = new Set([...namesIn(apiScrape), ...namesIn(collectorScrape)]);
  }, 300_000);

  afterAll(async () => {
    const running = collector;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
    }
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is a PrometheusRule whose alerts each have a severity, a summary and a valid `for`', () => {
    expect(rules).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    expect(alerts.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['RoutescopeApiDown', 'RoutescopeCollectorSilent', 'RoutescopeSpoolGrowing', 'RoutescopeIngestErrors', 'RoutescopeCriticalFindingsOpen', 'RoutescopeChecksBacklog']),
    );
    for (const rule of alerts) {
      expect({ alert: rule.alert, severity: rule.labels?.severity, summary: typeof rule.annotations?.summary }).toEqual({ alert: expect.stringMatching(/^Routescope[A-Z]\w+$/), severity: expect.stringMatching(/^(critical|warning|info)$/), summary: 'string' });
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smhd]$/);
    }
  });

  it('every rule and panel expression parses', () => {
    const problems = everyExpr.flatMap(({ where, expr }) => checkPromql(expr).problems.map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
    // and the parser refuses what Prometheus refuses
    for (const broken of ['sum(rate(x[5m])', 'rate(x{code=500}[5m])', 'rate(x[5 minutes])', 'sums(x)', 'x{a="b"]']) expect(checkPromql(broken).problems).not.toEqual([]);
  });

  it('every metric the rules and the dashboard name is on a real /metrics scrape', () => {
    const missing = everyExpr.flatMap(({ where, expr }) => checkPromql(expr).metrics.filter((m) => !scraped.has(m) && !SCRAPE_SERIES.has(m)).map((m) => `${where}: ${m}`));
    expect(missing).toEqual([]);
    // and the check has teeth: it sees the metrics (a typo would be one of them)
    expect(checkPromql('sum(rate(routescope_ingest_requests_totl{code="500"}[5m])) by (job)').metrics).toEqual(['routescope_ingest_requests_totl']);
  });

  it('the dashboard is importable: unique panel ids, a uid, panels inside the 24-column grid', () => {
    expect(dashboard.uid).toBe('routescope');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets.length).toBeGreaterThan(0);
    }
  });

  it('passes promtool check rules when promtool is installed', () => {
    const found = spawnSync('promtool', ['--version']);
    if (found.error) {
      // Not installed here: the parser above is the check (this test asserts it ran on every expression).
      expect(everyExpr.every(({ expr }) => checkPromql(expr).problems.length === 0)).toBe(true);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rs-promtool-'));
    try {
      const file = join(dir, 'rules.yaml');
      writeFileSync(file, JSON.stringify(rules.spec));
      const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
