// fs.promises, not node:fs/promises: the getter loads it only for the commands that read or write files.
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { isPodNamespaceName, PROBE_LIMITS, PROBE_KINDS, type ProbeKind } from '@routescope/probe';
import { familyOf, heartbeatFor, snapshotStateHash, type Snapshot } from '@routescope/snapshot';
import {
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  checkNetnsName,
  checkNodeName,
  formatHelp,
  parseCommand,
  parseDuration,
  parsePort,
  parsePositiveInteger,
  toNodeName,
  type CommandSpec,
  type ParsedCommand,
} from './cli/command-line';
import { formatSnapshotSummary } from './cli/snapshot-summary';
import type { NamespaceTarget } from './collect/namespace-target';
import { CollectorSession, collectorVersion } from './collect/snapshot-taker';

const PROGRAM = 'routescope-collector';

const targetOptions = [
  { name: 'netns', value: 'NAME', description: 'collect the named network namespace as if it were the node (default: this host)' },
  { name: 'node', value: 'NAME', description: 'node name to report (default: $NODE_NAME, the netns name, or the hostname)' },
];

const COMMANDS: Record<string, CommandSpec> = {
  collect: {
    name: 'collect',
    synopsis: 'collect [--netns NAME] [--node NAME] [--out FILE|-] [--summary]',
    summary: 'Take one snapshot of the node and its pod namespaces, and print it as JSON.',
    options: [
      ...targetOptions,
      { name: 'out', value: 'FILE|-', description: 'write the snapshot to FILE, or to standard output with - (the default)' },
      { name: 'summary', description: 'print a short human summary instead of the JSON' },
    ],
    positionals: [],
  },
  run: {
    name: 'run',
    synopsis: 'run --server URL --token T [--interval 30s] [--spool DIR] [--netns NAME] [--node NAME] [--metrics-port N] [--log-format json|text] [--no-probes]',
    summary: 'Collect on a timer and post every snapshot to the Routescope API, spooling to disk while it is unreachable.',
    options: [
      { name: 'server', value: 'URL', description: 'API base URL, e.g. http://routescope-api:4000 (or $ROUTESCOPE_SERVER)' },
      { name: 'token', value: 'T', description: 'ingest token (or $ROUTESCOPE_TOKEN, or --token-file)' },
      { name: 'token-file', value: 'FILE', description: 'read the ingest token from FILE (a mounted Secret)' },
      { name: 'interval', value: 'DURATION', description: 'time between snapshots: 500ms, 30s, 1m (default 30s)' },
      { name: 'spool', value: 'DIR', description: 'where undelivered snapshots wait (default /var/lib/routescope/spool)' },
      { name: 'spool-max', value: 'N', description: 'most snapshots kept in the spool; the oldest go first (default 2880, one day at 30s)' },
      { name: 'metrics-port', value: 'N', description: 'serve Prometheus metrics at GET /metrics on this port (default: none)' },
      { name: 'metrics-host', value: 'ADDR', description: 'address the metrics port binds (default 0.0.0.0)' },
      { name: 'log-format', value: 'json|text', description: 'JSON lines, or text lines (default: text on a terminal, else json)' },
      { name: 'probes', description: 'run the probes the API queues for this node (the default)' },
      { name: 'no-probes', description: 'do not poll the API for probes' },
      ...targetOptions,
    ],
    positionals: [],
    details: [
      'Probes: a second loop long-polls GET /api/v1/probes/next?node=NAME&wait=25 with the same token, runs each',
      'job (see "probe --help") and posts the result to POST /api/v1/probes/ID/result; it never delays a snapshot.',
      'Snapshots are replayed oldest first with exponential backoff and jitter (at least Retry-After when the API sends one).',
      'A snapshot whose facts hash to the state the API acknowledged last is posted as a heartbeat (POST /api/v1/heartbeats);',
      'when the API answers resend, or has no heartbeat route (an older API), the full snapshot follows at once.',
      'A snapshot the API refuses for good (4xx other than 401/403/408/429) moves to DIR/rejected/ with the answer, and the next one goes.',
      'The clock skew read from the API\'s Date header is logged past 10 s and sent as collector.clockSkewMs.',
      'SIGTERM finishes the post in flight and exits 0.',
    ].join('\n'),
  },
  import: {
    name: 'import',
    synopsis: 'import FILE|- [--node NAME] [--out FILE|-] [--summary]',
    summary: 'Build snapshots from pasted command output (ip, route, ifconfig, arp, sysctl, tcpdump, calicoctl, …), one per node.',
    options: [
      { name: 'node', value: 'NAME', description: 'node name of a one-node capture (default: a "node NAME" marker or prompt host in the capture, else "imported")' },
      { name: 'out', value: 'FILE|-', description: 'write the snapshot (a JSON array of snapshots when the capture names several nodes) to FILE, or to standard output with - (the default)' },
      { name: 'summary', description: 'print a short human summary instead of the JSON' },
    ],
    positionals: [{ name: 'FILE|-', required: true }],
    details: [
      'Each command output starts with a header line: "$ COMMAND", "--- COMMAND", "# COMMAND" or a shell',
      'prompt ("user@node-1:~$ COMMAND", "[root@node-1 ~]# COMMAND"); append "pod NAME" or "node NAME" to say',
      'where it ran (the node by default; a prompt\'s host names the node). Example:',
      '  --- ip -d link',
      '  ...',
      '  --- ip route show table all pod cni-1234',
      '  ...',
      'Read: ip link/addr/route/neigh/monitor (text, -j, -d, -s, -br, busybox), route/netstat -r, ifconfig,',
      'arp, sysctl and /proc/sys files, tcpdump, calicoctl node status, kubectl get pods/nodes, bridge fdb, wg.',
      'Coverage goes to stderr: each section read, partial (| grep, head, a fleet tool\'s host prefix, masked',
      'values) or unsupported, with the reason. Exit 1 when no section could be read.',
    ].join('\n'),
  },
  check: {
    name: 'check',
    synopsis: 'check FILE|- [--json] [--node NAME]',
    summary: 'Run the Calico proxy-ARP rules on a snapshot (JSON) or a pasted capture, and print coverage, findings and passed evidence.',
    options: [
      { name: 'json', description: 'print {node, cni, nodes, coverage, notChecked, findings, passed} as JSON instead of text' },
      { name: 'node', value: 'NAME', description: 'node name to report (default: the snapshot\'s node, a "node NAME" marker or prompt, else "imported"); one-node input only' },
    ],
    positionals: [{ name: 'FILE|-', required: true }],
    details: [
      'FILE is a snapshot from "collect" (JSON with schemaVersion) or a capture in any format "import" reads',
      '(ip, route, ifconfig, tcpdump -e, calicoctl node status, ip monitor, kubectl -o wide, filtered output).',
      'A capture of several nodes ("node NAME" qualifiers) also gets the cross-node rules. The coverage of',
      'each section is printed first ("not checked: ..." for partial or unread ones); tcpdump -e frames are',
      'checked for the pod\'s ARP for 169.254.1.1 ("proxy ARP verified" when answered is-at ee:ee:ee:ee:ee:ee).',
      'Exit codes: 0 no finding of warning or worse, 1 findings (or a file that is neither), 2 bad usage.',
    ].join('\n'),
  },
  trace: {
    name: 'trace',
    synopsis: 'trace SNAPSHOT… --from pod:NAME|node:NAME|node --to IP [--size BYTES] [--df] [--json]',
    summary: 'Walk a ping from a pod or node to an address through the nodes\' snapshots (or pasted captures), and back, hop by hop.',
    options: [
      { name: 'from', value: 'pod:NAME|node:NAME|node', description: 'the source: a pod (netns name, or Kubernetes name [namespace/]name), a node by name, or "node" with one snapshot' },
      { name: 'to', value: 'IP', description: 'the IPv4 address pinged' },
      { name: 'size', value: 'BYTES', description: 'the whole IP packet (default 84, as ping sends; ping -s N sends N + 28)' },
      { name: 'df', description: 'set Don\'t Fragment (ping -M do)' },
      { name: 'json', description: 'print {reachable, verdict, source, forward: {delivered, hops, stop}, reply: {…}} as JSON' },
    ],
    positionals: [{ name: 'SNAPSHOT…', required: true, repeats: true }],
    details: [
      'SNAPSHOT is a file from "collect" (JSON), a JSON array from "import" of several nodes, or a pasted capture in any',
      'format "import" reads; give one state per node ("-" reads standard input). The walk follows Linux: route lookup,',
      'proxy ARP for 169.254.1.1 (proxy_arp, forwarding, the exit route), forwarding and rp_filter, link state, MTU and DF,',
      'VXLAN/IPIP/WireGuard to the node that owns the tunnel\'s far end, then the reply; each hop cites the facts it used.',
      'Exit codes: 0 reachable, 1 not reachable (or unreadable input), 2 bad usage.',
    ].join('\n'),
  },
  probe: {
    name: 'probe',
    synopsis: 'probe proxy-arp|path --pod POD [--target IP] [--netns NAME] [--node NAME] [--timeout MS] [--packets N] [--json]',
    summary: 'Watch one pod talk, with tcpdump -e on its eth0, its host veth and (path) the egress device, and judge the frames.',
    options: [
      { name: 'pod', value: 'POD', description: 'the pod\'s network namespace, as a snapshot names it (a name under /var/run/netns, or pid:N)' },
      { name: 'target', value: 'IP', description: 'path only: the address the pod pings (another pod, a node, a service IP)' },
      ...targetOptions,
      { name: 'timeout', value: 'MS', description: `capture time limit in milliseconds (default ${PROBE_LIMITS.defaultTimeoutMs}, at most ${PROBE_LIMITS.maxTimeoutMs}; 3s also works)` },
      { name: 'packets', value: 'N', description: `pings sent at most (default ${PROBE_LIMITS.defaultMaxPackets}, at most ${PROBE_LIMITS.maxMaxPackets})` },
      { name: 'json', description: 'print the result as JSON (the ProbeResult the API stores)' },
    ],
    positionals: [{ name: 'proxy-arp|path', required: true }],
    details: [
      'proxy-arp: the pod forgets 169.254.1.1 and pings the node\'s address (and arpings 169.254.1.1 when iputils arping',
      'is installed). Verdicts: verified (asked, answered is-at ee:ee:ee:ee:ee:ee, pings answered), no-arp-reply,',
      'wrong-mac, arp-ok-no-echo, no-frames. path: the pod pings --target; the egress device is what the node\'s',
      '"ip route get" names. Verdicts: answered, not-answered (with where the packets stopped). Either: unavailable',
      'when it cannot run (tcpdump not installed, unknown pod). Needs root, or CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN',
      '(capture, raw sockets for ping/arping, entering namespaces). Runs without the API; one probe at a time.',
      'Exit codes: 0 verified or answered, 1 any other verdict, 2 bad usage, 3 unavailable.',
    ].join('\n'),
  },
};

const TOP_HELP = `Usage: ${PROGRAM} <command> [options]

Routescope's per-node collector: snapshots routes, neighbours, links, addresses and network
sysctls of a node and of every pod network namespace hanging off its veths.

Commands:
  collect   take one snapshot and print it
  run       collect on a timer and post to the Routescope API
  import    build a snapshot from pasted ip/sysctl output
  check     run the Calico rules on a snapshot or a pasted capture
  probe     watch a pod's proxy ARP (or its path to an address) with tcpdump, and judge it
  trace     walk a ping through snapshots (or pasted captures) of the nodes, hop by hop, both ways

Run "${PROGRAM} <command> --help" for a command's options.
Exit codes: 0 ok, 1 findings or problems, 2 bad usage (probe: 3 when it could not run).
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(TOP_HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${collectorVersion}\n`);
    return EXIT_OK;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const parsed = parseCommand(spec, rest);
  if (parsed.help) {
    process.stdout.write(formatHelp(PROGRAM, spec));
    return EXIT_OK;
  }
  switch (command) {
    case 'collect':
      return collectCommand(parsed);
    case 'run':
      return runCommand(parsed);
    case 'import':
      return importCommand(parsed);
    case 'check':
      return checkCommand(parsed);
    case 'probe':
      return probeCommand(parsed);
    case 'trace':
      return traceCommand(parsed);
  }
  return EXIT_USAGE;
}

function resolveTarget(parsed: ParsedCommand): { target: NamespaceTarget; node: string } {
  const netns = parsed.options.netns;
  const target: NamespaceTarget = netns ? { kind: 'named', name: checkNetnsName(netns) } : { kind: 'current' };
  const explicit = parsed.options.node ?? (netns ? undefined : process.env.NODE_NAME);
  const node = explicit ? checkNodeName(explicit) : toNodeName(netns ?? hostname()) || 'localhost';
  return { target, node };
}

async function collectCommand(parsed: ParsedCommand): Promise<number> {
  const { target, node } = resolveTarget(parsed);
  const snapshot = await new CollectorSession(target, node).takeSnapshot();
  await emit(snapshot, parsed);
  return EXIT_OK;
}

async function importCommand(parsed: ParsedCommand): Promise<number> {
  const source = parsed.positionals[0];
  const text = source === '-' ? await readStdin() : await fs.readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${source}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  // Loaded on demand, like the rules for check.
  const { runImport } = await import('./cli/import-command');
  const result = runImport(text, { source: source === '-' ? 'the input' : source, node: parsed.options.node });
  process.stderr.write(result.coverage);
  if (result.problem) process.stderr.write(`${PROGRAM}: ${result.problem}\n`);
  if (result.code !== EXIT_OK) return result.code;
  // One node: the snapshot itself, as before; several: a JSON array of snapshots.
  await emit(result.snapshots.length === 1 ? result.snapshots[0] : result.snapshots, parsed);
  return EXIT_OK;
}

async function checkCommand(parsed: ParsedCommand): Promise<number> {
  const source = parsed.positionals[0];
  const text = source === '-' ? await readStdin() : await fs.readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${source}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const node = parsed.options.node ? checkNodeName(parsed.options.node) : undefined;
  // Loaded on demand: collect and run do not need the rules (@routescope/checks).
  const { runCheck } = await import('./cli/check-command');
  const result = runCheck(text, { source: source === '-' ? 'the input' : source, json: parsed.flags.has('json'), node });
  if (result.stderr) process.stderr.write(result.stderr);
  if (result.stdout) await writeStdout(result.stdout);
  return result.code;
}

async function traceCommand(parsed: ParsedCommand): Promise<number> {
  const from = parsed.options.from;
  const to = parsed.options.to;
  if (from === undefined) throw new UsageError('trace: --from pod:NAME|node:NAME|node is required');
  if (to === undefined) throw new UsageError('trace: --to IP is required');
  const size = parsed.options.size === undefined ? undefined : parsePositiveInteger(parsed.options.size, 'size');
  if (parsed.positionals.filter((p) => p === '-').length > 1) throw new UsageError('trace: standard input ("-") can be read once');
  const files = await Promise.all(
    parsed.positionals.map(async (source) => ({
      source: source === '-' ? 'the input' : source,
      text: source === '-' ? await readStdin() : await fs.readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${source}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      }),
    })),
  );
  // Loaded on demand, like the rules for check.
  const { runTrace } = await import('./cli/trace-command');
  const result = runTrace(files, { from, to, size, dontFragment: parsed.flags.has('df'), json: parsed.flags.has('json') });
  if (result.stderr) process.stderr.write(result.stderr);
  if (result.stdout) await writeStdout(result.stdout);
  return result.code;
}

async function probeCommand(parsed: ParsedCommand): Promise<number> {
  const kind = parsed.positionals[0] as ProbeKind;
  if (!PROBE_KINDS.includes(kind)) throw new UsageError(`probe: "${parsed.positionals[0]}" is not a probe kind (${PROBE_KINDS.join(', ')})`);
  const pod = parsed.options.pod;
  if (pod === undefined) throw new UsageError('probe: --pod POD is required');
  if (!isPodNamespaceName(pod)) throw new UsageError(`--pod: "${pod}" is not a pod network namespace name (a name under /var/run/netns, or pid:N)`);
  const target = parsed.options.target;
  if (kind === 'path' && target === undefined) throw new UsageError('probe path: --target IP is required');
  if (kind === 'proxy-arp' && target !== undefined) throw new UsageError('--target: only for path probes (proxy-arp always asks for 169.254.1.1)');
  if (target !== undefined && familyOf(target) === undefined) throw new UsageError(`--target: "${target}" is not an IP address`);
  const timeoutMs = parsed.options.timeout === undefined ? PROBE_LIMITS.defaultTimeoutMs : /^\d+$/.test(parsed.options.timeout) ? Number(parsed.options.timeout) : parseDuration(parsed.options.timeout, 'timeout');
  if (timeoutMs < PROBE_LIMITS.minTimeoutMs || timeoutMs > PROBE_LIMITS.maxTimeoutMs) {
    throw new UsageError(`--timeout: ${timeoutMs} ms is outside ${PROBE_LIMITS.minTimeoutMs}-${PROBE_LIMITS.maxTimeoutMs} ms`);
  }
  const maxPackets = parsed.options.packets === undefined ? PROBE_LIMITS.defaultMaxPackets : parsePositiveInteger(parsed.options.packets, 'packets');
  if (maxPackets > PROBE_LIMITS.maxMaxPackets) throw new UsageError(`--packets: at most ${PROBE_LIMITS.maxMaxPackets}`);
  const { target: nodeTarget, node } = resolveTarget(parsed);
  const [{ ProbeRunner }, { formatProbeResult, probeExitCode }] = await Promise.all([import('./probe/probe-runner'), import('./cli/probe-command')]);
  const result = await new ProbeRunner({ nodeTarget, node }).run({ kind, node, pod, ...(target === undefined ? {} : { target }), timeoutMs, maxPackets });
  await writeStdout(parsed.flags.has('json') ? `${JSON.stringify(result, null, 2)}\n` : formatProbeResult(result));
  return probeExitCode(result);
}

async function runCommand(parsed: ParsedCommand): Promise<number> {
  const server = parsed.options.server ?? process.env.ROUTESCOPE_SERVER;
  if (!server) throw new UsageError('run: --server URL is required');
  if (!/^https?:\/\/[^/]+/.test(server)) throw new UsageError(`--server: "${server}" is not an http(s) URL`);
  const tokenFile = parsed.options['token-file'];
  const token = (
    parsed.options.token ??
    (tokenFile ? await fs.readFile(tokenFile, 'utf8').catch(() => { throw new UsageError(`--token-file: cannot read ${tokenFile}`); }) : undefined) ??
    process.env.ROUTESCOPE_TOKEN ??
    ''
  ).trim();
  if (!token) throw new UsageError('run: an ingest token is required (--token, --token-file or $ROUTESCOPE_TOKEN)');
  const intervalMs = parseDuration(parsed.options.interval ?? '30s', 'interval');
  const maxFiles = parsePositiveInteger(parsed.options['spool-max'] ?? '2880', 'spool-max');
  const metricsPort = parsed.options['metrics-port'] === undefined ? undefined : parsePort(parsed.options['metrics-port'], 'metrics-port');
  if (parsed.flags.has('probes') && parsed.flags.has('no-probes')) throw new UsageError('run: --probes and --no-probes contradict each other');
  const logFormat = parsed.options['log-format'] ?? (process.stderr.isTTY ? 'text' : 'json');
  if (logFormat !== 'json' && logFormat !== 'text') throw new UsageError(`--log-format: "${logFormat}" is not json or text`);
  const { target, node } = resolveTarget(parsed);
  // Loaded on demand, like the rules for check: a one-shot collect does not need the run loop.
  const [{ RunLoop }, { SnapshotSender }, { SnapshotSpool }] = await Promise.all([import('./run/run-loop'), import('./run/snapshot-sender'), import('./run/snapshot-spool')]);

  const spool = new SnapshotSpool(parsed.options.spool ?? '/var/lib/routescope/spool', { maxFiles, maxBytes: 1024 * 1024 * 1024 });
  await spool.open().catch((error: Error) => {
    throw new UsageError(`--spool: cannot use ${spool.dir}: ${error.message}`);
  });
  const session = new CollectorSession(target, node);
  const sender = new SnapshotSender(server, token);
  const log = (message: string) =>
    process.stderr.write(logFormat === 'json' ? `${JSON.stringify({ time: new Date().toISOString(), level: 'info', name: PROGRAM, node, msg: message })}\n` : `${new Date().toISOString()} ${PROGRAM}: ${message}\n`);
  // prom-client-free and loaded only when asked for (run/collector-metrics.ts).
  let metrics: import('./run/collector-metrics').CollectorMetrics | undefined;
  let metricsServer: import('node:http').Server | undefined;
  if (metricsPort !== undefined) {
    metrics = new (await import('./run/collector-metrics')).CollectorMetrics(() => spool.length);
    metricsServer = await metrics.listen(metricsPort, parsed.options['metrics-host'] ?? '0.0.0.0').catch((error: Error) => {
      throw new UsageError(`--metrics-port: cannot listen on ${metricsPort}: ${error.message}`);
    });
  }
  // Contract v1.1: an unchanged snapshot is posted as a heartbeat (its facts' hash, as the API computes it).
  const heartbeats = { stateHash: snapshotStateHash, heartbeatFor, send: (body: string) => sender.sendHeartbeat(body) };
  const loop = new RunLoop({ takeSnapshot: () => session.takeSnapshot(), send: (body) => sender.send(body), spool, intervalMs, log, metrics, heartbeats });
  // Probes run in their own loop (their own long poll), so a probe never delays a snapshot.
  let probeLoop: import('./probe/probe-loop').ProbeLoop | undefined;
  if (!parsed.flags.has('no-probes')) {
    const [{ ProbeLoop }, { ProbeRunner }] = await Promise.all([import('./probe/probe-loop'), import('./probe/probe-runner')]);
    probeLoop = new ProbeLoop({ server, token, node, runner: new ProbeRunner({ nodeTarget: target, node }), log });
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log(`${signal}: finishing the current post, then exiting`);
      loop.stop();
      probeLoop?.stop();
    });
  }
  log(`node ${node}: posting to ${sender.url} every ${intervalMs} ms (spool ${spool.dir}, ${spool.length} waiting)${metricsServer ? `, metrics on port ${metricsPort}` : ''}${probeLoop ? ', running probes' : ', probes off'}`);
  await Promise.all([loop.run(), probeLoop?.run()]);
  metricsServer?.close();
  log(`stopped; ${spool.length} snapshot(s) left in the spool, ${loop.rejected} rejected since start (in ${spool.rejectedDir}), ${loop.heartbeats} delivered as heartbeats`);
  return EXIT_OK;
}

async function emit(snapshot: Snapshot | Snapshot[], parsed: ParsedCommand): Promise<void> {
  const summary = () => (Array.isArray(snapshot) ? snapshot.map((s) => formatSnapshotSummary(s)).join('\n') : formatSnapshotSummary(snapshot));
  const text = parsed.flags.has('summary') ? summary() : `${JSON.stringify(snapshot, null, 2)}\n`;
  const out = parsed.options.out ?? '-';
  if (out === '-') await writeStdout(text);
  else await fs.writeFile(out, text);
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
