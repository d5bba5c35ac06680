import { promises as fs, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TUNNEL_DEVICES } from '@routescope/checks';
import { captureFromOutput, judgeProbe, POD_GATEWAY_IP, PROBE_LIMITS, type CapturePoint, type ProbeCapture, type ProbeJob, type ProbeResult, type ProbeRoute } from '@routescope/probe';
import { familyOf, findHostVeth, IFNAME_PATTERN, type NetworkNamespace } from '@routescope/snapshot';
import { collectNode } from '../collect/node-collector';
import { commandIn, runIp, type NamespaceTarget } from '../collect/namespace-target';
import { BoundedProcess, type ProcessOutcome } from './bounded-process';

/** How long tcpdump may take to open its sockets before the probe gives up on it. */
const CAPTURE_START_MS = 1500;
/** After the last answered ping, frames still in flight are printed within this. */
const CAPTURE_DRAIN_MS = 200;
/** Seconds between pings (and arpings): five fit in a second. */
const PROBE_INTERVAL_S = '0.2';
/** ARP requests arping sends at most: the kernel's own (for the pings) come on top. */
const ARPING_COUNT = 3;

export interface ProbeRunnerOptions {
  /** the node's namespace (the host's own, or a named one in the lab) */
  nodeTarget: NamespaceTarget;
  /** the node name this collector reports */
  node: string;
  /** PATH lookup, replaceable in tests to play a node without tcpdump */
  hasProgram?: (name: string) => Promise<boolean>;
  now?: () => Date;
}

interface CaptureSpec {
  point: CapturePoint;
  device: string;
  target: NamespaceTarget;
}

/** A job from the API, or one run locally (`routescope-collector probe`), which has no id. */
export type RunnableProbeJob = Omit<ProbeJob, 'id'> & { id?: string };

class ProbeUnavailable extends Error {}

/**
 * Runs probe jobs on this node: proxy-arp (the pod ARPs for 169.254.1.1 and pings the node)
 * and path (the pod pings a target), watched with tcpdump -e on the pod's eth0, its host veth
 * and (path) the device the node's route to the target leaves by. One probe at a time; every
 * helper is spawned without a shell from names the collector found itself (the pod is one of
 * the namespaces it collects, devices come from the kernel, the target is an IP literal).
 * Never throws: anything that stops a probe from running is an `unavailable` result.
 */
export class ProbeRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly hasProgram: (name: string) => Promise<boolean>;
  private readonly now: () => Date;

  constructor(private readonly options: ProbeRunnerOptions) {
    this.hasProgram = options.hasProgram ?? onPath;
    this.now = options.now ?? (() => new Date());
  }

  /** Runs `job` after any probe already running on this node. */
  run(job: RunnableProbeJob): Promise<ProbeResult> {
    const result = this.queue.then(() => this.runNow(job));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(job: RunnableProbeJob): Promise<ProbeResult> {
    const startedAt = this.now().toISOString();
    const base = {
      ...(job.id ? { id: job.id } : {}),
      kind: job.kind,
      node: job.node,
      pod: job.pod,
      ...(job.target !== undefined ? { target: job.target } : {}),
    };
    try {
      return { ...base, ...(await this.probe(job)), startedAt, finishedAt: this.now().toISOString() };
    } catch (error) {
      const reason = error instanceof ProbeUnavailable ? error.message : `the probe failed: ${(error as Error).message}`;
      return { ...base, verdict: 'unavailable', reason: reason.slice(0, PROBE_LIMITS.maxReasonLength), startedAt, finishedAt: this.now().toISOString(), captures: [], ping: { sent: 0, received: 0 } };
    }
  }

  private async probe(job: RunnableProbeJob): Promise<Pick<ProbeResult, 'verdict' | 'reason' | 'captures' | 'ping' | 'path'>> {
    if (job.node !== this.options.node) throw new ProbeUnavailable(`this collector runs on node ${this.options.node}, not ${job.node}`);
    if (job.kind === 'path' && (job.target === undefined || familyOf(job.target) === undefined)) throw new ProbeUnavailable('a path probe needs a target IP address');
    for (const program of ['tcpdump', 'ping', ...(this.options.nodeTarget.kind === 'current' && !job.pod.startsWith('pid:') ? [] : ['nsenter'])]) {
      if (!(await this.hasProgram(program))) throw new ProbeUnavailable(`${program} not installed`);
    }
    const { host, hostVeth, podDevice } = await this.findPod(job.pod);
    const podTarget: NamespaceTarget = job.pod.startsWith('pid:') ? { kind: 'path', path: `/proc/${job.pod.slice(4)}/ns/net` } : { kind: 'named', name: job.pod };
    const specs: CaptureSpec[] = [
      { point: 'pod', device: podDevice, target: podTarget },
      { point: 'host-veth', device: hostVeth, target: this.options.nodeTarget },
    ];
    let pingTarget: string;
    let route: ProbeRoute | undefined;
    if (job.kind === 'proxy-arp') {
      const address = nodeAddress(host);
      if (!address) throw new ProbeUnavailable(`node ${job.node} has no global IPv4 address for the pod to ping`);
      pingTarget = address;
    } else {
      pingTarget = job.target as string;
      const tunnels = (host.links ?? []).map((l) => l.name).filter((name) => name in TUNNEL_DEVICES);
      route = { ...(await this.routeTo(pingTarget)), ...(tunnels.length > 0 ? { tunnels } : {}) };
      if (route.device !== null && route.device !== hostVeth) specs.push({ point: 'egress', device: route.device, target: this.options.nodeTarget });
    }

    const deadline = Date.now() + job.timeoutMs;
    const ipv6 = familyOf(pingTarget) === 'inet6';
    const captures = specs.map((spec) => ({
      spec,
      process: new BoundedProcess(commandIn(spec.target, ['tcpdump', '-e', '-n', '-l', '-c', String(PROBE_LIMITS.maxCaptureLines), '-i', spec.device, ipv6 ? 'arp or icmp or icmp6' : 'arp or icmp'])),
    }));
    try {
      await withDeadline(Promise.all(captures.map((c) => c.process.stderrMatches(/listening on/))), Math.min(CAPTURE_START_MS, job.timeoutMs));
      for (const c of captures) {
        if (!c.process.running || !/listening on/.test(c.process.errorOutput)) {
          const outcome = await c.process.stop();
          throw new ProbeUnavailable(outcome.missing ? 'tcpdump not installed' : `tcpdump on ${c.spec.device} did not start: ${firstLine(outcome.stderr) || 'no answer'}`);
        }
      }
      if (job.kind === 'proxy-arp') {
        // Forget 169.254.1.1 so the pod must ask for it again, with the capture running.
        await runIp(podTarget, ['neigh', 'flush', 'to', POD_GATEWAY_IP, 'dev', podDevice]);
      }
      // No -w: with a deadline ping and arping count replies, not packets, and would send more than
      // maxPackets. They are stopped (SIGINT: they print their counts) at the time limit instead.
      const stimuli = [new BoundedProcess(commandIn(podTarget, ['ping', '-n', '-c', String(job.maxPackets), '-i', PROBE_INTERVAL_S, '-W', '1', pingTarget]))];
      if (job.kind === 'proxy-arp' && (await this.hasIputilsArping())) {
        stimuli.push(new BoundedProcess(commandIn(podTarget, ['arping', '-c', String(Math.min(job.maxPackets, ARPING_COUNT)), '-i', PROBE_INTERVAL_S, '-I', podDevice, POD_GATEWAY_IP])));
      }
      const [pingOutcome] = await withDeadline(Promise.all(stimuli.map((s) => s.exited)), deadline - Date.now()).then(() => Promise.all(stimuli.map((s) => s.stop())));
      const ping = pingCounts(pingOutcome);
      // All answered: what is left to see is in flight. Otherwise late ARP retries and replies
      // still count, until the time limit.
      await delay(ping.sent > 0 && ping.received === ping.sent ? CAPTURE_DRAIN_MS : Math.max(0, deadline - Date.now()));
      const outcomes = await Promise.all(captures.map((c) => c.process.stop()));
      const probeCaptures: ProbeCapture[] = captures.map((c, index) => {
        const netns = c.spec.target.kind === 'named' ? c.spec.target.name : c.spec.point === 'pod' ? job.pod : undefined;
        return captureFromOutput({ point: c.spec.point, device: c.spec.device, netns, pod: job.pod }, outcomes[index].stdout).capture;
      });
      const judgement = judgeProbe({ kind: job.kind, node: job.node, pod: job.pod, target: job.target, captures: probeCaptures, ping, route });
      const pingProblem = ping.sent === 0 && pingOutcome.stderr.trim() ? ` (ping: ${firstLine(pingOutcome.stderr)})` : '';
      return { verdict: judgement.verdict, reason: `${judgement.reason}${pingProblem}`.slice(0, PROBE_LIMITS.maxReasonLength), captures: probeCaptures, ping, ...(judgement.path ? { path: judgement.path } : {}) };
    } finally {
      await Promise.all(captures.map((c) => c.process.stop()));
    }
  }

  /** The pod among the namespaces this collector finds on its node (the same discovery as a snapshot). */
  private async findPod(name: string): Promise<{ host: NetworkNamespace; hostVeth: string; podDevice: string }> {
    const state = await collectNode(this.options.nodeTarget);
    const host = state.namespaces.find((ns) => ns.kind === 'host') as NetworkNamespace;
    const pods = state.namespaces.filter((ns) => ns.kind === 'pod');
    const pod = pods.find((ns) => ns.name === name);
    if (!pod) {
      const known = pods.map((p) => p.name).slice(0, 20).join(', ');
      throw new ProbeUnavailable(`pod ${name} is not a pod network namespace of node ${this.options.node} (found: ${known || 'none'})`);
    }
    const pair = findHostVeth(host.links ?? [], pod.links ?? []);
    if (!pair || !isInterfaceName(pair.hostVeth.name) || !isInterfaceName(pair.podLink.name)) throw new ProbeUnavailable(`pod ${name} has no veth paired with node ${this.options.node} any more`);
    return { host, hostVeth: pair.hostVeth.name, podDevice: pair.podLink.name };
  }

  /** `ip route get TARGET` on the node: the device (and gateway) its packets to the target leave by. */
  private async routeTo(target: string): Promise<ProbeRoute> {
    const result = await runIp(this.options.nodeTarget, ['-j', 'route', 'get', target]);
    if (result.code !== 0) return { device: null, problem: firstLine(result.stderr) || `ip route get exited ${result.code}` };
    let entries: Array<{ dev?: unknown; gateway?: unknown; type?: unknown }>;
    try {
      entries = JSON.parse(result.stdout);
    } catch {
      return { device: null, problem: 'ip route get printed no JSON' };
    }
    const entry = entries[0];
    const device = typeof entry?.dev === 'string' && isInterfaceName(entry.dev) ? entry.dev : null;
    if (device === null) return { device: null, problem: `the route is ${typeof entry?.type === 'string' ? entry.type : 'without a device'}` };
    return typeof entry.gateway === 'string' && familyOf(entry.gateway) ? { device, gateway: entry.gateway } : { device };
  }

  private arping?: Promise<boolean>;

  /** arping's options differ between implementations; only iputils' is used (`-c`, `-w`, `-I`). */
  private hasIputilsArping(): Promise<boolean> {
    this.arping ??= (async () => {
      if (!(await this.hasProgram('arping'))) return false;
      const version = await new BoundedProcess(['arping', '-V']).exited;
      return /iputils/.test(version.stdout + version.stderr);
    })();
    return this.arping;
  }
}

/** The node's address for the pod to ping: a global IPv4 address on the device of its default route, else on any uplink (never a cali veth, a tunnel or lo). */
export function nodeAddress(host: NetworkNamespace): string | undefined {
  const uplink = (dev: string) => dev !== 'lo' && !dev.startsWith('cali') && !(dev in TUNNEL_DEVICES);
  const candidates = (host.addresses ?? []).filter((a) => a.family === 'inet' && (a.scope === undefined || a.scope === 'global') && uplink(a.dev));
  const defaultDevice = (host.routes ?? []).find((r) => r.family === 'inet' && r.dst === 'default' && r.table === 'main')?.dev;
  return (candidates.find((a) => a.dev === defaultDevice) ?? candidates[0])?.local;
}

function isInterfaceName(name: string): boolean {
  return name.length > 0 && name.length <= 15 && IFNAME_PATTERN.test(name) && name !== '.' && name !== '..';
}

/** `N packets transmitted, M received` from iputils ping's summary; 0/0 when it sent nothing. */
export function pingCounts(outcome: Pick<ProcessOutcome, 'stdout'>): { sent: number; received: number } {
  const match = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(outcome.stdout);
  return match ? { sent: Number(match[1]), received: Math.min(Number(match[2]), Number(match[1])) } : { sent: 0, received: 0 };
}

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (!dir) continue;
    const found = await fs.access(join(dir, name), fsConstants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return true;
  }
  return false;
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 300);
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
