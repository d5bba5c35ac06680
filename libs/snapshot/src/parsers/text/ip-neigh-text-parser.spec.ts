import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Neighbor } from '../../contract/snapshot-schema';
import { parseIpNeighText } from './ip-neigh-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');
const find = (neighbors: Neighbor[], dst: string, dev?: string) => {
  const found = neighbors.filter((n) => n.dst === dst && (dev === undefined || n.dev === dev));
  if (found.length !== 1) throw new Error(`${found.length} neighbours ${dst}`);
  return found[0];
};

describe('parseIpNeighText on `ip neigh` captured from iproute2 6.1 (lab-node)', () => {
  const { entries, warnings } = parseIpNeighText(fixture('lab-node.neigh.txt'));

  it('reads every entry without a warning', () => {
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(9);
  });

  it('maps `dst dev lladdr STATE` (the pod on its cali veth)', () => {
    expect(find(entries, '172.17.8.2')).toEqual({ family: 'inet', dst: '172.17.8.2', dev: 'cali1a2b3c4d5e6', lladdr: '02:0f:b6:6f:83:b4', state: ['REACHABLE'] });
  });

  it('maps `router` to router:true on IPv6 entries', () => {
    expect(find(entries, 'fd00:99::1')).toEqual({ family: 'inet6', dst: 'fd00:99::1', dev: 'eth0', lladdr: '92:d7:b4:aa:30:a6', state: ['REACHABLE'], router: true });
    expect(find(entries, 'fd00:99::5')).toMatchObject({ router: true, state: ['PERMANENT'] });
  });

  it('maps FAILED without lladdr', () => {
    expect(find(entries, '10.99.0.77')).toEqual({ family: 'inet', dst: '10.99.0.77', dev: 'eth0', state: ['FAILED'] });
  });

  it('maps STALE and PERMANENT', () => {
    expect(find(entries, '10.99.0.51').state).toEqual(['STALE']);
    expect(find(entries, '10.99.0.50').state).toEqual(['PERMANENT']);
  });
});

describe('parseIpNeighText on other captures', () => {
  it('reads `ip neigh show nud all`: NOARP multicast entries, and an entry with no lladdr and no state', () => {
    const { entries, warnings } = parseIpNeighText(fixture('lab-node.neigh-all.txt'));
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(38);
    expect(find(entries, '224.0.0.22')).toEqual({ family: 'inet', dst: '224.0.0.22', dev: 'br0', lladdr: '01:00:5e:00:00:16', state: ['NOARP'] });
    expect(find(entries, '10.99.0.52')).toEqual({ family: 'inet', dst: '10.99.0.52', dev: 'eth0', state: [] });
  });

  it('maps `ip neigh show proxy` lines to proxy:true with no state, with or without options.proxy', () => {
    const expected = [
      { family: 'inet', dst: '172.17.8.2', dev: 'eth0', state: [], proxy: true },
      { family: 'inet6', dst: 'fd00:99::99', dev: 'eth0', state: [], proxy: true },
    ];
    expect(parseIpNeighText(fixture('lab-node.neigh-proxy.txt'))).toEqual({ entries: expected, warnings: [] });
    expect(parseIpNeighText(fixture('lab-node.neigh-proxy.txt'), { proxy: true })).toEqual({ entries: expected, warnings: [] });
  });

  it('marks every entry proxy with options.proxy even when the line lacks the word', () => {
    expect(parseIpNeighText('172.17.8.3 dev eth0', { proxy: true }).entries).toEqual([{ family: 'inet', dst: '172.17.8.3', dev: 'eth0', state: [], proxy: true }]);
  });

  it('reads an empty capture as no entries and no warnings', () => {
    expect(parseIpNeighText(fixture('lab-pod.neigh-proxy.txt'))).toEqual({ entries: [], warnings: [] });
  });

  it('maps a pod whose proxy-ARP neighbour never answered (FAILED 169.254.1.1)', () => {
    expect(parseIpNeighText(fixture('lab-pod2.neigh.txt')).entries).toEqual([{ family: 'inet', dst: '169.254.1.1', dev: 'eth0', state: ['FAILED'] }]);
  });

  it('reads busybox 1.36 output: ref/used/probes skipped silently', () => {
    const { entries, warnings } = parseIpNeighText(fixture('busybox-1.36.neigh.txt'));
    expect(warnings).toEqual([]);
    expect(entries).toEqual([
      { family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: ['REACHABLE'] },
      { family: 'inet', dst: '192.168.1.1', dev: 'eth0', lladdr: '00:11:22:33:44:55', state: ['STALE'] },
      { family: 'inet', dst: '192.168.1.77', dev: 'eth0', state: ['FAILED'] },
      { family: 'inet6', dst: 'fe80::1', dev: 'eth0', lladdr: '00:11:22:33:44:55', state: ['STALE'], router: true },
    ]);
  });

  it('keeps every state of an entry with several, space- or comma-separated', () => {
    const { entries } = parseIpNeighText('10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE NOARP\n10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE,PERMANENT');
    expect(entries.map((n) => n.state)).toEqual([['STALE', 'NOARP'], ['REACHABLE', 'PERMANENT']]);
  });

  it('skips extern_learn, offload and proto without a warning', () => {
    const { entries, warnings } = parseIpNeighText('10.0.0.3 dev vxlan.calico lladdr 66:d0:7b:1f:3a:9e extern_learn offload PERMANENT proto zebra');
    expect(warnings).toEqual([]);
    expect(entries[0]).toEqual({ family: 'inet', dst: '10.0.0.3', dev: 'vxlan.calico', lladdr: '66:d0:7b:1f:3a:9e', state: ['PERMANENT'] });
  });
});

describe('parseIpNeighText on masked and broken input', () => {
  const { entries, warnings } = parseIpNeighText(fixture('masked.neigh.txt'));

  it('a masked lladdr is left out and marked redacted, with a warning on its line', () => {
    expect(find(entries, '169.254.1.1')).toEqual({ family: 'inet', dst: '169.254.1.1', dev: 'eth0', state: ['REACHABLE'], redacted: ['lladdr'] });
    expect(find(entries, 'fe80::1')).toMatchObject({ router: true, redacted: ['lladdr'] });
    expect(warnings).toContainEqual({ line: 1, message: 'lladdr "xx:xx:xx:xx:xx:xx" is masked; left out and marked redacted' });
    expect(warnings).toContainEqual({ line: 4, message: 'lladdr "52:54:00:XX:XX:XX" is masked; left out and marked redacted' });
  });

  it('a neighbour whose address or device is masked is left out with a warning on its line', () => {
    expect(entries.map((n) => n.dst)).toEqual(['169.254.1.1', 'fe80::1']);
    expect(warnings).toContainEqual({ line: 2, message: 'neighbour left out: its address "10.20.x.1" is masked' });
    expect(warnings).toContainEqual({ line: 3, message: 'neighbour left out: its address "<redacted>" is masked' });
    expect(warnings).toContainEqual({ line: 5, message: 'neighbour 10.20.0.7 left out: its interface "[REDACTED]" is masked' });
  });

  it('leaves out entries without a device (`ip neigh show dev eth0`) and warns about lines that are not neighbours', () => {
    const result = parseIpNeighText('$ ip neigh show dev eth0\n10.0.0.1 lladdr 02:00:00:00:00:01 REACHABLE\nfoo.bar dev eth0 lladdr 02:00:00:00:00:01\n10.0.0.4 dev eth0 lladdr zz REACHABLE bogus');
    expect(result.entries).toEqual([{ family: 'inet', dst: '10.0.0.4', dev: 'eth0', state: ['REACHABLE'], redacted: ['lladdr'] }]);
    expect(result.warnings).toEqual([
      { line: 1, message: 'not a line of ip neigh output: "$ ip neigh show dev eth0"' },
      { line: 2, message: 'neighbour 10.0.0.1 left out: no "dev" on the line (was the output filtered with "dev X"?)' },
      { line: 3, message: 'neighbour left out: "foo.bar" is not an IP address' },
      { line: 4, message: 'lladdr "zz" is not a link-layer address; left out and marked redacted' },
      { line: 4, message: 'neighbour 10.0.0.4: skipped words this parser does not know: "bogus"' },
    ]);
  });
});
