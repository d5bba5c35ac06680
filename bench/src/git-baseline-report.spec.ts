import { snapshotToFacts } from '@routescope/snapshot';
import { SyntheticCluster } from '@routescope/synth';
import { compareWithGit, gitBaselineFigures, ipTextLine, renderGitBaselineSection, renderIpText, type GitBaselineResult } from './git-baseline-report';
import type { Sample } from './measure';

const sample = (p50: number, p95: number): Sample => ({ count: 20, wallMs: 20 * p50, p50, p95, p99: p95, mean: p50, perSecond: 0, concurrency: 1 });

function result(mode: 'quick' | 'full', overrides: Partial<GitBaselineResult> = {}): GitBaselineResult {
  return {
    mode,
    git: 'git version 2.39.5',
    nodes: 4,
    hours: 24,
    commits: 11_524,
    meanFileBytes: 98_000,
    packedBytesInitial: 60_000,
    packedBytesFinal: 460_000,
    bytesPerNodeDay: 100_000,
    gcSeconds: 12.5,
    show: sample(4, 6),
    diff: sample(5, 8),
    diffWindowHours: 1,
    meanDiffLines: 14.2,
    durationS: 60,
    ...overrides,
  };
}

describe('git baseline: ip-style text', () => {
  it('prints each fact as the line ip(8) or sysctl would', () => {
    expect(ipTextLine({ ns: 'host', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0', attrs: { table: 'main', family: 'inet', type: 'unicast', dst: '0.0.0.0/0', metric: 0, gateway: '10.0.0.1', dev: 'eth0', protocol: 'boot', scope: 'global', flags: [] } })).toBe(
      'default via 10.0.0.1 dev eth0',
    );
    expect(ipTextLine({ ns: 'host', kind: 'route', key: 'main|inet|blackhole|172.17.8.0/26|0', attrs: { table: 'main', family: 'inet', type: 'blackhole', dst: '172.17.8.0/26', metric: 0, protocol: 'bird', scope: 'global', flags: [] } })).toBe(
      'blackhole 172.17.8.0/26 proto bird',
    );
    expect(ipTextLine({ ns: 'pod:cni-1', kind: 'neighbor', key: 'eth0|169.254.1.1', attrs: { family: 'inet', dst: '169.254.1.1', dev: 'eth0', lladdr: 'ee:ee:ee:ee:ee:ee', state: 'REACHABLE' } })).toBe(
      '169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE',
    );
    expect(ipTextLine({ ns: 'host', kind: 'sysctl', key: 'net/ipv4/conf/cali1/proxy_arp', attrs: { value: '1' } })).toBe('net.ipv4.conf.cali1.proxy_arp = 1');
    expect(ipTextLine({ ns: 'host', kind: 'address', key: 'eth0|10.0.0.11/24', attrs: { dev: 'eth0', family: 'inet', local: '10.0.0.11', prefixlen: 24, scope: 'global', flags: [] } })).toBe('eth0 inet 10.0.0.11/24 scope global eth0');
  });

  it('renders a node snapshot with one line per fact, host first, in sections, the same text for the same facts', () => {
    const cluster = new SyntheticCluster({ seed: 101, nodes: 10 });
    const snapshot = cluster.snapshot(0, cluster.now);
    const facts = snapshotToFacts(snapshot);
    const text = renderIpText(snapshot.node, facts);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`# ${snapshot.node}`);
    expect(lines[2]).toBe('### namespace host');
    expect(lines.filter((l) => l !== '' && !l.startsWith('#'))).toHaveLength(facts.length);
    expect(text).toContain('## ip route show table all\n');
    expect(renderIpText(snapshot.node, [...facts].reverse())).toBe(text);
  });
});

describe('git baseline: report', () => {
  it('compares bytes per node-day and both reads with Routescope, and says which is smaller or faster', () => {
    const rows = compareWithGit(result('full'), { bytesPerNodeDay: { kind: 'postgres', value: 190_000 }, stateAtP95: 3, diffOverHourP95: 12 });
    expect(rows.map((r) => [r.ratio, r.verdict])).toEqual([
      [1.9, 'git smaller'],
      [0.5, 'Routescope faster'],
      [1.5, 'git faster'],
    ]);
    expect(compareWithGit(result('quick'), { stateAtP95: 3 }).map((r) => r.verdict)).toEqual(['n/a', 'Routescope faster (quick: not asserted)', 'n/a']);
  });

  it('takes Routescope’s figures from the same run: PostgreSQL storage first, the state(at) and 1-hour diff p95s', () => {
    const storage = (kind: 'postgres' | 'pglite', bytesPerNodeDay: number) => ({ kind, bytesPerNodeDay }) as never;
    const figures = gitBaselineFigures({
      storage: [storage('pglite', 1), storage('postgres', 2)],
      queries: [
        { name: 'state(at)', sample: sample(2, 3) },
        { name: 'diff over 1 h', sample: sample(5, 7) },
      ],
      history: { nodes: 20, days: 2 } as never,
    });
    expect(figures).toEqual({ bytesPerNodeDay: { kind: 'postgres', value: 2 }, stateAtP95: 3, diffOverHourP95: 7, queriesOn: '20 nodes × 2 days' });
  });

  it('renders the comparison table, or why it was skipped', () => {
    const section = renderGitBaselineSection(result('full'), { bytesPerNodeDay: { kind: 'postgres', value: 50_000 }, stateAtP95: 3, diffOverHourP95: 12 });
    expect(section).toMatch(/\| bytes per node-day \(Routescope on postgres\) +\| +97\.7 KB +\| +48\.8 KB +\| +0\.5× +\| Routescope smaller +\|/);
    expect(section).toContain('11,524 commits');
    expect(renderGitBaselineSection(result('full', { skipped: 'no git on this machine' }), {})).toContain('skipped: no git on this machine');
  });
});
