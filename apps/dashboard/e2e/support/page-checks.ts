import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import type { RecordedHistory } from './recorded-history';

// What the dashboard's browser suites share: where the dashboard runs, the recorded history that
// global setup loaded, and the accessibility check every page gets.

export const dashboardUrl = () => process.env.E2E_DASHBOARD_URL!;

/** The recorded history, as global setup passed it (JSON: dates come back as Date here). */
export const history = (): RecordedHistory =>
  JSON.parse(process.env.E2E_HISTORY!, (_key, value: unknown) => (typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value) ? new Date(value) : value)) as RecordedHistory;

export const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');
export const minutes = (n: number) => n * 60_000;

export async function expectNoSeriousA11yViolations(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
  expect(serious, `axe on ${name}`).toEqual([]);
}
