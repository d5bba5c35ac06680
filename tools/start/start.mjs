#!/usr/bin/env node
// `npm start`: the whole product on one machine. Starts the API (which applies migrations;
// embedded PGlite unless DATABASE_URL is set), waits until it is ready, then starts the
// dashboard (Next.js, :3000, given the API URL; it holds no token: users sign in with a read
// token) and a collector of this host posting every 30 s; with --lab (root), builds tools/netlab
// and starts one collector per lab node instead. Both servers listen on 127.0.0.1 only unless
// HOST says otherwise (HOST=0.0.0.0: every interface). Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--lab' && a !== '--help' && a !== '-h');
if (args.includes('--help') || args.includes('-h') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`npm start: unknown option ${unknown[0]}`);
  console.log('usage: npm start [-- --lab]\n  --lab  (root) build the netlab Calico lab and collect its nodes instead of this host');
  process.exit(unknown.length > 0 ? 2 : 0);
}
const lab = args.includes('--lab');
const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST || '127.0.0.1';
/** how this machine reaches the servers (a wildcard address is not one to connect to) */
const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
const dataDir = resolve(root, process.env.ROUTESCOPE_DATA_DIR ?? '.routescope/data');
const interval = process.env.ROUTESCOPE_COLLECT_INTERVAL ?? '30s';
const apiBundle = join(root, 'apps/api/dist/main.js');
const dashboardPort = Number(process.env.DASHBOARD_PORT ?? 3000);
const dashboardDir = join(root, 'apps/dashboard');
const dashboardBuild = join(dashboardDir, '.next/BUILD_ID');
const collectorBin = join(root, 'apps/collector/bin/routescope-collector.cjs');
const children = [];

function log(message) {
  console.log(`[start] ${message}`);
}

function run(name, command, commandArgs, env = {}, options = {}) {
  // `group`: its own process group (setsid), stopped as a whole: `next start` runs next-server
  // processes that would outlive a plain SIGTERM to their parent.
  const child = spawn(command, commandArgs, { cwd: options.cwd ?? root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: Boolean(options.group) });
  child.group = Boolean(options.group);
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) console.log(`[${name}] ${line}`);
    });
  }
  children.push(child);
  return child;
}

function stopAll(code) {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    if (child.group) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // the group is gone already
      }
    } else child.kill('SIGTERM');
  }
  setTimeout(() => process.exit(code), 3000).unref();
}

async function waitForReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

/** Which token to paste on the sign-in page (never the token itself: this output ends up in logs). */
function readTokenHint() {
  if (process.env.ROUTESCOPE_READ_TOKEN) return 'the value of ROUTESCOPE_READ_TOKEN';
  return `the "read" entry of ${join(dataDir, 'tokens.json')} (e.g. node -p "require('${join(dataDir, 'tokens.json')}').read")`;
}

function ingestToken() {
  if (process.env.ROUTESCOPE_INGEST_TOKEN) return { token: process.env.ROUTESCOPE_INGEST_TOKEN, where: 'ROUTESCOPE_INGEST_TOKEN' };
  const file = join(dataDir, 'tokens.json');
  if (!existsSync(file)) throw new Error(`no ingest token: set ROUTESCOPE_INGEST_TOKEN or let the API generate ${file}`);
  return { token: JSON.parse(readFileSync(file, 'utf8')).ingest, where: file };
}

async function main() {
  if (!existsSync(apiBundle)) {
    log('building the API (first start)…');
    const build = spawnSync('npx', ['nx', 'run', 'api:build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
    if (build.status !== 0) throw new Error('the API build failed');
  }
  if (!existsSync(dashboardBuild)) {
    log('building the dashboard (first start)…');
    const build = spawnSync('npx', ['nx', 'run', 'dashboard:build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NEXT_TELEMETRY_DISABLED: '1' } });
    if (build.status !== 0) throw new Error('the dashboard build failed');
  }
  if (lab && process.getuid?.() !== 0) throw new Error('--lab builds network namespaces and needs root');

  const api = run('api', process.execPath, [apiBundle], { PORT: String(port), HOST: host, ROUTESCOPE_DATA_DIR: dataDir });
  api.on('exit', (code) => {
    log(`the API exited with ${code}`);
    stopAll(code ?? 1);
  });
  await waitForReady(`http://${local}:${port}/readyz`, 60000);
  const { token, where } = ingestToken();
  const server = `http://${local}:${port}`;

  // The dashboard holds no token: each user signs in with a read token, which it keeps in an
  // encrypted session cookie and uses server-side only (never sent back to browsers).
  const nextBin = join(root, 'node_modules/next/dist/bin/next');
  const dashboard = run('dashboard', process.execPath, [nextBin, 'start', '-p', String(dashboardPort), '-H', host], { ROUTESCOPE_API_URL: server, ROUTESCOPE_READ_TOKEN: '', NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }, { cwd: dashboardDir, group: true });
  dashboard.on('exit', (code) => {
    log(`the dashboard exited with ${code}`);
    stopAll(code ?? 1);
  });
  await waitForReady(`http://${local}:${dashboardPort}/api/healthz`, 60000);
  const collectorEnv = { ROUTESCOPE_TOKEN: token };
  const spoolRoot = join(dirname(dataDir), 'spool');

  if (lab) {
    const up = spawnSync(join(root, 'tools/netlab/netlab'), ['up'], { stdio: 'inherit' });
    if (up.status !== 0) throw new Error('netlab up failed');
    for (const node of ['rs-node-a', 'rs-node-b']) {
      run(`collector ${node}`, process.execPath, [collectorBin, 'run', '--server', server, '--netns', node, '--interval', interval, '--spool', join(spoolRoot, node)], collectorEnv);
    }
  } else {
    run('collector', process.execPath, [collectorBin, 'run', '--server', server, '--interval', interval, '--spool', join(spoolRoot, 'host')], collectorEnv);
  }

  log(`Routescope is running:`);
  log(`  dashboard http://${local}:${dashboardPort}/  (sign in with ${readTokenHint()})`);
  log(`  GraphQL   http://${local}:${port}/graphql`);
  log(`  ingest    POST http://${local}:${port}/api/v1/snapshots`);
  log(`  health    http://${local}:${port}/readyz`);
  log(`  tokens    ${where}`);
  log(`  listening on ${host === '127.0.0.1' ? '127.0.0.1 only (HOST=0.0.0.0 to serve other machines)' : `${host} (HOST)`}`);
  log(`  collecting ${lab ? 'netlab nodes rs-node-a and rs-node-b' : 'this host'} every ${interval}; Ctrl-C stops everything`);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
main().catch((error) => {
  console.error(`[start] ${error.message}`);
  stopAll(1);
});
