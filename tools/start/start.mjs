#!/usr/bin/env node
// `npm start`: the whole product on one machine. Starts the API (which applies migrations;
// embedded PGlite unless DATABASE_URL is set), waits until it is ready, then starts the
// dashboard (Next.js, :3000, given the API URL; it holds no token: users sign in with a read
// token) and a collector of this host posting every 30 s; with --lab (root), builds tools/netlab
// and starts one collector per lab node instead. Both servers listen on 127.0.0.1 only unless
// HOST says otherwise (HOST=0.0.0.0: every interface). Ctrl-C stops everything.
//
// A supervisor, not a launcher: it first rebuilds whatever is older than its sources (Nx, with
// its cache: nothing to do costs a second), restarts a collector that died (with backoff, and
// says so), and on Ctrl-C tears down the lab it built (a lab that was already up stays up).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--lab', '--no-build', '--help', '-h'].includes(a));
if (args.includes('--help') || args.includes('-h') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`npm start: unknown option ${unknown[0]}`);
  console.log(
    [
      'usage: npm start [-- [--lab] [--no-build]]',
      '  --lab       (root) build the netlab Calico lab (NETLAB_PREFIX) and collect its nodes instead of this host',
      '  --no-build  start the builds as they are (default: rebuild what is older than its sources, through Nx)',
    ].join('\n'),
  );
  process.exit(unknown.length > 0 ? 2 : 0);
}
const lab = args.includes('--lab');
const rebuild = !args.includes('--no-build');
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
const collectorBundle = join(root, 'apps/collector/dist/routescope-collector.cjs');
const netlab = join(root, 'tools/netlab/netlab');
const children = [];
/** set once Ctrl-C (or a server's exit) starts the shutdown: nothing is restarted after it */
let stopping = false;
/** true when this run built the lab, which it then tears down on exit */
let builtLab = false;
/** a collector that dies is restarted after this, doubling up to the maximum; reset after a healthy run */
const RESTART_BACKOFF_MS = { first: 1000, max: 60000, healthyAfter: 60000 };

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
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) {
    if (child.group) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // the group is gone already
      }
    } else child.kill('SIGTERM');
  }
  // Wait for every child (at most 5 s), then take the lab down: collectors must not outlive their namespaces.
  const exited = Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  const patience = new Promise((resolve) => setTimeout(resolve, 5000).unref());
  void Promise.race([exited, patience]).then(() => {
    if (builtLab) {
      log('tearing down the lab this run built (netlab down)…');
      const down = spawnSync(netlab, ['down'], { stdio: 'inherit' });
      if (down.status !== 0) log(`netlab down failed (${down.status}): remove the namespaces with NETLAB_PREFIX=${process.env.NETLAB_PREFIX ?? 'rs-'} ${netlab} down`);
    }
    process.exit(code);
  });
}

/**
 * Runs a collector and keeps it running: when it exits (crash, OOM kill, anything but our own
 * shutdown) it is started again after a backoff that doubles up to a minute, and resets once a
 * run lasted a minute. Each restart is logged with the exit code or signal.
 */
function supervise(name, commandArgs, env) {
  let backoff = RESTART_BACKOFF_MS.first;
  let attempt = 0;
  const launch = () => {
    const startedAt = Date.now();
    const child = run(name, process.execPath, commandArgs, env);
    log(`${name} started (pid ${child.pid})`);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt >= RESTART_BACKOFF_MS.healthyAfter) {
        backoff = RESTART_BACKOFF_MS.first;
        attempt = 0;
      }
      attempt += 1;
      log(`${name} exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${backoff / 1000} s (restart #${attempt})`);
      setTimeout(() => {
        if (!stopping) launch();
      }, backoff).unref();
      backoff = Math.min(RESTART_BACKOFF_MS.max, backoff * 2);
    });
  };
  launch();
}

/** Builds what is older than its sources: Nx hashes the inputs, replays cached outputs, builds the rest. */
function build() {
  log('building what changed (nx run-many -t build; cached builds are reused)…');
  const result = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'dashboard', 'collector', '--outputStyle=static'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('the build failed (see above); fix it, or run the previous builds with npm start -- --no-build');
}

/** The lab's node namespaces, and whether it is up (netlab info works without root). */
function labInfo() {
  const info = spawnSync(netlab, ['info'], { encoding: 'utf8' });
  if (info.status !== 0) throw new Error(`netlab info failed: ${info.stderr.trim()}`);
  const parsed = JSON.parse(info.stdout);
  return { up: parsed.up, nodes: parsed.nodes.map((node) => node.namespace) };
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
  if (rebuild) build();
  for (const [what, file] of [['API', apiBundle], ['dashboard', dashboardBuild], ['collector', collectorBundle]]) {
    if (!existsSync(file)) throw new Error(`no ${what} build (${file}): run npm start without --no-build`);
  }
  if (lab && process.getuid?.() !== 0) throw new Error('--lab builds network namespaces and needs root');

  // The children's output is piped through this terminal: readable lines on a terminal, JSON lines
  // (for a log pipeline) otherwise, whatever the API and collector would pick for a pipe.
  const logFormat = process.stdout.isTTY ? 'text' : 'json';
  // the API's V8 flags as its image has them (deploy/api/Dockerfile CMD)
  const api = run('api', process.execPath, ['--max-semi-space-size=32', apiBundle], {
    PORT: String(port),
    HOST: host,
    ROUTESCOPE_DATA_DIR: dataDir,
    ROUTESCOPE_LOG_FORMAT: process.env.ROUTESCOPE_LOG_FORMAT ?? (logFormat === 'text' ? 'pretty' : 'json'),
    // as the API's image runs it (graphql-js skips its development-only checks)
    NODE_ENV: 'production',
  });
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

  let labNodes = [];
  if (lab) {
    const before = labInfo();
    if (before.up) {
      log(`the lab (NETLAB_PREFIX=${process.env.NETLAB_PREFIX ?? 'rs-'}) is already up: collecting it as it is, and leaving it up on exit`);
    } else {
      const up = spawnSync(netlab, ['up'], { stdio: 'inherit' });
      if (up.status !== 0) throw new Error('netlab up failed');
      builtLab = true;
    }
    labNodes = labInfo().nodes;
    for (const node of labNodes) {
      supervise(`collector ${node}`, [collectorBin, 'run', '--server', server, '--netns', node, '--interval', interval, '--spool', join(spoolRoot, node), '--log-format', logFormat], collectorEnv);
    }
  } else {
    supervise('collector', [collectorBin, 'run', '--server', server, '--interval', interval, '--spool', join(spoolRoot, 'host'), '--log-format', logFormat], collectorEnv);
  }

  log(`Routescope is running:`);
  log(`  dashboard http://${local}:${dashboardPort}/  (sign in with ${readTokenHint()})`);
  log(`  GraphQL   http://${local}:${port}/graphql`);
  log(`  ingest    POST http://${local}:${port}/api/v1/snapshots`);
  log(`  health    http://${local}:${port}/readyz`);
  log(`  tokens    ${where}`);
  log(`  listening on ${host === '127.0.0.1' ? '127.0.0.1 only (HOST=0.0.0.0 to serve other machines)' : `${host} (HOST)`}`);
  log(`  collecting ${lab ? `netlab nodes ${labNodes.join(' and ')}` : 'this host'} every ${interval} (ROUTESCOPE_COLLECT_INTERVAL); Ctrl-C stops everything${builtLab ? ' and tears the lab down' : ''}`);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
main().catch((error) => {
  console.error(`[start] ${error.message}`);
  stopAll(1);
});
