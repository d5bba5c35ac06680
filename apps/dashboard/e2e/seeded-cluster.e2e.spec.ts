import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { untilChecksIdle } from '@routescope/testing';
import { secret, signIn, startApi, startDashboard, workspaceRoot, type RunningServer } from './support/servers';

// Issue #14: the demo cluster is healthy until you break it. A fresh API of its own, seeded by
// the real `npm run seed` CLI (tools/seed, a separate process over the real ingest endpoint):
// the overview says every check passes; after `--faults proxy-arp-off:3` it counts exactly 3.

const run = promisify(execFile);
const SEED = join(workspaceRoot, 'tools/seed/seed.mjs');

let dataDir: string;
let api: RunningServer;
let dashboard: RunningServer;
const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };

async function seed(...extra: string[]): Promise<void> {
  await run(process.execPath, [SEED, '--api', api.url, '--token', tokens.ingest, '--nodes', '6', '--pods', '4', ...extra], { cwd: workspaceRoot, timeout: 120_000 });
}

/** Every state the API took in has been evaluated by its checks (60 s at most). */
const checksSettled = () => untilChecksIdle(api.url);

test.describe.configure({ timeout: 240_000 });

test.beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'rs-dashboard-seeded-e2e-'));
  api = await startApi({ dataDir: join(dataDir, 'data'), ingestToken: tokens.ingest, readToken: tokens.read, adminToken: tokens.admin });
  dashboard = await startDashboard({ apiUrl: api.url });
});

test.afterAll(async () => {
  await dashboard?.stop();
  await api?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('a seeded cluster is healthy on the overview (0 open findings); proxy-arp-off:3 opens exactly 3', async ({ page }) => {
  await seed();
  await checksSettled();
  const session = await signIn(dashboard.url, tokens.read);
  await page.context().clearCookies();
  await page.context().addCookies([{ name: session.name, value: session.value, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict', secure: false, expires: session.expires }]);

  await page.goto(`${dashboard.url}/`);
  await expect(page.getByText('Every check passes.')).toBeVisible();
  await expect(page.getByText('No finding is open on any node.')).toBeVisible();

  await seed('--faults', 'proxy-arp-off:3');
  await checksSettled();
  await page.goto(`${dashboard.url}/`);
  await expect(page.getByText('3 open, worst first.')).toBeVisible();
  await page.goto(`${dashboard.url}/findings`);
  const group = page.locator('#group-CALICO_PROXY_ARP-veth');
  await expect(group.getByTestId('group-count')).toHaveText('3 veths × 3 nodes');
  await expect(page.getByTestId('finding-groups').locator(':scope > li')).toHaveCount(1);
});
