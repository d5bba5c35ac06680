import type { NetworkNamespace } from '@routescope/snapshot';
import { tracePath, type TraceResult } from './index';
import { setSysctl, twoNodeLab, type NamespaceEdit } from './testing/two-node-lab';

const from = { node: 'node-a', pod: 'pod-a1' };
const trace = (edit: NamespaceEdit, to = '172.17.8.66', options: { size?: number; dontFragment?: boolean } = {}): TraceResult => tracePath({ nodes: twoNodeLab(edit), from, to, ...options });
const hostOf = (wanted: string, edit: (ns: NetworkNamespace) => void): NamespaceEdit => (ns, node) => {
  if (ns.kind === 'host' && node === wanted) edit(ns);
};
const routeTo = (ns: NetworkNamespace, dst: string) => {
  const route = ns.routes?.find((r) => r.dst === dst);
  if (!route) throw new Error(`no route ${dst}`);
  return route;
};

/** Replaces the VXLAN device and routes with Calico's IPIP ones (tunl0, via the other node's address, onlink). */
const ipip: NamespaceEdit = (ns, node) => {
  if (ns.kind !== 'host') return;
  const other = node === 'node-a' ? { block: '172.17.8.64/26', underlay: '10.99.0.12' } : { block: '172.17.8.0/26', underlay: '10.99.0.11' };
  ns.links = ns.links?.filter((l) => l.name !== 'vxlan.calico');
  ns.links?.push({ ifindex: 9, name: 'tunl0', kind: 'ipip', mtu: 1480, operState: 'UNKNOWN', flags: ['NOARP', 'UP', 'LOWER_UP'] });
  Object.assign(routeTo(ns, other.block), { gateway: other.underlay, dev: 'tunl0', protocol: 'bird' });
  setSysctl(ns, 'conf/tunl0/forwarding', '1');
  setSysctl(ns, 'conf/tunl0/rp_filter', '0');
};

describe('tunnels other than VXLAN', () => {
  it('IPIP: the gateway is the outer destination, 20 bytes of overhead, decapsulated on the node that owns it', () => {
    const result = trace(ipip);
    expect(result.reachable).toBe(true);
    expect(result.forward.hops.find((h) => h.step === 'encapsulate')?.detail).toMatch(/IPIP on tunl0: the 84-byte packet travels as a 104-byte packet to 10\.99\.0\.12 \(node-b\)/);
    expect(result.forward.hops.map((h) => `${h.node} ${h.step}`)).toContain('node-b decapsulate');
  });

  it('IPIP: a DF packet over the tunnel MTU stops at the tunnel device, without DF it is fragmented', () => {
    const edit: NamespaceEdit = (ns, node) => {
      ipip(ns, node);
      for (const l of ns.links ?? []) if (l.name === 'eth0' || l.name.startsWith('cali')) l.mtu = 1500;
    };
    expect(trace(edit, '172.17.8.66', { size: 1500, dontFragment: true })).toMatchObject({ verdict: 'mtu', forward: { stop: { node: 'node-a', ns: 'host' } } });
    expect(trace(edit, '172.17.8.66', { size: 1500 }).reachable).toBe(true);
  });

  it('WireGuard: the peer is the node that holds the destination (allowed IPs are not collected), 60 bytes of overhead', () => {
    const wireguard: NamespaceEdit = (ns, node) => {
      if (ns.kind !== 'host') return;
      ns.links?.push({ ifindex: 10, name: 'wireguard.cali', kind: 'wireguard', mtu: 1440, operState: 'UNKNOWN', flags: ['NOARP', 'UP', 'LOWER_UP'] });
      const block = node === 'node-a' ? '172.17.8.64/26' : '172.17.8.0/26';
      const route = routeTo(ns, block);
      delete route.gateway;
      Object.assign(route, { dev: 'wireguard.cali', scope: 'link', flags: [] });
      setSysctl(ns, 'conf/wireguard.cali/forwarding', '1');
      setSysctl(ns, 'conf/wireguard.cali/rp_filter', '0');
    };
    const result = trace(wireguard);
    expect(result.reachable).toBe(true);
    expect(result.forward.hops.find((h) => h.step === 'encapsulate')?.detail).toMatch(/WIREGUARD on wireguard\.cali: .*144-byte packet to 10\.99\.0\.12.*allowed IPs were not captured/);
  });
});

describe('the kernel rules the walk applies', () => {
  it('an unreachable or prohibit route stops with its type', () => {
    expect(trace(hostOf('node-a', (ns) => Object.assign(routeTo(ns, '172.17.8.64/26'), { type: 'unreachable', gateway: undefined, dev: undefined }))).verdict).toBe('unreachable');
    expect(trace(hostOf('node-a', (ns) => Object.assign(routeTo(ns, '172.17.8.64/26'), { type: 'prohibit', gateway: undefined, dev: undefined }))).verdict).toBe('prohibit');
  });

  it('no route at all on the forwarding node: no-route, citing the missing default route', () => {
    const result = trace(hostOf('node-a', (ns) => (ns.routes = ns.routes?.filter((r) => r.dst !== '172.17.8.64/26' && r.dst !== 'default'))));
    // Without a default route proxy ARP is silent first: the pod never gets its packet out.
    expect(result.verdict).toBe('no-arp-reply');
    const fromNode = tracePath({ nodes: twoNodeLab(hostOf('node-a', (ns) => (ns.routes = ns.routes?.filter((r) => r.dst !== 'default')))), from: { node: 'node-a' }, to: '8.8.8.8' });
    expect(fromNode).toMatchObject({ verdict: 'no-route', forward: { stop: { evidence: [{ kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0' }] } } });
  });

  it('loose rp_filter accepts a source routed back by another device; strict drops it', () => {
    const asymmetric = (mode: string): NamespaceEdit => hostOf('node-b', (ns) => {
      setSysctl(ns, 'conf/all/rp_filter', mode);
      Object.assign(routeTo(ns, '172.17.8.0/26'), { gateway: '10.99.0.11', dev: 'eth0', flags: [] });
    });
    // node-b answers through the underlay; the request came in by vxlan.calico.
    expect(trace(asymmetric('2')).forward.delivered).toBe(true);
    expect(trace(asymmetric('1'))).toMatchObject({ verdict: 'rp_filter', forward: { stop: { node: 'node-b' } } });
  });

  it('a pod with strict rp_filter that routes the node’s address by a second interface does not answer the node’s ARP', () => {
    const result = trace((ns) => {
      if (ns.name !== 'pod-a2') return;
      ns.links?.push({ ifindex: 3, name: 'net1', kind: 'macvlan', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] });
      ns.routes?.push({ family: 'inet', table: 'main', type: 'unicast', dst: '10.99.0.0/24', dev: 'net1', scope: 'link', flags: [] });
      setSysctl(ns, 'conf/all/rp_filter', '1');
    }, '172.17.8.3');
    expect(result).toMatchObject({ verdict: 'rp_filter', forward: { stop: { node: 'node-a', ns: 'pod:pod-a2' } } });
    expect(result.forward.stop?.detail).toMatch(/ARP for 172\.17\.8\.3 from 10\.99\.0\.11 .* leaves by net1, not eth0/);
  });

  it('rp_filter not captured: not-captured only where the answer depends on it', () => {
    const unknown: NamespaceEdit = hostOf('node-b', (ns) => {
      ns.sysctls = ns.sysctls?.filter((s) => !s.path.endsWith('rp_filter'));
    });
    expect(trace(unknown).reachable).toBe(true);
    const asymmetric: NamespaceEdit = (ns, node) => {
      unknown(ns, node);
      if (ns.kind === 'host' && node === 'node-b') ns.routes = ns.routes?.filter((r) => r.dst !== '172.17.8.0/26');
    };
    expect(trace(asymmetric)).toMatchObject({ verdict: 'not-captured', forward: { stop: { node: 'node-b' } } });
  });

  it('proxy_arp not captured on the veth: not-captured rather than a guess; a proxy neighbour entry answers without proxy_arp', () => {
    const noSysctl = hostOf('node-a', (ns) => (ns.sysctls = ns.sysctls?.filter((s) => !s.path.endsWith('/proxy_arp'))));
    expect(trace(noSysctl).verdict).toBe('not-captured');
    const entry = hostOf('node-a', (ns) => {
      setSysctl(ns, 'conf/calidd33ceb84a6/proxy_arp', '0');
      ns.neighbors?.push({ family: 'inet', dst: '169.254.1.1', dev: 'calidd33ceb84a6', state: [], proxy: true });
    });
    const result = trace(entry);
    expect(result.reachable).toBe(true);
    expect(result.forward.hops.find((h) => h.step === 'proxy-arp')?.evidence).toContainEqual({ node: 'node-a', ns: 'host', kind: 'neighbor', key: 'proxy|calidd33ceb84a6|169.254.1.1' });
  });

  it('proxy_delay above 0 is noted, and the pod is still reached', () => {
    const result = trace(hostOf('node-a', (ns) => setSysctl(ns, 'neigh/calidd33ceb84a6/proxy_delay', '80')));
    expect(result.reachable).toBe(true);
    expect(result.forward.hops.find((h) => h.step === 'proxy-arp')?.detail).toMatch(/proxy_delay 80: .*up to 800 ms/);
  });

  it('a route marked linkdown stops at the link', () => {
    const result = trace(hostOf('node-a', (ns) => (routeTo(ns, '172.17.8.64/26').flags = ['onlink', 'linkdown'])));
    expect(result).toMatchObject({ verdict: 'link-down', forward: { stop: { node: 'node-a', ns: 'host' } } });
  });

  it('a route MTU below the device MTU limits DF packets', () => {
    const result = trace(hostOf('node-a', (ns) => (routeTo(ns, '172.17.8.64/26').mtu = 1400)), '172.17.8.66', { size: 1450, dontFragment: true });
    expect(result).toMatchObject({ verdict: 'mtu' });
    expect(result.forward.stop?.detail).toMatch(/MTU 1400 of vxlan\.calico: it is dropped and "fragmentation needed" goes back/);
  });

  it('routes that send the packet back and forth run out of TTL', () => {
    const loop: NamespaceEdit = (ns, node) => {
      if (ns.kind !== 'host') return;
      // Each node sends node-b's block to the other over the underlay.
      Object.assign(routeTo(ns, node === 'node-a' ? '172.17.8.64/26' : '172.17.8.0/26'), { gateway: node === 'node-a' ? '10.99.0.12' : '10.99.0.11', dev: 'eth0', flags: [] });
      if (node === 'node-b') ns.routes?.push({ family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.66', gateway: '10.99.0.11', dev: 'eth0', flags: [] });
      if (node === 'node-b') ns.routes = ns.routes?.filter((r) => !(r.dst === '172.17.8.66' && r.dev?.startsWith('cali')));
    };
    expect(trace(loop).verdict).toBe('ttl');
  });

  it('a policy-routing table that does not cover the destination changes nothing', () => {
    const result = trace(hostOf('node-a', (ns) => ns.routes?.push({ family: 'inet', table: '200', type: 'unicast', dst: '192.168.0.0/16', dev: 'eth0', flags: [] })));
    expect(result.reachable).toBe(true);
  });

  it('a VXLAN gateway without a neighbour entry: no ARP reply when the neighbours were captured, not-captured when they were not', () => {
    const noEntry = hostOf('node-a', (ns) => (ns.neighbors = []));
    expect(trace(noEntry)).toMatchObject({ verdict: 'no-arp-reply', forward: { stop: { node: 'node-a', ns: 'host' } } });
    const notCaptured = hostOf('node-a', (ns) => delete ns.neighbors);
    expect(trace(notCaptured).verdict).toBe('not-captured');
  });

  it('a pod’s routes not captured: not-captured at the pod', () => {
    const result = trace((ns) => {
      if (ns.name === 'pod-a1') delete ns.routes;
    });
    expect(result).toMatchObject({ verdict: 'not-captured', forward: { stop: { ns: 'pod:pod-a1' } } });
  });
});
