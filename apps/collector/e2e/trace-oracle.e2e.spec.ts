import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { collectorBin, isRoot, labInfo, netlab, runCollector, type LabInfo, type LabPod } from './lab-harness';

// The kernel is the oracle of `trace`: for the healthy lab and every netlab fault, collect both
// nodes (and paste them as a capture would be pasted), trace each case from those states with the
// CLI, then ping the same target from the same pod. `reachable` must equal ping's answer, always.
const PREFIX = process.env.NETLAB_E2E_PREFIX ?? 'tr-';
const run = promisify(execFile);

interface OracleCase {
  name: string;
  from: LabPod;
  to: string;
  /** whole IP packet with DF set (ping -M do -s size-28); absent: ping's default 84 bytes */
  dfSize?: number;
}

interface Row {
  config: string;
  case: string;
  collected: string;
  imported: string;
  ping: boolean;
}

let lab: LabInfo;
let dir: string;
const rows: Row[] = [];

const pod = (name: string): LabPod => {
  const found = lab.pods.find((p) => p.name === name);
  if (!found) throw new Error(`no pod ${name} in the lab`);
  return found;
};
const node = (name: string) => {
  const found = lab.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`no node ${name} in the lab`);
  return found;
};

/** The pod's eth0 MTU as the kernel has it now (a fault may have changed it): the largest DF packet it sends. */
function podMtu(p: LabPod): number {
  const [link] = JSON.parse(execFileSync('ip', ['-n', p.namespace, '-j', 'link', 'show', 'eth0'], { encoding: 'utf8' })) as { mtu: number }[];
  return link.mtu;
}

function cases(): OracleCase[] {
  const [a1, a2, b1] = [pod('pod-a1'), pod('pod-a2'), pod('pod-b1')];
  return [
    { name: 'pod→pod, same node', from: a1, to: a2.ip },
    { name: 'pod→pod, across nodes (VXLAN)', from: a1, to: b1.ip },
    { name: 'pod→its node', from: a1, to: node(a1.node).underlayIp },
    { name: 'pod→the other node', from: a1, to: node(b1.node).underlayIp },
    { name: 'large DF across the tunnel', from: a1, to: b1.ip, dfSize: podMtu(a1) },
    { name: 'pod→pod, across nodes, reverse', from: b1, to: a1.ip },
    // A veth takes frames up to MTU + Ethernet + VLAN header: IP packets of the host veth's MTU + 4
    // pass, one byte more is dropped (only a pod whose own MTU is larger can send them).
    { name: 'pod→its node, DF at host veth MTU + 4', from: a1, to: node(a1.node).underlayIp, dfSize: a1.mtu + 4 },
    { name: 'pod→its node, DF at host veth MTU + 5', from: a1, to: node(a1.node).underlayIp, dfSize: a1.mtu + 5 },
  ];
}

/** What a user would paste from each node: ip -d link/addr/route/neigh and the IPv4 sysctls, per namespace, under shell prompts. */
function captureText(nodeName: string): string {
  const sections: string[] = [];
  const namespaces = [{ ns: node(nodeName).namespace, qualifier: '' }, ...lab.pods.filter((p) => p.node === nodeName).map((p) => ({ ns: p.namespace, qualifier: ` pod ${p.namespace}` }))];
  for (const { ns, qualifier } of namespaces) {
    for (const args of [['-d', 'link', 'show'], ['addr', 'show'], ['route', 'show', 'table', 'all'], ['neigh', 'show']]) {
      sections.push(`root@${PREFIX}${nodeName}:~# ip ${args.join(' ')}${qualifier}`, execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' }).trimEnd());
    }
    const sysctls = execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((line) => /^net\.ipv4\.(ip_forward|conf|neigh)\b/.test(line));
    sections.push(`root@${PREFIX}${nodeName}:~# sysctl -a | grep net.ipv4${qualifier}`, sysctls.join('\n'));
  }
  return `${sections.join('\n')}\n`;
}

interface TraceJson {
  reachable: boolean;
  verdict: string;
  forward: { delivered: boolean; hops: unknown[] };
  reply: { delivered: boolean; hops: unknown[] };
}

async function traceCli(files: string[], c: OracleCase): Promise<TraceJson> {
  const args = [collectorBin, 'trace', ...files, '--from', `pod:${c.from.namespace}`, '--to', c.to, '--json', ...(c.dfSize ? ['--size', String(c.dfSize), '--df'] : [])];
  // Exit 1 means "not reachable": the JSON is on stdout either way.
  const result = await run(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
    if (error.code === 1 && error.stdout) return { stdout: error.stdout };
    throw new Error(`trace ${args.slice(2).join(' ')} failed (${error.code}): ${error.stderr}`);
  });
  return JSON.parse(result.stdout) as TraceJson;
}

/**
 * One echo, two tries (the first may be spent on ARP); true when a reply came back. Exit 1 is
 * "no reply" (or a local error such as "message too long"); anything else is a broken oracle.
 */
async function ping(c: OracleCase): Promise<boolean> {
  const size = c.dfSize ? ['-M', 'do', '-s', String(c.dfSize - 28)] : [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const args = ['netns', 'exec', c.from.namespace, 'ping', '-n', '-c', '1', '-W', '1', ...size, c.to];
    const ok = await run('ip', args).then(
      () => true,
      (error: { code?: number; stderr?: string }) => {
        if (error.code === 1) return false;
        throw new Error(`ip ${args.join(' ')} could not run (exit ${error.code}): ${error.stderr}`);
      },
    );
    if (ok) return true;
  }
  return false;
}

const configs = ['healthy', ...labInfo(PREFIX).faultNames];

beforeAll(() => {
  if (!isRoot) throw new Error('the trace oracle needs root (network namespaces); run it as root, as CI does');
  netlab(PREFIX, 'up');
  lab = labInfo(PREFIX);
  dir = mkdtempSync(join(tmpdir(), 'routescope-trace-oracle-'));
}, 60000);

afterAll(() => {
  if (isRoot) netlab(PREFIX, 'down');
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (rows.length === 0) return;
  const agree = rows.filter((r) => r.collected.startsWith(r.ping ? 'reachable' : 'not') === true && r.imported.startsWith(r.ping ? 'reachable' : 'not'));
  const width = Math.max(...rows.map((r) => r.config.length));
  const caseWidth = Math.max(...rows.map((r) => r.case.length));
  const lines = rows.map((r) => {
    const ok = agree.includes(r) ? 'agree' : 'DISAGREE';
    return `${r.config.padEnd(width)}  ${r.case.padEnd(caseWidth)}  ping ${r.ping ? 'ok  ' : 'fail'}  trace(collected) ${r.collected.padEnd(32)}  trace(imported) ${r.imported.padEnd(32)}  ${ok}`;
  });
  console.log(`trace vs ping, ${agree.length}/${rows.length} agree:\n${lines.join('\n')}`);
});

describe('trace agrees with ping on the real kernel', () => {
  it.each(configs)('%s', async (config) => {
    netlab(PREFIX, 'heal');
    if (config !== 'healthy') netlab(PREFIX, 'fault', config);
    // One collection (and one pasted capture) per configuration, before any ping warms a cache.
    const collected = lab.nodes.map((n) => {
      const file = join(dir, `${config}-${n.name}.json`);
      const result = runCollector(['collect', '--netns', n.namespace, '--out', file]);
      if (result.status !== 0) throw new Error(`collect ${n.namespace}: ${result.stderr}`);
      return file;
    });
    const captured = lab.nodes.map((n) => {
      const file = join(dir, `${config}-${n.name}.txt`);
      writeFileSync(file, captureText(n.name));
      return file;
    });
    const all = cases();
    const traced = await Promise.all(all.map(async (c) => ({ collected: await traceCli(collected, c), imported: await traceCli(captured, c) })));
    // All cases at once: a lost echo costs its full wait, and the cases do not share state
    // that one ping could change for another (the pods' caches start empty after a fault).
    const pinged = await Promise.all(all.map((c) => ping(c)));
    const results = all.map((c, i) => {
      const verdict = (t: TraceJson) => (t.reachable ? 'reachable' : `not: ${t.verdict}`);
      const row = { config, case: c.name, collected: verdict(traced[i].collected), imported: verdict(traced[i].imported), ping: pinged[i] };
      rows.push(row);
      return row;
    });
    expect(results.map((r) => ({ case: r.case, collected: r.collected.startsWith('reachable'), imported: r.imported.startsWith('reachable') }))).toEqual(
      results.map((r) => ({ case: r.case, collected: r.ping, imported: r.ping })),
    );
  }, 120000);

  it('covered every configuration and case', () => {
    expect(rows.length).toBe(configs.length * cases().length);
    expect(new Set(rows.map((r) => r.config))).toEqual(new Set(configs));
  });
});
