import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpJsonAddresses, parseIpJsonLinks, parseIpJsonRoutes } from './ip-json-parser';

/**
 * The collector reads a namespace with one `ip -d -batch` (apps/collector, namespace-collector.ts):
 * `-d` for the links' details, which then applies to every listing of the batch. These captures
 * were taken back to back from tools/netlab's node-b (iproute2 6.1), with and without `-d`.
 */
const json = (base: string) => readFileSync(join(__dirname, '../../test/fixtures/json', `lab-node-b.${base}.json`), 'utf8');

describe('`ip -d` listings parse to what the plain listings give', () => {
  it.each([
    ['route', 'inet'],
    ['route6', 'inet6'],
  ] as const)('%s: type unicast, table main, protocol boot and scope global printed by -d are the defaults the plain listing leaves out', (base, family) => {
    const detailed = parseIpJsonRoutes(json(`${base}-d`), family, { details: true });
    const plain = parseIpJsonRoutes(json(base), family);
    expect(detailed.warnings).toEqual([]);
    expect(detailed.entries).toEqual(plain.entries);
    // the capture has every kind of route a Calico node carries: so the test is not vacuous
    expect(new Set(plain.entries.map((r) => `${r.type} ${r.protocol ?? '-'} ${r.scope ?? '-'}`))).toEqual(
      new Set(
        family === 'inet'
          ? ['unicast - -', 'unicast - link', 'unicast kernel link', 'unicast 80 -', 'blackhole bird -', 'local kernel host', 'broadcast kernel link']
          : ['unicast kernel -', 'local kernel -', 'multicast kernel -'],
      ),
    );
  });

  it('without `details`, a -d listing keeps what it printed (protocol boot, scope global)', () => {
    const route = parseIpJsonRoutes(json('route-d'), 'inet').entries.find((r) => r.dst === 'default');
    expect(route).toMatchObject({ protocol: 'boot', scope: 'global' });
  });

  it('`ip -d addr` gives the links of `ip -d link` (same details) and the addresses of `ip addr`', () => {
    expect(parseIpJsonLinks(json('addr-d'))).toEqual(parseIpJsonLinks(json('link')));
    expect(parseIpJsonAddresses(json('addr-d'))).toEqual(parseIpJsonAddresses(json('addr')));
    expect(parseIpJsonLinks(json('link')).entries.map((l) => l.kind)).toEqual([undefined, 'veth', 'vxlan', 'veth', 'veth']);
  });
});
