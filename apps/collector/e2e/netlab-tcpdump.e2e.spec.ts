import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { isRoot, labInfo, netlab, runCollector, type LabInfo, type LabPod } from './lab-harness';

// The check that verifies Calico's proxy-ARP model by hand — tcpdump -e on the pod's host veth
// while the pod talks to its node — done on the real kernel through the netlab, then pasted
// into `routescope-collector check` as an SRE would paste it from a terminal. Healthy wiring
// must read as "proxy ARP verified"; the proxy-arp-off and veth-mac-wrong faults must read as
// the ARP findings the frames really show.
const PREFIX = 'rd-';

let lab: LabInfo;
let pod: LabPod;
let nodeIp: string;

beforeAll(() => {
  if (!isRoot) throw new Error('the netlab suite needs root (network namespaces); run it as root, as CI does');
  netlab(PREFIX, 'up');
  lab = labInfo(PREFIX);
  pod = lab.pods.find((p) => p.name === 'pod-a1') as LabPod;
  nodeIp = lab.nodes.find((n) => n.name === pod.node)!.underlayIp;
}, 120000);

afterAll(() => {
  if (isRoot) netlab(PREFIX, 'down');
});

interface Capture {
  command: string;
  output: string;
}

/**
 * `tcpdump -e -n -l -i <veth> arp or icmp` in the node namespace while the pod (its neighbour
 * table flushed, so it must ARP for 169.254.1.1) pings its node; stops once `done` holds for
 * the lines printed so far — an event, never a fixed wait.
 */
async function captureWhilePodPingsNode(done: (lines: string[]) => boolean): Promise<Capture> {
  const args = ['-e', '-n', '-l', '-i', pod.hostVeth];
  const tcpdump = spawn('ip', ['netns', 'exec', pod.nodeNamespace, 'tcpdump', ...args, 'arp or icmp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ping: ChildProcess | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      tcpdump.on('exit', (code) => reject(new Error(`tcpdump exited (${code}) before the exchange was seen: ${stderr}`)));
      tcpdump.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // tcpdump says "listening on" once the socket is bound: only then may the pod talk.
        if (!ping && stderr.includes('listening on')) {
          spawnSync('ip', ['netns', 'exec', pod.namespace, 'ip', 'neigh', 'flush', 'dev', 'eth0']);
          ping = spawn('ip', ['netns', 'exec', pod.namespace, 'ping', '-n', '-c', '30', '-i', '0.2', '-W', '1', nodeIp], { stdio: 'ignore' });
        }
      });
      tcpdump.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (done(stdout.split('\n').filter((l) => l.trim() !== ''))) resolve();
      });
    });
  } finally {
    ping?.kill('SIGINT');
    tcpdump.removeAllListeners('exit');
    tcpdump.kill('SIGINT');
  }
  return { command: `tcpdump ${args.join(' ')} arp or icmp`, output: stdout };
}

const arpRequests = (lines: string[]) => lines.filter((l) => l.includes('Request who-has 169.254.1.1')).length;
const echoReplied = (lines: string[]) => lines.some((l) => l.includes('ICMP echo reply'));

function check(capture: Capture, json: boolean) {
  const text = `--- ${capture.command}\n${capture.output}`;
  return runCollector(['check', '-', ...(json ? ['--json'] : [])], text);
}

interface CheckJson {
  findings: Array<{ rule: string; subject: string; message: string; evidence: Array<{ kind: string; line?: number }> }>;
  passed: Array<{ rule: string; subject: string; message: string; evidence: Array<{ kind: string; line?: number; attrs: { arp?: { op: string }; ip?: { icmp?: string } } }> }>;
  coverage: Array<{ command: string; status: string; format?: string }>;
  nodes: Array<{ cni: string }>;
}

describe('tcpdump -e on a pod’s host veth, checked', () => {
  afterEach(() => {
    netlab(PREFIX, 'heal');
  });

  it('healthy wiring: the pod’s ARP for 169.254.1.1 is answered is-at ee:ee:ee:ee:ee:ee, read as "proxy ARP verified", exit 0', async () => {
    const capture = await captureWhilePodPingsNode(echoReplied);
    expect(capture.output).toContain('Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');

    const human = check(capture, false);
    expect({ status: human.status, stderr: human.stderr }).toEqual({ status: 0, stderr: '' });
    expect(human.stdout).toContain(`Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on ${pod.hostVeth}`);
    expect(human.stdout).toContain('coverage: 1 section (1 read)');

    const report = JSON.parse(check(capture, true).stdout) as CheckJson;
    expect(report.findings).toEqual([]);
    expect(report.passed.map((f) => [f.rule, f.subject])).toEqual([['CALICO_PROXY_ARP_VERIFIED', `veth:${pod.hostVeth}`]]);
    // The whole exchange as the kernel printed it: who-has, is-at, then the pod's echo through ee:ee:ee:ee:ee:ee and its reply.
    expect(report.passed[0].evidence.map((e) => e.attrs.arp?.op ?? e.attrs.ip?.icmp)).toEqual(['request', 'reply', 'echo-request', 'echo-reply']);
    expect(report.coverage).toEqual([expect.objectContaining({ status: 'read' })]);
    expect(report.nodes[0].cni).toBe('calico');
  });

  it('proxy-arp-off: the request repeats with no reply, read as CALICO_ARP_UNANSWERED, exit 1', async () => {
    netlab(PREFIX, 'fault', 'proxy-arp-off');
    const capture = await captureWhilePodPingsNode((lines) => arpRequests(lines) >= 2);
    expect(capture.output).not.toContain('Reply 169.254.1.1');

    const run = check(capture, true);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as CheckJson;
    expect(report.findings.map((f) => [f.rule, f.subject])).toEqual([['CALICO_ARP_UNANSWERED', `veth:${pod.hostVeth}`]]);
    expect(report.findings[0].evidence.length).toBeGreaterThanOrEqual(2);
    expect(report.findings[0].evidence.every((e) => e.kind === 'frame' && typeof e.line === 'number')).toBe(true);
    expect(report.passed).toEqual([]);
  });

  it('veth-mac-wrong: the kernel answers with the veth’s own MAC, read as CALICO_ARP_WRONG_MAC (the pod’s frames to it are not a second finding), exit 1', async () => {
    netlab(PREFIX, 'fault', 'veth-mac-wrong');
    const capture = await captureWhilePodPingsNode(echoReplied);
    expect(capture.output).toContain('Reply 169.254.1.1 is-at 2a:5e:1c:00:00:01');

    const run = check(capture, true);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as CheckJson;
    expect(report.findings.map((f) => [f.rule, f.subject])).toEqual([['CALICO_ARP_WRONG_MAC', `veth:${pod.hostVeth}`]]);
    expect(report.findings[0].message).toContain('is-at 2a:5e:1c:00:00:01');
    expect(report.passed).toEqual([]);
  });
});
