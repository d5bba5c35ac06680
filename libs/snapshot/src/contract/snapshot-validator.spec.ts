import { calicoSnapshot } from '../../test/calico-snapshot';
import { validateSnapshot } from './lazy-contract';
import { SNAPSHOT_LIMITS, type Snapshot } from './snapshot-schema';
import { formatValidationIssues } from './validation-issues';

function issuesOf(input: unknown) {
  const result = validateSnapshot(input);
  if (result.ok) throw new Error('expected the snapshot to be rejected');
  return result.issues;
}

function mutate(change: (s: Snapshot & Record<string, unknown>) => void): unknown {
  const snapshot = structuredClone(calicoSnapshot()) as Snapshot & Record<string, unknown>;
  change(snapshot);
  return snapshot;
}

describe('snapshot contract v1', () => {
  it('accepts a healthy Calico node with a pod', () => {
    const result = validateSnapshot(calicoSnapshot());
    expect(result.ok).toBe(true);
  });

  it('accepts a reported clock skew, ahead or behind, up to ten years', () => {
    for (const clockSkewMs of [0, -1500, 42_000, 10 * 365 * 86_400_000]) {
      const result = validateSnapshot(mutate((s) => (s.collector.clockSkewMs = clockSkewMs)));
      expect(result.ok && result.snapshot.collector.clockSkewMs).toBe(clockSkewMs);
    }
  });

  it('accepts a host-only snapshot whose sections were not captured', () => {
    const result = validateSnapshot(calicoSnapshot({ namespaces: [{ kind: 'host', name: 'host' }] }));
    expect(result.ok).toBe(true);
  });

  it.each<[string, (s: Snapshot & Record<string, unknown>) => void, string, RegExp]>([
    ['a future schema version', (s) => ((s as Record<string, unknown>).schemaVersion = 2), 'schemaVersion', /must be 1/],
    ['a snapshot id that is not a UUID', (s) => (s.snapshotId = 'abc'), 'snapshotId', /UUID/],
    ['an upper-case node name', (s) => (s.node = 'Node_A'), 'node', /Kubernetes node name/],
    ['a missing takenAt', (s) => delete (s as Partial<Snapshot>).takenAt, 'takenAt', /required/],
    ['a takenAt without a time zone', (s) => (s.takenAt = '2026-11-26T03:12:00'), 'takenAt', /time zone/],
    ['a negative sequence number', (s) => (s.collector.seq = -1), 'collector.seq', /./],
    ['a clock skew in fractions of a millisecond', (s) => (s.collector.clockSkewMs = 1.5), 'collector.clockSkewMs', /whole number of milliseconds/],
    ['a clock skew beyond ten years', (s) => (s.collector.clockSkewMs = -(10 * 365 * 86_400_000 + 1)), 'collector.clockSkewMs', /ten years/],
    ['a clock skew as text', (s) => ((s.collector as Record<string, unknown>).clockSkewMs = '5s'), 'collector.clockSkewMs', /./],
    ['an unknown top-level field', (s) => (s.extra = 1), '', /unknown field "extra"/],
    ['an unknown field in a route', (s) => Object.assign(s.namespaces[0].routes![1], { via: 'x' }), 'namespaces[0].routes[1]', /unknown field "via"/],
    ['a route destination that is not a prefix', (s) => (s.namespaces[0].routes![1].dst = '172.17.8.300'), 'namespaces[0].routes[1].dst', /default/],
    ['an IPv6 route marked inet', (s) => (s.namespaces[0].routes![1].dst = 'fd00::/64'), 'namespaces[0].routes[1].dst', /not inet/],
    ['a gateway that is not an address', (s) => (s.namespaces[1].routes![0].gateway = 'x.x.1.1'), 'namespaces[1].routes[0].gateway', /IPv4 or IPv6/],
    ['an IPv4 prefix longer than 32', (s) => (s.namespaces[1].addresses![0].prefixlen = 33), 'namespaces[1].addresses[0].prefixlen', /too long/],
    ['an address whose family disagrees', (s) => (s.namespaces[1].addresses![0].family = 'inet6'), 'namespaces[1].addresses[0].family', /is inet6/],
    ['an interface name longer than 15 bytes', (s) => (s.namespaces[0].links![0].name = 'a-very-long-ifname'), 'namespaces[0].links[0].name', /./],
    ['a sysctl outside /proc/sys/net', (s) => (s.namespaces[0].sysctls![0].path = 'kernel/panic'), 'namespaces[0].sysctls[0].path', /below \/proc\/sys\/net/],
    ['two host namespaces', (s) => (s.namespaces[1].kind = 'host'), 'namespaces', /exactly one host/],
    ['two namespaces with one name', (s) => (s.namespaces[1].name = 'host'), 'namespaces[1].name', /./],
    ['no namespaces', (s) => (s.namespaces = []), 'namespaces', /./],
    ['a NUL in a warning message', (s) => (s.warnings = [{ code: 'x', message: 'bad\u0000byte' }]), 'warnings[0].message', /NUL character .* at index 3, which PostgreSQL cannot store/],
    ['a NUL in a sysctl value', (s) => (s.namespaces[0].sysctls![0].value = '1\u0000'), 'namespaces[0].sysctls[0].value', /NUL/],
    ['a NUL in the collector version', (s) => (s.collector.version = 'v1\u0000'), 'collector.version', /NUL/],
    ['a lone high surrogate in a route protocol', (s) => (s.namespaces[0].routes![0].protocol = 'bird\ud800'), 'namespaces[0].routes[0].protocol', /unpaired UTF-16 surrogate \(\\ud800\) at index 4/],
    ['a lone low surrogate in a warning message', (s) => (s.warnings = [{ code: 'x', message: '\udc00' }]), 'warnings[0].message', /unpaired UTF-16 surrogate/],
    ['a zero-width space in an interface name', (s) => (s.namespaces[0].links![0].name = 'eth\u200b0'), 'namespaces[0].links[0].name', /invisible or control character U\+200B at index 3/],
    ['a right-to-left override in a namespace name', (s) => (s.namespaces[1].name = 'cni-\u202e1'), 'namespaces[1].name', /U\+202E/],
    ['a control character in a flag', (s) => (s.namespaces[0].links![0].flags = ['UP\u0007']), 'namespaces[0].links[0].flags[0]', /U\+0007/],
    ['an interface named ".."', (s) => (s.namespaces[0].links![0].name = '..'), 'namespaces[0].links[0].name', /cannot be "." or ".."/],
    ['a sysctl path with ".."', (s) => (s.namespaces[0].sysctls![0].path = 'net/ipv4/../../kernel/panic'), 'namespaces[0].sysctls[0].path', /never empty, "." or "\.\."/],
    ['a sysctl path with "."', (s) => (s.namespaces[0].sysctls![0].path = 'net/./ipv4/ip_forward'), 'namespaces[0].sysctls[0].path', /below \/proc\/sys\/net/],
    ['a sysctl path with an empty segment', (s) => (s.namespaces[0].sysctls![0].path = 'net/ipv4//ip_forward'), 'namespaces[0].sysctls[0].path', /below \/proc\/sys\/net/],
    ['a sysctl path ending in "/"', (s) => (s.namespaces[0].sysctls![0].path = 'net/ipv4/'), 'namespaces[0].sysctls[0].path', /below \/proc\/sys\/net/],
    ['a sysctl path with a shell character', (s) => (s.namespaces[0].sysctls![0].path = 'net/ipv4/$(id)'), 'namespaces[0].sysctls[0].path', /below \/proc\/sys\/net/],
    ['a takenAt with 10,000 fraction digits', (s) => (s.takenAt = `2026-11-26T03:12:00.${'0'.repeat(10000)}Z`), 'takenAt', /./],
    ['a clock skew that is not an integer', (s) => (s.collector.clockSkewMs = 1.5), 'collector.clockSkewMs', /./],
    ['a clock skew beyond ten years', (s) => (s.collector.clockSkewMs = SNAPSHOT_LIMITS.clockSkewMs + 1), 'collector.clockSkewMs', /./],
    ['a clock skew given as a string', (s) => ((s.collector as Record<string, unknown>).clockSkewMs = '5'), 'collector.clockSkewMs', /./],
  ])('rejects %s, naming the field', (_label, change, path, message) => {
    const issues = issuesOf(mutate(change));
    const match = issues.find((i) => (path === '' ? true : i.path === path) && message.test(i.message));
    expect({ issues, match: Boolean(match) }).toEqual({ issues, match: true });
  });

  it.each<[string, (s: Snapshot & Record<string, unknown>) => void]>([
    ['right-to-left text and emoji in a warning message', (s) => (s.warnings = [{ code: 'x', message: 'שלום 😀 tab\there\nline' }])],
    ['a tab-separated sysctl value', (s) => (s.namespaces[0].sysctls![0].value = '4096\t131072\t6291456')],
    ['a dotted interface in a sysctl path', (s) => (s.namespaces[0].sysctls![0].path = 'net/ipv4/conf/vxlan.calico/rp_filter')],
    ['a collector ten years ahead', (s) => (s.collector.clockSkewMs = SNAPSHOT_LIMITS.clockSkewMs)],
    ['a collector ten years behind', (s) => (s.collector.clockSkewMs = -SNAPSHOT_LIMITS.clockSkewMs)],
  ])('accepts %s', (_label, change) => {
    expect(validateSnapshot(mutate(change))).toMatchObject({ ok: true });
  });

  it('rejects a MAC with the path of the link', () => {
    const issues = issuesOf(mutate((s) => (s.namespaces[0].links![1].mac = 'ee:ee:ee:zz:ee:ee')));
    expect(issues.map((i) => i.path)).toEqual(['namespaces[0].links[1].mac']);
  });

  it('caps the number of namespaces per snapshot', () => {
    const pods = Array.from({ length: SNAPSHOT_LIMITS.namespacesPerSnapshot }, (_, i) => ({ kind: 'pod' as const, name: `pod-${i}` }));
    const issues = issuesOf(mutate((s) => (s.namespaces = [{ kind: 'host', name: 'host' }, ...pods])));
    expect(issues[0].path).toBe('namespaces');
    expect(issues[0].message).toMatch(/1024/);
  });

  it('caps the length of strings', () => {
    const issues = issuesOf(mutate((s) => (s.collector.version = 'v'.repeat(SNAPSHOT_LIMITS.shortStringLength + 1))));
    expect(issues[0].path).toBe('collector.version');
  });

  it('formats each issue as one line starting with its path', () => {
    const issues = issuesOf(mutate((s) => (s.snapshotId = 'abc')));
    expect(formatValidationIssues(issues)).toBe('snapshotId: must be a UUID');
  });

  it('rejects something that is not an object at all', () => {
    expect(issuesOf('hello')[0].path).toBe('');
    expect(issuesOf(null).length).toBeGreaterThan(0);
  });
});
