import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardUrl, expectNoSeriousA11yViolations, history, iso, minutes } from './support/page-checks';

// Issue #14 in a real browser against the real API: one time range carried across pages, typed
// and preset ranges, errors that stay errors, 404 for an unknown node, the node's state at T
// first with a scrubber, the route lookup, the table filter and numeric order, brush-to-zoom,
// the review's Markdown export; axe at desktop (1440 px) and phone (375 px) widths.

const ARTIFACTS = join(__dirname, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

const routesPanel = (page: Page) => page.getByRole('tabpanel', { name: /Routes/ });

test.describe('one time range for the whole app', () => {
  test('a typed relative range is kept in the URL and carried by the nav to every page', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/`);
    await page.getByLabel('From (UTC)').fill('now-6h');
    await page.getByLabel('To (UTC)').fill('now');
    await page.getByTestId('time-range-picker').getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/[?&]from=now-6h&to=now/);
    await expect(page.getByTestId('range-resolved')).toContainText(/Showing \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC → \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incident review' }).click();
    await expect(page).toHaveURL(/\/review\?from=now-6h&to=now$/);
    await expect(page.getByLabel('From (UTC)')).toHaveValue('now-6h');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await expect(page).toHaveURL(/\/\?from=now-6h&to=now$/);
    await expect(page.getByRole('navigation', { name: 'Relative ranges' }).getByRole('link', { name: '6h' })).toHaveAttribute('aria-current', 'true');
  });

  test('presets from 5m to 7d set a relative range', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/review`);
    const presets = page.getByRole('navigation', { name: 'Relative ranges' }).getByRole('link');
    await expect(presets).toHaveText(['5m', '15m', '30m', '1h', '3h', '6h', '12h', '24h', '2d', '7d']);
    await presets.filter({ hasText: /^3h$/ }).click();
    await expect(page).toHaveURL(/\/review\?from=now-3h&to=now$/);
    await expect(page.getByLabel('From (UTC)')).toHaveValue('now-3h');
  });

  test('an invalid range keeps the input and shows no data, with the reason', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/review?from=now-40d&to=now`);
    await expect(page.getByTestId('range-error')).toContainText('at most 31 days');
    await expect(page.getByLabel('From (UTC)')).toHaveValue('now-40d');
    await expect(page.getByLabel('From (UTC)')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('change-timeline')).toHaveCount(0);
    await expect(page.locator('section[data-node]')).toHaveCount(0);

    await page.goto(`${dashboardUrl()}/nodes/node-a?from=2026-01-02T10:00:00Z&to=2026-01-02T09:00:00Z`);
    await expect(page.getByTestId('range-error')).toContainText('must be after “From”');
    await expect(page.getByLabel('To (UTC)')).toHaveValue('2026-01-02T09:00:00Z');
    await expect(page.getByRole('tabpanel')).toHaveCount(0);

    await page.goto(`${dashboardUrl()}/?from=12/06/2026, 06:30:00 AM`);
    await expect(page.getByTestId('range-error')).toContainText('is not a time');
    await expect(page.getByTestId('change-timeline')).toHaveCount(0);
  });

  test('a future “to” is clamped to now with a note', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/review?from=now-1h&to=2099-01-01T00:00:00Z`);
    await expect(page.getByTestId('range-note')).toContainText('“To” (2099-01-01 00:00:00 UTC) is in the future: showing up to now');
    await expect(page.getByTestId('change-timeline')).toHaveCount(1);
  });

  test('dragging across the chart zooms the range to the selection', async ({ page }) => {
    const h = history();
    const from = new Date(h.first.getTime() - minutes(10));
    const to = new Date(h.last.getTime() + minutes(1));
    await page.goto(`${dashboardUrl()}/review?from=${iso(from)}&to=${iso(to)}`);
    const chart = page.getByTestId('change-timeline').locator('.recharts-wrapper');
    await expect(chart).toBeVisible();
    const box = (await chart.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 8 });
    await page.mouse.up();
    await expect(page).toHaveURL((url) => {
      const zoomedFrom = Date.parse(url.searchParams.get('from') ?? '');
      const zoomedTo = Date.parse(url.searchParams.get('to') ?? '');
      return url.pathname === '/review' && zoomedFrom > from.getTime() && zoomedTo < to.getTime() && zoomedFrom < zoomedTo;
    });
  });
});

test.describe('node page: state at T first', () => {
  test('an unknown node answers HTTP 404 with the not-found page', async ({ page }) => {
    const response = await page.goto(`${dashboardUrl()}/nodes/no-such-node`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Node not found' })).toBeVisible();
  });

  test('before its first snapshot the node is “not yet seen”', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/nodes/node-a?at=${iso(new Date(h.first.getTime() - minutes(60)))}`);
    await expect(page.getByTestId('not-yet-seen')).toContainText(`node-a was not yet seen at ${iso(new Date(h.first.getTime() - minutes(60))).replace('T', ' ').replace('Z', ' UTC')}`);
    await expect(page.getByRole('tabpanel')).toHaveCount(0);
  });

  test('the scrubber steps through state versions; the state tables and the findings open at T change together', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/nodes/node-a?at=${iso(h.faultAt)}`);
    // The state comes first: its heading is above the findings and the timeline.
    const order = await page.locator('h2').allTextContents();
    expect(order.findIndex((t) => t.startsWith('State at'))).toBeLessThan(order.findIndex((t) => t.startsWith('Findings open at')));
    expect(order.findIndex((t) => t.startsWith('Findings open at'))).toBeLessThan(order.indexOf('Changes'));
    await expect(page.getByRole('heading', { name: `State at ${iso(h.faultAt).replace('T', ' ').replace('Z', ' UTC')}` })).toBeVisible();
    const findings = page.locator('#node-findings-title ~ [data-testid="findings-list"]').first();
    await expect(findings.locator('li[data-rule="CALICO_PROXY_ARP"]')).toHaveCount(1);
    await expect(routesPanel(page)).toContainText('10.244.3.0/26 via 10.0.0.23 dev tunl0');

    // ← : the previous change (the route's), before the fault: no finding open then.
    await page.getByRole('heading', { name: /^State at/ }).click();
    await page.keyboard.press('ArrowLeft');
    await expect(page).toHaveURL(new RegExp(`at=${iso(h.routeChangedAt)}`));
    await expect(page.getByRole('heading', { name: /^Findings open at/ })).toContainText(iso(h.routeChangedAt).slice(11, 19));
    await expect(page.locator('#node-findings-title ~ [data-testid="findings-list"] li[data-rule="CALICO_PROXY_ARP"]')).toHaveCount(0);
    await expect(routesPanel(page)).toContainText('10.244.3.0/26 via 10.0.0.23 dev tunl0');

    // The button: one more step back, before the route changed.
    await page.getByRole('link', { name: '← Previous change' }).click();
    await expect(page).not.toHaveURL(new RegExp(`at=${iso(h.routeChangedAt)}`));
    await expect(routesPanel(page)).toContainText('10.244.3.0/26 via 10.0.0.13 dev tunl0');

    // → twice: back to the fault.
    await page.getByRole('heading', { name: /^State at/ }).click();
    await page.keyboard.press('ArrowRight');
    await expect(page).toHaveURL(new RegExp(`at=${iso(h.routeChangedAt)}`));
    await page.getByRole('heading', { name: /^State at/ }).click();
    await page.keyboard.press('ArrowRight');
    await expect(page).toHaveURL(new RegExp(`at=${iso(h.faultAt)}`));
    await expect(page.locator('#node-findings-title ~ [data-testid="findings-list"]').first().locator('li[data-rule="CALICO_PROXY_ARP"]')).toHaveCount(1);
  });

  test('the pods panel shows the API’s finding and flags the very facts of its evidence', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/nodes/node-a?tab=pods`);
    const pod = page.locator('section.pod', { has: page.locator(`text=${h.faultVeth}`) }).first();
    await expect(pod.locator('li[data-rule="CALICO_PROXY_ARP"]')).toContainText('Proxy ARP is off');
    await expect(pod.locator('li[data-evidence="true"]').filter({ hasText: `${h.faultVeth}.proxy_arp = 0` })).toHaveCount(1);
  });

  test('“which route does IP take?” answers with the longest prefix per namespace and marks the route', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-a`);
    await page.getByLabel('Which route does IP take?').fill('10.244.3.7');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page).toHaveURL(/lookup=10.244.3.7&ns=host/);
    await expect(page.getByTestId('route-lookup-result')).toContainText('10.244.3.7 in host takes 10.244.3.0/26 via 10.0.0.23 dev tunl0');
    await expect(routesPanel(page).locator('tr[data-chosen-route="true"]')).toContainText('10.244.3.0/26');

    await page.getByLabel('Which route does IP take?').fill('10.244.1.2');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByTestId('route-lookup-result')).toContainText('/32');
    await expect(page.getByTestId('route-lookup-result')).toContainText('dev calia1a1a1a1a01');

    await page.getByLabel('Which route does IP take?').fill('10.0.0.13');
    await page.getByLabel('In namespace').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByTestId('route-lookup-result')).toContainText('takes default via 169.254.1.1 dev eth0');

    await page.getByLabel('Which route does IP take?').fill('pod-a1');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByTestId('route-lookup-result')).toContainText('“pod-a1” is not an IPv4 or IPv6 address');
  });

  test('state tables sort addresses as numbers and filter rows as you type', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-a`);
    const destinations = routesPanel(page).locator('tbody tr td:first-child');
    await expect(destinations).toHaveText(['0.0.0.0/0', '10.0.0.0/24', '10.244.1.0/26', '10.244.1.2/32', '10.244.1.3/32', '10.244.2.0/26', '10.244.3.0/26']);
    await page.getByLabel('Filter the state tables').fill('tunl0');
    await expect(routesPanel(page).locator('tbody tr:visible')).toHaveCount(2);
    await page.getByLabel('Filter the state tables').fill('');
    await expect(routesPanel(page).locator('tbody tr:visible')).toHaveCount(7);
  });
});

test.describe('incident review', () => {
  test('charts every change counted by the API, collapses findings by rule and exports the window as Markdown', async ({ page }) => {
    const h = history();
    const from = new Date(h.routeChangedAt.getTime() - minutes(15));
    const to = new Date(h.faultAt.getTime() + minutes(5));
    await page.goto(`${dashboardUrl()}/review?from=${iso(from)}&to=${iso(to)}`);
    await expect(page.getByTestId('review-total')).toContainText(/^\d+ changes? from /);
    const group = page.getByTestId('review-findings-by-rule').locator('> li[data-rule="CALICO_PROXY_ARP"]');
    await expect(group).toContainText('1 finding on 1 node');
    await expect(page.getByTestId('review-node-summary').locator('tbody tr')).toHaveCount(1);
    const response = await page.request.get(`${dashboardUrl()}/review/export?from=${iso(from)}&to=${iso(to)}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/markdown');
    const markdown = await response.text();
    expect(markdown).toContain(`# Incident review ${iso(from).replace('T', ' ').replace('Z', ' UTC')}`);
    expect(markdown).toContain('10.244.3.0/26 via 10.0.0.23 dev tunl0');
    expect(markdown).toContain('/nodes/node-a/diff?from=');
    // The route change opened CALICO_BLOCK_ROUTE_WRONG_NODE, the sysctl change CALICO_PROXY_ARP: in time order.
    const opened = markdown.slice(markdown.indexOf('## What opened (2)'), markdown.indexOf('## What resolved'));
    expect(opened.indexOf('`CALICO_BLOCK_ROUTE_WRONG_NODE`')).toBeGreaterThan(0);
    expect(opened.indexOf('`CALICO_PROXY_ARP`')).toBeGreaterThan(opened.indexOf('`CALICO_BLOCK_ROUTE_WRONG_NODE`'));
  });
});

test.describe('findings page', () => {
  test('groups findings by rule and subject kind with counts, filters them, expands to evidence and links to each', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/findings`);
    await expect(page.getByRole('heading', { level: 2, name: /findings? open at / })).toBeVisible();
    const proxyArp = page.getByTestId('finding-groups').locator('> li[data-rule="CALICO_PROXY_ARP"]');
    await expect(proxyArp).toHaveAttribute('data-subject-kind', 'veth');
    await expect(proxyArp.getByTestId('group-count')).toHaveText('1 veth on 1 node');
    await proxyArp.locator('summary').first().click();
    const finding = proxyArp.locator('li[data-node="node-a"]');
    await finding.getByText('Evidence').click();
    await expect(finding).toContainText(`sysctl net/ipv4/conf/${h.faultVeth}/proxy_arp = 0 (host on node-a)`);
    const permalink = await finding.getByRole('link', { name: 'permalink' }).getAttribute('href');
    expect(permalink).toMatch(/^\/findings#finding-.+$/);

    await page.getByRole('form', { name: 'Filter findings' }).getByLabel('Node').fill('node-c');
    await page.getByRole('form', { name: 'Filter findings' }).getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/node=node-c/);
    await expect(page.getByTestId('finding-groups').locator('> li')).toHaveCount(1);
    await expect(page.getByTestId('finding-groups').locator('> li')).toHaveAttribute('data-rule', 'CALICO_MTU_INCONSISTENT');

    // In a range instead of at an instant: node-b's proxy_delay finding, resolved, is listed too.
    await page.goto(`${dashboardUrl()}/findings?view=window&from=${iso(new Date(h.first.getTime() - minutes(1)))}&to=now&node=node-b`);
    await expect(page.getByTestId('finding-groups').locator('> li[data-rule="CALICO_PROXY_DELAY"]')).toHaveCount(1);
  });
});

test.describe('change ↔ finding links', () => {
  test('the diff names the change that opened a finding, and the story orders the window’s events', async ({ page }) => {
    const h = history();
    await page.goto(`${dashboardUrl()}/nodes/node-a/diff?from=${iso(new Date(h.faultAt.getTime() - minutes(5)))}&to=${iso(h.faultAt)}`);
    const opened = page.getByTestId('diff-findings').locator('li[data-rule="CALICO_PROXY_ARP"]');
    await expect(opened).toHaveAttribute('data-finding-change', 'opened');
    await expect(opened).toContainText(`by the change recorded at ${iso(h.faultAt).replace('T', ' ').replace('Z', ' UTC')}`);

    await page.goto(`${dashboardUrl()}/review?from=${iso(new Date(h.routeChangedAt.getTime() - minutes(15)))}&to=${iso(new Date(h.faultAt.getTime() + minutes(5)))}`);
    const story = page.getByTestId('story').locator('> li');
    const kinds = await story.evaluateAll((items) => items.map((li) => `${li.getAttribute('data-kind')}:${li.getAttribute('data-node')}`));
    expect(kinds.indexOf('changes:node-a')).toBeGreaterThanOrEqual(0);
    // The fault's change comes right before the finding it opened.
    const openedAt = kinds.indexOf('finding-opened:node-a');
    expect(openedAt).toBeGreaterThan(0);
    expect(kinds[openedAt - 1]).toBe('changes:node-a');
  });
});

for (const viewport of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 375, height: 800 },
]) {
  test.describe(`layout at ${viewport.width} px`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('the nav and the theme selector fit, and the pages touched pass axe', async ({ page }) => {
      const h = history();
      for (const [name, path] of [
        ['overview', '/'],
        ['node', `/nodes/node-a?at=${iso(h.faultAt)}`],
        ['review', `/review?from=${iso(new Date(h.first.getTime() - minutes(10)))}&to=${iso(h.last)}`],
        ['findings', '/findings'],
        ['diff', `/nodes/node-a/diff?from=${iso(new Date(h.faultAt.getTime() - minutes(5)))}&to=${iso(h.faultAt)}`],
      ] as const) {
        await page.goto(`${dashboardUrl()}${path}`);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        for (const control of [page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incident review' }), page.getByLabel('Theme')]) {
          const box = (await control.boundingBox())!;
          expect(box.x, `${name}: left edge`).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width, `${name}: right edge`).toBeLessThanOrEqual(viewport.width);
        }
        await page.screenshot({ path: join(ARTIFACTS, `issue14-${name}-${viewport.name}.png`), fullPage: true });
        await expectNoSeriousA11yViolations(page, `${name} at ${viewport.width} px`);
      }
    });
  });
}
