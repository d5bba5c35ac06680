import { isConfirmedAffinity, normalise, normaliseBlockAffinity, normaliseIpamBlock, normaliseNode, normalisePod, poolEncapsulation, type RawPod } from './cluster-objects';

describe('cluster object normalisation', () => {
  const running: RawPod = {
    metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', resourceVersion: '10' },
    spec: { nodeName: 'node-a' },
    status: { phase: 'Running', podIP: '172.17.8.2', podIPs: [{ ip: '172.17.8.2' }, { ip: 'fd00::8:2' }] },
  };

  it('maps a pod to its IPs, node and host veth, keyed by uid', () => {
    expect(normalise('pod', running)).toEqual({
      kind: 'pod',
      key: 'u-1',
      attrs: { namespace: 'shop', name: 'web-1', node: 'node-a', ips: ['172.17.8.2', 'fd00::8:2'], hostNetwork: false, phase: 'Running', ipsReleased: false, veth: expect.stringMatching(/^cali[0-9a-f]{11}$/) },
    });
  });

  it('ignores what does not matter: resourceVersion, conditions, timestamps', () => {
    const noisy = { ...running, metadata: { ...running.metadata, resourceVersion: '99' }, status: { ...running.status, conditions: [{ type: 'Ready', status: 'False' }] } } as RawPod;
    expect(normalise('pod', noisy)).toEqual(normalise('pod', running));
  });

  it('falls back to status.podIP, then to Calico CNI annotations (stripping /32 and /128)', () => {
    expect(normalisePod({ ...running, status: { phase: 'Running', podIP: '172.17.8.3' } }).ips).toEqual(['172.17.8.3']);
    const annotated = { metadata: { name: 'x', namespace: 'y', annotations: { 'cni.projectcalico.org/podIPs': '172.17.8.4/32,fd00::4/128' } }, spec: { nodeName: 'n' }, status: { phase: 'Pending' } };
    expect(normalisePod(annotated).ips).toEqual(['172.17.8.4', 'fd00::4']);
  });

  it('gives finished and host-network pods no IPs (Calico has released them / they are the node\'s)', () => {
    expect(normalisePod({ ...running, status: { ...running.status, phase: 'Succeeded' } })).toMatchObject({ ips: [], ipsReleased: true });
    const terminating = { ...running, metadata: { ...running.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', annotations: { 'cni.projectcalico.org/podIP': '' } } };
    expect(normalisePod(terminating)).toMatchObject({ ips: [], ipsReleased: true });
    expect(normalisePod({ ...running, spec: { nodeName: 'node-a', hostNetwork: true }, status: { phase: 'Running', podIP: '10.0.0.11' } })).toMatchObject({ ips: [], hostNetwork: true, veth: null });
  });

  it('maps a node to its InternalIPs, pod CIDRs, readiness and Calico annotations', () => {
    expect(
      normaliseNode({
        metadata: { name: 'node-a', annotations: { 'projectcalico.org/IPv4Address': '10.0.0.11/24', 'projectcalico.org/IPv4IPIPTunnelAddr': '172.17.8.0', unrelated: 'x' } },
        spec: { podCIDR: '10.244.0.0/24' },
        status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }, { type: 'Hostname', address: 'node-a' }, { type: 'ExternalIP', address: '203.0.113.5' }], conditions: [{ type: 'Ready', status: 'True' }] },
      }),
    ).toEqual({
      name: 'node-a',
      internalIPs: ['10.0.0.11'],
      externalIPs: ['203.0.113.5'],
      podCIDRs: ['10.244.0.0/24'],
      ready: true,
      unschedulable: false,
      calico: { 'projectcalico.org/IPv4Address': '10.0.0.11/24', 'projectcalico.org/IPv4IPIPTunnelAddr': '172.17.8.0' },
    });
  });

  it.each([
    [{ ipipMode: 'Always', vxlanMode: 'Never' }, 'IPIP'],
    [{ ipipMode: 'CrossSubnet' }, 'IPIP'],
    [{ vxlanMode: 'Always' }, 'VXLAN'],
    [{ ipipMode: 'Never', vxlanMode: 'CrossSubnet' }, 'VXLAN'],
    [{ ipipMode: 'Never', vxlanMode: 'Never' }, 'None'],
    [{}, 'None'],
  ])('pool modes %j → %s', (spec, encapsulation) => {
    expect(poolEncapsulation(spec)).toBe(encapsulation);
  });

  it('maps block affinities (confirmed ones count) and IPAM blocks (host:<node> affinity)', () => {
    const confirmed = normaliseBlockAffinity({ metadata: { name: 'node-a-172-17-8-0-26' }, spec: { cidr: '172.17.8.0/26', node: 'node-a', state: 'confirmed', deleted: 'false' } });
    expect(confirmed).toEqual({ name: 'node-a-172-17-8-0-26', cidr: '172.17.8.0/26', node: 'node-a', state: 'confirmed', deleted: false });
    expect(isConfirmedAffinity(confirmed)).toBe(true);
    expect(isConfirmedAffinity({ ...confirmed, state: 'pending' })).toBe(false);
    expect(isConfirmedAffinity(normaliseBlockAffinity({ metadata: { name: 'x' }, spec: { cidr: '172.17.8.0/26', node: 'node-a', state: 'confirmed', deleted: 'true' } }))).toBe(false);
    expect(normaliseIpamBlock({ metadata: { name: '172-17-8-0-26' }, spec: { cidr: '172.17.8.0/26', affinity: 'host:node-a', strictAffinity: false } })).toEqual({
      name: '172-17-8-0-26',
      cidr: '172.17.8.0/26',
      affinity: 'host:node-a',
      node: 'node-a',
      strictAffinity: false,
      deleted: false,
    });
    expect(normaliseIpamBlock({ metadata: { name: 'b' }, spec: { cidr: '172.17.9.0/26', affinity: null } })).toMatchObject({ affinity: null, node: null });
  });
});
