import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { until } from '@routescope/testing';

// Builds the real lab (network namespaces, veths, VXLAN) and pings through it: root only.
// This suite owns the "rt-" prefix so it never shares a lab with other suites or people
// (NETLAB_E2E_PREFIX overrides it, e.g. to run a second copy by hand).
const NETLAB = path.resolve(__dirname, '../netlab');
const PREFIX = process.env.NETLAB_E2E_PREFIX ?? 'rt-';
const isRoot = process.getuid?.() === 0;

jest.setTimeout(180_000);

interface LabPod {
  name: string;
  namespace: string;
  node: string;
  nodeNamespace: string;
  ip: string;
  k8sNamespace: string;
  k8sName: string;
  hostVeth: string;
  hostVethMac: string;
  podMac: string;
  mtu: number;
}

interface LabNode {
  name: string;
  namespace: string;
  underlayIp: string;
  block: string;
  vtep: { device: string; ip: string; mac: string };
  pods: string[];
}

interface LabInfo {
  prefix: string;
  up: boolean;
  podMtu: number;
  nodes: LabNode[];
  pods: LabPod[];
  faultNames: string[];
  faults: { name: string; pod: string }[];
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Run {
  const r = spawnSync(NETLAB, args, {
    env: { ...process.env, NETLAB_PREFIX: PREFIX },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function netlab(...args: string[]): string {
  return execFileSync(NETLAB, args, {
    env: { ...process.env, NETLAB_PREFIX: PREFIX },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

let lab: LabInfo;
let healthyDump: string;

function pod(name: string): LabPod {
  const found = lab.pods.find((p) => p.name === name);
  if (!found) throw new Error(`no pod ${name} in the lab`);
  return found;
}

/** A ping target: another pod, or "node" = the source pod's own node (its underlay IP). */
type Target = string;

function address(from: string, to: Target): string {
  if (to !== 'node') return pod(to).ip;
  const node = lab.nodes.find((n) => n.name === pod(from).node);
  if (!node) throw new Error(`no node for ${from}`);
  return node.underlayIp;
}

/**
 * One ping from a pod (up to two tries, 1 s each). size = ICMP payload; large pings clear DF
 * (-M dont), so a pod whose MTU matches its host veth fragments and still gets through.
 */
function ping(from: string, to: Target, size?: number): boolean {
  const args = ['netns', 'exec', `${PREFIX}${from}`, 'ping', '-n', '-q', '-c1', '-W1'];
  if (size !== undefined) args.push('-s', String(size), '-M', 'dont');
  args.push(address(from, to));
  for (let i = 0; i < 2; i++) {
    if (spawnSync('ip', args, { stdio: 'ignore', timeout: 10_000 }).status === 0) return true;
  }
  return false;
}

interface Check {
  from: string;
  to: Target;
  size?: number;
}

const LARGE = 1472; // 1500-byte IP packets

function label({ from, to, size }: Check): string {
  const target = to === 'node' ? 'its node' : to;
  return size === undefined ? `${from} -> ${target}` : `${from} -> ${target} (${size + 28}-byte packets)`;
}

function expectReach(checks: Check[], reached: boolean): void {
  const got = checks.map((c) => ({ pair: label(c), reached: ping(c.from, c.to, c.size) }));
  expect(got).toEqual(checks.map((c) => ({ pair: label(c), reached })));
}

function neighbour(podName: string, ip: string): string {
  return execFileSync('ip', ['-n', `${PREFIX}${podName}`, 'neigh', 'show', ip], { encoding: 'utf8' }).trim();
}

function flushNeighbours(podName: string): void {
  execFileSync('ip', ['-n', `${PREFIX}${podName}`, 'neigh', 'flush', 'all']);
}

const POD_NAMES = ['pod-a1', 'pod-a2', 'pod-b1', 'pod-b2'];
const HEALTHY: Check[] = [
  ...POD_NAMES.flatMap((from) => POD_NAMES.filter((to) => to !== from).map((to) => ({ from, to }))),
  ...POD_NAMES.map((from) => ({ from, to: 'node' })),
  { from: 'pod-a1', to: 'pod-a2', size: LARGE },
  { from: 'pod-a1', to: 'pod-b1', size: LARGE },
];


describe('netlab (Calico-like lab in network namespaces)', () => {
  beforeAll(() => {
    if (!isRoot) throw new Error('the netlab e2e suite needs root (network namespaces); run it as root, as CI does');
    netlab('up');
    lab = JSON.parse(netlab('info')) as LabInfo;
    // Taken before any traffic: neighbour caches hold only the permanent VXLAN entries.
    healthyDump = netlab('dump');
  });

  afterAll(() => {
    if (isRoot) run(['down']);
  });

  describe('a healthy lab', () => {
    it('is described by info: two nodes with their blocks and VTEPs, four pods with Calico veth names', () => {
      expect(lab.prefix).toBe(PREFIX);
      expect(lab.up).toBe(true);
      expect(lab.faults).toEqual([]);
      expect(lab.nodes.map((n) => [n.name, n.namespace, n.underlayIp, n.block, n.vtep.ip, n.vtep.mac])).toEqual([
        ['node-a', `${PREFIX}node-a`, '10.99.0.11', '172.17.8.0/26', '172.17.8.0', '66:c1:a0:00:00:0a'],
        ['node-b', `${PREFIX}node-b`, '10.99.0.12', '172.17.8.64/26', '172.17.8.64', '66:c1:a0:00:00:0b'],
      ]);
      expect(lab.pods.map((p) => [p.name, p.namespace, p.node, p.ip, p.mtu])).toEqual([
        ['pod-a1', `${PREFIX}pod-a1`, 'node-a', '172.17.8.2', 1450],
        ['pod-a2', `${PREFIX}pod-a2`, 'node-a', '172.17.8.3', 1450],
        ['pod-b1', `${PREFIX}pod-b1`, 'node-b', '172.17.8.66', 1450],
        ['pod-b2', `${PREFIX}pod-b2`, 'node-b', '172.17.8.67', 1450],
      ]);
      for (const p of lab.pods) {
        const sha = createHash('sha1').update(`${p.k8sNamespace}.${p.k8sName}`).digest('hex');
        expect(p.hostVeth).toBe(`cali${sha.slice(0, 11)}`);
        expect(p.hostVethMac).toBe('ee:ee:ee:ee:ee:ee');
      }
    });

    it.each(HEALTHY.map((c) => [label(c), c] as const))('%s gets a reply', (_name, check) => {
      expectReach([check], true);
    });

    it('after a ping, pod-a1 has 169.254.1.1 resolved to ee:ee:ee:ee:ee:ee (proxy ARP on the host veth)', () => {
      flushNeighbours('pod-a1');
      expect(ping('pod-a1', 'pod-a2')).toBe(true);
      expect(neighbour('pod-a1', '169.254.1.1')).toMatch(/^169\.254\.1\.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee (REACHABLE|STALE|DELAY)/);
    });

    it('netlab verify passes every check', () => {
      const r = run(['verify']);
      expect(r.stdout).toMatch(/all \d+ checks passed/);
      expect(r.status).toBe(0);
    });

    it('lists its eleven faults and rejects an unknown one with exit 2', () => {
      expect(netlab('fault', '--list').trim().split('\n')).toEqual(lab.faultNames);
      expect(lab.faultNames).toHaveLength(11);
      const r = run(['fault', 'no-such-fault']);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  // Faults that break the data path. Each targets pod-a1 (on node-a) unless `pod` says
  // otherwise; `breaks` must fail while the fault is on, `keeps` must still pass.
  const breaking: { fault: string; what: string; breaks: Check[]; keeps: Check[] }[] = [
    {
      fault: 'proxy-arp-off',
      what: "proxy_arp off on pod-a1's veth",
      breaks: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-a1', to: 'pod-b1' },
        { from: 'pod-a1', to: 'node' },
        { from: 'pod-a2', to: 'pod-a1' },
        { from: 'pod-b1', to: 'pod-a1' },
      ],
      keeps: [
        { from: 'pod-a2', to: 'pod-b1' },
        { from: 'pod-a2', to: 'node' },
      ],
    },
    {
      fault: 'host-route-missing',
      what: "pod-a1's host route missing on node-a",
      breaks: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-a1', to: 'node' },
        { from: 'pod-a2', to: 'pod-a1' },
        { from: 'pod-b1', to: 'pod-a1' },
      ],
      keeps: [
        { from: 'pod-a2', to: 'pod-b2' },
        { from: 'pod-a2', to: 'node' },
      ],
    },
    {
      fault: 'remote-block-route-missing',
      what: "node-a's route to node-b's block missing",
      breaks: [
        { from: 'pod-a1', to: 'pod-b1' },
        { from: 'pod-a2', to: 'pod-b2' },
        { from: 'pod-b1', to: 'pod-a1' },
      ],
      keeps: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-b1', to: 'pod-b2' },
        { from: 'pod-a1', to: 'node' },
      ],
    },
    {
      fault: 'remote-block-wrong-node',
      what: "node-a's route to node-b's block pointing at the router instead of node-b",
      breaks: [
        { from: 'pod-a1', to: 'pod-b1' },
        { from: 'pod-b2', to: 'pod-a2' },
      ],
      keeps: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-b1', to: 'pod-b2' },
      ],
    },
    {
      fault: 'ip-forward-off',
      what: 'ip_forward off on node-a',
      // Proxy ARP only answers on interfaces that forward, so even pod -> own node fails
      // once the pod has to resolve 169.254.1.1 again (netlab flushes pod caches on a fault).
      breaks: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-a1', to: 'pod-b1' },
        { from: 'pod-b1', to: 'pod-a1' },
        { from: 'pod-a1', to: 'node' },
      ],
      keeps: [
        { from: 'pod-b1', to: 'pod-b2' },
        { from: 'pod-b2', to: 'node' },
      ],
    },
    {
      fault: 'default-route-missing',
      what: "node-a's default route missing",
      // Proxy ARP answers only if the host has a route for 169.254.1.1 out of another interface.
      breaks: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-a1', to: 'node' },
        { from: 'pod-a2', to: 'node' },
        { from: 'pod-b1', to: 'pod-a1' },
      ],
      keeps: [
        { from: 'pod-b1', to: 'pod-b2' },
        { from: 'pod-b1', to: 'node' },
      ],
    },
    {
      fault: 'mtu-mismatch',
      what: "pod-a1's eth0 at MTU 1500 over a 1450 host veth",
      breaks: [
        { from: 'pod-a1', to: 'pod-a2', size: LARGE },
        { from: 'pod-a1', to: 'pod-b1', size: LARGE },
        { from: 'pod-a2', to: 'pod-a1', size: LARGE },
      ],
      keeps: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-a1', to: 'pod-b1' },
        { from: 'pod-a2', to: 'pod-b2', size: LARGE },
      ],
    },
    {
      fault: 'duplicate-pod-ip',
      what: "pod-a1's IP also on pod-b2",
      // node-b now delivers 172.17.8.2 locally to pod-b2, so replies to pod-a1 never leave node-b.
      breaks: [
        { from: 'pod-a1', to: 'pod-b1' },
        { from: 'pod-a1', to: 'pod-b2' },
      ],
      keeps: [
        { from: 'pod-a1', to: 'pod-a2' },
        { from: 'pod-b1', to: 'pod-b2' },
      ],
    },
  ];

  describe.each(breaking)('fault $fault', ({ fault, what, breaks, keeps }) => {
    beforeAll(() => {
      netlab('fault', fault);
    });

    it.each(breaks.map((c) => [c.from, c.size === undefined ? (c.to === 'node' ? 'its node' : c.to) : `${c.to} with ${c.size + 28}-byte packets`, c] as const))(
      `with ${what}, %s cannot reach %s`,
      (_from, _to, check) => {
        expectReach([check], false);
      },
    );

    if (keeps.length > 0) {
      it(`with ${what}, ${keeps.map(label).join(', ')} still work`, () => {
        expectReach(keeps, true);
      });
    }

    it(`netlab verify exits 1 with ${what}`, () => {
      const r = run(['verify']);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/FAIL/);
    });

    it(`after heal, the kernel state equals a fresh up and ${breaks.map(label).join(', ')} work again`, () => {
      netlab('heal');
      expect(netlab('dump')).toBe(healthyDump);
      expectReach(breaks, true);
    });
  });

  describe('faults that leave pings working', () => {
    afterEach(() => {
      netlab('heal');
    });

    it("with the host veth's MAC changed, pod-a1 resolves 169.254.1.1 to the new MAC and still reaches pod-a2", () => {
      netlab('fault', 'veth-mac-wrong');
      expectReach([{ from: 'pod-a1', to: 'pod-a2' }], true);
      expect(neighbour('pod-a1', '169.254.1.1')).toContain('lladdr 2a:5e:1c:00:00:01');
    });

    it('with proxy_delay back at its default, the first ping after ARP resolution is slow but answered', () => {
      netlab('fault', 'proxy-delay-default');
      const rtts: number[] = [];
      for (let i = 0; i < 5; i++) {
        flushNeighbours('pod-a1');
        const out = execFileSync('ip', ['netns', 'exec', `${PREFIX}pod-a1`, 'ping', '-n', '-c1', '-W2', pod('pod-a2').ip], { encoding: 'utf8' });
        rtts.push(Number(/time=([\d.]+) ms/.exec(out)?.[1]));
      }
      // The kernel delays each proxy ARP answer by a random 0..800 ms; five all under 20 ms is ~1e-8.
      expect(Math.max(...rtts)).toBeGreaterThan(20);
    });

    it("with node-a's blackhole for its block missing, pods still reach each other", () => {
      netlab('fault', 'blackhole-missing');
      expectReach(
        [
          { from: 'pod-a1', to: 'pod-a2' },
          { from: 'pod-b1', to: 'pod-a1' },
        ],
        true,
      );
    });

    it('after heal, the kernel state equals a fresh up', () => {
      netlab('heal');
      expect(netlab('dump')).toBe(healthyDump);
    });
  });

  describe('heal and down', () => {
    it('heal undoes several stacked faults on different pods in one go', () => {
      for (const [fault, target] of [
        ['proxy-arp-off', 'pod-a1'],
        ['mtu-mismatch', 'pod-b2'],
        ['remote-block-wrong-node', 'pod-b1'],
        ['duplicate-pod-ip', 'pod-a2'],
      ]) {
        netlab('fault', fault, target);
      }
      expect((JSON.parse(netlab('info')) as LabInfo).faults).toHaveLength(4);
      netlab('heal');
      expect(netlab('dump')).toBe(healthyDump);
      expect((JSON.parse(netlab('info')) as LabInfo).faults).toEqual([]);
      expect(run(['verify']).status).toBe(0);
    });

    it('down removes every namespace of the lab and can run twice', () => {
      netlab('down');
      netlab('down');
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.split(' ')[0])
        .filter((n) => n.startsWith(PREFIX));
      expect(left).toEqual([]);
      expect((JSON.parse(netlab('info')) as LabInfo).up).toBe(false);
    });
  });
});

// Two processes that use one prefix take turns: the lab belongs to the process that ran `up`
// until its `down` (README, "Prefix"). Its own prefix, so the lab above is never involved.
describe('the lease: one holder per lab from up to down', () => {
  const LEASE_PREFIX = 'rtl-';
  const leaseFile = `/run/routescope-netlab/${LEASE_PREFIX}lease`;
  const env = (holder: number, extra: Record<string, string> = {}) => ({ ...process.env, NETLAB_PREFIX: LEASE_PREFIX, NETLAB_HOLDER_PID: String(holder), ...extra });
  const leaseHolder = () => readFileSync(leaseFile, 'utf8').split(' ')[0];
  const holders: ChildProcess[] = [];
  /** A process standing for another test run that holds the lab. */
  function otherRun(): ChildProcess {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    holders.push(child);
    return child;
  }

  afterAll(() => {
    for (const child of holders) child.kill('SIGKILL');
    if (isRoot) spawnSync(NETLAB, ['down'], { env: env(process.pid) });
  });

  it('a second up waits while the holder runs and takes the lab over once it has exited', async () => {
    const first = otherRun();
    execFileSync(NETLAB, ['up'], { env: env(first.pid!), stdio: 'ignore' });
    expect(leaseHolder()).toBe(String(first.pid));

    const second = spawn(NETLAB, ['up'], { env: env(process.pid), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    second.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => second.once('exit', (code) => resolve(code)));
    await until('the second up to say it waits for the holder', () => (stderr.includes(`held by pid ${first.pid}: waiting`) ? true : undefined));
    expect(second.exitCode).toBeNull();

    first.kill('SIGKILL');
    expect(await exited).toBe(0);
    expect(leaseHolder()).toBe(String(process.pid));
  });

  it('down from another run waits for the holder and, past NETLAB_LEASE_WAIT, fails naming it with the lab left up', () => {
    const other = otherRun();
    const refused = spawnSync(NETLAB, ['down'], { env: env(other.pid!, { NETLAB_LEASE_WAIT: '1' }), encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`held by pid ${process.pid}`);
    expect((JSON.parse(execFileSync(NETLAB, ['info'], { env: env(process.pid), encoding: 'utf8' })) as LabInfo).up).toBe(true);

    execFileSync(NETLAB, ['down'], { env: env(process.pid) });
    expect(existsSync(leaseFile)).toBe(false);
  });
});
