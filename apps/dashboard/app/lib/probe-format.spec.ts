import { podOfSubject, probeLabel, probeOutcome, probeTone } from './probe-format';

describe('how a probe is named', () => {
  it('names the kind (with the target of a path probe) and the verdict, or the state while there is none', () => {
    expect(probeLabel({ kind: 'PROXY_ARP', target: null })).toBe('proxy ARP');
    expect(probeLabel({ kind: 'PATH', target: '172.17.8.66' })).toBe('path to 172.17.8.66');
    expect(probeOutcome({ state: 'DONE', verdict: 'NO_ARP_REPLY' })).toBe('no-arp-reply');
    expect(probeOutcome({ state: 'COLLECTOR_UNREACHABLE', verdict: null })).toBe('collector unreachable');
    expect([probeTone({ state: 'DONE', verdict: 'ANSWERED' }), probeTone({ state: 'DONE', verdict: 'WRONG_MAC' }), probeTone({ state: 'EXPIRED', verdict: null }), probeTone({ state: 'DISPATCHED', verdict: null })]).toEqual(['ok', 'bad', 'bad', 'pending']);
  });

  it('finds the pod a finding is about in its subject, alone or embedded', () => {
    expect(['pod:cni-a2', 'neighbor:pod:rk-pod-a1|eth0|169.254.1.1', 'veth:cali123', 'route:10.0.0.0/24', 'sysctl:net.ipv4.conf.all.proxy_arp'].map(podOfSubject)).toEqual(['cni-a2', 'rk-pod-a1', undefined, undefined, undefined]);
  });
});
