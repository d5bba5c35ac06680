import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { diffFacts } from '@routescope/diff';
import { validateProbeResult, type ProbeResult } from '@routescope/probe';
import type { Snapshot } from '@routescope/snapshot';
import { parse } from 'yaml';
import { until } from '@routescope/testing';
import { collectorBin, factsOf, isRoot, labInfo, netlab, parseSnapshot, ping, repoRoot, type CollectorRun } from './lab-harness';

// The collector DaemonSet's capability set (deploy/k8s/collector.yaml), proved on the real kernel:
// the bundled collector runs under setpriv(1) as uid 0 with exactly those capabilities (bounding
// set; root's permitted/effective sets follow it on every execve, as in a container), with
// no_new_privs (allowPrivilegeEscalation: false), and must see what it sees with full root.
// Dropping any one capability must lose something concrete.
const PREFIX = 'rp-';
const ns = (name: string) => `${PREFIX}${name}`;
const NODE = ns('node-a');
/** An unnamed pod namespace (as with a runtime that pins nothing under /var/run/netns), held by a non-root process. */
const GHOST = ns('ghost');
const GHOST_VETH = 'califfffffffff0';
/** The host veths netlab gives rp-pod-a1 and rp-pod-a2 (Calico's naming, see tools/netlab/README.md). */
const NAMED_PODS = [
  [ns('pod-a1'), 'calidd33ceb84a6'],
  [ns('pod-a2'), 'calif55e0ab04de'],
];
/** capability(7) numbers, for checking what the process really holds. */
const CAPABILITY_BITS: Record<string, number> = { SETGID: 6, NET_RAW: 13, SYS_PTRACE: 19, SYS_ADMIN: 21 };

interface SecurityContext {
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities: { drop: string[]; add: string[] };
}
const manifest = parse(readFileSync(resolve(repoRoot, 'deploy/k8s/collector.yaml'), 'utf8').split(/^---$/m)[1]) as {
  spec: { template: { spec: { containers: Array<{ securityContext: SecurityContext }> } } };
};
const security = manifest.spec.template.spec.containers[0].securityContext;
const DOCUMENTED = [...security.capabilities.add].sort();

type Mode = 'named' | 'host';
interface Privileges {
  capabilities: string[];
  /** a uid other than 0: what Kubernetes gives a non-root container (bounding set only, no ambient capabilities). */
  uid?: number;
}

/** setpriv arguments that leave exactly `capabilities`, with no_new_privs; nothing for full root. */
function restrict(privileges: Privileges | 'root'): string[] {
  if (privileges === 'root') return [];
  const caps = ['-all', ...privileges.capabilities.map((c) => `+${c.toLowerCase()}`)].join(',');
  const user = privileges.uid === undefined ? [] : ['--reuid', String(privileges.uid), '--regid', String(privileges.uid), '--clear-groups'];
  return ['setpriv', ...user, '--bounding-set', caps, '--inh-caps', '-all', '--no-new-privs'];
}

/**
 * `named`: `collect --netns rp-node-a` from the initial namespace. `host`: the DaemonSet's way, from
 * inside the node's namespace (hostNetwork), discovering pods through `ip netns list-id` and /proc.
 */
function collect(mode: Mode, privileges: Privileges | 'root'): CollectorRun {
  const collector = [process.execPath, collectorBin, 'collect', '--out', '-', ...(mode === 'named' ? ['--netns', NODE] : ['--node', NODE])];
  const command = [...(mode === 'host' ? ['nsenter', `--net=/var/run/netns/${NODE}`] : []), ...restrict(privileges), ...collector];
  const result = spawnSync(command[0], command.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `probe proxy-arp --netns rp-node-a --pod rp-pod-a1 --json` with these privileges. */
function probe(privileges: Privileges): ProbeResult {
  const command = [...restrict(privileges), process.execPath, collectorBin, 'probe', 'proxy-arp', '--netns', NODE, '--pod', NAMED_PODS[0][0], '--json'];
  const run = spawnSync(command[0], command.slice(1), { encoding: 'utf8' });
  const validation = validateProbeResult(JSON.parse(run.stdout));
  if (!validation.ok) throw new Error(`probe result breaks the contract: ${JSON.stringify(validation.issues)} (stderr: ${run.stderr})`);
  return validation.value;
}

const namespacesOf = (snapshot: Snapshot) => snapshot.namespaces.map((n) => [n.name, n.hostVeth ?? null]);
/** Neighbour caches follow traffic and timers; everything else of an idle lab is stable. */
const stableFacts = (snapshot: Snapshot) => factsOf(snapshot).filter((f) => f.kind !== 'neighbor');

let holder: ChildProcess;
let ghostName: string;
const rootSnapshots = {} as Record<Mode, Snapshot>;

beforeAll(async () => {
  if (!isRoot) throw new Error('the least-privilege suite needs root (network namespaces, setpriv); run it as root, as CI does');
  netlab(PREFIX, 'up');
  execFileSync('ip', ['netns', 'add', GHOST]);
  execFileSync('ip', ['-n', NODE, 'link', 'add', GHOST_VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', GHOST]);
  // Like a pod's pause process: another uid, no capabilities, and the only thing keeping the namespace alive once unnamed.
  holder = spawn('ip', ['netns', 'exec', GHOST, 'setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', '--bounding-set', '-all', '--inh-caps', '-all', 'sleep', 'infinity'], {
    stdio: 'ignore',
  });
  await until('a process in the ghost namespace', () => (execFileSync('ip', ['netns', 'pids', GHOST], { encoding: 'utf8' }).trim() !== '' ? true : undefined), 5000, 50);
  ghostName = `pid:${execFileSync('ip', ['netns', 'pids', GHOST], { encoding: 'utf8' }).trim().split('\n')[0]}`;
  execFileSync('ip', ['netns', 'del', GHOST]);
  for (const mode of ['named', 'host'] as const) rootSnapshots[mode] = parseSnapshot(collect(mode, 'root'));
}, 120000);

afterAll(async () => {
  if (!isRoot) return;
  holder?.kill();
  if (holder && holder.exitCode === null && holder.signalCode === null) await new Promise((done) => holder.once('exit', done));
  netlab(PREFIX, 'down');
});

describe('the collector with the DaemonSet’s capability set', () => {
  it('the DaemonSet drops every capability, adds SYS_ADMIN, SYS_PTRACE, NET_RAW and SETGID only, and forbids privilege escalation', () => {
    expect(security.capabilities.drop).toEqual(['ALL']);
    expect(DOCUMENTED).toEqual(['NET_RAW', 'SETGID', 'SYS_ADMIN', 'SYS_PTRACE']);
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.readOnlyRootFilesystem).toBe(true);
  });

  it('setpriv leaves the process exactly that set, with no_new_privs', () => {
    const status = execFileSync(restrict({ capabilities: DOCUMENTED })[0], [...restrict({ capabilities: DOCUMENTED }).slice(1), 'cat', '/proc/self/status'], { encoding: 'utf8' });
    const field = (name: string) => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)![1]}`);
    const expected = DOCUMENTED.reduce((mask, capability) => mask | (1n << BigInt(CAPABILITY_BITS[capability])), 0n);
    expect({ bounding: field('CapBnd'), effective: field('CapEff'), permitted: field('CapPrm'), ambient: field('CapAmb') }).toEqual({
      bounding: expected,
      effective: expected,
      permitted: expected,
      ambient: 0n,
    });
    expect(status).toMatch(/^NoNewPrivs:\s*1$/m);
  });

  it.each(['named', 'host'] as const)('full root sees the node, both named pods and the unnamed one (%s mode)', (mode) => {
    expect(namespacesOf(rootSnapshots[mode])).toEqual([['host', null], [ghostName, GHOST_VETH], ...NAMED_PODS]);
    expect(rootSnapshots[mode].warnings).toEqual([]);
  });

  it.each(['named', 'host'] as const)('with exactly the documented set the snapshot equals the one taken as full root (%s mode)', (mode) => {
    const snapshot = parseSnapshot(collect(mode, { capabilities: DOCUMENTED }));
    expect(namespacesOf(snapshot)).toEqual(namespacesOf(rootSnapshots[mode]));
    expect(snapshot.warnings).toEqual([]);
    expect(diffFacts(stableFacts(rootSnapshots[mode]), stableFacts(snapshot)).map((c) => `${c.change} ${c.ns} ${c.kind} ${c.key}`)).toEqual([]);
  });

  it('without SYS_ADMIN, setns(2) into the node’s namespace is refused: `collect --netns` fails', () => {
    const run = collect('named', { capabilities: DOCUMENTED.filter((c) => c !== 'SYS_ADMIN') });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`cannot read network namespace ${NODE}: .*Operation not permitted`));
  });

  it('without SYS_ADMIN, in the node’s namespace it sees the host only: every pod namespace is lost', () => {
    const snapshot = parseSnapshot(collect('host', { capabilities: DOCUMENTED.filter((c) => c !== 'SYS_ADMIN') }));
    expect(namespacesOf(snapshot)).toEqual([['host', null]]);
    expect(snapshot.warnings.map((w) => [w.code, w.namespace ?? null])).toEqual([
      ['netns_not_found', null],
      ...NAMED_PODS.map(([name]) => ['netns_unreadable', name]),
    ]);
    expect(snapshot.warnings[0].message).toContain(GHOST_VETH);
    for (const warning of snapshot.warnings.slice(1)) expect(warning.message).toMatch(/Operation not permitted/);
    // The node itself is still read in full.
    expect(stableFacts(snapshot)).toEqual(stableFacts(rootSnapshots.host).filter((f) => f.ns === 'host'));
  });

  it.each(['named', 'host'] as const)('without SYS_PTRACE, the pod that only /proc/<pid>/ns/net reaches is lost (%s mode)', (mode) => {
    const snapshot = parseSnapshot(collect(mode, { capabilities: DOCUMENTED.filter((c) => c !== 'SYS_PTRACE') }));
    expect(namespacesOf(snapshot)).toEqual([['host', null], ...NAMED_PODS]);
    expect(snapshot.warnings).toEqual([{ code: 'netns_not_found', message: expect.stringContaining(GHOST_VETH) }]);
  });

  it('with exactly the documented set, probe proxy-arp captures the exchange and is verified, even with 169.254.1.1 cached in the pod', () => {
    // A cached entry the probe cannot flush (that would need NET_ADMIN): the pod's own ARP is not triggered.
    expect(ping(NAMED_PODS[0][0], labInfo(PREFIX).nodes.find((n) => n.namespace === NODE)!.underlayIp)).toBe(true);
    const result = probe({ capabilities: DOCUMENTED });
    expect(result.verdict).toBe('verified');
    const veth = result.captures.find((c) => c.point === 'host-veth')!;
    expect(veth.device).toBe(NAMED_PODS[0][1]);
    expect(veth.frames.filter((f) => f.arp?.targetIp === '169.254.1.1').map((f) => [f.arp!.op, f.arp!.op === 'reply' ? f.arp!.resolvedMac : f.srcMac])).toEqual(
      expect.arrayContaining([
        ['request', '0a:58:ac:11:08:02'],
        ['reply', 'ee:ee:ee:ee:ee:ee'],
      ]),
    );
    expect(veth.frames.some((f) => f.ip?.icmp === 'echo-reply')).toBe(true);
    // Without NET_ADMIN the pod's entry for 169.254.1.1 stays; arping's requests are what the veth answers.
    expect(result.reason).toContain("the pod's neighbour entry for 169.254.1.1 was not flushed");
  });

  it.each([
    ['NET_RAW', "You don't have permission to perform this capture"],
    ['SETGID', "Couldn't change to 'root'"],
  ])('without %s, tcpdump cannot run and the probe is unavailable, saying why', (capability, why) => {
    const result = probe({ capabilities: DOCUMENTED.filter((c) => c !== capability) });
    expect(result).toMatchObject({ verdict: 'unavailable', captures: [] });
    expect(result.reason).toContain(why);
  });

  it('as a non-root uid (no ambient capabilities, as Kubernetes starts a non-root container) the set is lost on exec: nothing but the own namespace', () => {
    const nonRoot = { capabilities: DOCUMENTED, uid: 65534 };
    const named = collect('named', nonRoot);
    expect(named.status).toBe(1);
    expect(named.stderr).toMatch(/Operation not permitted/);
    expect(namespacesOf(parseSnapshot(collect('host', nonRoot)))).toEqual([['host', null]]);
  });
});
