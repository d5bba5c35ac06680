import { dashboardTargets, renderDashboardSection, type DashboardPhase, type DashboardResult } from './dashboard-report';
import type { Sample } from './measure';

const sample = (p50: number, p95: number): Sample => ({ count: 5, wallMs: 5 * p50, p50, p95, p99: p95, mean: p50, perSecond: 0, concurrency: 1 });
const phase = (nodes: number, tableRows: number, rowsVisibleP95: number): DashboardPhase => ({
  nodes,
  rowsVisible: sample(rowsVisibleP95 / 2, rowsVisibleP95),
  rowsInDom: sample(100, 200),
  firstContentfulPaint: sample(80, 90),
  ttfb: sample(20, 30),
  domContentLoaded: sample(150, 160),
  load: sample(400, 500),
  tableRows,
  documentBytes: 40 * 1024,
  pagination: `1–${tableRows} of ${nodes} nodes`,
});

function result(mode: 'quick' | 'full', loaded: DashboardPhase): DashboardResult {
  return {
    mode,
    nodes: loaded.nodes,
    cluster: { seed: 1, podsPerNode: 30, historyHours: 1, intervalMs: 300_000 },
    seed: { snapshots: 12_000, seconds: 60, perSecond: 200, statuses: { created: 1000, changed: 11_000 }, changes: 1_500_000, meanBodyBytes: 300_000, post: sample(15, 40) },
    baseline: phase(1, 1, 300),
    loaded,
    ratio: { rowsVisibleP50: 2, rowsVisibleP95: 2.1, loadP50: 1.4 },
    notes: ['built dashboard first'],
    durationS: 120,
  };
}

describe('dashboard report', () => {
  it('meets the overview target under 2 s with a paginated table, and misses it at 2 s or with every node in the DOM', () => {
    expect(dashboardTargets(result('full', phase(1000, 50, 1999))).map((t) => t.met)).toEqual([true, true]);
    expect(dashboardTargets(result('full', phase(1000, 1000, 2000))).map((t) => t.met)).toEqual([false, false]);
  });

  it('asserts nothing in a quick run, and has no targets without both measurements', () => {
    expect(dashboardTargets(result('quick', phase(120, 50, 900))).every((t) => t.met === undefined && t.value.endsWith('(quick: not asserted)'))).toBe(true);
    expect(dashboardTargets({ mode: 'full', skipped: 'no chromium', notes: [], durationS: 1 })).toEqual([]);
  });

  it('renders the baseline, the loaded cluster and their ratio, or why it was skipped', () => {
    const section = renderDashboardSection(result('full', phase(1000, 50, 1200)));
    expect(section).toMatch(/\| loaded +\| +1,000 \| +50 \| +600 \/ 1200 \|/);
    expect(section).toMatch(/\| loaded \/ baseline \|.*\| +2× \/ 2\.1× \|.*\| +1\.4× \(p50\) \|/);
    expect(section).toContain('- built dashboard first');
    expect(renderDashboardSection({ mode: 'full', skipped: 'no chromium', notes: [], durationS: 1 })).toContain('skipped: no chromium');
  });
});
