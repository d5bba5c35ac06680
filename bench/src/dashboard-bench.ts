import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type BrowserContext } from '@playwright/test';
import { seedCluster, type SeedReport } from '@routescope/seed';
import { nodeName } from '@routescope/synth';
import { nodePageTargets, type DashboardPhase, type DashboardResult, type NodePagePhase } from './dashboard-report';
import { log, round, summarise } from './measure';
import { ROWS_PROBE, STATE_PROBE, TABLE_NAME } from './dashboard-page-probes';
import { onPostgresServer, scratchDatabase, testServerUrl } from '@routescope/testing';
import { Cleanup, startApi, startServer } from './server-processes';

// Issue #5: "with 1,000 synthetic nodes loaded, the overview renders in < 2 s and the node table
// paginates". The real processes, as a user runs them: the built API (apps/api/dist/main.js) on a
// fresh PostgreSQL database and the built dashboard (`next start`), loaded through the real ingest
// endpoint by the seed tool (tools/seed), measured in headless Chromium. The baseline is the same
// page with one node of the same cluster loaded, measured in the same run; the ratio is the result.

/** The header a trusted authenticating proxy would set (ROUTESCOPE_DASHBOARD_TRUSTED_HEADER). */
const BENCH_PROXY_HEADER = 'x-bench-user';

export interface DashboardOptions {
  quick: boolean;
  /** any database on the PostgreSQL server to create the scratch database on (default $ROUTESCOPE_TEST_PG_URL or 127.0.0.1:5432) */
  databaseUrlBase?: string;
}

const CHROMIUM = process.env['ROUTESCOPE_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

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
  const serverUrl = o.databaseUrlBase ?? testServerUrl();
  try {
    await onPostgresServer(serverUrl, async () => undefined);
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
    const database = await scratchDatabase('rs_bench_dashboard', serverUrl);
    stack.add(() => database.drop());
    const dataDir = mkdtempSync(join(tmpdir(), 'rs-bench-dashboard-'));
    stack.add(async () => rmSync(dataDir, { recursive: true, force: true }));
    const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };

    let t = performance.now();
    const api = await startApi(join(root, 'apps/api/dist/main.js'), {
      cwd: root,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        ROUTESCOPE_DATA_DIR: join(dataDir, 'data'),
        ROUTESCOPE_INGEST_TOKEN: tokens.ingest,
        ROUTESCOPE_READ_TOKEN: tokens.read,
        ROUTESCOPE_ADMIN_TOKEN: tokens.admin,
        ROUTESCOPE_KUBERNETES: 'off',
        ROUTESCOPE_LOG_LEVEL: 'warn',
        // Seeding and page loads at full speed: per-token rate limits would cap the bench instead.
        ROUTESCOPE_RATE_LIMIT_INGEST: '0',
        ROUTESCOPE_RATE_LIMIT_GRAPHQL: '0',
      },
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
    log(`dashboard: API ${api.url} (${database.name}), dashboard ${dashboard.url}, Chromium up in ${result.startup.apiMs + result.startup.dashboardMs + result.startup.browserMs} ms`);

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
    result.nodePageTargets = nodePageTargets(result.nodePage, result.mode);
    log(`dashboard: node page of ${result.nodePage.node}: ${result.nodePageTargets.map((t) => `${t.name} ${t.measuredMs} ms vs < ${t.targetMs} ms: ${t.verdict}`).join('; ')}`);
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

function secret(name: string): string {
  return `rs_bench_${name}_${randomBytes(16).toString('hex')}`;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
