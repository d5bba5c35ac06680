import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardUrl, expectNoSeriousA11yViolations, history, iso, minutes } from './support/page-checks';

// "Trace to…" over the recorded history (e2e/support/recorded-history.ts), in a real browser
// against the real API: node-a's pod-a1 reaches pod-a2 (10.244.1.3, same node) until proxy_arp
// goes off on pod-a1's host veth (faultAt); the trace at an instant, its deciding facts linked to
// the state at that instant, and the verdict's change, from the node page and from the review.

const ARTIFACTS = join(__dirname, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });
const POD_A1 = 'cni-0a1a1a1a-0000-4000-8000-00000000a001';
const TARGET = '10.244.1.3';

/** axe at both widths, and nothing of `scope` (the trace's own parts) wider than the viewport. */
async function checkBothWidths(page: Page, name: string, scope = 'main'): Promise<void> {
  for (const width of [1440, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await expectNoSeriousA11yViolations(page, `${name} at ${width} px`);
    const wider = await page.evaluate((selector) =>
      [...document.querySelectorAll(`${selector}, ${selector} *`)].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName.toLowerCase()}.${e.className}`).slice(0, 5),
      scope,
    );
    expect(wider, `${name}: nothing wider than ${width} px`).toEqual([]);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.describe('trace to…', () => {
  test('from a pod’s row at the page’s instant: reachable before the fault, each hop’s deciding facts linked to the state at that instant', async ({ page }) => {
    const { faultAt } = history();
    const before = new Date(faultAt.getTime() - minutes(10));
    await page.goto(`${dashboardUrl()}/nodes/node-a?at=${iso(before)}&tab=pods`);
    const form = page.getByRole('form', { name: `Trace from pod ${POD_A1}` });
    await form.getByRole('textbox', { name: `Target IP to trace to from pod ${POD_A1}` }).fill(TARGET);
    await form.getByRole('button', { name: 'Trace to…' }).click();
    await expect(page).toHaveURL(new RegExp(`/trace\\?node=node-a&pod=${POD_A1}&at=.*&to=${TARGET.replaceAll('.', '\\.')}`));
    await expect(page.getByTestId('trace-verdict')).toHaveAttribute('data-verdict', 'REACHABLE');
    await expect(page.getByTestId('trace-forward')).toHaveAttribute('data-delivered', 'true');
    await expect(page.getByTestId('trace-reply')).toHaveAttribute('data-delivered', 'true');
    const proxyArp = page.getByTestId('trace-forward').getByRole('link', { name: /proxy_arp/ }).first();
    await expect(proxyArp).toHaveAttribute('href', /\/nodes\/node-a\?at=.*&tab=sysctls/);
    // a past instant offers the live probe only by going to now
    await expect(page.getByRole('button', { name: /^Verify now/ })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Trace now (and verify it live)' })).toBeVisible();
    await page.screenshot({ path: join(ARTIFACTS, 'trace-reachable.png'), fullPage: true });
    await checkBothWidths(page, 'trace reachable');

    await proxyArp.click();
    await expect(page).toHaveURL(/\/nodes\/node-a\?at=/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('node-a');
  });

  test('now: NO_ARP_REPLY at node-a citing proxy_arp, "verdict changed at" the fault with the change that did it, and verify now', async ({ page }) => {
    const { faultAt, faultVeth } = history();
    await page.goto(`${dashboardUrl()}/trace?node=node-a&pod=${POD_A1}&to=${TARGET}`);
    await expect(page.getByTestId('trace-verdict')).toHaveAttribute('data-verdict', 'NO_ARP_REPLY');
    const stop = page.getByTestId('trace-forward-stop');
    await expect(stop).toHaveAttribute('data-reason', 'NO_ARP_REPLY');
    await expect(stop.getByRole('link', { name: new RegExp(`sysctl net/ipv4/conf/${faultVeth}/proxy_arp`) })).toBeVisible();
    const flip = page.getByTestId('trace-flip');
    await expect(flip).toHaveCount(1);
    await expect(flip).toHaveAttribute('data-after', 'NO_ARP_REPLY');
    await expect(flip).toContainText(`Verdict changed at ${faultAt.toISOString().slice(0, 10)}`);
    await expect(flip.getByRole('link', { name: `changed sysctl net/ipv4/conf/${faultVeth}/proxy_arp` })).toBeVisible();
    await expect(page.getByRole('button', { name: `Verify now: probe the path from pod ${POD_A1} to ${TARGET} live` })).toBeVisible();
    await page.screenshot({ path: join(ARTIFACTS, 'trace-no-arp-reply.png'), fullPage: true });
    await checkBothWidths(page, 'trace stopped');
  });

  test('from the incident review: the trace at the window’s end with the verdict’s changes over the whole window', async ({ page }) => {
    const { first, last, faultAt } = history();
    await page.goto(`${dashboardUrl()}/review?from=${iso(first)}&to=${iso(last)}`);
    const form = page.getByRole('form', { name: 'Trace to…' });
    await form.getByRole('textbox', { name: 'Node' }).fill('node-a');
    await form.getByRole('textbox', { name: /^Pod/ }).fill(POD_A1);
    await form.getByRole('textbox', { name: 'To' }).fill(TARGET);
    await checkBothWidths(page, 'review with the trace form', 'section[aria-labelledby="review-trace-title"]');
    await form.getByRole('button', { name: 'Trace to…' }).click();
    await expect(page).toHaveURL(/\/trace\?at=.*&since=/);
    await expect(page.getByTestId('trace-verdict')).toHaveAttribute('data-verdict', 'NO_ARP_REPLY');
    await expect(page.getByTestId('trace-flip')).toHaveCount(1);
    await expect(page.getByTestId('trace-flip').getByRole('link').first()).toHaveAttribute('href', new RegExp(`at=${iso(faultAt)}`));
  });
});
