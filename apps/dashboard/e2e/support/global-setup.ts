import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postSnapshots, scenario } from './recorded-history';
import { dashboardRoot, secret, startApi, startDashboard, workspaceRoot } from './servers';

// Starts the built API on a temporary PGlite folder, seeds it with a recorded history over the
// real ingest endpoint, and starts the built dashboard against it. Tests read what they need
// from the environment; the returned function stops both process groups.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const chromium = process.env.ROUTESCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`${chromium} is missing: install Debian's chromium (apt-get install -y chromium); this suite never downloads a browser`);
  const apiBundle = process.env.ROUTESCOPE_E2E_API_BUNDLE ?? join(workspaceRoot, 'apps/api/dist/main.js');
  if (!existsSync(apiBundle)) throw new Error(`${apiBundle} is missing: run \`npx nx run api:build\` first`);
  if (!existsSync(join(dashboardRoot, '.next/BUILD_ID'))) throw new Error('the dashboard is not built: run `npx nx run dashboard:build` first');

  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-dashboard-e2e-'));
  const tokens = { ingest: secret('ingest'), read: secret('read') };
  const api = await startApi({ dataDir: join(dataDir, 'data'), ingestToken: tokens.ingest, readToken: tokens.read, bundle: apiBundle });
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  try {
    const { snapshots, history } = scenario(new Date());
    await postSnapshots(api.url, tokens.ingest, snapshots);
    dashboard = await startDashboard({ apiUrl: api.url, readToken: tokens.read });
    process.env.E2E_API_URL = api.url;
    process.env.E2E_DASHBOARD_URL = dashboard.url;
    process.env.E2E_INGEST_TOKEN = tokens.ingest;
    process.env.E2E_READ_TOKEN = tokens.read;
    process.env.E2E_HISTORY = JSON.stringify(history);
    console.log(`[e2e] API ${api.url} and dashboard ${dashboard.url} ready, ${snapshots.length} snapshots seeded in ${Date.now() - started} ms`);
  } catch (error) {
    await dashboard?.stop();
    await api.stop();
    throw error;
  }
  return async () => {
    await dashboard?.stop();
    await api.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
