import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCollector } from './lab-harness';

// The bundled CLI (apps/collector/dist, rebuilt by the e2e target's dependency on build) on
// real netlab captures stored with the checks library. No root needed.
const fixtures = join(repoRoot, 'libs/checks/test/fixtures');
const failedCapture = join(fixtures, 'text/pod-arp-failed.capture.txt');

describe('routescope-collector check', () => {
  it('a pasted capture whose pod got no ARP answer for 169.254.1.1 prints the finding and exits 1', () => {
    const run = runCollector(['check', failedCapture]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('ERROR  CALICO_POD_GATEWAY_NEIGHBOR');
    expect(run.stdout).toContain('subject: pod:rk-pod-a1');
    expect(run.stdout).toContain('pod:rk-pod-a1 neighbor eth0|169.254.1.1');
    expect(run.stderr).toBe('');
  });

  it('reads the capture from standard input with -', () => {
    const run = runCollector(['check', '-', '--json'], readFileSync(failedCapture, 'utf8'));
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((f: { rule: string }) => f.rule)).toEqual(['CALICO_POD_GATEWAY_NEIGHBOR']);
  });

  it.each([['text/healthy-node-a.capture.txt'], ['lab/healthy.node-a.json'], ['lab/healthy.node-b.json']])('the healthy lab (%s) prints no findings and exits 0', (file) => {
    const run = runCollector(['check', join(fixtures, file)]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    // A pasted capture states its coverage first; a snapshot has none to state.
    expect(run.stdout).toMatch(/^(coverage: 9 sections \(9 read\)\n\n)?No findings on node rk-node-[ab]: it matches the Calico proxy-ARP model \(calico, vxlan\)\.\n$/);
  });

  it('a file that is neither a snapshot nor a capture is one line on stderr and exit 1', () => {
    const run = runCollector(['check', '-'], 'just some notes\n');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^routescope-collector: the input is neither a snapshot \(JSON with schemaVersion\) nor a capture Routescope can read: [^\n]+\n$/);
  });

  it.each([
    [['check'], 'check: missing FILE|-'],
    [['check', 'a', 'b'], 'check: unexpected argument "b"'],
    [['check', '--colour', failedCapture], 'Unknown option'],
    [['check', join(fixtures, 'no-such-file.json')], 'cannot read'],
    [['check', '--node', 'Not_A_Node', failedCapture], 'is not a valid node name'],
  ])('bad usage %j exits 2 with one line', (args, message) => {
    const run = runCollector(args);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toContain(message);
  });

  it('check --help documents the input formats and exit codes', () => {
    const run = runCollector(['check', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: routescope-collector check FILE|- [--json] [--node NAME]');
    expect(run.stdout).toContain('Exit codes: 0 no finding of warning or worse, 1 findings (or a file that is neither), 2 bad usage.');
  });
});
