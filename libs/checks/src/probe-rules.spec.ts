import { parseTcpdumpText } from '@routescope/snapshot';
import { PROBE_EVIDENCE_FRAMES, PROBE_PROXY_ARP_FAILED, probeFinding, type ProbeOutcome } from './probe-rules';
import { ruleById } from './rules/catalogue';

// Frames as tcpdump -e -n -l prints them on a pod's host veth in the netlab (TOOLCHAIN.md).
const UNANSWERED = Array.from(
  { length: 3 },
  (_, i) => `12:34:4${i}.985014 0a:58:ac:11:08:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 172.17.8.2, length 28`,
).join('\n');

function outcome(verdict: string, kind = 'proxy-arp', text = UNANSWERED): ProbeOutcome {
  const { frames } = parseTcpdumpText(text, { ns: 'host', interface: 'cali1a2b3c4d5e6' });
  return { id: 'probe-1', node: 'node-a', pod: 'cni-1', kind, verdict, reason: verdict === 'verified' ? undefined : 'no reply', captures: [{ point: 'host-veth', device: 'cali1a2b3c4d5e6', frames }] };
}

describe('probeFinding', () => {
  it.each(['no-arp-reply', 'wrong-mac', 'arp-ok-no-echo', 'no-frames'])('a %s proxy-arp probe opens PROBE_PROXY_ARP_FAILED on its pod, with the verdict, the probe id and the frames', (verdict) => {
    const change = probeFinding(outcome(verdict));
    expect(change.kind).toBe('open');
    if (change.kind !== 'open') return;
    expect(change.finding).toMatchObject({ rule: PROBE_PROXY_ARP_FAILED, node: 'node-a', subject: 'pod:cni-1', severity: 'error' });
    expect(change.finding.message).toContain(`ended ${verdict} (no reply)`);
    expect(change.finding.message).toContain('probe probe-1');
    expect(change.finding.evidence[0]).toEqual({ node: 'node-a', ns: 'pod:cni-1', kind: 'probe', key: 'probe-1', attrs: { probe: 'probe-1', verdict, reason: 'no reply', frames: 3 } });
    expect(change.finding.evidence.slice(1).map((e) => [e.kind, e.key])).toEqual([
      ['frame', 'cali1a2b3c4d5e6#1'],
      ['frame', 'cali1a2b3c4d5e6#2'],
      ['frame', 'cali1a2b3c4d5e6#3'],
    ]);
  });

  it('keeps at most PROBE_EVIDENCE_FRAMES frames in the evidence, and counts them all', () => {
    const many = Array.from({ length: 30 }, () => UNANSWERED.split('\n')[0]).join('\n');
    const change = probeFinding(outcome('no-arp-reply', 'proxy-arp', many));
    if (change.kind !== 'open') throw new Error('expected an opening');
    expect(change.finding.evidence.filter((e) => e.kind === 'frame')).toHaveLength(PROBE_EVIDENCE_FRAMES);
    expect(change.finding.evidence[0]!.attrs).toMatchObject({ frames: 30 });
  });

  it('a verified proxy-arp probe resolves the finding of its pod', () => {
    expect(probeFinding(outcome('verified'))).toEqual({ kind: 'resolve', rule: PROBE_PROXY_ARP_FAILED, subject: 'pod:cni-1' });
  });

  it('a probe that could not run, and a path probe, change nothing', () => {
    expect(probeFinding(outcome('unavailable'))).toEqual({ kind: 'none' });
    expect(probeFinding(outcome('not-answered', 'path'))).toEqual({ kind: 'none' });
  });

  it('is in the catalogue with why it matters and what to do', () => {
    expect(ruleById(PROBE_PROXY_ARP_FAILED)).toMatchObject({ scope: 'probe', severity: 'error', explanation: expect.stringContaining('tcpdump'), remediation: expect.stringContaining('proxy_arp') });
  });
});
