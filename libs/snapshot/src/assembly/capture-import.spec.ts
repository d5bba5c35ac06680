import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastParseSnapshot } from '../contract/snapshot-fast-path';
import { snapshotToFacts } from '../facts/fact-normaliser';
import { describeCommand } from './capture-commands';
import { importCapture, importCaptureNodes } from './capture-import';
import { expandNodeSet, readHeader } from './capture-sections';

// Outputs are real (captured in the rsp-node/rsp-pod namespaces, see test/fixtures/text/README.md);
// the header lines around them are the forms people paste.
const out = (name: string) => readFileSync(join(__dirname, '../../test/fixtures/text', name), 'utf8').replace(/\n$/, '');
const capture = (...parts: Array<[string, string]>) => parts.map(([header, body]) => `${header}\n${body}`).join('\n');
const validSnapshot = (namespaces: unknown) =>
  fastParseSnapshot({
    schemaVersion: 1,
    snapshotId: '3f1b8a52-7d0e-4c1a-9a55-1f6f5e1a2b3c',
    node: 'n',
    collector: { version: '1', bootId: 'b', seq: 0, source: 'import' },
    takenAt: '2026-12-06T09:00:00.000Z',
    namespaces,
    warnings: [],
  });

describe('headers', () => {
  it.each([
    ['$ ip route', 'ip route', {}],
    ['--- ip route', 'ip route', {}],
    ['# ip route', 'ip route', {}],
    ['user@node-1:~$ ip route', 'ip route', { node: 'node-1' }],
    ['[root@node-2 ~]# ip -d link', 'ip -d link', { node: 'node-2' }],
    ['root@node-1:/# ip neigh', 'ip neigh', { node: 'node-1' }],
    ['/ # ip route', 'ip route', {}],
    ['core@default-node-2 ~ $ sudo tcpdump -vv -i eth0 -n udp', 'sudo tcpdump -vv -i eth0 -n udp', { node: 'default-node-2' }],
    ['worker01:/root#ip neighbor show', 'ip neighbor show', { node: 'worker01' }],
    ['kube-master kubernetes # netstat -rn', 'netstat -rn', { node: 'kube-master' }],
    ['root@master0: route -n', 'route -n', { node: 'master0' }],
    ['bash-5.0# ip route', 'ip route', {}],
    ['root@web-7d4b9c6f5-x2x8p:/# ip route', 'ip route', { pod: 'web-7d4b9c6f5-x2x8p' }],
    ['--- calicoctl node status', 'calicoctl node status', {}],
    ['--- calicoctl node status node node-3', 'calicoctl node status', { node: 'node-3' }],
    ['--- ssh ubuntu@ip-10-0-0-1 sudo calicoctl node status', 'ssh ubuntu@ip-10-0-0-1 sudo calicoctl node status', {}],
    ['--- kubectl get node -o wide', 'kubectl get node -o wide', {}],
    ['--- kubectl get node node-1', 'kubectl get node node-1', {}],
    ['--- ip route show table all pod cni-1234', 'ip route show table all', { pod: 'cni-1234' }],
    ['--- ip -d link node node-1', 'ip -d link', { node: 'node-1' }],
  ])('%s', (line, command, where) => {
    const header = readHeader(line);
    expect({ command: header?.command, node: header?.node, pod: header?.pod }).toEqual({ command, node: undefined, pod: undefined, ...where });
  });

  it.each(['# Node 1', '# this is the route table', 'default via 10.0.0.1 dev eth0', 'inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0', '# '])('%s is not a header', (line) => {
    expect(readHeader(line)).toBeUndefined();
  });
});

describe('commands', () => {
  it.each([
    ['ip route', 'ip route', undefined],
    ['ip route | grep cali', 'ip route', 'filtered by `grep cali`'],
    ['ip a | grep mtu', 'ip addr', 'filtered by `grep mtu`'],
    ['ip addr show dev eth0', 'ip addr', 'only dev eth0'],
    ['ip -4 addr', 'ip addr', 'only IPv4 addresses (-4)'],
    ['ip route show table all', 'ip route', undefined],
    ['ip route show proto bird', 'ip route', 'only proto bird'],
    ['sysctl -a | grep proxy_arp', 'sysctl', 'filtered by `grep proxy_arp`'],
    ['route', 'route', undefined],
    ['netstat -rn', 'netstat -r', undefined],
    ['ifconfig', 'ifconfig', 'ifconfig without -a lists only the interfaces that are up'],
    ['ifconfig -a', 'ifconfig -a', undefined],
    ['tcpdump -i cali123 -e -n arp | head -20', 'tcpdump', 'filtered by `head -20`'],
    ['kubectl get pods -A -o wide', 'kubectl get pods -o wide', undefined],
    ['kubectl get no -owide', 'kubectl get nodes -o wide', undefined],
    ['sudo ./calicoctl-linux-amd64 node status', 'calicoctl node status', undefined],
    ['ip -t monitor', 'ip monitor', undefined],
    ["ip route | sed -n '1,20p'", 'ip route', "filtered by `sed -n '1,20p'`"],
    ['ip -j route | jq .', 'ip route', undefined],
    ['grep . /proc/sys/net/ipv4/conf/*/rp_filter', 'grep /proc/sys', undefined],
  ])('%s reads as %s', (command, formatName, partial) => {
    const meaning = describeCommand(command);
    expect(meaning.formatName).toBe(formatName);
    expect(meaning.partial).toBe(partial);
  });

  it.each([
    ['ip route get 10.0.0.1', 'ip route get prints one lookup, not routing table entries'],
    ['ip route | awk \'{print $1}\'', "its output was reshaped by `awk '{print $1}'`, so the columns cannot be trusted"],
    ['ip a | grep -c inet', 'its output was reshaped by `grep -c inet`, so the columns cannot be trusted'],
    ['cat /proc/sys/net/ipv4/conf/*/rp_filter', 'cat of several /proc/sys files prints their values without their paths'],
    ['tcpdump -w out.pcap -i any', 'tcpdump -w writes the frames to a file; nothing is printed'],
    ['ping 10.0.0.1', '"ping" is not a command Routescope reads'],
    ["ip route | sed 's/dev/DEV/'", "its output was reshaped by `sed 's/dev/DEV/'`, so the columns cannot be trusted"],
  ])('%s is not read: %s', (command, reason) => {
    expect(describeCommand(command)).toEqual({ unsupported: reason });
  });

  it.each([
    ['kubectl -n default exec -it web-1 -- ip route', { pod: 'web-1' }],
    ['kubectl exec web-1 -c app -- ip route', { pod: 'web-1' }],
    ['sudo ip netns exec cni-1234 ip route', { pod: 'cni-1234' }],
    ['ip -n cni-1234 -d link', { pod: 'cni-1234', formatName: 'ip link' }],
    ['nsenter -t 4242 -n ip route', { pod: 'pid:4242' }],
    ['docker exec ac3262b64b17 ip a', { pod: 'ac3262b64b17' }],
    ['docker exec kind-worker ip route', { node: 'kind-worker' }],
    ['ssh root@node-7 ip route', { node: 'node-7' }],
  ])('%s runs in %j', (command, where) => {
    expect(describeCommand(command)).toMatchObject(where);
  });
});

describe('importCaptureNodes', () => {
  it('reads one node from several sections, with coverage read per section', () => {
    const text = capture(['$ ip -d link', out('rsp-node.link-d.txt')], ['$ ip route', out('rsp-node.route.txt')], ['$ ip -d link pod rsp-pod', out('rsp-pod.link-d.txt')], ['$ ip route pod rsp-pod', out('rsp-pod.route.txt')]);
    const imported = importCaptureNodes(text);
    expect(imported.unreadable).toBeUndefined();
    expect(imported.nodes).toHaveLength(1);
    expect(imported.coverage.map((c) => [c.command, c.ns, c.status])).toEqual([
      ['ip -d link', 'host', 'read'],
      ['ip route', 'host', 'read'],
      ['ip -d link', 'pod:rsp-pod', 'read'],
      ['ip route', 'pod:rsp-pod', 'read'],
    ]);
    const [host, pod] = imported.nodes[0].namespaces;
    expect(host.routes?.find((r) => r.type === 'blackhole')).toMatchObject({ dst: '10.244.1.0/26', protocol: '80' });
    expect(pod).toMatchObject({ kind: 'pod', name: 'rsp-pod', hostVeth: 'calirsp0' });
    expect(validSnapshot(imported.nodes[0].namespaces)).toBeDefined();
  });

  it('imports several nodes named by prompts as one snapshot each', () => {
    const text = capture(['[root@node-1 ~]# ip route', out('rsp-node.route.txt')], ['[root@node-2 ~]# ip route', out('rsp-pod.route.txt')], ['[root@node-2 ~]# ip neigh', out('rsp-node.neigh.txt')]);
    const imported = importCaptureNodes(text);
    expect(imported.nodes.map((n) => n.nodeName)).toEqual(['node-1', 'node-2']);
    expect(imported.nodes[1].coverage.map((c) => c.command)).toEqual(['ip route', 'ip neigh']);
    expect(imported.nodes[1].namespaces[0].routes).toHaveLength(2);
    // earlier callers get the first node, and a warning that there were more
    const first = importCapture(text);
    expect(first.nodeName).toBe('node-1');
    expect(first.warnings.map((w) => w.code)).toContain('conflicting_node_names');
  });

  it('gives sections without a node name to the only node named', () => {
    const imported = importCaptureNodes(capture(['--- ip route node node-9', out('rsp-node.route.txt')], ['--- ip neigh', out('rsp-node.neigh.txt')]));
    expect(imported.nodes.map((n) => n.nodeName)).toEqual(['node-9']);
    expect(imported.nodes[0].namespaces[0].neighbors?.length).toBeGreaterThan(0);
    expect(imported.coverage.map((c) => c.node)).toEqual(['node-9', 'node-9']);
  });

  it('marks a filtered section partial: its facts are kept, the namespace lists the section as partial, facts do not call it captured', () => {
    const filtered = out('rsp-node.route.txt').split('\n').filter((l) => l.includes('calirsp0')).join('\n');
    const imported = importCaptureNodes(capture(['$ ip route | grep calirsp0', filtered], ['$ ip -d link', out('rsp-node.link-d.txt')]));
    expect(imported.coverage[0]).toMatchObject({ status: 'partial', format: 'ip route', reason: 'Filtered by `grep calirsp0`.' });
    const host = imported.nodes[0].namespaces[0];
    expect(host.routes).toHaveLength(1);
    expect(host.partial).toEqual(['routes']);
    const netns = snapshotToFacts({ namespaces: [host] }).find((f) => f.kind === 'netns');
    expect(netns?.attrs).toMatchObject({ captured: ['links'], partial: ['routes'] });
    expect(validSnapshot([host])).toBeDefined();
  });

  it('a complete section of the same kind makes the namespace section complete again', () => {
    const filtered = out('rsp-node.route.txt').split('\n').slice(0, 1).join('\n');
    const imported = importCaptureNodes(capture(['$ ip route | head -1', filtered], ['$ ip route', out('rsp-node.route.txt')]));
    expect(imported.nodes[0].namespaces[0].partial).toBeUndefined();
  });

  it('reads ANSI colours (ip -c), CRLF, indentation and trailing spaces as the plain output', () => {
    const plain = importCaptureNodes(capture(['$ ip route', out('rsp-node.route.txt')], ['$ ip addr', out('rsp-node.addr-color.txt').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')]));
    const decorated = importCaptureNodes(
      capture(['$ ip -c route', out('rsp-node.route-color.txt')], ['$ ip -c addr', out('rsp-node.addr-color.txt')])
        .split('\n')
        .map((l) => `    ${l}   `)
        .join('\r\n'),
    );
    expect(decorated.coverage.map((c) => c.status)).toEqual(['read', 'read']);
    expect(decorated.nodes[0].namespaces).toEqual(plain.nodes[0].namespaces);
  });

  it('splits fleet-tool output (pdsh "host: line") into one partial section per host', () => {
    const lines = out('rsp-pod.route.txt').split('\n');
    const text = `$ pdsh -w node-[1-2] ip route\n${lines.map((l) => `node-1: ${l}`).join('\n')}\n${lines.map((l) => `node-2: ${l}`).join('\n')}`;
    const imported = importCaptureNodes(text.replace('pdsh -w node-[1-2] ', ''));
    expect(imported.nodes.map((n) => n.nodeName)).toEqual(['node-1', 'node-2']);
    expect(imported.coverage.map((c) => [c.node, c.status])).toEqual([
      ['node-1', 'partial'],
      ['node-2', 'partial'],
    ]);
    expect(imported.nodes[1].namespaces[0].routes).toHaveLength(2);
  });

  it('reads ansible "host | CHANGED | rc=0 >>" blocks per host', () => {
    const text = `$ ip route\nnode-a | CHANGED | rc=0 >>\n${out('rsp-pod.route.txt')}\nnode-b | CHANGED | rc=0 >>\n${out('rsp-node.route.txt')}`;
    const imported = importCaptureNodes(text);
    expect(imported.nodes.map((n) => [n.nodeName, n.namespaces[0].routes?.length])).toEqual([
      ['node-a', 2],
      ['node-b', 7],
    ]);
  });

  it('reads pssh -i "[1] 12:00:00 [SUCCESS] host" blocks per host', () => {
    const text = `$ ip route\n[1] 09:12:01 [SUCCESS] node-a\n${out('rsp-pod.route.txt')}\n[2] 09:12:01 [SUCCESS] node-b:22\n${out('rsp-node.route.txt')}`;
    expect(importCaptureNodes(text).nodes.map((n) => [n.nodeName, n.namespaces[0].routes?.length])).toEqual([
      ['node-a', 2],
      ['node-b', 7],
    ]);
  });

  it('reads clush -b boxes: the same output for every node of the set', () => {
    const text = `$ ip route\n---------------\nnode[1-2] (2)\n---------------\n${out('rsp-pod.route.txt')}\n---------------\ngw (1)\n---------------\n${out('rsp-node.route.txt')}`;
    const imported = importCaptureNodes(text);
    expect(imported.nodes.map((n) => [n.nodeName, n.namespaces[0].routes?.length])).toEqual([
      ['node1', 2],
      ['node2', 2],
      ['gw', 7],
    ]);
    expect(imported.coverage.every((c) => c.status === 'partial')).toBe(true);
    expect(expandNodeSet('n[01-03,7],gw')).toEqual(['n01', 'n02', 'n03', 'n7', 'gw']);
  });

  it('reads net-tools, brief, sysctl and tcpdump sections into facts and evidence', () => {
    const imported = importCaptureNodes(
      capture(
        ['# route -n', out('net-tools-2.10.route-n.txt')],
        ['# arp -an', out('net-tools-2.10.arp-a.txt')],
        ['# ifconfig -a', out('net-tools-2.10.ifconfig-a.txt')],
        ['$ ip -br addr', out('rsp-node.addr-brief.txt')],
        ['$ grep . /proc/sys/net/ipv4/conf/calirsp0/{proxy_arp,forwarding,rp_filter}', out('rsp-node.grep-proc-sys.txt')],
        ['$ sysctl -a | grep proxy_arp', out('rsp-node.sysctl-a-grep-proxy-arp.txt')],
        ['$ tcpdump -e -n -i calirsp0 arp or icmp', out('tcpdump-e-n.txt')],
        ['$ ip -ts monitor route', out('ip-monitor-ts.txt')],
      ),
    );
    expect(imported.coverage.map((c) => [c.format, c.status])).toEqual([
      ['route -n', 'read'],
      ['arp -an', 'read'],
      ['ifconfig -a', 'read'],
      ['ip -br addr', 'read'],
      ['grep /proc/sys', 'read'],
      ['sysctl', 'partial'],
      ['tcpdump', 'read'],
      ['ip monitor', 'read'],
    ]);
    const node = imported.nodes[0];
    const host = node.namespaces[0];
    expect(host.routes?.map((r) => r.type)).toContain('blackhole');
    expect(host.neighbors).toHaveLength(4);
    expect(host.links?.find((l) => l.name === 'calirsp0')).toMatchObject({ mac: 'ee:ee:ee:ee:ee:ee', mtu: 1500 });
    expect(host.sysctls).toContainEqual({ path: 'net/ipv4/conf/calirsp0/proxy_arp', value: '1' });
    // the complete `grep . /proc/sys/…` section outweighs the filtered `sysctl -a | grep`
    expect(host.partial).toBeUndefined();
    expect(node.evidence.frames[0]).toMatchObject({ interface: 'calirsp0', arp: { op: 'request', targetIp: '169.254.1.1' } });
    expect(node.evidence.monitorEvents.map((e) => e.deleted)).toEqual([false, true]);
    expect(validSnapshot(node.namespaces)).toBeDefined();
  });

  it('reads ip -s link (counters skipped) as the same links as ip -d link lists', () => {
    const imported = importCaptureNodes(capture(['$ ip -s link', out('rsp-node.link-s.txt')]));
    expect(imported.coverage[0]).toMatchObject({ status: 'read', format: 'ip link' });
    expect(imported.warnings).toEqual([]);
    expect(imported.nodes[0].namespaces[0].links?.map((l) => [l.name, l.mtu])).toEqual([
      ['lo', 65536],
      ['calirsp0', 1500],
      ['br0', 1500],
      ['vxlan.calico', 1450],
    ]);
  });

  it('reads ip -br output, and a paste under ip -br that holds the long form as the long form', () => {
    const brief = importCaptureNodes(capture(['$ ip -br link', out('rsp-node.link-brief.txt')], ['$ ip -br addr', out('rsp-node.addr-brief.txt')]));
    expect(brief.coverage.map((c) => [c.format, c.status])).toEqual([
      ['ip -br link', 'read'],
      ['ip -br addr', 'read'],
    ]);
    expect(brief.nodes[0].namespaces[0].links?.find((l) => l.name === 'calirsp0')).toEqual({ ifindex: 0, name: 'calirsp0', operState: 'UP', peerIfindex: 2, mac: 'ee:ee:ee:ee:ee:ee', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] });
    expect(brief.nodes[0].namespaces[0].addresses).toContainEqual({ dev: 'vxlan.calico', family: 'inet', local: '10.244.1.0', prefixlen: 32, flags: [] });
    const long = importCaptureNodes(capture(['$ ip -br link', out('rsp-node.link-d.txt')]));
    expect(long.coverage[0].status).toBe('read');
    expect(long.nodes[0].namespaces[0].links?.find((l) => l.name === 'vxlan.calico')?.kind).toBe('vxlan');
  });

  it('keeps frame and peer lines as capture line numbers', () => {
    const text = capture(['--- calicoctl node status', out('calicoctl-node-status-calico-6285.txt')], ['--- tcpdump -i calirsp0 -e -n', out('tcpdump-e-n.txt')]);
    const imported = importCaptureNodes(text);
    const lines = text.split('\n');
    const peer = imported.nodes[0].evidence.calicoNodeStatus?.peers[0];
    expect(lines[peer!.line - 1]).toContain('10.128.62.127');
    const frame = imported.nodes[0].evidence.frames[1];
    expect(lines[frame.line - 1]).toContain('Reply 169.254.1.1 is-at');
  });

  it('reads kubectl listings into the import, without making the workstation a node', () => {
    const imported = importCaptureNodes(capture(['[me@laptop ~]$ kubectl get po -owide', out('kubectl-pods-wide-spiderpool-2464.txt')], ['[root@node-1 ~]# ip route', out('rsp-node.route.txt')]));
    expect(imported.nodes.map((n) => n.nodeName)).toEqual(['node-1']);
    expect(imported.kubernetes?.pods[0]).toEqual({ line: 3, name: 'macvlan-nginx-50-1-76f675f8f5-9ttjj', ip: '172.50.0.102', node: '10-20-1-230', status: 'Running' });
    expect(imported.nodes[0].evidence.kubernetes).toBe(imported.kubernetes);
    expect(imported.coverage).toHaveLength(2);
  });

  it('an unsupported section does not fail the import when another was read', () => {
    const imported = importCaptureNodes(capture(['$ ping 10.0.0.1', 'PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.'], ['$ ip route', out('rsp-node.route.txt')]));
    expect(imported.unreadable).toBeUndefined();
    expect(imported.coverage[0]).toMatchObject({ status: 'unsupported', reason: '"ping" is not a command Routescope reads' });
  });

  it('says in one line why nothing could be read', () => {
    expect(importCaptureNodes('My pods cannot reach the API server.\nAny idea?\n').unreadable).toBe(
      'no command header ("$ COMMAND", "--- COMMAND" or a shell prompt) was found, so no command output could be told apart',
    );
    expect(importCaptureNodes('$ ping 10.0.0.1\nPING 10.0.0.1\n$ ip route\nhello there, this is prose\n').unreadable).toBe(
      'none of the 2 sections could be read (ping 10.0.0.1: "ping" is not a command Routescope reads; ip route: no line could be read as ip route output)',
    );
    expect(importCaptureNodes('').nodes).toHaveLength(1);
  });

  it('runs the sections after `kubectl exec -it POD -- bash` in that pod, until exit', () => {
    const text = `$ kubectl -n kube-system exec -ti centos -- bash\nbash-4.2# ip route\n${out('rsp-pod.route.txt')}\nbash-4.2# exit\n$ ip route\n${out('rsp-node.route.txt')}`;
    const imported = importCaptureNodes(text);
    expect(imported.coverage.map((c) => [c.command, c.ns])).toEqual([
      ['ip route', 'pod:centos'],
      ['ip route', 'host'],
    ]);
    const ssh = importCaptureNodes(`$ ssh root@node-2\n[root@node-2 ~]# ip route\n${out('rsp-pod.route.txt')}\n`);
    expect(ssh.nodes.map((n) => n.nodeName)).toEqual(['node-2']);
  });

  it.each([
    ['rsp-node.route.txt', 'ip route'],
    ['net-tools-2.10.route-n.txt', 'route -n'],
    ['lab-node.addr.txt', 'ip addr'],
    ['tcpdump-e-n.txt', 'tcpdump'],
    ['net-tools-2.10.ifconfig-a.txt', 'ifconfig'],
    ['busybox-1.36.ifconfig-a.txt', 'ifconfig'],
    ['net-tools-2.10.arp-a.txt', 'arp -n'],
    ['calicoctl-node-status-kops-10546.txt', 'calicoctl node status'],
    ['rsp-node.neigh.txt', 'ip neigh'],
    ['kubectl-pods-wide-spiderpool-2464.txt', 'kubectl get pods -o wide'],
  ])('reads %s pasted without its command line as %s output, and says so', (name, command) => {
    const imported = importCaptureNodes(`\`\`\`\n${out(name)}\n\`\`\``);
    expect(imported.coverage).toEqual([expect.objectContaining({ headerLine: 0, command, status: command === 'ifconfig' ? 'partial' : 'read' })]);
    expect(imported.warnings[0]).toEqual({ code: 'section_without_header', line: 2, message: `the output at line 2 has no command header; it was read as ${command} output` });
    expect(imported.nodes[0].warnings[0]).toEqual(imported.warnings[0]);
  });

  it('ends a section at its closing markdown fence, leaving the prose after it alone', () => {
    const text = `Here is my route table:\n\`\`\`\n$ ip route\n${out('rsp-pod.route.txt')}\n\`\`\`\nAnd the pods cannot reach anything.\n`;
    const imported = importCaptureNodes(text);
    expect(imported.coverage.map((c) => c.status)).toEqual(['read']);
    expect(imported.warnings.filter((w) => w.code === 'parse_warning')).toEqual([]);
  });
});
