import { dashboardTargets, nodePageTargets, renderDashboardSection, type DashboardPhase, type DashboardResult, type NodePagePhase } from './dashboard-report';
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

const nodePage = (firstContentP95: number, stateVisibleP95: number): NodePagePhase => ({
  node: 'node-0999',
  nodes: 1000,
  firstContentfulPaint: sample(firstContentP95 / 2, firstContentP95),
  stateVisible: sample(stateVisibleP95 / 2, stateVisibleP95),
  load: sample(900, 2500),
  stateRows: 120,
});

describe('dashboard report', () => {
  it('states the node page targets of issue #14 as measured vs target with pass or miss', () => {
    expect(nodePageTargets(nodePage(999, 1999), 'full')).toEqual([
      { name: 'first content (first contentful paint), p95', measuredMs: 999, targetMs: 1000, pass: true, verdict: 'pass' },
      { name: 'state tables visible, p95', measuredMs: 1999, targetMs: 2000, pass: true, verdict: 'pass' },
    ]);
    expect(nodePageTargets(nodePage(1000, 2400), 'full').map((t) => t.verdict)).toEqual(['miss', 'miss']);
    expect(nodePageTargets(nodePage(300, 2400), 'quick').map((t) => t.verdict)).toEqual(['pass (quick: not asserted)', 'miss (quick: not asserted)']);
    const full = { ...result('full', phase(1000, 50, 1200)), nodePage: nodePage(640, 2400) };
    expect(dashboardTargets(full).slice(2).map((t) => [t.name, t.met])).toEqual([
      ['node page with 1,000 nodes: first content (first contentful paint), p95 < 1 s', true],
      ['node page with 1,000 nodes: state tables visible, p95 < 2 s', false],
    ]);
    const section = renderDashboardSection(full);
    expect(section).toMatch(/\| first content \(first contentful paint\), p95 +\| +640 ms \| +< 1,000 ms \| +0\.64× \| +pass \|/);
    expect(section).toMatch(/\| state tables visible, p95 +\| +2400 ms \| +< 2,000 ms \| +1\.20× \| +miss \|/);
  });

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
