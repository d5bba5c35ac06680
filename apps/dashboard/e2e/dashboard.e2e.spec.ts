import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { liveSnapshot, postSnapshots } from './support/recorded-history';
import { freePort } from '@routescope/testing';
import { signIn, startDashboard, type RunningServer } from './support/servers';
import { dashboardUrl, expectNoSeriousA11yViolations, history, iso, minutes } from './support/page-checks';

// What an SRE relies on, in a real browser against the real API: the nodes and their gaps, the
// node's state and timeline, the diff in red and green, the incident review at the right time,
// live updates, clear errors, and no serious accessibility violation on any page.

const ARTIFACTS = join(__dirname, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The browser must never see the API's token: not in HTML, RSC payloads, scripts or the live stream. */
function watchForToken(page: Page): () => string[] {
  const leaks: string[] = [];
  const token = process.env.E2E_READ_TOKEN!;
  page.on('response', async (response) => {
    if (response.url().includes('/api/live')) return;
    const body = await response.text().catch(() => '');
    if (body.includes(token)) leaks.push(response.url());
  });
  return () => leaks;
}

test.describe('overview', () => {
  test('shows the injected fault (proxy_arp off on a pod veth) as an open finding, on the list and in its node row', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/`);
    const finding = page.getByTestId('findings-list').locator('li[data-rule="CALICO_PROXY_ARP"]');
    await expect(finding).toHaveCount(1);
    await expect(finding).toHaveAttribute('data-node', 'node-a');
    await expect(finding).toContainText('Proxy ARP is off');
    await expect(finding).toContainText(h.faultVeth);
    await expect(finding).toContainText(`opened ${h.faultAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    await expect(page.locator('tr[data-node="node-a"]')).toContainText(/\d+ errors?/);
    // Sorting by open findings (the API orders every node, worst first on the first click) puts the faulty node first.
    await page.getByRole('link', { name: /^Open findings/ }).click();
    await expect(page).toHaveURL(/sort=findings&dir=desc$/);
    await expect(page.locator('th[aria-sort="descending"]')).toContainText('Open findings');
    await expect(page.getByTestId('nodes-table').locator('tbody th').first()).toHaveText('node-a');
    await page.getByRole('link', { name: /^Open findings/ }).click();
    await expect(page).toHaveURL(/sort=findings$/);
    await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Open findings');
    await expect(page.getByTestId('nodes-table').locator('tbody th').last()).toHaveText('node-a');
  });

  test('lists every node with its status, data gaps and changes, charts the rate of change, and passes axe', async ({ page }) => {
    const leaks = watchForToken(page);
    await page.goto(`${dashboardUrl()}/`);
    const table = page.getByTestId('nodes-table');
    await expect(table.locator('tbody tr')).toHaveCount(3);
    await expect(table.locator('tbody th')).toHaveText(['node-a', 'node-b', 'node-c']);
    // node-c was silent for over an hour: its gap shows; node-a has none.
    await expect(table.locator('tr[data-node="node-c"] td').nth(2)).toContainText('1 ·');
    await expect(table.locator('tr[data-node="node-a"] td').nth(2)).toHaveText('none');
    await expect(table.locator('tr[data-node="node-a"]')).toContainText('Reporting');
    await expect(page.getByTestId('change-timeline').locator('svg.recharts-surface')).toBeVisible();
    await expect(page.getByText('Live', { exact: false }).first()).toBeVisible();
    await screenshot(page, 'overview');
    await expectNoSeriousA11yViolations(page, 'overview');
    expect(leaks()).toEqual([]);
  });

  test('sorts and filters the node table through the URL, with the keyboard', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/`);
    const table = page.getByTestId('nodes-table');
    await page.getByRole('link', { name: /^Last seen/ }).focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/sort=lastSeen/);
    await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Last seen');
    // Data gaps are shown but the API cannot order by them: no sort control, no aria-sort.
    await expect(page.getByRole('columnheader', { name: 'Data gaps (24 h)' }).getByRole('link')).toHaveCount(0);
    // Changes in the last 24 h, most first: the API sorted every node, so the column reads downwards.
    await page.getByRole('link', { name: /^Changes \(24 h\)/ }).focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/sort=changes&dir=desc/);
    await expect(page.locator('th[aria-sort="descending"]')).toContainText('Changes (24 h)');
    const changes = (await table.locator('tbody tr td:last-child').allTextContents()).map(Number);
    expect(changes).toHaveLength(3);
    expect(changes).toEqual([...changes].sort((a, b) => b - a));
    // The view is a permalink: reloading it keeps the order.
    await page.reload();
    await expect(page.locator('th[aria-sort="descending"]')).toContainText('Changes (24 h)');
    await page.getByLabel('Name contains').fill('node-c');
    await page.getByLabel('Name contains').press('Enter');
    await expect(page).toHaveURL(/q=node-c/);
    await expect(page).toHaveURL(/sort=changes&dir=desc/);
    await expect(table.locator('tbody tr')).toHaveCount(1);
  });

  test('filters by status and by open findings on the server, with labelled controls', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/`);
    const table = page.getByTestId('nodes-table');
    // Every node of the recorded history reports: "Silent" matches none of them.
    await page.getByRole('combobox', { name: 'Status' }).selectOption('SILENT');
    await page.getByRole('form', { name: 'Filter nodes' }).getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/status=SILENT/);
    await expect(page.getByText('No node matches')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'nodes pages' })).toContainText('0 of 0 nodes');
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await expect(table.locator('tbody tr')).toHaveCount(3);
    // Only nodes with an open finding: node-a's proxy_arp fault is open; every row shown has a finding.
    await page.getByRole('combobox', { name: 'Open findings' }).selectOption('open');
    await page.getByRole('form', { name: 'Filter nodes' }).getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/findings=open/);
    await expect(table.locator('tr[data-node="node-a"]')).toHaveCount(1);
    await expect(table.locator('tbody tr td:nth-of-type(4)').filter({ hasText: 'none' })).toHaveCount(0);
    await expect(page.getByTestId('nodes-note')).toContainText('Sorted and filtered over all');
    await expectNoSeriousA11yViolations(page, 'overview (filtered)');
  });

  test('is readable in the dark theme too', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/`);
    await page.getByLabel('Theme').selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(14, 17, 22)');
    await screenshot(page, 'overview-dark');
    await expectNoSeriousA11yViolations(page, 'overview (dark)');
  });

  test('updates live when a node records a change, through the server-side subscription proxy', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/`);
    const live = page.locator('.live');
    await expect(live).toHaveAttribute('data-state', 'live');
    const changes = page.locator('tr[data-node="node-b"] td').last();
    const before = Number(await changes.textContent());
    await postSnapshots(process.env.E2E_API_URL!, process.env.E2E_INGEST_TOKEN!, [liveSnapshot(new Date())]);
    await expect(live).toContainText('change on node-b');
    await expect.poll(async () => Number(await changes.textContent())).toBeGreaterThan(before);
  });
});

test.describe('node', () => {
  test('shows the current state in tabs, the pods next to their host veth with the injected proxy_arp fault, and passes axe', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/nodes/node-a`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('node-a');
    const routes = page.getByRole('tabpanel', { name: /Routes/ });
    await expect(routes).toContainText('10.244.3.0/26 via 10.0.0.23 dev tunl0 proto bird onlink');
    // Tabs work with the keyboard: from Routes, End goes to Pods.
    await page.getByRole('tab', { name: /Routes/ }).focus();
    await page.keyboard.press('End');
    await expect(page.getByRole('tab', { name: /Pods/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page).toHaveURL(/tab=pods/);
    const pod = page.locator('[data-pod="cni-0a1a1a1a-0000-4000-8000-00000000a001"]');
    await expect(pod).toContainText(`↔ host veth ${h.faultVeth}`);
    // The finding the API raised, and the very fact its evidence names flagged (the dashboard judges nothing itself).
    await expect(pod.locator('li.flag')).toContainText(`net.ipv4.conf.${h.faultVeth}.proxy_arp = 0 — evidence of CALICO_PROXY_ARP`);
    await expect(pod.locator('li[data-rule="CALICO_PROXY_ARP"]')).toContainText('Proxy ARP is off');
    await expect(page.getByRole('heading', { name: 'Latest changes' })).toBeVisible();
    const finding = page.locator('#node-findings-title ~ [data-testid="findings-list"] li[data-rule="CALICO_PROXY_ARP"]');
    await expect(finding).toContainText(`opened ${h.faultAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    await expect(finding).toHaveAttribute('data-open', 'true');
    await expect(page.locator('#latest-title + p + ol > li').first()).toContainText('changed sysctl');
    await screenshot(page, 'node');
    await expectNoSeriousA11yViolations(page, 'node');
  });

  test('shows the state at an earlier time, before the route changed', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/nodes/node-a`);
    await page.getByLabel('State at (UTC)').fill(iso(new Date(h.routeChangedAt.getTime() - minutes(5))));
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(page).toHaveURL(/at=/);
    await expect(page.getByRole('heading', { name: /^State at / })).toBeVisible();
    await expect(page.getByRole('tabpanel', { name: /Routes/ })).toContainText('10.244.3.0/26 via 10.0.0.13 dev tunl0');
    await expect(page.locator('.marker-line')).toHaveCount(1);
  });

  test('shades the coverage gap of a node that stopped reporting', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-c?from=now-6h&to=now`);
    await expect(page.locator('.gap-area')).toHaveCount(1);
    await expect(page.getByTestId('gap-legend')).toContainText('no data (1 gap');
    await screenshot(page, 'node-gap');
  });

  test('lists a finding that opened and resolved with both times', async ({ page }) => {
    const { delayFault } = history();
    await page.goto(`${dashboardUrl()}/nodes/node-b`);
    // Resolved: not open now, listed with every finding of the node.
    await page.getByText(/^Every finding of this node/).click();
    const finding = page.locator('#node-findings-title ~ details [data-testid="findings-list"] li[data-rule="CALICO_PROXY_DELAY"]');
    await expect(finding).toHaveAttribute('data-open', 'false');
    await expect(finding).toContainText(`opened ${delayFault.opened.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    await expect(finding).toContainText(`resolved ${delayFault.resolved.toISOString().slice(0, 19).replace('T', ' ')} UTC (after 30 min)`);
    await screenshot(page, 'node-findings');
  });

  test('says when a node does not exist', async ({ page }) => {
    const response = await page.goto(`${dashboardUrl()}/nodes/no-such-node`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Node not found' })).toBeVisible();
  });
});

test.describe('diff', () => {
  test('shows the changed route like git, in red and green, with before and after, and passes axe', async ({ page }) => {
    const h = history();
    const from = new Date(h.routeChangedAt.getTime() - minutes(5));
    const to = new Date(h.routeChangedAt.getTime() + minutes(5));
    await page.goto(`${dashboardUrl()}/nodes/node-a/diff?from=${iso(from)}&to=${iso(to)}`);
    const entry = page.locator('[data-key="main|inet|unicast|10.244.3.0/26|0"]');
    await expect(entry).toHaveAttribute('data-change', 'changed');
    const removed = entry.locator('.diff-removed');
    const added = entry.locator('.diff-added');
    await expect(removed).toContainText('10.244.3.0/26 via 10.0.0.13 dev tunl0');
    await expect(added).toContainText('10.244.3.0/26 via 10.0.0.23 dev tunl0');
    const colours = async (locator: typeof removed) => locator.evaluate((el) => ({ color: getComputedStyle(el).color, background: getComputedStyle(el).backgroundColor }));
    const rgb = (css: string) => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number) as [number, number, number];
    const red = await colours(removed);
    const green = await colours(added);
    // Removed: red text on a red tint; added: green text on a green tint.
    expect(rgb(red.color)[0]).toBeGreaterThan(rgb(red.color)[1] + 60);
    expect(rgb(red.background)[0]).toBeGreaterThan(rgb(red.background)[1]);
    expect(rgb(green.color)[1]).toBeGreaterThan(rgb(green.color)[0] + 40);
    expect(rgb(green.background)[1]).toBeGreaterThan(rgb(green.background)[0]);
    await expect(entry).toContainText('changed: gateway 10.0.0.13 → 10.0.0.23');
    // Only the route changed in that window.
    await expect(page.getByTestId('diff-counts')).toHaveText('1 difference: 0 added, 0 removed, 1 changed');
    await screenshot(page, 'diff');
    await expectNoSeriousA11yViolations(page, 'diff');
  });

  test('turns a quick range into an absolute permalink', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-a/diff`);
    await page.getByRole('link', { name: 'Last 24 h' }).click();
    await expect(page).toHaveURL(/\/nodes\/node-a\/diff\?from=\d{4}-\d\d-\d\dT[\d:]+Z&to=\d{4}-\d\d-\d\dT[\d:]+Z$/);
    // Everything since the first snapshot: the route change and the proxy_arp fault.
    await expect(page.locator('[data-key="main|inet|unicast|10.244.3.0/26|0"]')).toHaveCount(1);
    await expect(page.locator(`[data-key="net/ipv4/conf/${history().faultVeth}/proxy_arp"]`)).toHaveCount(1);
  });

  test('compares the node with another node at the same time', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-a/diff`);
    await page.getByLabel('Other node', { exact: true }).fill('node-b');
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(page).toHaveURL(/other=node-b&at=/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('node-a compared with node-b');
    await expect(page.locator('[data-namespace="host"] [data-section="addresses"]')).toContainText('eth0: inet 10.0.0.12/24');
    await screenshot(page, 'diff-nodes');
    await expectNoSeriousA11yViolations(page, 'diff (two nodes)');
  });

  test('explains a bad time range next to the field', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-a/diff?from=2026-01-02T10:00:00Z&to=2026-01-02T09:00:00Z`);
    await expect(page.getByLabel('To (UTC)')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('“to” must be after “from”').first()).toBeVisible();
    // The input stays as sent and no other range is compared instead.
    await expect(page.getByLabel('To (UTC)')).toHaveValue('2026-01-02T09:00:00Z');
    await expect(page.getByTestId('range-error')).toContainText('No diff shown');
    await expect(page.getByTestId('diff-counts')).toHaveCount(0);
  });
});

test.describe('incident review', () => {
  test('lists every change of the window by node at the right time, each row jumping to the node diff, and passes axe', async ({ page }) => {
    const h = history();
    const from = new Date(h.routeChangedAt.getTime() - minutes(15));
    const to = new Date(h.faultAt.getTime() + minutes(5));
    await page.goto(`${dashboardUrl()}/review?from=${iso(from)}&to=${iso(to)}`);
    const nodeA = page.locator('section[data-node="node-a"]');
    const routeRow = nodeA.locator(`tr[data-kind="ROUTE"][data-at="${h.routeChangedAt.toISOString()}"]`);
    await expect(routeRow).toContainText(h.routeChangedAt.toISOString().slice(0, 19).replace('T', ' '));
    await expect(routeRow).toContainText('10.244.3.0/26 via 10.0.0.23');
    // In time order: the route change, then the proxy_arp fault.
    await expect(nodeA.locator('tbody tr')).toHaveCount(2);
    await expect(nodeA.locator('tbody tr').nth(1)).toHaveAttribute('data-kind', 'SYSCTL');
    // node-b's second pod appeared before this window; node-c was silent: neither is listed.
    await expect(page.locator('section[data-node]')).toHaveCount(1);
    await expect(page.getByTestId('review-findings-by-rule').locator('> li[data-rule="CALICO_PROXY_ARP"]')).toContainText('1 finding on 1 node');
    await screenshot(page, 'review');
    await expectNoSeriousA11yViolations(page, 'review');
    await routeRow.getByRole('link').click();
    await expect(page).toHaveURL(/\/nodes\/node-a\/diff\?from=.*&to=/);
    await expect(page.locator('[data-key="main|inet|unicast|10.244.3.0/26|0"] .diff-added')).toContainText('via 10.0.0.23');
  });

  test('says when nothing changed in the window', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/review?from=${iso(new Date(h.first.getTime() - minutes(60)))}&to=${iso(new Date(h.first.getTime() - minutes(30)))}`);
    await expect(page.getByText('No changes in this window')).toBeVisible();
  });
});

test.describe('cluster blocks', () => {
  test('shows the block × node matrix with the misrouted block, each cell linking to its evidence, and passes axe', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/cluster/blocks`);
    const matrix = page.getByTestId('block-matrix');
    await expect(matrix.locator('tbody tr')).toHaveCount(3);
    // node-a sends node-c's block to 10.0.0.23, which is no node: wrong node; everyone else is ok or the owner.
    const cell = matrix.locator('tr[data-block="10.244.3.0/26"] td[data-node="node-a"]');
    await expect(cell).toHaveAttribute('data-status', 'WRONG_NODE');
    await expect(cell).toHaveText('wrong node');
    await expect(matrix.locator('tr[data-block="10.244.3.0/26"] td[data-node="node-c"]')).toHaveText('owner');
    await expect(matrix.locator('tr[data-block="10.244.1.0/26"] td[data-node="node-b"]')).toHaveText('ok');
    await expect(page.getByTestId('blocks-summary')).toContainText('1 cell needs attention');
    await cell.getByRole('link').focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/block=10\.244\.3\.0%2F26&node=node-a#evidence$/);
    const evidence = page.getByTestId('block-evidence');
    await expect(evidence).toContainText('10.244.3.0/26 via 10.0.0.23 dev tunl0 proto bird onlink');
    await screenshot(page, 'blocks');
    await expectNoSeriousA11yViolations(page, 'cluster blocks');
  });

  test('filters to the blocks with problems and pages, with labelled controls, from the keyboard', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/cluster/blocks?size=25`);
    await expect(page.getByTestId('block-matrix').locator('tbody tr')).toHaveCount(3);
    await page.getByLabel('Only blocks with problems').focus();
    await page.keyboard.press('Space');
    await expect(page.getByLabel('Only blocks with problems')).toBeChecked();
    await page.getByRole('button', { name: 'Show', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/problems=1/);
    const matrix = page.getByTestId('block-matrix');
    await expect(matrix.locator('tbody tr')).toHaveCount(1);
    await expect(matrix.locator('tbody tr')).toHaveAttribute('data-block', '10.244.3.0/26');
    await expect(page.getByRole('navigation', { name: 'blocks with problems pages' })).toContainText('1–1 of 1 blocks with problems');
    // The whole matrix is still counted.
    await expect(page.getByTestId('blocks-summary')).toContainText('3 blocks on 3 nodes');
    // The block's own evidence: its owner and the nodes that do not route it to the owner.
    await matrix.getByRole('link', { name: /Block 10\.244\.3\.0\/26, owned by node-c/ }).click();
    await expect(page.getByTestId('block-evidence')).toContainText('1 of 2 other nodes do not route it to its owner');
    await expectNoSeriousA11yViolations(page, 'cluster blocks, filtered');
  });

  test('rebuilds the matrix at an earlier time, before the route changed', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/cluster/blocks?at=${iso(new Date(h.routeChangedAt.getTime() - minutes(5)))}`);
    await expect(page.getByTestId('block-matrix').locator('tr[data-block="10.244.3.0/26"] td[data-node="node-a"]')).toHaveText('ok');
  });
});

test.describe('when the API cannot be used (behind a trusted authenticating proxy)', () => {
  // These dashboards trust X-Forwarded-User and hold a read token of their own: a wrong one, and
  // a right one for an API that is not there.
  let wrongToken: RunningServer;
  let unreachable: RunningServer;
  test.use({ storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { 'X-Forwarded-User': 'sre@example.org' } });
  test.beforeAll(async () => {
    [wrongToken, unreachable] = await Promise.all([
      startDashboard({ apiUrl: process.env.E2E_API_URL!, trustedHeader: 'X-Forwarded-User', readToken: 'rs_e2e_not_a_valid_token_00000000' }),
      startDashboard({ apiUrl: `http://127.0.0.1:${await freePort()}`, trustedHeader: 'X-Forwarded-User', readToken: process.env.E2E_READ_TOKEN! }),
    ]);
  });
  test.afterAll(async () => {
    await Promise.all([wrongToken?.stop(), unreachable?.stop()]);
  });

  test('says the token was rejected', async ({ page }) => {
    await page.goto(`${wrongToken.url}/`);
    const alert = page.locator('section[role="alert"]');
    await expect(alert).toContainText('The API rejected the dashboard’s read token.');
    await expect(alert).toContainText('UNAUTHENTICATED');
    await expect(page.locator('.live')).toHaveAttribute('data-state', 'unavailable');
    await screenshot(page, 'error-token');
    await expectNoSeriousA11yViolations(page, 'error (token)');
  });

  test('says the API is unreachable', async ({ page }) => {
    await page.goto(`${unreachable.url}/nodes/node-a`);
    const alert = page.locator('section[role="alert"]');
    await expect(alert).toContainText('The Routescope API is unreachable.');
    await expect(alert).toContainText('ECONNREFUSED');
    await screenshot(page, 'error-unreachable');
    await expectNoSeriousA11yViolations(page, 'error (unreachable)');
  });

  test('still asks for a sign-in when the header is missing', async ({ browser }) => {
    // The describe's options apply to new contexts too: this one sends no proxy header.
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, extraHTTPHeaders: {} });
    const page = await context.newPage();
    await page.goto(`${wrongToken.url}/review`);
    await expect(page).toHaveURL(`${wrongToken.url}/sign-in?next=%2Freview`);
    await context.close();
  });
});

test.describe('sign-in', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('asks for a read token, refuses wrong ones, then shows the page asked for; sign-out ends the session', async ({ page, context }) => {
    const leaks = watchForToken(page);
    await page.goto(`${dashboardUrl()}/nodes/node-a`);
    await expect(page).toHaveURL(`${dashboardUrl()}/sign-in?next=%2Fnodes%2Fnode-a`);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'sign-in');
    await screenshot(page, 'sign-in');

    await page.getByLabel('Read token').fill('rs_e2e_not_a_valid_token_00000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error')).toHaveText('The API does not accept this token: it is wrong, revoked or expired.');

    await page.getByLabel('Read token').fill(process.env.E2E_INGEST_TOKEN!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error')).toContainText('it lacks the read scope');

    await page.getByLabel('Read token').fill(process.env.E2E_READ_TOKEN!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${dashboardUrl()}/nodes/node-a`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('node-a');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'routescope_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie.value).not.toContain(process.env.E2E_READ_TOKEN!);
    expect(leaks()).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(`${dashboardUrl()}/sign-in?signed-out=1`);
    await expect(page.getByRole('status')).toHaveText('You are signed out.');
    await page.goto(`${dashboardUrl()}/`);
    await expect(page).toHaveURL(`${dashboardUrl()}/sign-in`);
  });

  test('answers 401 to API routes without a session, and ignores a cookie it did not seal', async ({ request }) => {
    const live = await request.get(`${dashboardUrl()}/api/live`);
    expect(live.status()).toBe(401);
    const forged = await request.get(`${dashboardUrl()}/`, { headers: { cookie: `routescope_session=${process.env.E2E_READ_TOKEN!}` }, maxRedirects: 0 });
    expect(forged.status()).toBe(303);
    expect(new URL(forged.headers()['location'], dashboardUrl()).href).toBe(`${dashboardUrl()}/sign-in`);
  });

  test('says so when the token signed in with is revoked', async ({ page, context }) => {
    const graphql = async <T>(query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${process.env.E2E_API_URL!}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN!}` },
        body: JSON.stringify({ query, variables }),
      });
      return ((await response.json()) as { data: T }).data;
    };
    const name = `laptop-${Date.now()}`;
    const { createToken } = await graphql<{ createToken: { secret: string } }>('mutation($name: String!) { createToken(name: $name, scopes: [read]) { secret } }', { name });
    const session = await signIn(dashboardUrl(), createToken.secret);
    await context.addCookies([{ ...session, domain: '127.0.0.1', path: '/', sameSite: 'Strict' }]);
    await page.goto(`${dashboardUrl()}/review`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('section[role="alert"]')).toHaveCount(0);

    await graphql('mutation($name: String!) { revokeToken(name: $name) { name } }', { name });
    await page.goto(`${dashboardUrl()}/`);
    const alert = page.locator('section[role="alert"]').first();
    await expect(alert).toContainText('The API no longer accepts the token you signed in with.');
    await expect(alert).toContainText(`token "${name}" was revoked`);
  });
});
