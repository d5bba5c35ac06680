import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { diffFacts, type FactChange } from '@routescope/diff';
import { parseIpJsonRoutes, type Fact, type Snapshot } from '@routescope/snapshot';
import { until } from '@routescope/testing';
import { sysctlPaths } from '../src/collect/namespace-collector';
import { collectorBin, collectSnapshot, factsOf, findFact, isRoot, labInfo, netlab, parseSnapshot, ping, runCollector, type LabInfo } from './lab-harness';

// Real kernel state: tools/netlab builds a Calico-like lab in network namespaces (root only),
// and the bundled collector reads it through ip(8) and /proc/sys, as on a real node.
const PREFIX = 'rc-';
const ns = (name: string) => `${PREFIX}${name}`;

let lab: LabInfo;

beforeAll(() => {
  if (!isRoot) throw new Error('the netlab suite needs root (network namespaces); run it as root, as CI does');
  netlab(PREFIX, 'up');
  lab = labInfo(PREFIX);
}, 120000);

afterAll(() => {
  if (isRoot) netlab(PREFIX, 'down');
});

const pod = (name: string) => {
  const found = lab.pods.find((p) => p.name === name);
  if (!found) throw new Error(`no pod ${name} in the lab`);
  return found;
};

function pingEveryPodToItsNode(): void {
  for (const p of lab.pods) {
    const node = lab.nodes.find((n) => n.name === p.node);
    expect({ pod: p.name, reached: ping(p.namespace, node!.underlayIp) }).toEqual({ pod: p.name, reached: true });
  }
}

/** Neighbour caches follow traffic and flushes, so fault checks compare everything else. */
const withoutNeighbors = (facts: Fact[]) => facts.filter((f) => f.kind !== 'neighbor');
const describeChanges = (changes: FactChange[]) => changes.map((c) => `${c.change} ${c.ns} ${c.kind} ${c.key}`).sort();

describe('collect on a netlab node', () => {
  let snapshot: Snapshot;
  let facts: Fact[];

  beforeAll(() => {
    pingEveryPodToItsNode();
    snapshot = collectSnapshot(ns('node-a'));
    facts = factsOf(snapshot);
  });

  it('reports the node namespace as the host and both of its pods, each with its cali veth', () => {
    expect(snapshot.node).toBe('rc-node-a');
    expect(snapshot.namespaces.map((n) => [n.kind, n.name, n.hostVeth])).toEqual([
      ['host', 'host', undefined],
      ['pod', ns('pod-a1'), pod('pod-a1').hostVeth],
      ['pod', ns('pod-a2'), pod('pod-a2').hostVeth],
    ]);
    expect(snapshot.warnings).toEqual([]);
  });

  it('sees each host veth as Calico wires it: MAC ee:ee:ee:ee:ee:ee, proxy_arp 1, proxy_delay 0, a /32 scope link route', () => {
    for (const p of [pod('pod-a1'), pod('pod-a2')]) {
      expect(findFact(facts, 'host', 'link', p.hostVeth)?.attrs).toMatchObject({ kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1450, operState: 'UP' });
      expect(findFact(facts, 'host', 'sysctl', `net/ipv4/conf/${p.hostVeth}/proxy_arp`)?.attrs.value).toBe('1');
      expect(findFact(facts, 'host', 'sysctl', `net/ipv4/neigh/${p.hostVeth}/proxy_delay`)?.attrs.value).toBe('0');
      expect(findFact(facts, 'host', 'route', `main|inet|unicast|${p.ip}/32|0`)?.attrs).toMatchObject({ dev: p.hostVeth, scope: 'link' });
    }
    expect(findFact(facts, 'host', 'sysctl', 'net/ipv4/ip_forward')?.attrs.value).toBe('1');
  });

  it('sees the blackhole for its own block and the VXLAN route to the other node’s block', () => {
    expect(findFact(facts, 'host', 'route', 'main|inet|blackhole|172.17.8.0/26|0')?.attrs).toMatchObject({ protocol: 'bird' });
    expect(findFact(facts, 'host', 'route', 'main|inet|unicast|172.17.8.64/26|0')?.attrs).toMatchObject({
      gateway: '172.17.8.64',
      dev: 'vxlan.calico',
      protocol: '80',
      flags: ['onlink'],
    });
    expect(findFact(facts, 'host', 'link', 'vxlan.calico')?.attrs).toMatchObject({ kind: 'vxlan', mtu: 1450, vxlan: { id: 4096, local: '10.99.0.11', port: 4789, learning: false } });
  });

  it('sees each pod as a one-host LAN: a /32 on eth0, default via 169.254.1.1, and 169.254.1.1 scope link', () => {
    for (const p of [pod('pod-a1'), pod('pod-a2')]) {
      const podNs = `pod:${p.namespace}`;
      expect(findFact(facts, podNs, 'address', `eth0|${p.ip}/32`)?.attrs).toMatchObject({ family: 'inet', prefixlen: 32 });
      expect(findFact(facts, podNs, 'route', 'main|inet|unicast|0.0.0.0/0|0')?.attrs).toMatchObject({ gateway: '169.254.1.1', dev: 'eth0' });
      expect(findFact(facts, podNs, 'route', 'main|inet|unicast|169.254.1.1/32|0')?.attrs).toMatchObject({ dev: 'eth0', scope: 'link' });
      expect(findFact(facts, podNs, 'link', 'eth0')?.attrs).toMatchObject({ mtu: 1450, peerInOtherNetns: true });
    }
  });

  it('after a ping, shows 169.254.1.1 resolved to ee:ee:ee:ee:ee:ee in each pod', () => {
    for (const p of [pod('pod-a1'), pod('pod-a2')]) {
      expect(findFact(facts, `pod:${p.namespace}`, 'neighbor', 'eth0|169.254.1.1')?.attrs).toEqual({
        family: 'inet',
        dst: '169.254.1.1',
        dev: 'eth0',
        lladdr: 'ee:ee:ee:ee:ee:ee',
        state: 'resolved',
      });
    }
  });

  it('takes two snapshots of an idle node with identical facts', () => {
    const again = factsOf(collectSnapshot(ns('node-a')));
    expect(describeChanges(diffFacts(withoutNeighbors(facts), withoutNeighbors(again)))).toEqual([]);
  });
});

describe('collect with many routes (the issue #6 benchmark case)', () => {
  // 1,000 extra /26 routes through the VXLAN device, like 1,000 more nodes' blocks (bench/src/collector-bench.ts).
  const extra = Array.from({ length: 1000 }, (_, i) => `10.${200 + (i >> 12)}.${(i >> 2) & 255}.${(i & 3) * 64}/26`);

  beforeAll(() => {
    netlab(PREFIX, 'heal');
    execFileSync('ip', ['-n', ns('node-a'), '-batch', '-'], { input: extra.map((dst) => `route replace ${dst} via 172.17.8.64 dev vxlan.calico onlink proto 80`).join('\n') });
  });

  afterAll(() => {
    execFileSync('ip', ['-n', ns('node-a'), '-batch', '-'], { input: extra.map((dst) => `route del ${dst}`).join('\n') });
  });

  // zod sets globalThis.__zod_globalConfig when it is evaluated; the collector's contract check must not need it for a valid snapshot.
  function collectWithZodProbe(): { run: ReturnType<typeof runCollector>; zodEvaluated: boolean } {
    const probe = `process.on('exit', () => process.stderr.write('ZOD=' + ('__zod_globalConfig' in globalThis) + '\\n')); process.argv.splice(1, 0, ${JSON.stringify(collectorBin)}); require(${JSON.stringify(collectorBin)});`;
    const result = spawnSync(process.execPath, ['--eval', probe, '--', 'collect', '--netns', ns('node-a'), '--out', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const zodLine = result.stderr.split('\n').find((l) => l.startsWith('ZOD='));
    return { run: { status: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^ZOD=.*\n/m, '') }, zodEvaluated: zodLine !== 'ZOD=false' };
  }

  it('prints exactly what the zod contract makes of it, without evaluating zod', () => {
    const { run, zodEvaluated } = collectWithZodProbe();
    expect(run.stderr).toBe('');
    const snapshot = parseSnapshot(run);
    expect(run.stdout).toBe(`${JSON.stringify(snapshot, null, 2)}\n`);
    expect(zodEvaluated).toBe(false);
    const routes = snapshot.namespaces[0].routes!.map((r) => r.dst);
    expect(extra.filter((dst) => !routes.includes(dst))).toEqual([]);
  });

  it('reads the routes of both families exactly as `ip -4` and `ip -6 route show table all` list them', () => {
    const listed = (family: '-4' | '-6') => JSON.parse(execFileSync('ip', ['-n', ns('node-a'), '-j', family, 'route', 'show', 'table', 'all'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as unknown[];
    const expected = [...parseIpJsonRoutes(JSON.stringify(listed('-4')), 'inet').entries, ...parseIpJsonRoutes(JSON.stringify(listed('-6')), 'inet6').entries];
    expect(collectSnapshot(ns('node-a')).namespaces[0].routes).toEqual(expected);
  });
});

describe('each netlab fault changes exactly the facts it should', () => {
  const veth = (name: string) => pod(name).hostVeth;
  // Expected changes when the fault targets pod-a1 (node-a), as seen on the node named.
  const cases: Array<{ fault: string; node: string; expected: () => string[] }> = [
    { fault: 'proxy-arp-off', node: 'node-a', expected: () => [`changed host sysctl net/ipv4/conf/${veth('pod-a1')}/proxy_arp`] },
    { fault: 'proxy-delay-default', node: 'node-a', expected: () => [`changed host sysctl net/ipv4/neigh/${veth('pod-a1')}/proxy_delay`] },
    { fault: 'host-route-missing', node: 'node-a', expected: () => ['removed host route main|inet|unicast|172.17.8.2/32|0'] },
    { fault: 'veth-mac-wrong', node: 'node-a', expected: () => [`changed host link ${veth('pod-a1')}`] },
    { fault: 'mtu-mismatch', node: 'node-a', expected: () => [`changed pod:${ns('pod-a1')} link eth0`] },
    { fault: 'blackhole-missing', node: 'node-a', expected: () => ['removed host route main|inet|blackhole|172.17.8.0/26|0'] },
    { fault: 'remote-block-route-missing', node: 'node-a', expected: () => ['removed host route main|inet|unicast|172.17.8.64/26|0'] },
    { fault: 'remote-block-wrong-node', node: 'node-a', expected: () => ['changed host route main|inet|unicast|172.17.8.64/26|0'] },
    {
      fault: 'ip-forward-off',
      node: 'node-a',
      // Writing ip_forward also rewrites every interface's IPv4 forwarding flag (kernel behaviour).
      expected: () =>
        ['net/ipv4/ip_forward', ...['all', 'default', 'eth0', 'lo', 'vxlan.calico', veth('pod-a1'), veth('pod-a2')].map((i) => `net/ipv4/conf/${i}/forwarding`)].map(
          (p) => `changed host sysctl ${p}`,
        ),
    },
    { fault: 'default-route-missing', node: 'node-a', expected: () => ['removed host route main|inet|unicast|0.0.0.0/0|0'] },
    {
      fault: 'duplicate-pod-ip',
      node: 'node-b',
      expected: () => [
        `added host route main|inet|unicast|172.17.8.2/32|0`,
        `added pod:${ns('pod-b2')} address eth0|172.17.8.2/32`,
        `added pod:${ns('pod-b2')} route local|inet|local|172.17.8.2/32|0`,
      ],
    },
  ];

  it('covers every fault netlab knows', () => {
    expect(cases.map((c) => c.fault).sort()).toEqual([...lab.faultNames].sort());
  });

  it.each(cases)('$fault', ({ fault, node, expected }) => {
    netlab(PREFIX, 'heal');
    const healthy = withoutNeighbors(factsOf(collectSnapshot(ns(node))));
    netlab(PREFIX, 'fault', fault);
    const broken = withoutNeighbors(factsOf(collectSnapshot(ns(node))));
    expect(describeChanges(diffFacts(healthy, broken))).toEqual(expected().sort());
    netlab(PREFIX, 'heal');
    const healed = withoutNeighbors(factsOf(collectSnapshot(ns(node))));
    expect(describeChanges(diffFacts(healthy, healed))).toEqual([]);
  });
});

describe('import of pasted text from the same lab', () => {
  function section(header: string, netns: string, args: string[]): string {
    return `--- ${header}\n${execFileSync('ip', ['-n', netns, ...args], { encoding: 'utf8' })}`;
  }

  function capture(netns: string, marker: string): string {
    const linkNames = (JSON.parse(execFileSync('ip', ['-n', netns, '-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[]).map((l) => l.ifname);
    const sysctls = execFileSync('ip', ['netns', 'exec', netns, 'grep', '-H', '-s', '.', ...sysctlPaths(linkNames)], { encoding: 'utf8' });
    return [
      section(`ip -d link${marker}`, netns, ['-d', 'link', 'show']),
      section(`ip addr${marker}`, netns, ['addr', 'show']),
      section(`ip route show table all${marker}`, netns, ['-4', 'route', 'show', 'table', 'all']),
      section(`ip -6 route show table all${marker}`, netns, ['-6', 'route', 'show', 'table', 'all']),
      section(`ip neigh${marker}`, netns, ['neigh', 'show']),
      section(`ip neigh show proxy${marker}`, netns, ['neigh', 'show', 'proxy']),
      `--- grep -H . /proc/sys/net/...${marker}\n${sysctls}`,
    ].join('\n');
  }

  it('gives the same facts as collect', () => {
    netlab(PREFIX, 'heal');
    pingEveryPodToItsNode();
    const text = [capture(ns('node-a'), ' node rc-node-a'), capture(ns('pod-a1'), ` pod ${ns('pod-a1')}`), capture(ns('pod-a2'), ` pod ${ns('pod-a2')}`)].join('\n');
    const imported = parseSnapshot(runCollector(['import', '-'], text));
    const collected = collectSnapshot(ns('node-a'));
    expect(imported.node).toBe('rc-node-a');
    expect(imported.warnings).toEqual([]);
    expect(describeChanges(diffFacts(factsOf(collected), factsOf(imported)))).toEqual([]);
    expect(factsOf(imported).length).toBeGreaterThan(50);
  });
});

describe('collect in awkward places', () => {
  it('collects a namespace with no pods as a lone host', () => {
    execFileSync('ip', ['netns', 'add', ns('empty')]);
    try {
      const snapshot = collectSnapshot(ns('empty'));
      expect(snapshot.namespaces.map((n) => n.kind)).toEqual(['host']);
      expect(snapshot.namespaces[0].links?.map((l) => l.name)).toEqual(['lo']);
    } finally {
      execFileSync('ip', ['netns', 'del', ns('empty')]);
    }
  });

  it('finds a pod namespace that nobody named through /proc/<pid>/ns/net', async () => {
    const ghost = ns('ghost');
    execFileSync('ip', ['netns', 'add', ghost]);
    execFileSync('ip', ['-n', ns('node-a'), 'link', 'add', 'califfffffffff0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ghost]);
    // A process keeps the namespace alive once its name is gone, as containerd's pause container does.
    const holder = spawn('ip', ['netns', 'exec', ghost, 'sleep', '60'], { stdio: 'ignore' });
    try {
      await until('a process in the ghost namespace', () => (execFileSync('ip', ['netns', 'pids', ghost], { encoding: 'utf8' }).trim() !== '' ? true : undefined), 5000, 50);
      execFileSync('ip', ['netns', 'del', ghost]);
      const snapshot = collectSnapshot(ns('node-a'));
      const unnamed = snapshot.namespaces.find((n) => n.hostVeth === 'califfffffffff0');
      expect(unnamed?.name).toMatch(/^pid:\d+$/);
      expect(unnamed?.links?.map((l) => l.name).sort()).toEqual(['eth0', 'lo']);
    } finally {
      // Ending the holder destroys the namespace, and the kernel deletes the veth pair with it.
      holder.kill();
      await until('the fake veth gone from node-a', () => (!execFileSync('ip', ['-n', ns('node-a'), 'link', 'show'], { encoding: 'utf8' }).includes('califfffffffff0') ? true : undefined), 5000, 50);
    }
  });

  it('survives pods appearing and vanishing while it collects', async () => {
    const churn = spawn('bash', ['-c', `for i in $(seq 1 40); do ip netns add ${ns('flap')} && ip -n ${ns('node-a')} link add califlap0000000 type veth peer name eth0 netns ${ns('flap')}; ip netns del ${ns('flap')}; done`], {
      stdio: 'ignore',
    });
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const run = runCollector(['collect', '--netns', ns('node-a'), '--out', '-']);
        outcomes.push(run.status === 0 ? 'ok' : run.stderr);
        const snapshot = parseSnapshot(run);
        const flap = snapshot.namespaces.find((n) => n.name === ns('flap'));
        if (flap) expect(flap.hostVeth).toBe('califlap0000000');
      }
    } finally {
      await new Promise((resolve) => churn.on('exit', resolve));
      execFileSync('bash', ['-c', `ip netns del ${ns('flap')} 2>/dev/null; ip -n ${ns('node-a')} link del califlap0000000 2>/dev/null; true`]);
    }
    expect(outcomes).toEqual(Array(8).fill('ok'));
  });

  it('fails with one clear line when the named namespace does not exist', () => {
    const run = runCollector(['collect', '--netns', ns('nope')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot read network namespace rc-nope/);
  });
});
