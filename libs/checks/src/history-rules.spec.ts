import { diffFacts } from '@routescope/diff';
import type { FactAttributes, FactKind } from '@routescope/snapshot';
import { labFacts } from '../test/fixtures';
import type { FactChangeEvent } from './check-types';
import { checkHistory } from './history-rules';
import { NETLAB_FAULT_RULES } from './rules/catalogue';

const NODE = 'rk-node-a';
const T0 = Date.parse('2026-11-26T12:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60000);

function change(minutes: number, ns: string, kind: FactKind, key: string, before: FactAttributes | null, after: FactAttributes | null): FactChangeEvent {
  return { at: at(minutes), ns, kind, key, before, after };
}

const neighbor = (lladdr: string | undefined, state = 'resolved'): FactAttributes => ({ family: 'inet', dst: '10.99.0.12', dev: 'eth0', state, ...(lladdr ? { lladdr } : {}) });
const NEIGH_KEY = 'eth0|10.99.0.12';
const MAC_1 = '02:99:00:00:00:12';
const MAC_2 = '02:99:00:00:00:99';

const ROUTE_KEY = 'main|inet|unicast|172.17.8.64/26|0';
const route: FactAttributes = { table: 'main', family: 'inet', type: 'unicast', dst: '172.17.8.64/26', metric: 0, gateway: '172.17.8.64', dev: 'vxlan.calico', protocol: '80', scope: 'global', flags: ['onlink'] };

/** `cycles` delete/re-add pairs of the block route, one every `every` minutes. */
function flaps(cycles: number, every: number): FactChangeEvent[] {
  const out: FactChangeEvent[] = [];
  for (let i = 0; i < cycles; i++) {
    out.push(change(i * every, 'host', 'route', ROUTE_KEY, route, null));
    out.push(change(i * every + 0.5, 'host', 'route', ROUTE_KEY, null, route));
  }
  return out;
}

const PROXY_KEY = 'net/ipv4/conf/calidd33ceb84a6/proxy_arp';
const value = (v: string): FactAttributes => ({ value: v });
function toggles(values: string[], every = 1): FactChangeEvent[] {
  return values.slice(1).map((v, i) => change(i * every, 'host', 'sysctl', PROXY_KEY, value(values[i]), value(v)));
}

const rules = (changes: FactChangeEvent[], options?: Parameters<typeof checkHistory>[2]) => checkHistory(NODE, changes, options).map((f) => `${f.rule} ${f.subject}`);

describe('NEIGHBOR_MAC_FLAP', () => {
  it('a neighbour whose MAC changes in place for the same IP opens NEIGHBOR_MAC_FLAP with both versions as evidence', () => {
    const [finding] = checkHistory(NODE, [change(0, 'host', 'neighbor', NEIGH_KEY, neighbor(MAC_1), neighbor(MAC_2))]);
    expect(finding).toMatchObject({ rule: 'NEIGHBOR_MAC_FLAP', node: NODE, subject: `neighbor:host|${NEIGH_KEY}` });
    expect(finding.message).toBe(`The neighbour 10.99.0.12 on eth0 on node ${NODE} changed MAC 1 time (${MAC_1} → ${MAC_2}).`);
    expect(finding.evidence).toEqual([
      { node: NODE, ns: 'host', kind: 'neighbor', key: NEIGH_KEY, attrs: neighbor(MAC_1), at: at(0).toISOString() },
      { node: NODE, ns: 'host', kind: 'neighbor', key: NEIGH_KEY, attrs: neighbor(MAC_2), at: at(0).toISOString() },
    ]);
  });

  it('a MAC going back and forth is counted each time', () => {
    const changes = [change(0, 'host', 'neighbor', NEIGH_KEY, neighbor(MAC_1), neighbor(MAC_2)), change(1, 'host', 'neighbor', NEIGH_KEY, neighbor(MAC_2), neighbor(MAC_1))];
    expect(checkHistory(NODE, changes)[0].message).toContain(`changed MAC 2 times (${MAC_1} → ${MAC_2} → ${MAC_1})`);
  });

  it('state-only changes do not count: REACHABLE↔STALE never reach history, and resolved↔failed keeps or drops the same MAC', () => {
    const changes = [
      change(0, 'host', 'neighbor', NEIGH_KEY, neighbor(MAC_1), neighbor(undefined, 'failed')),
      change(1, 'host', 'neighbor', NEIGH_KEY, neighbor(undefined, 'failed'), neighbor(MAC_1)),
      change(2, 'host', 'neighbor', NEIGH_KEY, neighbor(MAC_1), neighbor(MAC_1, 'permanent')),
    ];
    expect(rules(changes)).toEqual([]);
  });

  it('an entry that is deleted and relearnt with another MAC is not a flap (a new pod or veth took the address)', () => {
    const changes = [change(0, 'host', 'neighbor', NEIGH_KEY, neighbor(MAC_1), null), change(1, 'host', 'neighbor', NEIGH_KEY, null, neighbor(MAC_2))];
    expect(rules(changes)).toEqual([]);
  });

  it('the pod’s gateway entry changing MAC names the pod', () => {
    const gw = (lladdr: string): FactAttributes => ({ family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr, state: 'resolved' });
    const [finding] = checkHistory(NODE, [change(0, 'pod:rk-pod-a1', 'neighbor', 'eth0|169.254.1.1', gw('ee:ee:ee:ee:ee:ee'), gw('2a:5e:1c:00:00:01'))]);
    expect(finding.message).toContain('in pod rk-pod-a1 on node rk-node-a');
  });
});

describe('ROUTE_FLAP', () => {
  it('a route deleted and re-added 3 times within the window opens ROUTE_FLAP naming the route and its device', () => {
    const [finding] = checkHistory(NODE, flaps(3, 2));
    expect(finding).toMatchObject({ rule: 'ROUTE_FLAP', subject: `route:host|${ROUTE_KEY}` });
    expect(finding.message).toBe(`The route 172.17.8.64/26 dev vxlan.calico on node ${NODE} was deleted and re-added 3 times within 4 minutes.`);
    expect(finding.evidence).toHaveLength(3);
    expect(finding.evidence.every((e) => e.attrs !== null && e.at !== undefined)).toBe(true);
  });

  it('two cycles are not flapping by default, but are with flapThreshold 2', () => {
    expect(rules(flaps(2, 1))).toEqual([]);
    expect(rules(flaps(2, 1), { flapThreshold: 2 })).toEqual([`ROUTE_FLAP route:host|${ROUTE_KEY}`]);
  });

  it('cycles spread wider than the window do not add up', () => {
    expect(rules(flaps(4, 20))).toEqual([]);
    expect(rules(flaps(4, 20), { windowMs: 61 * 60000 })).toEqual([`ROUTE_FLAP route:host|${ROUTE_KEY}`]);
  });

  it('a route whose gateway is replaced back and forth is not deleted, so it is not a flap', () => {
    const other = { ...route, gateway: '10.99.0.1', dev: 'eth0' };
    const changes = [0, 1, 2, 3, 4, 5].map((i) => change(i, 'host', 'route', ROUTE_KEY, i % 2 ? other : route, i % 2 ? route : other));
    expect(rules(changes)).toEqual([]);
  });

  it('changes given out of order are put in time order first', () => {
    expect(rules([...flaps(3, 1)].reverse())).toEqual([`ROUTE_FLAP route:host|${ROUTE_KEY}`]);
  });
});

describe('PROXY_ARP_TOGGLED', () => {
  it('proxy_arp switched 1→0→1→0 within the window opens PROXY_ARP_TOGGLED on the veth', () => {
    const [finding] = checkHistory(NODE, toggles(['1', '0', '1', '0']));
    expect(finding).toMatchObject({ rule: 'PROXY_ARP_TOGGLED', subject: 'veth:calidd33ceb84a6' });
    expect(finding.message).toBe(`proxy_arp on host veth calidd33ceb84a6 on node ${NODE} changed 3 times (1 → 0 → 1 → 0).`);
  });

  it('one switch off and back on (a fault and its fix) is not toggling; a value that stays off is CALICO_PROXY_ARP’s', () => {
    expect(rules(toggles(['1', '0', '1']))).toEqual([]);
    expect(rules(toggles(['1', '0']))).toEqual([]);
  });

  it('the sysctl appearing and disappearing with its veth is not a toggle', () => {
    const changes = [0, 1, 2, 3].map((i) => change(i, 'host', 'sysctl', PROXY_KEY, i % 2 ? value('1') : null, i % 2 ? null : value('1')));
    expect(rules(changes)).toEqual([]);
  });

  it('other sysctls changing are not proxy_arp toggles', () => {
    const changes = ['1', '0', '1', '0'].slice(1).map((v, i) => change(i, 'host', 'sysctl', 'net/ipv4/ip_forward', value(v === '1' ? '0' : '1'), value(v)));
    expect(rules(changes)).toEqual([]);
  });
});

describe('history of the real lab', () => {
  /** The change events the API would record going healthy → fault → healthy for each netlab fault, 1 minute apart. */
  function replay(): FactChangeEvent[] {
    const healthy = labFacts('healthy');
    const events: FactChangeEvent[] = [];
    let minute = 0;
    for (const fault of Object.keys(NETLAB_FAULT_RULES)) {
      const broken = labFacts(fault);
      for (const [from, to] of [
        [healthy, broken],
        [broken, healthy],
      ]) {
        minute++;
        for (const c of diffFacts(from[0].facts, to[0].facts)) {
          events.push({ at: at(minute), ns: c.ns, kind: c.kind, key: c.key, before: c.change === 'added' ? null : c.before, after: c.change === 'removed' ? null : c.after });
        }
      }
    }
    return events;
  }

  it('every netlab fault injected and healed once, back to back, is no route flap and no proxy_arp toggling', () => {
    const findings = checkHistory('rk-node-a', replay());
    expect(findings.filter((f) => f.rule !== 'NEIGHBOR_MAC_FLAP')).toEqual([]);
  });

  it('the pod that relearnt 169.254.1.1 behind the veth whose MAC was changed is seen as a MAC change', () => {
    const findings = checkHistory('rk-node-a', replay());
    expect(findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(['NEIGHBOR_MAC_FLAP neighbor:pod:rk-pod-a1|eth0|169.254.1.1']);
  });
});
