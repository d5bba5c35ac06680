import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCaptureNodes } from './capture-import';

// Which node a section belongs to, in a capture that names several (the outputs are real, captured
// in the rsp-node/rsp-pod namespaces, see test/fixtures/text/README.md; the headers are the forms people paste).
const out = (name: string) => readFileSync(join(__dirname, '../../test/fixtures/text', name), 'utf8').replace(/\n$/, '');
const capture = (...parts: Array<[string, string]>) => parts.map(([header, body]) => `${header}\n${body}`).join('\n');

describe('sections that name no node', () => {
  it("gives a pod named on a node's prompt to that node", () => {
    const imported = importCaptureNodes(
      capture(['[root@node-1 ~]# ip route', out('rsp-node.route.txt')], ['[root@node-1 ~]# ip route pod web-7d4f9', out('rsp-pod.route.txt')], ['[root@node-2 ~]# ip route', out('rsp-node.route.txt')]),
    );
    expect(imported.nodes.map((n) => [n.nodeName, n.namespaces.map((ns) => ns.name)])).toEqual([
      ['node-1', ['host', 'web-7d4f9']],
      ['node-2', ['host']],
    ]);
    expect(imported.warnings.map((w) => w.code)).not.toContain('node_inferred');
  });

  it('in a capture naming several nodes, gives sections that name none to the node named before them, and says so', () => {
    const imported = importCaptureNodes(
      capture(
        ['--- ip route node node-1', out('rsp-node.route.txt')],
        ['--- ip route pod web-7d4f9', out('rsp-pod.route.txt')],
        ['--- ip route node node-2', out('rsp-node.route.txt')],
        ['--- ip route pod api-5c8b2', out('rsp-pod.route.txt')],
        ['--- ip neigh', out('rsp-node.neigh.txt')],
      ),
    );
    expect(imported.nodes.map((n) => [n.nodeName, n.namespaces.map((ns) => ns.name)])).toEqual([
      ['node-1', ['host', 'web-7d4f9']],
      ['node-2', ['host', 'api-5c8b2']],
    ]);
    expect(imported.nodes[1].namespaces[0].neighbors?.length).toBeGreaterThan(0);
    expect(imported.coverage.map((c) => c.node)).toEqual(['node-1', 'node-1', 'node-2', 'node-2', 'node-2']);
    const inferred = imported.warnings.filter((w) => w.code === 'node_inferred').map((w) => w.message);
    expect(inferred).toHaveLength(2);
    expect(inferred[1]).toMatch(/node-2's: lines \d+, \d+ \(the node named before them\)/);
    expect(imported.nodes[1].warnings.map((w) => w.code)).toContain('node_inferred');
  });

  it("places a pod on the node the capture's kubectl listing gives it, wherever its section is pasted", () => {
    // a listing in kubectl's own layout (composed for the test; the parser's real-world fixtures are in its spec)
    const listing = ['NAME        READY   STATUS    RESTARTS   AGE   IP             NODE     NOMINATED NODE   READINESS GATES', 'api-5c8b2   1/1     Running   0          3d    10.244.2.7     node-2   <none>           <none>'].join('\n');
    const imported = importCaptureNodes(
      capture(
        ['$ kubectl get pods -o wide', listing],
        ['--- ip route node node-1', out('rsp-node.route.txt')],
        ['--- ip route pod api-5c8b2', out('rsp-pod.route.txt')],
        ['--- ip route node node-2', out('rsp-node.route.txt')],
      ),
    );
    expect(imported.nodes.map((n) => [n.nodeName, n.namespaces.map((ns) => ns.name)])).toEqual([
      ['node-1', ['host']],
      ['node-2', ['host', 'api-5c8b2']],
    ]);
    expect(imported.warnings.find((w) => w.code === 'node_inferred')?.message).toMatch(/node-2's: line \d+ \(kubectl get pods -o wide places the pod there\)/);
  });

  it('leaves a pod pasted before any node is named, in a capture naming several, without a node', () => {
    const imported = importCaptureNodes(
      capture(['--- ip route pod web-7d4f9', out('rsp-pod.route.txt')], ['--- ip route node node-1', out('rsp-node.route.txt')], ['--- ip route node node-2', out('rsp-node.route.txt')]),
    );
    expect(imported.nodes.map((n) => n.nodeName)).toEqual([undefined, 'node-1', 'node-2']);
  });
});
