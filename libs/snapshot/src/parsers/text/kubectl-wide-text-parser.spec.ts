import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCaptureNodes } from '../../assembly/capture-import';
import { parseKubectlWideText } from './kubectl-wide-text-parser';

// Public outputs, sources in test/fixtures/text/README.md.
const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');

describe('parseKubectlWideText', () => {
  it('reads pod name, IP, node and status by the header, with the NOMINATED NODE / READINESS GATES columns (spiderpool#2464)', () => {
    const { listing, warnings } = parseKubectlWideText(fixture('kubectl-pods-wide-spiderpool-2464.txt'));
    expect(warnings).toEqual([]);
    expect(listing).toEqual({
      pods: [
        { line: 2, name: 'macvlan-nginx-50-1-76f675f8f5-9ttjj', ip: '172.50.0.102', node: '10-20-1-230', status: 'Running' },
        { line: 3, name: 'macvlan-nginx-50-74cc479f77-w4zt7', ip: '172.50.0.124', node: '10-20-1-230', status: 'Running' },
      ],
      nodes: [],
    });
  });

  it('reads the older form without the last two columns (kubectl 1.5, leebriggs.co.uk 2017)', () => {
    const { listing } = parseKubectlWideText(fixture('kubectl-pods-wide-leebriggs-2017.txt'));
    expect(listing.pods).toHaveLength(6);
    expect(listing.pods[3]).toEqual({ line: 5, name: 'redis-master-343230949-zr5xg', ip: '192.168.0.130', node: 'node4', status: 'Running' });
  });

  it('reads -A listings (a NAMESPACE column first) and nodes -o wide, through import (kubeasz#238, usernetes#68)', () => {
    const all = importCaptureNodes(`[root@server1 ~]# kubectl get pod --all-namespaces -o wide|head -n 4\n${fixture('kubectl-pods-all-namespaces-kubeasz-238.txt')}`);
    expect(all.coverage[0]).toMatchObject({ status: 'partial', format: 'kubectl get pods -o wide', reason: 'Filtered by `head -n 4`.' });
    expect(all.kubernetes?.pods[0]).toEqual({ line: 3, namespace: 'kube-system', name: 'kube-flannel-ds-2pwbk', ip: '192.168.31.150', node: '192.168.31.150', status: 'Running' });
    const both = importCaptureNodes(fixture('kubectl-nodes-pods-wide-usernetes-68.txt'));
    expect(both.coverage.map((c) => [c.format ?? c.command, c.status])).toEqual([
      ['kubectl get nodes -o wide', 'read'],
      ['kubectl run --replicas=2 --image=nginx:alpine nginx', 'unsupported'],
      ['kubectl get pods -o wide', 'read'],
    ]);
    expect(both.kubernetes?.nodes).toEqual([
      { line: 3, name: '42253058d29e', internalIP: '10.0.101.100', status: 'Ready' },
      { line: 4, name: 'ee4d63c102c6', internalIP: '10.0.102.100', status: 'Ready' },
    ]);
    expect(both.kubernetes?.pods.map((p) => [p.name, p.ip, p.node])).toEqual([
      ['nginx-6b4b85b77b-pz864', '10.5.74.2', 'ee4d63c102c6'],
      ['nginx-6b4b85b77b-r6rpl', '10.5.61.2', '42253058d29e'],
    ]);
  });

  it('reads a row set in markdown bold inside the paste (calico#4123) through import', () => {
    const imported = importCaptureNodes(`--- kubectl get pods -o wide\n${fixture('kubectl-pods-wide-calico-4123.txt')}`);
    expect(imported.kubernetes?.pods.map((p) => [p.name, p.ip, p.node])).toEqual([
      ['nginx-arm64', '172.16.33.1', 'bcm-2xxx-rpi4'],
      ['nginx-intel', '172.16.210.201', 'intel-x86-64'],
      ['nginx-worker-0', '172.16.43.1', 'worker-0'],
    ]);
  });
});
