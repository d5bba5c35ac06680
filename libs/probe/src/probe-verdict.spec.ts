import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureFromOutput } from './probe-capture';
import type { ProbeCapture } from './probe-types';
import { judgeProbe, type ProbeJudgeInput } from './probe-verdict';

// Real tcpdump -e -n -l output from the netlab (test/fixtures/README.md says how it was taken).
const fixture = (name: string) => readFileSync(join(__dirname, '../test/fixtures', `${name}.txt`), 'utf8');
const POD = 'pq-pod-a1';
const VETH = 'calidd33ceb84a6';

function captures(name: string, egress?: string): ProbeCapture[] {
  const list = [
    captureFromOutput({ point: 'pod', device: 'eth0', netns: POD, pod: POD }, fixture(`${name}.pod`)).capture,
    captureFromOutput({ point: 'host-veth', device: VETH, netns: 'pq-node-a', pod: POD }, fixture(`${name}.veth`)).capture,
  ];
  if (egress) list.push(captureFromOutput({ point: 'egress', device: egress, netns: 'pq-node-a', pod: POD }, fixture(`${name}.egress`)).capture);
  return list;
}

const proxyArp = (name: string, ping: ProbeJudgeInput['ping']): ProbeJudgeInput => ({ kind: 'proxy-arp', node: 'pq-node-a', pod: POD, captures: captures(name), ping });

describe('proxy-arp verdict from real frames', () => {
  it('a healthy pod is verified: the veth answered is-at ee:ee:ee:ee:ee:ee and the pings came back', () => {
    const judgement = judgeProbe(proxyArp('healthy', { sent: 2, received: 2 }));
    expect(judgement.verdict).toBe('verified');
    expect(judgement.reason).toContain(`Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on ${VETH}`);
    expect(judgement.reason).toContain('2 of 2 pings answered');
  });

  it('the capture keeps the frames the verdict rests on, parsed by the tcpdump parser', () => {
    const [pod, veth] = captures('healthy');
    expect(veth.lines).toHaveLength(6);
    expect(veth.frames.slice(0, 2)).toMatchObject([
      { ns: 'host', interface: VETH, srcMac: '0a:58:ac:11:08:02', dstMac: 'ff:ff:ff:ff:ff:ff', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '172.17.8.2' } },
      { ns: 'host', interface: VETH, srcMac: 'ee:ee:ee:ee:ee:ee', dstMac: '0a:58:ac:11:08:02', arp: { op: 'reply', targetIp: '169.254.1.1', resolvedMac: 'ee:ee:ee:ee:ee:ee' } },
    ]);
    expect(pod.frames[3]).toMatchObject({ ns: `pod:${POD}`, interface: 'eth0', srcMac: 'ee:ee:ee:ee:ee:ee', ip: { src: '10.99.0.11', dst: '172.17.8.2', icmp: 'echo-reply' } });
  });

  it.each(['proxy-arp-off', 'default-route-missing', 'ip-forward-off'])('under %s the pod asks three times and nobody answers: no-arp-reply', (fault) => {
    const input = proxyArp(fault, { sent: 2, received: 0 });
    for (const capture of input.captures) {
      expect(capture.frames.map((f) => f.arp?.op)).toEqual(['request', 'request', 'request']);
    }
    const judgement = judgeProbe(input);
    expect(judgement.verdict).toBe('no-arp-reply');
    expect(judgement.reason).toMatch(/asked who-has 169\.254\.1\.1 3 times .* and got no reply/);
  });

  it('a veth with another MAC answers is-at that MAC: wrong-mac, even though the pings pass', () => {
    const judgement = judgeProbe(proxyArp('veth-mac-wrong', { sent: 2, received: 2 }));
    expect(judgement.verdict).toBe('wrong-mac');
    expect(judgement.reason).toContain('was told 169.254.1.1 is-at 2a:5e:1c:00:00:01');
    expect(judgement.reason).toContain('not ee:ee:ee:ee:ee:ee');
  });

  it('an answer is-at ee:ee:ee:ee:ee:ee without echo replies is arp-ok-no-echo', () => {
    const input = proxyArp('healthy', { sent: 2, received: 0 });
    input.captures = input.captures.map((c) => ({ ...c, frames: c.frames.filter((f) => f.ip?.icmp !== 'echo-reply') }));
    const judgement = judgeProbe(input);
    expect(judgement.verdict).toBe('arp-ok-no-echo');
    expect(judgement.reason).toContain('no echo reply came back: 0 of 2 pings answered');
  });

  it('no ARP request for 169.254.1.1 captured (a neighbour entry that was not flushed, or no capture) is no-frames', () => {
    const input = proxyArp('healthy', { sent: 2, received: 2 });
    input.captures = input.captures.map((c) => ({ ...c, frames: c.frames.filter((f) => f.ethertype !== 'arp') }));
    expect(judgeProbe(input)).toMatchObject({ verdict: 'no-frames', reason: expect.stringContaining(`frames seen: 4 on ${VETH}, 4 on eth0 of pod ${POD}`) });
    expect(judgeProbe({ ...input, captures: [] })).toMatchObject({ verdict: 'no-frames', reason: expect.stringContaining('no capture ran') });
  });
});

describe('path verdict from real frames', () => {
  it('between pods on two nodes, the echo requests leave by vxlan.calico and are answered', () => {
    const judgement = judgeProbe({
      kind: 'path',
      node: 'pq-node-a',
      pod: POD,
      target: '172.17.8.66',
      captures: captures('path-healthy', 'vxlan.calico'),
      ping: { sent: 2, received: 2 },
      route: { device: 'vxlan.calico', gateway: '172.17.8.64' },
    });
    expect(judgement).toEqual({
      verdict: 'answered',
      reason: '172.17.8.66 answered pod pq-pod-a1 (egress vxlan.calico via 172.17.8.64): 2 of 2 pings answered.',
      path: { leftPod: true, egressDevice: 'vxlan.calico', leftNode: true, answered: true, stoppedAt: null },
    });
  });

  it('without the route to the remote block, the requests leave by eth0 towards the router and nothing comes back', () => {
    const judgement = judgeProbe({
      kind: 'path',
      node: 'pq-node-a',
      pod: POD,
      target: '172.17.8.66',
      captures: captures('path-rbrm', 'eth0'),
      ping: { sent: 2, received: 0 },
      route: { device: 'eth0', gateway: '10.99.0.1', tunnels: ['vxlan.calico'] },
    });
    expect(judgement.verdict).toBe('not-answered');
    expect(judgement.path).toEqual({
      leftPod: true,
      egressDevice: 'eth0',
      leftNode: true,
      answered: false,
      stoppedAt:
        'Beyond node pq-node-a: the echo requests left by eth0 via 10.99.0.1 (the node has vxlan.calico, but its route to 172.17.8.66 does not use it) and no reply from 172.17.8.66 came back.',
    });
  });

  it('requests that reach the veth but not the egress device stopped on the node', () => {
    const input: ProbeJudgeInput = {
      kind: 'path',
      node: 'pq-node-a',
      pod: POD,
      target: '172.17.8.66',
      captures: captures('path-rbrm', 'vxlan.calico').map((c) => (c.point === 'egress' ? { ...c, frames: [] } : c)),
      ping: { sent: 2, received: 0 },
      route: { device: 'vxlan.calico', gateway: '172.17.8.64' },
    };
    expect(judgeProbe(input).path).toMatchObject({ leftPod: true, leftNode: false, stoppedAt: expect.stringContaining('reached calidd33ceb84a6 but did not leave by vxlan.calico') });
    expect(judgeProbe({ ...input, route: { device: null, problem: 'RTNETLINK answers: Network is unreachable' } }).path).toMatchObject({
      egressDevice: null,
      leftNode: false,
      stoppedAt: expect.stringContaining('the node has no route to 172.17.8.66 (RTNETLINK answers: Network is unreachable)'),
    });
  });

  it('a pod whose ARP for 169.254.1.1 goes unanswered never sends its echo requests', () => {
    const judgement = judgeProbe({
      kind: 'path',
      node: 'pq-node-a',
      pod: POD,
      target: '172.17.8.66',
      captures: captures('proxy-arp-off'),
      ping: { sent: 2, received: 0 },
      route: { device: 'vxlan.calico' },
    });
    expect(judgement.path).toMatchObject({ leftPod: false, leftNode: false, answered: false, stoppedAt: `In pod ${POD}: its ARP for 169.254.1.1 got no reply, so no echo request to 172.17.8.66 left its eth0.` });
  });
});

describe('capture bounds', () => {
  it('keeps at most 200 lines of at most 400 characters and counts the rest', () => {
    const line = fixture('healthy.veth').split('\n')[0];
    const { capture, droppedLines } = captureFromOutput({ point: 'host-veth', device: VETH, pod: POD }, `${`${line}\n`.repeat(250)}${'x'.repeat(1000)}\n`);
    expect(capture.lines).toHaveLength(200);
    expect(droppedLines).toBe(51);
    expect(capture.frames).toHaveLength(200);
    const long = captureFromOutput({ point: 'host-veth', device: VETH, pod: POD }, `${line} ${'y'.repeat(1000)}`).capture;
    expect(long.lines[0]).toHaveLength(400);
    expect(long).not.toHaveProperty('netns');
  });
});
