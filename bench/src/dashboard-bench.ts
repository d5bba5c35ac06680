import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type BrowserContext } from '@playwright/test';

/** The header a trusted authenticating proxy would set (ROUTESCOPE_DASHBOARD_TRUSTED_HEADER). */
const BENCH_PROXY_HEADER = 'x-bench-user';
import { Client } from 'pg';
import { seedCluster, type SeedReport } from '@routescope/seed';
import { nodeName } from '@routescope/synth';
import { log, markdownTable, round, summarise, type Sample } from './measure';

// Issue #5: "with 1,000 synthetic nodes loaded, the overview renders in < 2 s and the node table
// paginates". The real processes, as a user runs them: the built API (apps/api/dist/main.js) on a
// fresh PostgreSQL database and the built dashboard (`next start`), loaded through the real ingest
// endpoint by the seed tool (tools/seed), measured in headless Chromium. The baseline is the same
// page with one node of the same cluster loaded, measured in the same run; the ratio is the result.

export interface DashboardPhase {
  /** nodes the API holds */
  nodes: number;
  /** ms from navigation start to the first animation frame after the node table's rows were rendered (visible) */
  rowsVisible: Sample;
  /** ms from navigation start to the node table's rows being in the DOM and not hidden (before that frame) */
  rowsInDom: Sample;
  /** first contentful paint (Paint Timing) */
  firstContentfulPaint: Sample;
  /** Navigation Timing, ms from navigation start */
  ttfb: Sample;
  domContentLoaded: Sample;
  /** the load event: the streamed page is complete (chart and findings included) */
  load: Sample;
  /** the node table's body rows in the DOM (the same in every sample) */
  tableRows: number;
  /** the HTML document's transfer size (bytes, last sample) */
  documentBytes: number;
  /** what the pagination says, e.g. "1–50 of 1000 nodes" (when the page has it) */
  pagination?: string;
}

export interface DashboardResult {
  mode: 'quick' | 'full';
  skipped?: string;
  /** cluster size loaded for the second measurement */
  nodes?: number;
  cluster?: { seed: number; podsPerNode: number; historyHours: number; intervalMs: number };
  /** seeding the N − 1 other nodes through POST /api/v1/snapshots */
  seed?: { snapshots: number; seconds: number; perSecond: number; statuses: Record<string, number>; changes: number; meanBodyBytes: number; post: Sample };
  baseline?: DashboardPhase;
  loaded?: DashboardPhase;
  /** the node page of one node of the loaded cluster (issue #14: state at T first) */
  nodePage?: NodePagePhase;
  /** loaded / baseline, p50 and p95 */
  ratio?: { rowsVisibleP50: number; rowsVisibleP95: number; loadP50: number };
  startup?: { apiMs: number; dashboardMs: number; browserMs: number };
  /** builds done first, the machine's load, anything a reader should know */
  notes: string[];
  durationS: number;
}

export interface NodePagePhase {
  node: string;
  /** nodes the API holds */
  nodes: number;
  /** first contentful paint (Paint Timing): the header and the time control */
  firstContentfulPaint: Sample;
  /** ms from navigation start to the first animation frame after the state's routes table had visible rows */
  stateVisible: Sample;
  /** the load event: the streamed page is complete */
  load: Sample;
  /** rows of the routes table (the same in every sample) */
  stateRows: number;
}

export interface DashboardOptions {
  quick: boolean;
  /** any database on the PostgreSQL server to create the scratch database on (default $ROUTESCOPE_TEST_PG_URL or 127.0.0.1:5432) */
  databaseUrlBase?: string;
}

const CHROMIUM = process.env['ROUTESCOPE_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** the node table, by its accessible name (caption, aria-label or aria-labelledby): "Nodes…" */
const TABLE_NAME = /^\s*Nodes\b/;

/**
 * Installed in every page before its first script: records when the node table first has body
 * rows that are rendered (not in a hidden streaming placeholder), and the next animation frame.
 */
const ROWS_PROBE = `(() => {
  const nameOf = (t) => {
    const label = t.getAttribute('aria-label');
    if (label) return label;
    const by = t.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' ');
    return (t.caption && t.caption.textContent) || '';
  };
  const visibleRows = () => {
    for (const t of document.querySelectorAll('table')) {
      if (!${TABLE_NAME}.test(nameOf(t))) continue;
      const rows = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows));
      if (rows.length > 0 && rows[0].checkVisibility()) return rows.length;
    }
    return 0;
  };
  const observer = new MutationObserver(() => {
    const rows = visibleRows();
    if (rows === 0) return;
    observer.disconnect();
    const probe = { inDomAt: performance.now(), rows };
    window.__rsNodeRows = probe;
    requestAnimationFrame(() => { probe.frameAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'style', 'class'] });
})();`;

/** Like ROWS_PROBE, for the node page: when the state's routes table ("Routes of <node> (host)") first has visible rows. */
const STATE_PROBE = `(() => {
  const visibleRows = () => {
    for (const t of document.querySelectorAll('table')) {
      const caption = (t.caption && t.caption.textContent) || '';
      if (!caption.startsWith('Routes of ')) continue;
      const rows = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows));
      if (rows.length > 0 && rows[0].checkVisibility()) return rows.length;
    }
    return 0;
  };
  const observer = new MutationObserver(() => {
    const rows = visibleRows();
    if (rows === 0) return;
    observer.disconnect();
    const probe = { inDomAt: performance.now(), rows };
    window.__rsStateRows = probe;
    requestAnimationFrame(() => { probe.frameAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'style', 'class'] });
})();`;

interface PageTiming {
  rowsVisible: number;
  rowsInDom: number;
  firstContentfulPaint: number;
  ttfb: number;
  domContentLoaded: number;
  load: number;
  tableRows: number;
  documentBytes: number;
  pagination?: string;
}

export async function benchDashboard(root: string, o: DashboardOptions): Promise<DashboardResult> {
  const started = Date.now();
  const result: DashboardResult = { mode: o.quick ? 'quick' : 'full', notes: [], durationS: 0 };
  // quick proves the harness (seconds); full is the issue's 1,000 nodes with an hour of churn
  const nodes = o.quick ? 120 : 1000;
  const cluster = { seed: 1, podsPerNode: o.quick ? 5 : 30, historyHours: o.quick ? 0.5 : 1, intervalMs: o.quick ? 900_000 : 1_800_000 };
  const samples = o.quick ? 3 : 10;
  result.nodes = nodes;
  result.cluster = cluster;

  if (!existsSync(CHROMIUM)) return done({ ...result, skipped: `${CHROMIUM} is missing (Debian's chromium; no browser is downloaded)` });
  const serverUrl = o.databaseUrlBase ?? process.env['ROUTESCOPE_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  try {
    await withAdmin(serverUrl, async () => undefined);
  } catch (error) {
    return done({ ...result, skipped: `no PostgreSQL at ${redact(serverUrl)}: ${(error as Error).message}` });
  }
  ensureBuilt(root, result.notes);

  const stack = new Cleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    log(`dashboard: ${signal}, stopping the API, the dashboard and the browser`);
    stack.killNow();
    void stack.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const onExit = () => stack.killNow();
  process.once('exit', onExit);
  try {
    const [one, rest] = [{ from: 0, to: 1 }, { from: 1, to: nodes }];
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    result.notes.push(`load average at the start ${load} on ${cpus().length} CPUs (the browser, Next.js, the API and PostgreSQL share them)`);

    // a fresh database, the built API on it, the built dashboard on the API
    const database = `rs_bench_dashboard_${randomBytes(5).toString('hex')}`;
    await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${database}`));
    stack.add(() => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).then(() => undefined));
    const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
    const dataDir = mkdtempSync(join(tmpdir(), 'rs-bench-dashboard-'));
    stack.add(async () => rmSync(dataDir, { recursive: true, force: true }));
    const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };

    let t = performance.now();
    const api = await startServer('API', process.execPath, [join(root, 'apps/api/dist/main.js')], {
      cwd: root,
      env: (port) => ({
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        ROUTESCOPE_DATA_DIR: join(dataDir, 'data'),
        ROUTESCOPE_INGEST_TOKEN: tokens.ingest,
        ROUTESCOPE_READ_TOKEN: tokens.read,
        ROUTESCOPE_ADMIN_TOKEN: tokens.admin,
        ROUTESCOPE_KUBERNETES: 'off',
        ROUTESCOPE_LOG_LEVEL: 'warn',
        // Seeding and page loads at full speed: per-token rate limits would cap the bench instead.
        ROUTESCOPE_RATE_LIMIT_INGEST: '0',
        ROUTESCOPE_RATE_LIMIT_GRAPHQL: '0',
      }),
      ready: '/readyz',
    });
    stack.add(() => api.stop(), api.kill);
    const apiMs = performance.now() - t;
    t = performance.now();
    const nextBin = require.resolve('next/dist/bin/next', { paths: [join(root, 'apps/dashboard')] });
    const dashboard = await startServer('dashboard', process.execPath, [nextBin, 'start', '-H', '127.0.0.1'], {
      cwd: join(root, 'apps/dashboard'),
      // Behind a (simulated) authenticating proxy: the dashboard serves requests carrying its header
      // with its own read token, so the benchmark measures the overview, not the sign-in.
      env: (port) => ({
        PORT: String(port),
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        ROUTESCOPE_API_URL: api.url,
        ROUTESCOPE_READ_TOKEN: tokens.read,
        ROUTESCOPE_DASHBOARD_TRUSTED_HEADER: BENCH_PROXY_HEADER,
      }),
      ready: '/api/healthz',
      portArgs: (port) => ['-p', String(port)],
    });
    stack.add(() => dashboard.stop(), dashboard.kill);
    const dashboardMs = performance.now() - t;
    t = performance.now();
    const userDataDir = mkdtempSync(join(tmpdir(), 'rs-bench-chromium-'));
    stack.add(async () => rmSync(userDataDir, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
      timezoneId: 'UTC',
      extraHTTPHeaders: { [BENCH_PROXY_HEADER]: 'bench' },
      // our handler closes it with everything else (Playwright's would exit before the database is dropped)
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    stack.add(() => context.close());
    await context.addInitScript({ content: ROWS_PROBE });
    await context.addInitScript({ content: STATE_PROBE });
    result.startup = { apiMs: round(apiMs, 0), dashboardMs: round(dashboardMs, 0), browserMs: round(performance.now() - t, 0) };
    log(`dashboard: API ${api.url} (${database}), dashboard ${dashboard.url}, Chromium up in ${result.startup.apiMs + result.startup.dashboardMs + result.startup.browserMs} ms`);

    const seedOptions = { api: api.url, token: tokens.ingest, nodes, seed: cluster.seed, podsPerNode: cluster.podsPerNode, hours: cluster.historyHours, intervalMs: cluster.intervalMs, concurrency: 4 };
    // baseline: one node of the same cluster, with the same history
    checkSeed(await seedCluster({ ...seedOptions, range: one }), 'the baseline node');
    result.baseline = await measureOverview(context, dashboard.url, 1, samples, () => dashboard.output());
    log(`dashboard: 1 node: rows visible p50 ${result.baseline.rowsVisible.p50} ms, load p50 ${result.baseline.load.p50} ms`);

    log(`dashboard: seeding ${nodes - 1} more nodes (${cluster.historyHours} h of churn, a snapshot every ${cluster.intervalMs / 60_000} min) through POST /api/v1/snapshots…`);
    const report = checkSeed(
      await seedCluster({ ...seedOptions, range: rest, onProgress: (p) => log(`dashboard: seed ${p.phase}: ${p.posted}/${p.total} snapshots, ${p.perSecond}/s`), progressEveryMs: 10_000 }),
      'the cluster',
    );
    const seconds = report.elapsedMs / 1000;
    result.seed = {
      snapshots: report.posted,
      seconds: round(seconds, 1),
      perSecond: round(report.posted / seconds, 1),
      statuses: report.statuses,
      changes: report.changes,
      meanBodyBytes: report.meanBodyBytes,
      post: summarise(report.latenciesMs, report.elapsedMs, 4),
    };
    result.loaded = await measureOverview(context, dashboard.url, nodes, samples, () => dashboard.output());
    log(`dashboard: ${nodes} nodes: rows visible p50 ${result.loaded.rowsVisible.p50} ms, load p50 ${result.loaded.load.p50} ms, ${result.loaded.tableRows} table rows (${result.loaded.pagination ?? 'no pagination found'})`);
    result.nodePage = await measureNodePage(context, dashboard.url, nodeName(nodes - 1), nodes, samples, () => dashboard.output());
    log(`dashboard: node page of ${result.nodePage.node}: first paint p95 ${result.nodePage.firstContentfulPaint.p95} ms, state tables visible p95 ${result.nodePage.stateVisible.p95} ms`);
    result.ratio = {
      rowsVisibleP50: round(result.loaded.rowsVisible.p50 / result.baseline.rowsVisible.p50),
      rowsVisibleP95: round(result.loaded.rowsVisible.p95 / result.baseline.rowsVisible.p95),
      loadP50: round(result.loaded.load.p50 / result.baseline.load.p50),
    };
  } finally {
    await stack.run();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
  return done(result);

  function done(r: DashboardResult): DashboardResult {
    r.durationS = round((Date.now() - started) / 1000, 1);
    if (r.skipped) log(`dashboard: skipped: ${r.skipped}`);
    return r;
  }
}

function checkSeed(report: SeedReport, what: string): SeedReport {
  if (report.failures.length > 0 || report.stopped) {
    const f = report.failures[0];
    throw new Error(`dashboard: seeding ${what} failed (${report.failures.length} snapshots${report.stopped ? `, ${report.stopped}` : ''})${f ? `: ${f.node}: ${f.status} ${f.error}` : ''}`);
  }
  return report;
}

/** A warm-up load, then `samples` loads of `/`, each in a new page of the same browser profile. */
async function measureOverview(context: BrowserContext, base: string, nodes: number, samples: number, serverLog: () => string): Promise<DashboardPhase> {
  const timings: PageTiming[] = [];
  for (let i = 0; i <= samples; i++) {
    const timing = await loadOverview(context, `${base}/`, serverLog);
    if (i > 0) timings.push(timing);
  }
  const sample = (pick: (t: PageTiming) => number) => {
    const values = timings.map(pick);
    return summarise(values, values.reduce((a, b) => a + b, 0), 1);
  };
  const rows = new Set(timings.map((t) => t.tableRows));
  if (rows.size > 1) throw new Error(`dashboard: the node table had ${[...rows].join(' and ')} rows in different loads of the same data`);
  return {
    nodes,
    rowsVisible: sample((t) => t.rowsVisible),
    rowsInDom: sample((t) => t.rowsInDom),
    firstContentfulPaint: sample((t) => t.firstContentfulPaint),
    ttfb: sample((t) => t.ttfb),
    domContentLoaded: sample((t) => t.domContentLoaded),
    load: sample((t) => t.load),
    tableRows: timings[0].tableRows,
    documentBytes: timings[timings.length - 1].documentBytes,
    pagination: timings[timings.length - 1].pagination,
  };
}

/** A warm-up load, then `samples` loads of one node's page, each in a new page of the same browser profile. */
async function measureNodePage(context: BrowserContext, base: string, node: string, nodes: number, samples: number, serverLog: () => string): Promise<NodePagePhase> {
  const timings: Array<{ firstContentfulPaint: number; stateVisible: number; load: number; rows: number }> = [];
  const url = `${base}/nodes/${encodeURIComponent(node)}`;
  for (let i = 0; i <= samples; i++) {
    const page = await context.newPage();
    try {
      await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
      try {
        await page.waitForFunction('window.__rsStateRows?.frameAt !== undefined && performance.getEntriesByType("navigation")[0]?.loadEventEnd > 0', undefined, { timeout: 30_000 });
      } catch (error) {
        const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
        throw new Error(`dashboard: no state routes table with rows on ${url} (${(error as Error).message.split('\n')[0]}); the page says: ${text}\n--- next start:\n${serverLog().slice(-2000)}`);
      }
      const timing = await page.evaluate<{ firstContentfulPaint: number; stateVisible: number; load: number; rows: number }>(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return { firstContentfulPaint: fcp ? fcp.startTime : NaN, stateVisible: window.__rsStateRows.frameAt, load: nav.loadEventEnd, rows: window.__rsStateRows.rows };
      })()`);
      if (i > 0) timings.push(timing);
    } finally {
      await page.close();
    }
  }
  const sample = (pick: (t: (typeof timings)[number]) => number) => {
    const values = timings.map(pick);
    return summarise(values, values.reduce((a, b) => a + b, 0), 1);
  };
  return { node, nodes, firstContentfulPaint: sample((t) => t.firstContentfulPaint), stateVisible: sample((t) => t.stateVisible), load: sample((t) => t.load), stateRows: timings[0]?.rows ?? 0 };
}

async function loadOverview(context: BrowserContext, url: string, serverLog: () => string): Promise<PageTiming> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    const table = page.getByRole('table', { name: TABLE_NAME });
    const bodyRows = table.locator('tbody').getByRole('row');
    try {
      await bodyRows.first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForFunction('window.__rsNodeRows?.frameAt !== undefined && performance.getEntriesByType("navigation")[0]?.loadEventEnd > 0', undefined, { timeout: 10_000 });
    } catch (error) {
      const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
      throw new Error(`dashboard: no node table with rows on ${url} (${(error as Error).message.split('\n')[0]}); the page says: ${text}\n--- next start:\n${serverLog().slice(-2000)}`);
    }
    const timing = await page.evaluate<Omit<PageTiming, 'tableRows'> & { probeRows: number }>(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { rowsVisible: window.__rsNodeRows.frameAt, rowsInDom: window.__rsNodeRows.inDomAt, probeRows: window.__rsNodeRows.rows, firstContentfulPaint: fcp ? fcp.startTime : NaN, ttfb: nav.responseStart, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, documentBytes: nav.transferSize };
    })()`);
    const tableRows = await bodyRows.count();
    if (tableRows !== timing.probeRows) throw new Error(`dashboard: the probe saw ${timing.probeRows} rows, Playwright ${tableRows}: the table streamed in parts; the probe needs to wait for the last`);
    const pagination = await page
      .getByRole('navigation', { name: /pages$/ })
      .first()
      .innerText({ timeout: 1000 })
      .then((text) => text.split('\n')[0].trim(), () => undefined);
    const { probeRows: _probeRows, ...times } = timing;
    if (process.env['BENCH_DASHBOARD_DEBUG']) log(`dashboard: ${url}: ${JSON.stringify({ ...times, tableRows })}`);
    return { ...times, tableRows, pagination };
  } finally {
    await page.close();
  }
}

// --- builds -------------------------------------------------------------------------------------

/** Builds the API when its bundle is missing or older than its sources, the dashboard likewise (nx: cached). */
function ensureBuilt(root: string, notes: string[]): void {
  const targets = [
    {
      project: 'api',
      output: join(root, 'apps/api/dist/main.js'),
      sources: ['apps/api/src', 'apps/api/webpack.config.js', 'libs/snapshot/src', 'libs/diff/src', 'libs/checks/src', 'libs/db/src', 'prisma'],
    },
    { project: 'dashboard', output: join(root, 'apps/dashboard/.next/BUILD_ID'), sources: ['apps/dashboard/app', 'apps/dashboard/next.config.ts'] },
  ];
  for (const target of targets) {
    const built = existsSync(target.output) ? statSync(target.output).mtimeMs : undefined;
    const newest = Math.max(...target.sources.map((s) => newestMtime(join(root, s))));
    if (built !== undefined && built >= newest) continue;
    const why = built === undefined ? `${target.output.slice(root.length + 1)} was missing` : 'it was older than its sources';
    log(`dashboard: building ${target.project} (${why}): npx nx run ${target.project}:build`);
    const t = Date.now();
    const build = spawnSync('npx', ['nx', 'run', `${target.project}:build`, '--output-style=static'], {
      cwd: root,
      stdio: ['ignore', 2, 2],
      env: { ...process.env, NX_DAEMON: 'false', NEXT_TELEMETRY_DISABLED: '1' },
    });
    const seconds = Math.round((Date.now() - t) / 1000);
    if (build.status === 0) {
      notes.push(`built ${target.project} first (${why}; ${seconds} s)`);
      continue;
    }
    // Others' half-written files can break a build: measure the last good one, and say so.
    if (!existsSync(target.output)) throw new Error(`dashboard: \`npx nx run ${target.project}:build\` failed (${build.status ?? build.signal}) and there is no earlier build`);
    const note = `\`npx nx run ${target.project}:build\` FAILED (${why}; see the log): measured the existing build of ${new Date(statSync(target.output).mtimeMs).toISOString()}`;
    log(`dashboard: ${note}`);
    notes.push(note);
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || /\.spec\.tsx?$/.test(entry.name)) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

// --- processes ----------------------------------------------------------------------------------

interface Server {
  url: string;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL to the process group, synchronously (on exit) */
  kill(): void;
}

/**
 * `command` in its own process group (so `next start`'s next-server child stops with it) on a free
 * loopback port, with a clean environment (no DATABASE_URL or ROUTESCOPE_* from ours); resolves
 * once `ready` answers 200.
 */
async function startServer(
  name: string,
  command: string,
  args: string[],
  o: { cwd: string; env: (port: number) => Record<string, string>; ready: string; portArgs?: (port: number) => string[] },
): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('ROUTESCOPE_') || key === 'DATABASE_URL' || key.startsWith('BENCH_')) delete env[key];
  const child = spawn(command, [...args, ...(o.portArgs?.(port) ?? [])], { cwd: o.cwd, env: { ...env, ...o.env(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: () => signalGroup(child, 'SIGKILL'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dashboard: the ${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output.slice(-3000)}`);
    const ok = await fetch(`${server.url}${o.ready}`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`dashboard: the ${name} was not ready within 90 s:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('dashboard: no free port');
  return address.port;
}

/** Undo steps run last-in first-out, each whatever the others did; killNow() is the synchronous part for exits. */
class Cleanup {
  private readonly steps: Array<{ run: () => Promise<unknown>; kill?: () => void }> = [];
  private running?: Promise<void>;

  add(run: () => Promise<unknown>, kill?: () => void): void {
    this.steps.push({ run, kill });
  }

  killNow(): void {
    for (const step of this.steps) step.kill?.();
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          log(`dashboard: cleanup: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

async function withAdmin<T>(serverUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function secret(name: string): string {
  return `rs_bench_${name}_${randomBytes(16).toString('hex')}`;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

// --- report -------------------------------------------------------------------------------------

export interface DashboardTarget {
  name: string;
  value: string;
  met?: boolean;
}

/** The issue's targets on this run (quick asserts nothing). */
export function dashboardTargets(r: DashboardResult): DashboardTarget[] {
  if (!r.loaded || !r.baseline) return [];
  const checks: DashboardTarget[] = [
    {
      name: `overview with ${r.loaded.nodes.toLocaleString('en')} nodes: node table rows visible, p95 < 2 s`,
      value: `${r.loaded.rowsVisible.p95} ms (${r.ratio?.rowsVisibleP95}× the 1-node baseline; whole page loaded p95 ${r.loaded.load.p95} ms)`,
      met: r.loaded.rowsVisible.p95 < 2000,
    },
    {
      name: 'the node table paginates (rows in the DOM ≪ nodes)',
      value: `${r.loaded.tableRows} rows for ${r.loaded.nodes.toLocaleString('en')} nodes`,
      met: r.loaded.tableRows * 10 <= r.loaded.nodes,
    },
  ];
  if (r.nodePage) {
    const p = r.nodePage;
    checks.push(
      {
        name: `node page with ${p.nodes.toLocaleString('en')} nodes: first content, p95 < 1 s`,
        value: `${p.firstContentfulPaint.p95} ms (${p.node})`,
        met: p.firstContentfulPaint.p95 < 1000,
      },
      {
        name: `node page with ${p.nodes.toLocaleString('en')} nodes: state tables visible, p95 < 2 s`,
        value: `${p.stateVisible.p95} ms (${p.stateRows} routes; whole page loaded p95 ${p.load.p95} ms)`,
        met: p.stateVisible.p95 < 2000,
      },
    );
  }
  if (r.mode === 'quick') return checks.map((t) => ({ ...t, met: undefined, value: `${t.value} (quick: not asserted)` }));
  return checks;
}

/** The report's section (markdown), in the style of report.ts. */
export function renderDashboardSection(r: DashboardResult): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  const lat = (s: Sample) => `${ms(s.p50)} / ${ms(s.p95)}`;
  const n = (v: number) => v.toLocaleString('en');

  line(`## Dashboard overview: 1 node vs ${n(r.nodes ?? 0)} nodes (built API + \`next start\`, headless Chromium; p50 / p95 ms from navigation start)`);
  const { baseline, loaded, ratio, cluster: c, seed: s } = r;
  if (r.skipped || !baseline || !loaded || !ratio || !c || !s) {
    line(`skipped: ${r.skipped ?? 'no result'}`);
    line();
    return `${out.join('\n')}\n`;
  }
  const row = (label: string, p: DashboardPhase) => [
    label,
    n(p.nodes),
    p.tableRows,
    lat(p.rowsVisible),
    lat(p.ttfb),
    lat(p.firstContentfulPaint),
    lat(p.domContentLoaded),
    lat(p.load),
    `${Math.round(p.documentBytes / 1024)} KB`,
  ];
  for (const l of markdownTable(
    ['', 'nodes', 'table rows in DOM', 'node rows visible', 'TTFB', 'first paint', 'DOMContentLoaded', 'load (page complete)', 'HTML'],
    [
      row('baseline', baseline),
      row('loaded', loaded),
      ['loaded / baseline', '', '', `${ratio.rowsVisibleP50}× / ${ratio.rowsVisibleP95}×`, '', '', '', `${ratio.loadP50}× (p50)`, ''],
    ],
  ))
    line(l);
  line(
    `node rows visible = the first animation frame after the node table (by its accessible name "Nodes…") has rendered body rows; React reveals streamed content in batches, so this can come after the load event. ` +
      `Pagination: ${loaded.pagination ?? 'not found on the page'}.`,
  );
  line(
    `${baseline.rowsVisible.count} loads per row after a warm-up load, each a new page of one browser profile (\`/\`: rate chart over 24 h, open findings, first page of the node table). ` +
      `Cluster: libs/synth seed ${c.seed}, ${c.podsPerNode} pods per node, ${c.historyHours} h of churn history (a snapshot per node every ${c.intervalMs / 60_000} min), ` +
      `loaded with tools/seed through \`POST /api/v1/snapshots\`: ${n(s.snapshots)} snapshots (~${Math.round(s.meanBodyBytes / 1024)} KB) in ${s.seconds} s (${s.perSecond}/s at 4 in flight, p50 / p95 ${lat(s.post)} ms), ` +
      `${Object.entries(s.statuses).map(([k, v]) => `${n(v)} ${k}`).join(', ')}; ${n(s.changes)} facts opened or closed (the first snapshots' included).`,
  );
  if (r.nodePage) {
    const p = r.nodePage;
    line();
    line(`### Node page (\`/nodes/${p.node}\`) with ${n(p.nodes)} nodes loaded: p50 / p95 ms from navigation start`);
    for (const l of markdownTable(['first paint (header, time control)', 'state tables visible', 'load (page complete)', 'routes rows'], [[lat(p.firstContentfulPaint), lat(p.stateVisible), lat(p.load), String(p.stateRows)]])) line(l);
    line('state tables visible = the first animation frame after the routes table ("Routes of <node> (host)") has rendered body rows. Targets (issue #14): first content < 1 s, state tables < 2 s (p95).');
  }
  if (r.startup) line(`Start-up: API ${r.startup.apiMs} ms (migrations on a fresh database), dashboard ${r.startup.dashboardMs} ms, Chromium ${r.startup.browserMs} ms; ${r.durationS} s in all.`);
  for (const note of r.notes) line(`- ${note}`);
  line();
  return `${out.join('\n')}\n`;
}

