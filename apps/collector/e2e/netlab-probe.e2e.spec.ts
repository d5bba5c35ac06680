import { spawnSync } from 'node:child_process';
import { validateProbeResult, type ParsedFrame, type ProbeCapture, type ProbeResult } from '@routescope/probe';
import { collectorBin, isRoot, labInfo, netlab, runCollector, type LabInfo, type LabPod } from './lab-harness';

// `routescope-collector probe` on the real kernel: the netlab's pods ARP for 169.254.1.1 and
// ping while the collector's own tcpdump -e watches their eth0, their host veth and the egress
// device. Each fault must give the verdict the frames really show, and the frames are checked.
const PREFIX = 'rv-';
const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';
const WRONG_MAC = '2a:5e:1c:00:00:01'; // what netlab's veth-mac-wrong sets

let lab: LabInfo;
let podA1: LabPod;
let podB1: LabPod;
let nodeA: LabInfo['nodes'][number];
let nodeB: LabInfo['nodes'][number];

beforeAll(() => {
  if (!isRoot) throw new Error('the netlab suite needs root (network namespaces); run it as root, as CI does');
  netlab(PREFIX, 'up');
  lab = labInfo(PREFIX);
  podA1 = lab.pods.find((p) => p.name === 'pod-a1') as LabPod;
  podB1 = lab.pods.find((p) => p.name === 'pod-b1') as LabPod;
  nodeA = lab.nodes.find((n) => n.name === podA1.node)!;
  nodeB = lab.nodes.find((n) => n.name === podB1.node)!;
}, 120000);

afterAll(() => {
  if (isRoot) netlab(PREFIX, 'down');
});

afterEach(() => {
  netlab(PREFIX, 'heal');
});

const macOf = (pod: LabPod) => pod.podMac;

function probe(args: string[], env?: NodeJS.ProcessEnv): { status: number | null; result: ProbeResult; stderr: string } {
  const run = env
    ? spawnSync(process.execPath, [collectorBin, 'probe', ...args, '--json'], { encoding: 'utf8', env })
    : runCollector(['probe', ...args, '--json']);
  const validation = validateProbeResult(JSON.parse(run.stdout));
  if (!validation.ok) throw new Error(`the probe result breaks the contract: ${JSON.stringify(validation.issues)}\n${run.stdout}`);
  return { status: run.status, result: validation.value, stderr: run.stderr };
}

const proxyArp = (pod: LabPod) => probe(['proxy-arp', '--netns', pod.nodeNamespace, '--pod', pod.namespace]);
const capture = (result: ProbeResult, point: ProbeCapture['point']) => result.captures.find((c) => c.point === point) as ProbeCapture;
const gatewayArp = (frames: ParsedFrame[]) => frames.filter((f) => f.arp?.targetIp === '169.254.1.1');
const echoes = (frames: ParsedFrame[], kind: 'echo-request' | 'echo-reply') => frames.filter((f) => f.ip?.icmp === kind);

describe('probe proxy-arp on the netlab', () => {
  it('a healthy pod is verified: request from its MAC, reply is-at ee:ee:ee:ee:ee:ee from the veth, echoes through ee:ee:ee:ee:ee:ee', () => {
    const { status, result } = proxyArp(podA1);
    expect({ status, verdict: result.verdict }).toEqual({ status: 0, verdict: 'verified' });
    expect(result).toMatchObject({ kind: 'proxy-arp', node: podA1.nodeNamespace, pod: podA1.namespace, ping: { sent: 5, received: 5 } });
    expect(result).not.toHaveProperty('id');
    expect(result.captures.map((c) => [c.point, c.device, c.netns])).toEqual([
      ['pod', 'eth0', podA1.namespace],
      ['host-veth', podA1.hostVeth, podA1.nodeNamespace],
    ]);
    for (const point of ['pod', 'host-veth'] as const) {
      const frames = capture(result, point).frames;
      const [request] = gatewayArp(frames).filter((f) => f.arp?.op === 'request');
      expect(request).toMatchObject({ srcMac: macOf(podA1), dstMac: 'ff:ff:ff:ff:ff:ff', arp: { senderIp: podA1.ip } });
      const replies = gatewayArp(frames).filter((f) => f.arp?.op === 'reply');
      expect(replies.length).toBeGreaterThan(0);
      for (const reply of replies) expect(reply).toMatchObject({ srcMac: CALICO_MAC, dstMac: macOf(podA1), arp: { resolvedMac: CALICO_MAC } });
      expect(echoes(frames, 'echo-request')[0]).toMatchObject({ srcMac: macOf(podA1), dstMac: CALICO_MAC, ip: { src: podA1.ip, dst: nodeA.underlayIp } });
      expect(echoes(frames, 'echo-reply')).toHaveLength(5);
      expect(echoes(frames, 'echo-reply')[0]).toMatchObject({ srcMac: CALICO_MAC, dstMac: macOf(podA1), ip: { src: nodeA.underlayIp, dst: podA1.ip } });
    }
    expect(capture(result, 'host-veth').lines.some((l) => l.includes(`Reply 169.254.1.1 is-at ${CALICO_MAC}`))).toBe(true);
  });

  it('prints a human report by default, with the raw tcpdump lines, exit 0', () => {
    const run = runCollector(['probe', 'proxy-arp', '--netns', podA1.nodeNamespace, '--pod', podA1.namespace, '--timeout', '2000']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`proxy-arp probe of pod ${podA1.namespace} on node ${podA1.nodeNamespace}: verified`);
    expect(run.stdout).toContain(`Proxy ARP verified: 169.254.1.1 is-at ${CALICO_MAC} on ${podA1.hostVeth}`);
    expect(run.stdout).toMatch(new RegExp(`host-veth capture on ${podA1.hostVeth} in ${podA1.nodeNamespace}: \\d+ frames`));
    expect(run.stdout).toContain(`${macOf(podA1)} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell ${podA1.ip}, length 28`);
  });

  it.each(['proxy-arp-off', 'default-route-missing', 'ip-forward-off'])('%s: the pod asks again and again and no reply comes, so nothing leaves it: no-arp-reply, exit 1', (fault) => {
    netlab(PREFIX, 'fault', fault, 'pod-a1');
    const { status, result } = proxyArp(podA1);
    expect({ status, verdict: result.verdict }).toEqual({ status: 1, verdict: 'no-arp-reply' });
    expect(result.reason).toMatch(/asked who-has 169\.254\.1\.1 \d+ times on .* and got no reply/);
    expect(result.ping).toEqual({ sent: 5, received: 0 });
    for (const point of ['pod', 'host-veth'] as const) {
      const frames = capture(result, point).frames;
      const asked = gatewayArp(frames);
      expect(asked.length).toBeGreaterThanOrEqual(2);
      for (const frame of asked) expect(frame).toMatchObject({ srcMac: macOf(podA1), arp: { op: 'request', senderIp: podA1.ip } });
      expect(echoes(frames, 'echo-request')).toEqual([]);
    }
  });

  it('veth-mac-wrong: the veth answers is-at its own MAC and the pings go to it: wrong-mac, exit 1', () => {
    netlab(PREFIX, 'fault', 'veth-mac-wrong', 'pod-a1');
    const { status, result } = proxyArp(podA1);
    expect({ status, verdict: result.verdict }).toEqual({ status: 1, verdict: 'wrong-mac' });
    expect(result.reason).toContain(`was told 169.254.1.1 is-at ${WRONG_MAC} on ${podA1.hostVeth}, not ${CALICO_MAC}`);
    for (const point of ['pod', 'host-veth'] as const) {
      const frames = capture(result, point).frames;
      const replies = gatewayArp(frames).filter((f) => f.arp?.op === 'reply');
      expect(replies.length).toBeGreaterThan(0);
      for (const reply of replies) expect(reply).toMatchObject({ srcMac: WRONG_MAC, dstMac: macOf(podA1), arp: { resolvedMac: WRONG_MAC } });
      expect(echoes(frames, 'echo-request')[0]).toMatchObject({ srcMac: macOf(podA1), dstMac: WRONG_MAC });
      expect(frames.some((f) => f.srcMac === CALICO_MAC || f.dstMac === CALICO_MAC)).toBe(false);
    }
  });
});

describe('probe path on the netlab', () => {
  const pathProbe = () => probe(['path', '--netns', podA1.nodeNamespace, '--pod', podA1.namespace, '--target', podB1.ip]);

  it('pod to a pod on the other node leaves by vxlan.calico, VTEP to VTEP, and is answered, exit 0', () => {
    const { status, result } = pathProbe();
    expect({ status, verdict: result.verdict }).toEqual({ status: 0, verdict: 'answered' });
    expect(result.path).toEqual({ leftPod: true, egressDevice: 'vxlan.calico', leftNode: true, answered: true, stoppedAt: null });
    expect(result.captures.map((c) => [c.point, c.device])).toEqual([
      ['pod', 'eth0'],
      ['host-veth', podA1.hostVeth],
      ['egress', 'vxlan.calico'],
    ]);
    const egress = capture(result, 'egress').frames;
    expect(echoes(egress, 'echo-request')).toHaveLength(5);
    expect(echoes(egress, 'echo-request')[0]).toMatchObject({ srcMac: nodeA.vtep.mac, dstMac: nodeB.vtep.mac, ip: { src: podA1.ip, dst: podB1.ip } });
    expect(echoes(egress, 'echo-reply')[0]).toMatchObject({ srcMac: nodeB.vtep.mac, dstMac: nodeA.vtep.mac, ip: { src: podB1.ip, dst: podA1.ip } });
    expect(echoes(capture(result, 'host-veth').frames, 'echo-request')[0]).toMatchObject({ srcMac: macOf(podA1), dstMac: CALICO_MAC, ip: { dst: podB1.ip } });
    expect(echoes(capture(result, 'pod').frames, 'echo-reply')).toHaveLength(5);
  });

  it('remote-block-route-missing: the requests leave by eth0 towards the router, which forwards nothing: not-answered, stopped beyond the node, exit 1', () => {
    netlab(PREFIX, 'fault', 'remote-block-route-missing', 'pod-a1');
    const { status, result } = pathProbe();
    expect({ status, verdict: result.verdict }).toEqual({ status: 1, verdict: 'not-answered' });
    expect(result.path).toEqual({
      leftPod: true,
      egressDevice: 'eth0',
      leftNode: true,
      answered: false,
      stoppedAt: `Beyond node ${podA1.nodeNamespace}: the echo requests left by eth0 via ${lab.router.ip} (the node has vxlan.calico, but its route to ${podB1.ip} does not use it) and no reply from ${podB1.ip} came back.`,
    });
    const egress = capture(result, 'egress').frames;
    const requests = echoes(egress, 'echo-request');
    expect(requests).toHaveLength(5);
    // Out of the node's underlay port to the router's MAC (its default gateway), not to node-b's VTEP.
    for (const request of requests) expect(request).toMatchObject({ srcMac: nodeA.underlayMac, dstMac: lab.router.mac, ip: { src: podA1.ip, dst: podB1.ip } });
    expect(echoes(egress, 'echo-reply')).toEqual([]);
    expect(echoes(capture(result, 'pod').frames, 'echo-reply')).toEqual([]);
  });
});

describe('probe when it cannot run', () => {
  it('without tcpdump on PATH it answers unavailable: tcpdump not installed, exit 3, no crash', () => {
    const { status, result, stderr } = probe(['proxy-arp', '--netns', podA1.nodeNamespace, '--pod', podA1.namespace], { ...process.env, PATH: '/nonexistent' });
    expect({ status, stderr }).toEqual({ status: 3, stderr: '' });
    expect(result).toMatchObject({ verdict: 'unavailable', reason: 'tcpdump not installed', captures: [], ping: { sent: 0, received: 0 } });
  });

  it('a pod the collector does not find on the node is unavailable, naming the pods it found, exit 3', () => {
    const { status, result } = probe(['proxy-arp', '--netns', podA1.nodeNamespace, '--pod', podB1.namespace]);
    expect(status).toBe(3);
    expect(result.reason).toBe(`pod ${podB1.namespace} is not a pod network namespace of node ${podA1.nodeNamespace} (found: ${PREFIX}pod-a1, ${PREFIX}pod-a2)`);
  });

  it('refuses what is not a pod name or an IP address as bad usage, exit 2, before running anything', () => {
    const badPod = runCollector(['probe', 'proxy-arp', '--netns', podA1.nodeNamespace, '--pod', '../../proc/1/ns/net']);
    expect(badPod.status).toBe(2);
    expect(badPod.stderr).toContain('--pod: "../../proc/1/ns/net" is not a pod network namespace name');
    const badTarget = runCollector(['probe', 'path', '--netns', podA1.nodeNamespace, '--pod', podA1.namespace, '--target', '$(reboot)']);
    expect(badTarget.status).toBe(2);
    expect(badTarget.stderr).toContain('--target: "$(reboot)" is not an IP address');
    expect(runCollector(['probe', 'proxy-arp', '--netns', podA1.nodeNamespace, '--pod', podA1.namespace, '--timeout', '6000']).status).toBe(2);
  });
});
