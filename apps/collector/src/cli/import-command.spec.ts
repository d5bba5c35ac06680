import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './command-line';
import { formatCoverage, runImport } from './import-command';

// Real outputs captured in namespaces (libs/snapshot/test/fixtures/text/README.md), under the headers people paste.
const out = (name: string) => readFileSync(join(__dirname, '../../../../libs/snapshot/test/fixtures/text', name), 'utf8').replace(/\n$/, '');
const NOW = new Date('2026-12-06T09:00:00.000Z');

describe('runImport', () => {
  it('makes one snapshot for a one-node capture, named by its prompt, and states the coverage of each section', () => {
    const text = `[root@node-1 ~]# ip route\n${out('rsp-node.route.txt')}\n[root@node-1 ~]# ping 10.0.0.1\nPING 10.0.0.1\n`;
    const result = runImport(text, { source: 'capture.txt', now: NOW });
    expect(result.code).toBe(0);
    expect(result.snapshots.map((s) => [s.node, s.takenAt, s.collector.source])).toEqual([['node-1', '2026-12-06T09:00:00.000Z', 'import']]);
    expect(result.coverage).toBe(
      [
        'coverage: 2 sections (1 read, 0 partial, 1 unsupported)',
        '  line 1     read        ip route  (node-1, host): read as ip route',
        '  line 9     unsupported ping 10.0.0.1  (node-1, host): "ping" is not a command Routescope reads',
        '',
      ].join('\n'),
    );
  });

  it('makes one snapshot per node of a multi-node capture', () => {
    const text = `--- ip route node node-1\n${out('rsp-node.route.txt')}\n--- ip route node node-2\n${out('rsp-pod.route.txt')}\n`;
    const result = runImport(text, { source: 'capture.txt', now: NOW });
    expect(result.snapshots.map((s) => [s.node, s.namespaces[0].routes?.length])).toEqual([
      ['node-1', 7],
      ['node-2', 2],
    ]);
    expect(() => runImport(text, { source: 'capture.txt', node: 'x' })).toThrow(new UsageError('--node names the node of a one-node capture; capture.txt names 2 nodes (node-1, node-2)'));
  });

  it('names a capture without node names "imported", or as --node says', () => {
    const text = `$ ip route\n${out('rsp-pod.route.txt')}\n`;
    expect(runImport(text, { source: 's' }).snapshots[0].node).toBe('imported');
    expect(runImport(text, { source: 's', node: 'node-7' }).snapshots[0].node).toBe('node-7');
  });

  it('keeps two prompt hosts that become the same node name apart', () => {
    const text = `[root@Node_1 ~]# ip route\n${out('rsp-pod.route.txt')}\n[root@node-1 ~]# ip route\n${out('rsp-pod.route.txt')}\n`;
    expect(runImport(text, { source: 's' }).snapshots.map((s) => s.node)).toEqual(['node-1', 'node-2']);
  });

  it('says in one line why nothing could be read, with exit 1', () => {
    const result = runImport('just some notes\n', { source: 'notes.txt' });
    expect(result).toEqual({
      code: 1,
      snapshots: [],
      coverage: '',
      problem: 'nothing in notes.txt could be read: no command header ("$ COMMAND", "--- COMMAND" or a shell prompt) was found, so no command output could be told apart',
    });
  });

  it('prints nothing for an empty coverage', () => {
    expect(formatCoverage([])).toBe('');
  });
});
