import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { until } from '@routescope/testing';
import { postSnapshots, scenario } from './recorded-history';
import { dashboardRoot, secret, signIn, startApi, startDashboard, workspaceRoot } from './servers';

/** The browser state every test starts from: signed in with the read token (playwright.config.ts). */
export const SIGNED_IN_STATE = join(__dirname, '../artifacts/signed-in.json');

// Starts the built API on a temporary PGlite folder, seeds it with a recorded history over the
// real ingest endpoint, starts the built dashboard against it (holding no token) and signs in
// with the read token through the sign-in form's target, leaving the session cookie where every
// test's browser starts from. Tests read what they need from the environment; the returned
// function stops both process groups.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const chromium = process.env.ROUTESCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`${chromium} is missing: install Debian's chromium (apt-get install -y chromium); this suite never downloads a browser`);
  const apiBundle = process.env.ROUTESCOPE_E2E_API_BUNDLE ?? join(workspaceRoot, 'apps/api/dist/main.js');
  if (!existsSync(apiBundle)) throw new Error(`${apiBundle} is missing: run \`npx nx run api:build\` first`);
  if (!existsSync(join(dashboardRoot, '.next/BUILD_ID'))) throw new Error('the dashboard is not built: run `npx nx run dashboard:build` first');

  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-dashboard-e2e-'));
  const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
  const api = await startApi({ dataDir: join(dataDir, 'data'), ingestToken: tokens.ingest, readToken: tokens.read, adminToken: tokens.admin, bundle: apiBundle });
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  try {
    const { snapshots, history } = scenario(new Date());
    await postSnapshots(api.url, tokens.ingest, snapshots);
    await waitForFindings(api.url, tokens.read);
    dashboard = await startDashboard({ apiUrl: api.url });
    const session = await signIn(dashboard.url, tokens.read);
    await mkdir(dirname(SIGNED_IN_STATE), { recursive: true });
    await writeFile(
      SIGNED_IN_STATE,
      JSON.stringify({ cookies: [{ ...session, domain: '127.0.0.1', path: '/', sameSite: 'Strict' }], origins: [] }),
      { mode: 0o600 },
    );
    process.env.E2E_API_URL = api.url;
    process.env.E2E_DASHBOARD_URL = dashboard.url;
    process.env.E2E_INGEST_TOKEN = tokens.ingest;
    process.env.E2E_READ_TOKEN = tokens.read;
    process.env.E2E_ADMIN_TOKEN = tokens.admin;
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

/**
 * The API evaluates the checks in the background, after ingest answered: wait (bounded) until
 * the recorded history's findings are there — node-a's proxy_arp fault open, node-b's
 * proxy_delay fault resolved — before any page renders them.
 */
async function waitForFindings(apiUrl: string, readToken: string, ms = 30_000): Promise<void> {
  let seen: Array<{ node: string; rule: string; open: boolean }> = [];
  await until(
    "the seeded history's findings",
    async () => {
      const response = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${readToken}` },
        body: JSON.stringify({ query: '{ findings(first: 1000) { edges { node { node rule open } } } }' }),
      });
      const body = (await response.json()) as { data?: { findings: { edges: Array<{ node: { node: string; rule: string; open: boolean } }> } } };
      seen = body.data?.findings.edges.map((e) => e.node) ?? [];
      const has = (node: string, rule: string, open: boolean) => seen.some((f) => f.node === node && f.rule === rule && f.open === open);
      return has('node-a', 'CALICO_PROXY_ARP', true) && has('node-b', 'CALICO_PROXY_DELAY', false) ? true : undefined;
    },
    ms,
    200,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (expected node-a CALICO_PROXY_ARP open and node-b CALICO_PROXY_DELAY resolved); the API has: ${JSON.stringify(seen)}`, { cause: error });
  });
}
