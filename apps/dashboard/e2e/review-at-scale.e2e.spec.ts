import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectNoSeriousA11yViolations, iso } from './support/page-checks';
import { secret, signIn, startApi, startDashboard, workspaceRoot, type RunningServer } from './support/servers';

// Issue #14, "Done when": the incident review of a window with more than 1,000 changes charts the
// same total as `clusterChangeRate` and pages through all of them. A fresh API of its own, loaded
// by the real `npm run seed` CLI (tools/seed, libs/synth's churn model, the real ingest endpoint);
// the API is asked over HTTP what the window holds, the page is read in Chromium.

const run = promisify(execFile);
const SEED = join(workspaceRoot, 'tools/seed/seed.mjs');

let dataDir: string;
let api: RunningServer;
let dashboard: RunningServer;
const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
/** The review window: from just after a round of snapshots (not on a chart bucket's edge) to the last one. */
let window: { from: Date; to: Date };

async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.read}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The API's count of the window's changes: clusterChangeRate in one bucket over exactly (from, to]. */
async function apiTotal(from: Date, to: Date): Promise<number> {
  const data = await graphql<{ clusterChangeRate: Array<{ count: number }> }>('query($from: DateTime!, $to: DateTime!) { clusterChangeRate(from: $from, to: $to, buckets: 1) { count } }', {
    from: iso(from),
    to: iso(to),
  });
  return data.clusterChangeRate.reduce((sum, b) => sum + b.count, 0);
}

/** Instants at which some node recorded changes, from the first page of clusterChanges over the history. */
async function changeInstants(from: Date, to: Date): Promise<number[]> {
  const data = await graphql<{ clusterChanges: { edges: Array<{ node: { at: string } }> } }>(
    'query($from: DateTime!, $to: DateTime!) { clusterChanges(from: $from, to: $to, first: 1000) { edges { node { at } } } }',
    { from: iso(from), to: iso(to) },
  );
  return [...new Set(data.clusterChanges.edges.map((e) => Date.parse(e.node.at)))].sort((a, b) => a - b);
}

test.describe.configure({ timeout: 300_000 });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  dataDir = await mkdtemp(join(tmpdir(), 'rs-dashboard-review-e2e-'));
  api = await startApi({ dataDir: join(dataDir, 'data'), ingestToken: tokens.ingest, readToken: tokens.read, adminToken: tokens.admin });
  // 50 nodes with an hour of churn, a snapshot every 3 minutes: ~1,200 changes (two pages), seeded in ~1 min on 2 cores.
  const started = Date.now();
  await run(process.execPath, [SEED, '--api', api.url, '--token', tokens.ingest, '--nodes', '50', '--pods', '4', '--hours', '1', '--interval', '3m'], { cwd: workspaceRoot, timeout: 180_000 });
  const end = new Date();
  const instants = await changeInstants(new Date(started - 2 * 3_600_000), end);
  expect(instants.length, 'the seeded history has changes at several instants').toBeGreaterThan(3);
  // One second after an instant with changes: the changes at that instant are outside the window,
  // but inside a chart bucket aligned on round minutes (a chart of aligned buckets would count them).
  window = { from: new Date(instants[1]! + 1000), to: end };
  dashboard = await startDashboard({ apiUrl: api.url });
});

test.afterAll(async () => {
  await dashboard?.stop();
  await api?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function signedIn(page: Page): Promise<void> {
  const session = await signIn(dashboard.url, tokens.read);
  await page.context().clearCookies();
  await page.context().addCookies([{ name: session.name, value: session.value, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict', secure: false, expires: session.expires }]);
}

// axe at scale once, at desktop width: on 1,000 rows it takes ~40 s (color-contrast alone checks
// ~5,800 elements, 29 s). The review page at 375 px passes axe in time-and-state's layout test.
for (const viewport of [
  { name: 'desktop', width: 1440, height: 900, axe: true },
  { name: 'phone', width: 375, height: 800, axe: false },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('a review window with more than 1,000 changes charts the API’s total and pages through every change once', async ({ page }) => {
      await signedIn(page);
      const { from, to } = window;
      const total = await apiTotal(from, to);
      expect(total, 'the window holds more than one page of changes').toBeGreaterThan(1000);

      await page.goto(`${dashboard.url}/review?from=${iso(from)}&to=${iso(to)}`);
      await expect(page.getByRole('heading', { level: 1, name: 'Incident review' })).toBeVisible();
      await expect(page.getByTestId('review-total')).toHaveText(new RegExp(`^${total} changes from `));
      if (viewport.axe) await expectNoSeriousA11yViolations(page, `review of ${total} changes at ${viewport.width} px`);

      const listed: string[] = [];
      for (let pageNumber = 1; ; pageNumber++) {
        const rows = page.locator('section.review-node tbody tr[data-cursor]');
        await expect(rows.first()).toBeVisible();
        listed.push(...(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-cursor') ?? ''))));
        const next = page.getByRole('link', { name: /^Next \d+ changes/ });
        if ((await next.count()) === 0) break;
        expect(pageNumber, 'pages of 1,000 end').toBeLessThan(Math.ceil(total / 1000) + 1);
        const cursor = new URL((await next.getAttribute('href'))!, dashboard.url).searchParams.get('after');
        expect(cursor, 'the next page is asked for by cursor').toBeTruthy();
        await next.click();
        // a page of 1,000 changes rendered on the server: slow on a loaded CI machine, never a fixed wait
        await page.waitForURL((url) => url.searchParams.get('after') === cursor, { timeout: 90_000 });
        await expect(page.getByText('Continued from an earlier page.')).toBeVisible({ timeout: 90_000 });
      }
      expect(new Set(listed).size, 'no change listed twice').toBe(listed.length);
      expect(listed.length, 'every change of the window listed').toBe(total);
    });
  });
}
