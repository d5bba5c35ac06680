import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpMonitorText } from './ip-monitor-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');

// Captured while a route was added and deleted twice, a neighbour, an address and the MTU and
// proxy_arp of a cali veth were changed in a namespace (iproute2 6.1).
describe('parseIpMonitorText', () => {
  it('reads route, neigh, address, link and netconf events with their Deleted prefix, as facts', () => {
    const { events, warnings } = parseIpMonitorText(fixture('ip-monitor.txt'), { ns: 'host' });
    expect(warnings).toEqual([]);
    const summary = events.map((e) => `${e.deleted ? '-' : '+'}${e.fact.kind} ${e.fact.key}`);
    expect(summary.slice(0, 4)).toEqual(['+route main|inet|unicast|10.244.1.6/32|0', '-route main|inet|unicast|10.244.1.6/32|0', '+route main|inet|unicast|10.244.1.6/32|0', '-route main|inet|unicast|10.244.1.6/32|0']);
    expect(summary).toContain('+neighbor br0|192.168.56.1');
    expect(summary).toContain('-neighbor br0|192.168.56.1');
    expect(summary).toContain('+address br0|192.168.57.11/24');
    expect(summary).toContain('-address br0|192.168.57.11/24');
    expect(events.filter((e) => e.fact.kind === 'link').map((e) => e.fact.attrs.mtu)).toEqual([1440, 1500]);
    expect(events.filter((e) => e.fact.kind === 'sysctl').map((e) => [e.fact.key, e.fact.attrs.value])).toEqual([
      ['net/ipv4/conf/calirsp0/proxy_arp', '0'],
      ['net/ipv4/conf/calirsp0/proxy_arp', '1'],
    ]);
    expect(events.every((e) => e.fact.ns === 'host' && e.at === undefined)).toBe(true);
    const address = events.find((e) => e.fact.kind === 'address');
    expect(address?.line).toBe(8);
  });

  it('takes the time from the Timestamp: line before each event (-timestamp)', () => {
    const { events } = parseIpMonitorText(fixture('ip-monitor-timestamp.txt'), { ns: 'host' });
    expect(events[0]).toMatchObject({ line: 2, at: '2026-12-06T09:05:55.526097', deleted: false });
    expect(events[1]).toMatchObject({ line: 4, at: '2026-12-06T09:05:55.533294', deleted: true });
    expect(events).toHaveLength(parseIpMonitorText(fixture('ip-monitor.txt'), { ns: 'host' }).events.length - 1);
  });

  it('reads -ts prefixes, label prefixes and [nsid N] (events of another namespace go to nsid:N)', () => {
    expect(parseIpMonitorText(fixture('ip-monitor-ts.txt'), { ns: 'host' }).events.map((e) => [e.at, e.deleted])).toEqual([
      ['2026-12-06T09:06:05.212986', false],
      ['2026-12-06T09:06:05.216752', true],
    ]);
    const labelled = parseIpMonitorText(fixture('ip-monitor-label.txt'), { ns: 'host' });
    expect(labelled.warnings).toEqual([]);
    expect(labelled.events.map((e) => e.fact.kind)).toContain('sysctl');
    const nsid = parseIpMonitorText(fixture('ip-monitor-all-nsid.txt'), { ns: 'host' }).events;
    expect(nsid.map((e) => [e.fact.ns, e.nsid, e.deleted])).toEqual([
      ['host', undefined, false],
      ['host', undefined, true],
      ['nsid:0', 0, false],
      ['nsid:0', 0, true],
    ]);
  });

  it('warns about lines that are no event and never throws on garbage', () => {
    const { events, warnings } = parseIpMonitorText('hello world\n[oops\n\u0000\u0001', { ns: 'host' });
    expect(events).toEqual([]);
    expect(warnings.length).toBeGreaterThan(0);
  });
});
