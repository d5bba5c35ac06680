import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCalicoctlNodeStatusText } from './calicoctl-status-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');

describe('parseCalicoctlNodeStatusText', () => {
  it('reads an Established mesh peer and an empty IPv6 table (public capture, calico#6285)', () => {
    const { status, warnings } = parseCalicoctlNodeStatusText(fixture('calicoctl-node-status-calico-6285.txt'));
    expect(warnings).toEqual([]);
    expect(status).toEqual({
      processRunning: true,
      families: ['ipv4', 'ipv6'],
      peers: [{ line: 6, family: 'ipv4', peer: '10.128.62.127', type: 'node-to-node mesh', state: 'up', since: '08:27:26', info: 'Established' }],
    });
  });

  it('joins INFO wrapped over a continuation row and keeps peers that are not up (public capture, kops#10546)', () => {
    const { status, warnings } = parseCalicoctlNodeStatusText(fixture('calicoctl-node-status-kops-10546.txt'));
    expect(warnings).toEqual([]);
    expect(status.peers).toHaveLength(7);
    expect(status.peers[0]).toEqual({ line: 6, family: 'ipv4', peer: '10.2.147.44', type: 'node-to-node mesh', state: 'start', since: '00:21:18', info: 'Active Socket: Connection refused' });
    expect(status.peers[6]).toMatchObject({ peer: '10.2.173.134', info: 'Passive' });
  });

  it('reads "Calico process is not running." with no tables', () => {
    const { status, recognised } = parseCalicoctlNodeStatusText('Calico process is not running.\n');
    expect(status).toEqual({ processRunning: false, peers: [], families: [] });
    expect(recognised).toBe(1);
  });

  it('warns about a peer row before any family heading and about lines that are not calicoctl output', () => {
    const rows = readFileSync(join(__dirname, '../../../test/fixtures/text/calicoctl-node-status-calico-6285.txt'), 'utf8').split('\n').slice(5, 6);
    const { status, warnings } = parseCalicoctlNodeStatusText([...rows, 'something else'].join('\n'));
    expect(status.peers).toEqual([{ line: 1, family: 'ipv4', peer: '10.128.62.127', type: 'node-to-node mesh', state: 'up', since: '08:27:26', info: 'Established' }]);
    expect(warnings.map((w) => w.line)).toEqual([1, 2]);
  });

  it('reads the calicoctl 1.x form (calicoctl status): container line and lower-case headings (public output, calicoctl#426)', () => {
    const text = ['calico-node container is running. Status: Up 28 minutes', '', 'IPv4 BGP status', '| Peer address |     Peer type     | State |  Since   |     Info    |', '| 10.122.1.21  | node-to-node mesh |   up  | 17:11:20 | Established |'].join('\n');
    const { status, warnings } = parseCalicoctlNodeStatusText(text);
    expect(warnings).toEqual([]);
    expect(status).toEqual({ processRunning: true, families: ['ipv4'], peers: [{ line: 5, family: 'ipv4', peer: '10.122.1.21', type: 'node-to-node mesh', state: 'up', since: '17:11:20', info: 'Established' }] });
  });
});
