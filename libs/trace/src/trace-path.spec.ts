import { tracePath, TraceRequestError, type TraceResult } from './index';
import { setSysctl, twoNodeLab } from './testing/two-node-lab';

const steps = (result: TraceResult, leg: 'forward' | 'reply') => result[leg].hops.map((h) => `${h.node} ${h.ns} ${h.step}`);

describe('tracePath on the healthy two-node lab', () => {
  const nodes = twoNodeLab();

  it('a pod reaches a pod of its node: proxy ARP on its veth, forward, ARP answered by the other pod, and the reply back the same way', () => {
    const result = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.3' });
    expect(result).toMatchObject({ reachable: true, verdict: 'reachable', forward: { delivered: true }, reply: { delivered: true }, source: { address: '172.17.8.2' } });
    expect(steps(result, 'forward')).toEqual([
      'node-a pod:pod-a1 route',
      'node-a host proxy-arp',
      'node-a host forward',
      'node-a host neighbour',
      'node-a pod:pod-a2 deliver',
    ]);
    expect(steps(result, 'reply')[0]).toBe('node-a pod:pod-a2 route');
    expect(result.reply.deliveredTo).toEqual({ node: 'node-a', ns: 'pod:pod-a1' });
  });

  it('cites the facts proxy ARP used: proxy_arp and forwarding of the veth, and the host route for 169.254.1.1', () => {
    const result = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.3' });
    const proxy = result.forward.hops.find((h) => h.step === 'proxy-arp');
    expect(proxy?.evidence).toEqual(
      expect.arrayContaining([
        { node: 'node-a', ns: 'host', kind: 'sysctl', key: 'net/ipv4/conf/calidd33ceb84a6/proxy_arp' },
        { node: 'node-a', ns: 'host', kind: 'sysctl', key: 'net/ipv4/conf/calidd33ceb84a6/forwarding' },
        { node: 'node-a', ns: 'host', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0' },
        { node: 'node-a', ns: 'host', kind: 'sysctl', key: 'net/ipv4/neigh/calidd33ceb84a6/proxy_delay' },
      ]),
    );
    expect(proxy?.detail).toMatch(/proxy_delay 0/);
  });

  it('a pod reaches a pod on the other node through VXLAN: encapsulated to the node owning the VTEP MAC, decapsulated there', () => {
    const result = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66' });
    expect(result.reachable).toBe(true);
    const encap = result.forward.hops.find((h) => h.step === 'encapsulate');
    expect(encap?.detail).toMatch(/134-byte packet to 10\.99\.0\.12 \(node-b\)/);
    expect(encap?.evidence).toEqual(expect.arrayContaining([{ node: 'node-a', ns: 'host', kind: 'neighbor', key: 'vxlan.calico|172.17.8.64' }]));
    expect(steps(result, 'forward')).toContain('node-b host decapsulate');
    expect(result.forward.deliveredTo).toEqual({ node: 'node-b', ns: 'pod:pod-b1' });
  });

  it('a pod reaches its own node and the other node (the reply from node-b comes back through VXLAN)', () => {
    expect(tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '10.99.0.11' }).reachable).toBe(true);
    const remote = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '10.99.0.12' });
    expect(remote.reachable).toBe(true);
    expect(steps(remote, 'reply')).toContain('node-b host encapsulate');
  });

  it('a DF packet of exactly the pod MTU crosses the tunnel; one byte more is refused by the sender', () => {
    expect(tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66', size: 1450, dontFragment: true }).reachable).toBe(true);
    const big = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66', size: 1451, dontFragment: true });
    expect(big).toMatchObject({ reachable: false, verdict: 'mtu', forward: { stop: { node: 'node-a', ns: 'pod:pod-a1' } } });
    const fragmented = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66', size: 1500 });
    expect(fragmented.reachable).toBe(true);
    expect(fragmented.forward.hops.find((h) => h.step === 'mtu')?.detail).toMatch(/fragments of at most 1450/);
  });

  it('finds a pod by its Kubernetes name through Calico veth naming, and traces from a node', () => {
    expect(tracePath({ nodes, from: { node: 'node-a', pod: 'default/pod-a1' }, to: '172.17.8.3' }).source).toEqual({ node: 'node-a', ns: 'pod:pod-a1', address: '172.17.8.2' });
    const pods = [{ namespace: 'web', name: 'api-0', node: 'node-a', ips: ['172.17.8.3'] }];
    expect(tracePath({ nodes, pods, from: { node: 'node-a', pod: 'web/api-0' }, to: '172.17.8.2' }).source?.ns).toBe('pod:pod-a2');
    expect(tracePath({ nodes, from: { node: 'node-b' }, to: '172.17.8.2' })).toMatchObject({ reachable: true, source: { ns: 'host', address: '172.17.8.64' } });
  });

  it('given only the source node, says which VTEP MAC it could not place, and traces through once that node is added', () => {
    const alone = tracePath({ nodes: [nodes[0]], from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66' });
    expect(alone).toMatchObject({ reachable: false, verdict: 'unknown-next-hop-node', unresolved: { addresses: [], macs: ['66:c1:a0:00:00:0b'] } });
    expect(tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66' }).unresolved).toBeUndefined();
    const toRouter = tracePath({ nodes, from: { node: 'node-a' }, to: '8.8.8.8' });
    expect(toRouter.unresolved).toEqual({ addresses: ['10.99.0.1'], macs: [] });
  });

  it('refuses a request it cannot start, naming the field', () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof TraceRequestError ? `${e.field}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(error(() => tracePath({ nodes, from: { node: 'node-z' }, to: '172.17.8.3' }))).toMatch(/^from\.node: .*node-z/);
    expect(error(() => tracePath({ nodes, from: { node: 'node-a', pod: 'nope' }, to: '172.17.8.3' }))).toMatch(/^from\.pod: .*pod-a1, pod-a2/);
    expect(error(() => tracePath({ nodes, from: { node: 'node-a' }, to: 'example' }))).toMatch(/^to: /);
    expect(error(() => tracePath({ nodes, from: { node: 'node-a' }, to: '172.17.8.3', size: 20 }))).toMatch(/^size: /);
  });
});

describe('tracePath where the Calico model is broken', () => {
  const trace = (edit: Parameters<typeof twoNodeLab>[0], to = '172.17.8.66', from = { node: 'node-a', pod: 'pod-a1' }) => tracePath({ nodes: twoNodeLab(edit), from, to });

  it('proxy_arp off on the veth: no ARP reply for 169.254.1.1, citing the sysctl; conf/all/proxy_arp = 1 would answer', () => {
    const off = trace((ns) => ns.kind === 'host' && setSysctl(ns, 'conf/calidd33ceb84a6/proxy_arp', '0'));
    expect(off).toMatchObject({ verdict: 'no-arp-reply', forward: { stop: { node: 'node-a', ns: 'host' } } });
    expect(off.forward.stop?.evidence).toContainEqual({ node: 'node-a', ns: 'host', kind: 'sysctl', key: 'net/ipv4/conf/calidd33ceb84a6/proxy_arp' });
    const all = trace((ns) => {
      if (ns.kind !== 'host') return;
      setSysctl(ns, 'conf/calidd33ceb84a6/proxy_arp', '0');
      setSysctl(ns, 'conf/all/proxy_arp', '1');
    });
    expect(all.reachable).toBe(true);
  });

  it('forwarding off on the node: proxy ARP stays silent even for the node’s own address', () => {
    const result = trace((ns, node) => {
      if (ns.kind !== 'host' || node !== 'node-a') return;
      for (const s of ns.sysctls ?? []) if (/forwarding$|ip_forward$/.test(s.path)) s.value = '0';
    }, '10.99.0.11');
    expect(result).toMatchObject({ verdict: 'forwarding-off', forward: { stop: { node: 'node-a', ns: 'host' } } });
  });

  it('no default route on the node: no route for 169.254.1.1 out of another interface, so no ARP reply', () => {
    const result = trace((ns, node) => {
      if (ns.kind === 'host' && node === 'node-a') ns.routes = ns.routes?.filter((r) => r.dst !== 'default');
    });
    expect(result.verdict).toBe('no-arp-reply');
    expect(result.forward.stop?.detail).toMatch(/no route for 169\.254\.1\.1/);
  });

  it('the host route of the pod missing: the request arrives, the reply falls into the block’s blackhole', () => {
    const result = trace((ns, node) => {
      if (ns.kind === 'host' && node === 'node-a') ns.routes = ns.routes?.filter((r) => r.dst !== '172.17.8.2');
    });
    expect(result).toMatchObject({ verdict: 'blackhole', forward: { delivered: true }, reply: { delivered: false, stop: { node: 'node-a', ns: 'host' } } });
  });

  it('the route to the other block via the underlay router, which is no traced node', () => {
    const result = trace((ns, node) => {
      if (ns.kind !== 'host' || node !== 'node-a') return;
      const r = ns.routes?.find((x) => x.dst === '172.17.8.64/26');
      if (r) Object.assign(r, { gateway: '10.99.0.1', dev: 'eth0', flags: [] });
    });
    expect(result).toMatchObject({ verdict: 'unknown-next-hop-node' });
    expect(result.forward.stop?.detail).toMatch(/10\.99\.0\.1/);
  });

  it('strict rp_filter drops a packet whose source is routed back by another device', () => {
    const result = trace((ns, node) => {
      if (ns.kind !== 'host' || node !== 'node-b') return;
      setSysctl(ns, 'conf/vxlan.calico/rp_filter', '1');
      ns.routes = ns.routes?.filter((r) => r.dst !== '172.17.8.0/26');
    });
    expect(result).toMatchObject({ verdict: 'rp_filter', forward: { stop: { node: 'node-b', ns: 'host' } } });
  });

  it('a pod MTU above its veth’s: a full-size DF packet is dropped by the veth on receive', () => {
    const nodes = twoNodeLab((ns) => {
      if (ns.name === 'pod-a1') for (const l of ns.links ?? []) if (l.name === 'eth0') l.mtu = 1500;
    });
    const result = tracePath({ nodes, from: { node: 'node-a', pod: 'pod-a1' }, to: '172.17.8.66', size: 1500, dontFragment: true });
    expect(result).toMatchObject({ verdict: 'mtu', forward: { stop: { node: 'node-a', ns: 'host' } } });
    expect(result.forward.stop?.detail).toMatch(/arriving on calidd33ceb84a6 exceeds its MTU 1450/);
  });

  it('a duplicate pod IP on the other node: the reply is delivered to the wrong pod', () => {
    const result = trace((ns, node) => {
      if (ns.name === 'pod-b2') ns.addresses?.push({ dev: 'eth0', family: 'inet', local: '172.17.8.2', prefixlen: 32, scope: 'global', flags: [] });
      if (ns.kind === 'host' && node === 'node-b') ns.routes?.push({ family: 'inet', table: 'main', type: 'unicast', dst: '172.17.8.2', dev: 'cali36e184374a9', scope: 'link', flags: [] });
    });
    expect(result).toMatchObject({ verdict: 'misdelivered', reply: { delivered: false, deliveredTo: { node: 'node-b', ns: 'pod:pod-b2' } } });
  });

  it('a down host veth stops the request at the link', () => {
    const result = trace((ns) => {
      if (ns.kind === 'host') for (const l of ns.links ?? []) if (l.name === 'cali86a12876b92') l.operState = 'LOWERLAYERDOWN';
    });
    expect(result).toMatchObject({ verdict: 'link-down' });
  });

  it('a route in another table that covers the destination: the policy rules decide, and they were not captured', () => {
    const result = trace((ns, node) => {
      if (ns.kind === 'host' && node === 'node-a') ns.routes?.push({ family: 'inet', table: '1', type: 'unicast', dst: '172.17.8.64/26', dev: 'eth0', flags: [] });
    });
    expect(result).toMatchObject({ verdict: 'not-captured' });
    expect(result.forward.stop?.detail).toMatch(/table 1 .*ip rule/);
  });
});
