import type { Snapshot } from '@routescope/snapshot';
import { loadSnapshot, nodeFacts, toNodeFacts } from '../test/fixtures';
import { detectCni } from './cni-detection';
import { checkNode } from './node-rules';

type Host = Snapshot['namespaces'][number];

function edit(file: string, change: (host: Host, snapshot: Snapshot) => void): Snapshot {
  const snapshot = loadSnapshot(file);
  change(snapshot.namespaces.find((n) => n.kind === 'host')!, snapshot);
  return snapshot;
}

const detect = (snapshot: Snapshot) => detectCni(toNodeFacts(snapshot));

describe('detectCni', () => {
  it('the lab node is Calico in VXLAN mode, by its ee:ee:ee:ee:ee:ee veth, vxlan.calico and felix’s proto 80 route', () => {
    const detection = detectCni(nodeFacts('lab/healthy.node-a.json'));
    expect(detection).toMatchObject({ cni: 'calico', mode: 'vxlan' });
    expect(detection.evidence.map((e) => `${e.kind} ${e.key}`)).toEqual([
      'link calidd33ceb84a6',
      'link vxlan.calico',
      'route main|inet|unicast|172.17.8.64/26|0',
      'route main|inet|unicast|0.0.0.0/0|0',
    ]);
    expect(detection.evidence[3].ns).toBe('pod:rk-pod-a1');
  });

  it('this machine (a plain VM) is unknown, with no evidence', () => {
    expect(detectCni(nodeFacts('plain-vm.json'))).toEqual({ cni: 'unknown', evidence: [] });
  });

  it('a flannel node (flannel.1 and cni0) is flannel in VXLAN mode', () => {
    expect(detectCni(nodeFacts('flannel-node.json'))).toMatchObject({ cni: 'flannel', mode: 'vxlan', evidence: [expect.objectContaining({ key: 'flannel.1' })] });
  });

  it('Calico veths over flannel.1 are Canal, and the pod and veth rules still apply there', () => {
    const snapshot = edit('lab/proxy-arp-off.node-a.json', (host) => {
      host.links!.push({ ifindex: 30, name: 'flannel.1', kind: 'vxlan', mtu: 1450, operState: 'UNKNOWN', flags: ['UP'], vxlan: { id: 1, dev: 'eth0', port: 8472 } });
      host.addresses!.push({ dev: 'flannel.1', family: 'inet', local: '10.244.3.0', prefixlen: 32, flags: [] });
    });
    expect(detect(snapshot)).toMatchObject({ cni: 'canal', mode: 'vxlan' });
    expect(checkNode(toNodeFacts(snapshot)).map((f) => f.rule)).toEqual(['CALICO_PROXY_ARP']);
  });

  it('cilium_host or lxc* endpoints without Calico evidence are Cilium, and no Calico rule runs', () => {
    const snapshot = edit('plain-vm.json', (host) => {
      host.links!.push({ ifindex: 9, name: 'cilium_host', kind: 'veth', mtu: 1500, operState: 'UP', flags: ['UP'] });
    });
    expect(detect(snapshot)).toMatchObject({ cni: 'cilium' });
    expect(checkNode(toNodeFacts(snapshot))).toEqual([]);
  });

  it('tunl0 in use (address and routes) is IPIP; wireguard.cali is WireGuard; BIRD routes without a tunnel are BGP', () => {
    const ipip = edit('lab/healthy.node-a.json', (host) => {
      host.links = host.links!.map((l) => (l.name === 'vxlan.calico' ? { ifindex: l.ifindex, name: 'tunl0', kind: 'ipip', mtu: 1480, operState: 'UNKNOWN', flags: ['UP'] } : l));
      host.addresses = host.addresses!.map((a) => (a.dev === 'vxlan.calico' ? { ...a, dev: 'tunl0' } : a));
      host.routes = host.routes!.map((r) => (r.dev === 'vxlan.calico' ? { ...r, dev: 'tunl0', protocol: 'bird' } : r));
    });
    expect(detect(ipip)).toMatchObject({ cni: 'calico', mode: 'ipip' });

    const wireguard = edit('lab/healthy.node-a.json', (host) => {
      host.links!.push({ ifindex: 40, name: 'wireguard.cali', kind: 'wireguard', mtu: 1390, operState: 'UNKNOWN', flags: ['UP'] });
      host.addresses!.push({ dev: 'wireguard.cali', family: 'inet', local: '172.17.8.1', prefixlen: 32, flags: [] });
    });
    expect(detect(wireguard)).toMatchObject({ cni: 'calico', mode: 'wireguard' });

    const bgp = edit('lab/healthy.node-a.json', (host) => {
      host.links = host.links!.filter((l) => l.name !== 'vxlan.calico');
      host.addresses = host.addresses!.filter((a) => a.dev !== 'vxlan.calico');
      host.routes = host.routes!.filter((r) => r.dev !== 'vxlan.calico');
      host.routes.push({ family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.64/26', gateway: '10.99.0.12', dev: 'eth0', protocol: 'bird', flags: [] });
    });
    expect(detect(bgp)).toMatchObject({ cni: 'calico', mode: 'bgp' });
  });

  it('a tunl0 that merely exists (ipip module loaded, down, no address) says nothing', () => {
    const snapshot = edit('plain-vm.json', (host) => {
      host.links!.push({ ifindex: 8, name: 'tunl0', kind: 'ipip', mtu: 1480, operState: 'DOWN', flags: ['NOARP'] });
    });
    expect(detect(snapshot)).toEqual({ cni: 'unknown', evidence: [] });
  });

  it('a pasted capture of only a pod that routes via 169.254.1.1 is enough to recognise Calico', () => {
    const snapshot = loadSnapshot('lab/healthy.node-a.json');
    const pod = snapshot.namespaces.find((n) => n.name === 'rk-pod-a1')!;
    const podOnly: Snapshot = { ...snapshot, namespaces: [{ kind: 'host', name: 'host' }, { kind: 'pod', name: pod.name, routes: pod.routes }] };
    expect(detect(podOnly)).toMatchObject({ cni: 'calico', evidence: [expect.objectContaining({ ns: 'pod:rk-pod-a1', kind: 'route' })] });
  });

  describe('field captures (issue #10)', () => {
    const hostOnly = (host: Omit<Host, 'kind' | 'name'>): Snapshot => ({ ...loadSnapshot('plain-vm.json'), namespaces: [{ ...host, kind: 'host', name: 'host' }] });
    const route = (dst: string, extra: Record<string, unknown>) => ({ family: 'inet' as const, table: 'main', type: 'unicast', dst, flags: [], ...extra });

    it('a route table with only proto bird routes (no pods yet, no tunnel) is Calico in BGP mode', () => {
      const detection = detect(hostOnly({ routes: [route('10.0.0.0/24', { dev: 'ens3', protocol: 'kernel' }), route('192.168.77.0/26', { gateway: '10.0.0.12', dev: 'ens3', protocol: 'bird' })] }));
      expect(detection).toMatchObject({ cni: 'calico', mode: 'bgp', evidence: [expect.objectContaining({ kind: 'route', attrs: expect.objectContaining({ protocol: 'bird' }) })] });
    });

    it('a felix proto 80 route alone is Calico', () => {
      expect(detect(hostOnly({ routes: [route('172.17.8.64/26', { gateway: '172.17.8.64', dev: 'vxlan.calico', protocol: '80', flags: ['onlink'] })] }))).toMatchObject({ cni: 'calico', mode: 'vxlan' });
    });

    it('vxlan.calico or wireguard.cali in a link list is Calico even without an address (the names are Calico’s)', () => {
      expect(detect(hostOnly({ links: [{ ifindex: 5, name: 'vxlan.calico', kind: 'vxlan', mtu: 1450, operState: 'UNKNOWN', flags: ['UP'] }] }))).toMatchObject({ cni: 'calico', mode: 'vxlan' });
      expect(detect(hostOnly({ links: [{ ifindex: 5, name: 'wireguard.cali', kind: 'wireguard', mtu: 1440, operState: 'UNKNOWN', flags: ['UP'] }] }))).toMatchObject({ cni: 'calico', mode: 'wireguard' });
    });

    it('tunl0 up with an address from ifconfig (no scope printed) is Calico IPIP', () => {
      const detection = detect(
        hostOnly({
          links: [{ ifindex: 5, name: 'tunl0', mtu: 1440, flags: ['UP', 'RUNNING', 'NOARP'] }],
          addresses: [{ dev: 'tunl0', family: 'inet', local: '192.168.77.0', prefixlen: 32, flags: [] }],
        }),
      );
      expect(detection).toMatchObject({ cni: 'calico', mode: 'ipip' });
    });

    it('a route -n with /32 routes to cali veths (no link list) is Calico', () => {
      expect(detect(hostOnly({ routes: [route('10.0.0.0/24', { dev: 'eno0' }), route('192.168.47.193/32', { dev: 'calib60157fc38c', scope: 'link' })] }))).toMatchObject({ cni: 'calico' });
    });

    it('a route table naming flannel.1 is Flannel (VXLAN), one naming cilium_host is Cilium, without links', () => {
      expect(detect(hostOnly({ routes: [route('10.244.0.0/16', { dev: 'flannel.1', protocol: 'kernel' }), route('10.244.0.0/24', { dev: 'cni0', protocol: 'kernel' })] }))).toMatchObject({ cni: 'flannel', mode: 'vxlan' });
      expect(detect(hostOnly({ routes: [route('10.42.0.0/24', { gateway: '10.42.5.171', dev: 'cilium_host', protocol: 'kernel' })] }))).toMatchObject({ cni: 'cilium' });
    });

    it('a neighbour table alone with felix’s permanent entries on vxlan.calico is Calico VXLAN; entries on cali veths are Calico', () => {
      const neighbor = (dst: string, dev: string) => ({ family: 'inet' as const, dst, dev, lladdr: '66:67:bd:3f:3c:e5', state: ['PERMANENT'], flags: [] });
      expect(detect(hostOnly({ neighbors: [neighbor('10.10.10.1', 'ens192'), neighbor('192.168.233.64', 'vxlan.calico')] }))).toMatchObject({ cni: 'calico', mode: 'vxlan' });
      expect(detect(hostOnly({ neighbors: [neighbor('10.233.82.149', 'cali6efd6b2c953')] }))).toMatchObject({ cni: 'calico' });
      expect(detect(hostOnly({ neighbors: [neighbor('10.10.10.1', 'ens192')] }))).toMatchObject({ cni: 'unknown' });
    });

    it('bpfnatin/bpfnatout (or bpfin.cali/bpfout.cali) beside cali veths are Calico in eBPF mode', () => {
      const snapshot = edit('lab/healthy.node-a.json', (host) => {
        host.links!.push({ ifindex: 50, name: 'bpfin.cali', kind: 'veth', mtu: 1500, operState: 'UP', flags: ['UP'] });
      });
      expect(detect(snapshot)).toMatchObject({ cni: 'calico', mode: 'ebpf' });
    });
  });
});
