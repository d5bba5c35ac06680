import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './command-line';
import { runTrace, type TraceInputFile } from './trace-command';

// Pasted captures of the two netlab nodes (tools/netlab, prefix tr-), one file per node, as
// `ip -d link/addr/route/neigh` and the IPv4 sysctls under each node's shell prompt.
const capture = (node: string): TraceInputFile => ({ source: `${node}.txt`, text: readFileSync(join(__dirname, 'fixtures', `netlab-${node}.capture.txt`), 'utf8') });
const both = () => [capture('node-a'), capture('node-b')];
const options = { from: 'pod:tr-pod-a1', to: '172.17.8.66', dontFragment: false, json: false };

describe('runTrace', () => {
  it('walks a pod→pod ping across the VXLAN of two pasted captures and prints each hop, both legs and the verdict (exit 0)', () => {
    const result = runTrace(both(), options);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^trace tr-node-a pod:tr-pod-a1 \(172\.17\.8\.2\) → 172\.17\.8\.66, 84 bytes\n/);
    expect(result.stdout).toMatch(/proxy-arp: ARP for 169\.254\.1\.1 .* by proxy ARP \(conf\/calidd33ceb84a6\/proxy_arp = 1/);
    expect(result.stdout).toMatch(/encapsulate: VXLAN on vxlan\.calico/);
    expect(result.stdout).toMatch(/✓ delivered to tr-node-b pod:tr-pod-b1\n\nreply:\n/);
    expect(result.stdout.trimEnd().split('\n').pop()).toBe('verdict: reachable (request and reply delivered)');
  });

  it('--json prints reachable, the verdict and both legs with their hops', () => {
    const result = runTrace(both(), { ...options, json: true, from: 'pod:pod-b1', to: '10.99.0.11' });
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(['reachable', 'verdict', 'source', 'forward', 'reply']);
    expect(json).toMatchObject({ reachable: true, verdict: 'reachable', source: { node: 'tr-node-b', ns: 'pod:tr-pod-b1' }, forward: { delivered: true }, reply: { delivered: true } });
    expect(json.forward.hops[0]).toEqual({ node: 'tr-node-b', ns: 'pod:tr-pod-b1', step: 'route', detail: expect.any(String), evidence: [{ node: 'tr-node-b', ns: 'pod:tr-pod-b1', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0' }] });
  });

  it('a capture showing proxy_arp off on the pod’s veth: not reachable, stopped at the node with the sysctl cited (exit 1)', () => {
    const [a, b] = both();
    const broken = { ...a, text: a.text.replace('net.ipv4.conf.calidd33ceb84a6.proxy_arp = 1', 'net.ipv4.conf.calidd33ceb84a6.proxy_arp = 0') };
    expect(broken.text).not.toBe(a.text);
    const result = runTrace([broken, b], options);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ stops at tr-node-a host: no-arp-reply — .*proxy ARP is off \(conf\/calidd33ceb84a6\/proxy_arp = 0/);
    expect(result.stdout).toMatch(/sysctl net\/ipv4\/conf\/calidd33ceb84a6\/proxy_arp/);
    expect(result.stdout.trimEnd().split('\n').pop()).toBe('verdict: NOT reachable — no-arp-reply');
  });

  it('traces from a node by name, and with --size/--df refuses a packet over the pod MTU at the pod', () => {
    expect(runTrace(both(), { ...options, from: 'node:tr-node-b', to: '172.17.8.2' }).code).toBe(0);
    const big = runTrace(both(), { ...options, size: 1451, dontFragment: true });
    expect(big.result?.verdict).toBe('mtu');
    expect(big.stdout).toMatch(/→ 172\.17\.8\.66, 1451 bytes, DF/);
  });

  it('with only the source node’s capture, says which node is missing to follow the packet', () => {
    const result = runTrace([capture('node-a')], options);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/note: none of the given snapshots is of a node that has the VXLAN MAC 66:c1:a0:00:00:0b; add that node's snapshot/);
  });

  it('names the option that is wrong', () => {
    expect(() => runTrace(both(), { ...options, from: 'pod:nope' })).toThrow(new UsageError('--from: no pod "nope" on tr-node-a, tr-node-b (a netns name as the snapshot lists it, or a Kubernetes name)'));
    expect(() => runTrace(both(), { ...options, from: 'node' })).toThrow(/--from: "node" is ambiguous with 2 nodes/);
    expect(() => runTrace(both(), { ...options, from: 'node:tr-node-z' })).toThrow(/--from: no state of node "tr-node-z"/);
    expect(() => runTrace(both(), { ...options, to: 'fd00::1' })).toThrow(/--to: "fd00::1" is not an IPv4 address/);
  });

  it('refuses input that is no snapshot or capture, an invalid snapshot, and one node given twice (exit 1, one line)', () => {
    expect(runTrace([{ source: 'x.json', text: '{"schemaVersion": 1}' }], options)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^routescope-collector: x\.json is not a valid snapshot: /) });
    expect(runTrace([{ source: 'x.json', text: '{ nope' }], options)).toMatchObject({ code: 1, stderr: expect.stringMatching(/x\.json looks like JSON but does not parse/) });
    expect(runTrace([{ source: 'notes.txt', text: 'hello\nworld\n' }], options)).toMatchObject({ code: 1, stderr: expect.stringMatching(/notes\.txt is neither a snapshot nor a capture/) });
    expect(runTrace([capture('node-a'), capture('node-a')], options)).toMatchObject({ code: 1, stderr: 'routescope-collector: node-a.txt: node tr-node-a was already given; trace one state per node\n' });
  });
});
