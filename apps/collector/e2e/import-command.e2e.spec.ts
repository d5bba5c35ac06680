import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatValidationIssues, validateSnapshot, type Snapshot } from '@routescope/snapshot';
import { repoRoot, runCollector } from './lab-harness';

// The bundled CLI on real outputs captured in namespaces (libs/snapshot/test/fixtures/text). No root needed.
const out = (name: string) => readFileSync(join(repoRoot, 'libs/snapshot/test/fixtures/text', name), 'utf8');
const valid = (doc: unknown): Snapshot => {
  const validation = validateSnapshot(doc);
  if (!validation.ok) throw new Error(formatValidationIssues(validation.issues));
  return validation.snapshot;
};

describe('routescope-collector import', () => {
  it('prints one snapshot object for a one-node capture, and its coverage on stderr', () => {
    const text = `[root@node-1 ~]# route -n\n${out('net-tools-2.10.route-n.txt')}[root@node-1 ~]# ip route | grep cali\n${out('rsp-node.route.txt').split('\n').filter((l) => l.includes('cali')).join('\n')}\n`;
    const run = runCollector(['import', '-'], text);
    expect(run.status).toBe(0);
    const snapshot = valid(JSON.parse(run.stdout));
    expect(snapshot.node).toBe('node-1');
    expect(snapshot.namespaces[0].routes?.map((r) => `${r.type} ${r.dst}`)).toContain('blackhole 10.244.1.0/26');
    expect(run.stderr).toContain('coverage: 2 sections (1 read, 1 partial, 0 unsupported)');
    expect(run.stderr).toContain('partial     ip route | grep cali  (node-1, host): Filtered by `grep cali`.');
  });

  it('prints a JSON array of snapshots when the capture names several nodes', () => {
    const text = `--- ip route node node-1\n${out('rsp-node.route.txt')}--- arp -an node node-2\n${out('net-tools-2.10.arp-a.txt')}`;
    const run = runCollector(['import', '-', '--out', '-'], text);
    expect(run.status).toBe(0);
    const snapshots = (JSON.parse(run.stdout) as unknown[]).map(valid);
    expect(snapshots.map((s) => [s.node, s.namespaces[0].routes?.length, s.namespaces[0].neighbors?.length])).toEqual([
      ['node-1', 7, undefined],
      ['node-2', undefined, 4],
    ]);
  });

  it('exits 1 with a one-line reason when no section could be read', () => {
    const run = runCollector(['import', '-'], '$ ping 10.0.0.1\nPING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n').pop()).toBe(
      'routescope-collector: nothing in the input could be read: none of the 1 section could be read (ping 10.0.0.1: "ping" is not a command Routescope reads)',
    );
  });
});
