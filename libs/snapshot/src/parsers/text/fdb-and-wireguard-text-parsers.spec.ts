import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBridgeFdbText } from './bridge-fdb-text-parser';
import { parseWireguardText } from './wireguard-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');

describe('parseBridgeFdbText', () => {
  it('reads every entry of `bridge fdb show` captured in a namespace', () => {
    const { entries, warnings } = parseBridgeFdbText(fixture('bridge-fdb.txt'), { ns: 'host' });
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(10);
    expect(entries[0]).toEqual({ line: 1, ns: 'host', mac: '33:33:00:00:00:01', dev: 'calirsp0', flags: ['self', 'permanent'] });
    expect(entries[9]).toEqual({ line: 10, ns: 'host', mac: 'a2:f1:9f:7c:b7:7c', dev: 'br0', master: 'br0', flags: ['permanent'] });
  });

  it('reads the remote VTEP (dst) of a VXLAN entry', () => {
    const { entries } = parseBridgeFdbText('66:4b:2c:0e:b7:d2 dev vxlan.calico dst 192.168.56.12 self permanent', { ns: 'host' });
    expect(entries[0]).toMatchObject({ dev: 'vxlan.calico', dst: '192.168.56.12', flags: ['self', 'permanent'] });
  });
});

describe('parseWireguardText', () => {
  it('reads interfaces and peers of `wg show` and keeps no key (public output, boringtun#447)', () => {
    const text = fixture('wg-show-boringtun-447.txt');
    const { interfaces, warnings } = parseWireguardText(text, { ns: 'host' });
    expect(warnings).toEqual([]);
    expect(interfaces).toEqual([
      {
        line: 1,
        ns: 'host',
        name: 'wg0',
        listenPort: 58593,
        peers: [
          { line: 4, endpoint: '[2600:REDACTED]:56309', allowedIps: ['10.93.227.3/32', 'fd42:93:227::3/128'], latestHandshake: '55 years, 258 days, 13 hours, 48 minutes, 5 seconds ago', transfer: '13.88 MiB received, 241.09 MiB sent' },
          { line: 11, allowedIps: ['10.93.227.2/32', 'fd42:93:227::2/128'] },
        ],
      },
    ]);
  });

  it('never keeps key material from `wg showconf`, not even in a warning', () => {
    // A safety test: the key is made up (no WireGuard module on this machine to print a real showconf).
    const key = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
    const text = ['[Interface]', `PrivateKey = ${key}`, 'ListenPort = 51820', '[Peer]', `PublicKey = ${key}`, 'AllowedIPs = 10.244.2.0/26', 'Endpoint = 192.168.56.12:51820', key].join('\n');
    const result = parseWireguardText(text, { ns: 'host', showconfInterface: 'wireguard.cali' });
    expect(JSON.stringify(result)).not.toContain(key.slice(0, 20));
    expect(result.interfaces[0]).toMatchObject({ name: 'wireguard.cali', listenPort: 51820, peers: [{ endpoint: '192.168.56.12:51820', allowedIps: ['10.244.2.0/26'] }] });
  });
});
