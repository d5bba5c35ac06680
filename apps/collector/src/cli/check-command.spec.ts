import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from './check-command';
import { formatEvidence } from './finding-format';

// Real captures of tools/netlab, stored with the checks library (libs/checks/test/fixtures/README.md).
const FIXTURES = join(__dirname, '../../../../libs/checks/test/fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const check = (text: string, json = false, node?: string) => runCheck(text, { source: 'capture.txt', json, node });

describe('check on a pasted capture', () => {
  it('a pod whose ARP for 169.254.1.1 is FAILED prints CALICO_POD_GATEWAY_NEIGHBOR with its evidence and exits 1', () => {
    const result = check(fixture('text/pod-arp-failed.capture.txt'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'coverage: 9 sections (9 read)',
        '',
        'ERROR  CALICO_POD_GATEWAY_NEIGHBOR  Pod cannot resolve its gateway 169.254.1.1 (ARP failed)',
        '  Pod rk-pod-a1 on node rk-node-a got no ARP answer for 169.254.1.1 on eth0 (host veth calidd33ceb84a6): the neighbour entry is failed.',
        '  subject: pod:rk-pod-a1',
        '  evidence:',
        '    pod:rk-pod-a1 neighbor eth0|169.254.1.1 {"family":"inet","dst":"169.254.1.1","dev":"eth0","state":"failed"}',
        '',
        '1 finding on node rk-node-a (1 error); CNI: calico, vxlan.',
        '',
      ].join('\n'),
    );
  });

  it('the healthy lab node’s capture prints no findings and exits 0', () => {
    const result = check(fixture('text/healthy-node-a.capture.txt'));
    expect(result).toMatchObject({ code: 0, stderr: '', findings: [] });
    expect(result.stdout).toBe('coverage: 9 sections (9 read)\n\nNo findings on node rk-node-a: it matches the Calico proxy-ARP model (calico, vxlan).\n');
  });

  it('--node renames the node of a capture', () => {
    expect(check(fixture('text/pod-arp-failed.capture.txt'), false, 'worker-7').findings[0].node).toBe('worker-7');
  });

  it('a capture of only a pod’s sections still recognises Calico by 169.254.1.1 and checks the pod', () => {
    const text = fixture('text/pod-arp-failed.capture.txt');
    const podOnly = text.slice(text.indexOf('--- ip -d link pod'));
    const result = check(podOnly);
    expect(result.findings.map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual(['CALICO_POD_GATEWAY_NEIGHBOR imported pod:rk-pod-a1']);
    expect(result.stderr).toBe('');
  });
});

describe('check on a snapshot', () => {
  it('the healthy lab node’s snapshot prints no findings and exits 0', () => {
    expect(check(fixture('lab/healthy.node-a.json'))).toMatchObject({ code: 0, findings: [] });
  });

  it('a warning (proxy_delay 80 on a veth) is enough to exit 1', () => {
    const result = check(fixture('lab/proxy-delay-default.node-a.json'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('WARNING  CALICO_PROXY_DELAY');
    expect(result.stdout).toContain('host sysctl net/ipv4/neigh/calidd33ceb84a6/proxy_delay {"value":"80"}');
  });

  it('--json prints {findings: [...]} with rule, severity, title, message, subject and evidence', () => {
    const result = check(fixture('lab/host-route-missing.node-a.json'), true);
    const parsed = JSON.parse(result.stdout) as { node: string; cni: unknown; findings: Array<Record<string, unknown>> };
    expect(parsed.node).toBe('rk-node-a');
    expect(parsed.cni).toEqual({ cni: 'calico', mode: 'vxlan' });
    expect(parsed.findings).toHaveLength(1);
    expect(parsed.findings[0]).toMatchObject({
      rule: 'CALICO_HOST_ROUTE',
      severity: 'error',
      title: expect.any(String),
      message: expect.stringContaining('calidd33ceb84a6'),
      subject: 'pod:rk-pod-a1',
      evidence: expect.arrayContaining([{ node: 'rk-node-a', ns: 'host', kind: 'route', key: 'main|inet|unicast|172.17.8.2/32|0', attrs: null }]),
    });
    expect(result.code).toBe(1);
  });

  it('--json with no findings is an empty list and exit 0', () => {
    const result = check(fixture('lab/healthy.node-b.json'), true);
    expect(JSON.parse(result.stdout).findings).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('a plain host says Calico was not detected and exits 0', () => {
    const result = check(fixture('plain-vm.json'));
    expect(result).toMatchObject({ code: 0, stdout: 'No findings on node vm: Calico was not detected (CNI: unknown), so the Calico rules did not run.\n' });
  });
});

const TCPDUMP = (reply: string | undefined) =>
  [
    '--- tcpdump -e -n -l -i calidd33ceb84a6',
    '12:00:01.000001 0a:58:ac:11:08:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 172.17.8.2, length 28',
    ...(reply
      ? [`12:00:01.000050 ${reply} > 0a:58:ac:11:08:02, ethertype ARP (0x0806), length 42: Reply 169.254.1.1 is-at ${reply}, length 28`]
      : ['12:00:02.000001 0a:58:ac:11:08:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 172.17.8.2, length 28']),
    '',
  ].join('\n');

describe('check on field evidence', () => {
  it('a tcpdump -e of a healthy exchange prints the coverage and "proxy ARP verified" as passed evidence, and exits 0', () => {
    const result = check(TCPDUMP('ee:ee:ee:ee:ee:ee'));
    expect(result).toMatchObject({ code: 0, stderr: '', findings: [] });
    const [coverage, passed, summary] = result.stdout.trimEnd().split('\n\n');
    expect(coverage).toBe('coverage: 1 section (1 read)');
    expect(passed.split('\n').slice(0, 3)).toEqual([
      'PASSED  CALICO_PROXY_ARP_VERIFIED  Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee',
      '  Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee on calidd33ceb84a6 (asked by the pod with 172.17.8.2 on node imported).',
      '  subject: veth:calidd33ceb84a6',
    ]);
    expect(passed).toMatch(/host frame calidd33ceb84a6#2 .*"resolvedMac":"ee:ee:ee:ee:ee:ee".* \(line 3\)|host frame calidd33ceb84a6#3 /);
    expect(summary).toBe('No findings on node imported: it matches the Calico proxy-ARP model (calico).');
  });

  it('an ARP request repeated without reply is CALICO_ARP_UNANSWERED and exit 1; --json carries coverage, passed and nodes', () => {
    const result = check(TCPDUMP(undefined), true);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown> & { findings: Array<{ rule: string }>; coverage: Array<{ status: string; command: string }> };
    expect(parsed.findings.map((f) => f.rule)).toEqual(['CALICO_ARP_UNANSWERED']);
    expect(parsed.coverage).toEqual([expect.objectContaining({ command: 'tcpdump -e -n -l -i calidd33ceb84a6', status: 'read' })]);
    expect(parsed.passed).toEqual([]);
    expect(parsed.nodes).toEqual([{ node: 'imported', cni: 'calico', namespaces: 1, facts: 0 }]);
    expect(parsed.notChecked).toEqual([]);
  });

  it('a partial (grep’d) and an unsupported section are printed as "not checked" above the findings', () => {
    const text = ['--- ip route | grep cali', '172.17.8.2 dev calidd33ceb84a6 scope link', '--- iptables-save', '*filter', 'COMMIT', ''].join('\n');
    const result = check(text);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('coverage: 2 sections (0 read, 1 partial, 1 not read)');
    expect(lines[1]).toMatch(/^not checked: "ip route \| grep cali" \(line 1\): partial/);
    expect(lines[2]).toMatch(/^not checked: "iptables-save" \(line 3\): not read/);
  });

  it('a capture of two nodes gets the cross-node rules: a block owned by n1 that n2 does not route is CALICO_BLOCK_ROUTE_MISSING on n2', () => {
    const text = [
      '--- ip route node n1',
      'default via 10.0.0.1 dev ens3',
      '10.0.0.0/24 dev ens3 proto kernel scope link src 10.0.0.11',
      'blackhole 192.168.1.0/26 proto bird',
      '192.168.2.0/26 via 10.0.0.12 dev ens3 proto bird',
      '--- ip route node n2',
      'default via 10.0.0.1 dev ens3',
      '10.0.0.0/24 dev ens3 proto kernel scope link src 10.0.0.12',
      'blackhole 192.168.2.0/26 proto bird',
      '',
    ].join('\n');
    const result = check(text, true);
    const parsed = JSON.parse(result.stdout) as { nodes: Array<{ node: string; cni: string; mode?: string }>; findings: Array<{ rule: string; node: string; subject: string }> };
    expect(parsed.nodes.map((n) => [n.node, n.cni, n.mode])).toEqual([
      ['n1', 'calico', 'bgp'],
      ['n2', 'calico', undefined],
    ]);
    expect(parsed.findings.map((f) => `${f.rule} ${f.node} ${f.subject}`)).toEqual(['CALICO_BLOCK_ROUTE_MISSING n2 block:192.168.1.0/26']);
    expect(result.code).toBe(1);
    expect(check(text, false, 'other').stderr).toContain('--node renames the node of a one-node capture');
  });
});

// The field corpus (libs/snapshot/test/field): real pastes from public tickets. Its expectations
// are held by libs/checks/test/field-corpus.spec.ts; here, that check prints each one.
const FIELD = join(__dirname, '../../../../libs/snapshot/test/field');
const FIELD_CAPTURES = readdirSync(FIELD).filter((f) => f.endsWith('.capture.txt')).sort();

describe('check on every capture of the field corpus', () => {
  it.each(FIELD_CAPTURES)('%s: prints its coverage first and a summary last, exit 0 or 1, as text and as JSON', (file) => {
    const text = readFileSync(join(FIELD, file), 'utf8');
    const human = check(text);
    expect([0, 1]).toContain(human.code);
    expect(human.stdout).toMatch(/^coverage: \d+ sections? \(/);
    expect(human.stdout.trimEnd().split('\n').pop()).toMatch(/^(No findings on|\d+ findings? on) /);
    const parsed = JSON.parse(check(text, true).stdout) as { coverage: unknown[]; findings: Array<{ severity: string }>; passed: unknown[]; nodes: unknown[] };
    expect(parsed.coverage.length).toBeGreaterThan(0);
    expect(parsed.nodes.length).toBeGreaterThan(0);
    expect(human.code).toBe(parsed.findings.some((f) => f.severity !== 'info') ? 1 : 0);
  });
});

describe('check on input it cannot use', () => {
  it.each([
    ['plain text', 'hello\nworld\n', 'capture.txt is neither a snapshot (JSON with schemaVersion) nor a capture Routescope can read: '],
    ['JSON that is not a snapshot', '{"nodes": []}', 'capture.txt is JSON but not a Routescope snapshot (it has no schemaVersion)'],
    ['broken JSON', '{"schemaVersion": 1,', 'capture.txt looks like JSON but does not parse'],
    ['an invalid snapshot', '{"schemaVersion": 2}', 'capture.txt is not a valid snapshot: '],
  ])('%s gives one line on stderr and exit 1', (_label, text, message) => {
    const result = check(text);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});

describe('evidence lines', () => {
  it('print an absent fact as (absent) and a history fact with its time', () => {
    expect(formatEvidence({ node: 'n', ns: 'host', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0', attrs: null })).toBe('host route main|inet|unicast|0.0.0.0/0|0 (absent)');
    expect(formatEvidence({ node: 'n', ns: 'host', kind: 'sysctl', key: 'net/ipv4/ip_forward', attrs: { value: '0' }, at: '2026-11-26T12:00:00.000Z' })).toBe(
      'host sysctl net/ipv4/ip_forward {"value":"0"} at 2026-11-26T12:00:00.000Z',
    );
  });
});
