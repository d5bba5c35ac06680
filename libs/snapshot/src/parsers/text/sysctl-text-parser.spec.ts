import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSysctlText } from './sysctl-text-parser';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', name), 'utf8');

describe('parseSysctlText', () => {
  it('maps `sysctl KEY...` output to paths, turning a "/" inside a name back into "."', () => {
    expect(parseSysctlText(fixture('lab-node.sysctl.txt'))).toEqual({
      entries: [
        { path: 'net/ipv4/ip_forward', value: '1' },
        { path: 'net/ipv4/conf/cali1a2b3c4d5e6/proxy_arp', value: '1' },
        { path: 'net/ipv4/neigh/cali1a2b3c4d5e6/proxy_delay', value: '0' },
        { path: 'net/ipv4/conf/vxlan.calico/rp_filter', value: '0' },
      ],
      warnings: [],
    });
  });

  it('reads `sysctl -a` output: tab-separated values kept, dotted names restored, keys outside net.* skipped with one warning', () => {
    const { entries, warnings } = parseSysctlText(fixture('lab-node.sysctl-a.txt'));
    expect(entries).toContainEqual({ path: 'net/ipv4/tcp_rmem', value: '4096\t131072\t33554432' });
    expect(entries).toContainEqual({ path: 'net/ipv6/conf/vxlan-v6.calico/forwarding', value: '1' });
    expect(entries).toContainEqual({ path: 'net/ipv4/conf/vxlan.calico/rp_filter', value: '0' });
    expect(entries.every((e) => e.path.startsWith('net/'))).toBe(true);
    expect(warnings).toEqual([{ line: 1, message: '1 value outside net.* skipped (first: "kernel.ostype"); only network sysctls are recorded' }]);
  });

  it('reads `grep -r . /proc/sys/net/...` output, warning about the grep error line by number', () => {
    const { entries, warnings } = parseSysctlText(fixture('lab-node.proc-sys.txt'));
    expect(entries).toContainEqual({ path: 'net/ipv4/conf/cali1a2b3c4d5e6/proxy_arp', value: '1' });
    expect(entries).toContainEqual({ path: 'net/ipv4/neigh/cali1a2b3c4d5e6/proxy_delay', value: '0' });
    expect(entries).toContainEqual({ path: 'net/ipv4/conf/vxlan.calico/rp_filter', value: '0' });
    expect(entries).toContainEqual({ path: 'net/ipv4/ip_forward', value: '1' });
    expect(entries).toHaveLength(52);
    expect(warnings).toEqual([{ line: 53, message: 'error message, not a value: "grep: /proc/sys/net/ipv4/route/flush: Permission denied"' }]);
  });

  it('warns about sysctl error lines and bare values, accepts `key= value` and an empty value', () => {
    const { entries, warnings } = parseSysctlText(fixture('sysctl-errors.txt'));
    expect(entries).toEqual([
      { path: 'net/ipv4/conf/all/rp_filter', value: '0' },
      { path: 'net/ipv4/conf/cali3f2a1b0c9d8/proxy_arp', value: '1' },
      { path: 'net/ipv4/conf/all/proxy_arp', value: '0' },
      { path: 'net/ipv6/conf/all/stable_secret', value: '' },
    ]);
    expect(warnings).toEqual([
      { line: 1, message: `error message, not a value: "sysctl: permission denied on key 'net.ipv4.route.flush'"` },
      { line: 3, message: 'error message, not a value: "sysctl: reading key "net.ipv6.conf.all.stable_secret""' },
      { line: 5, message: 'not a sysctl line (expected "net.x.y = value" or "/proc/sys/net/x/y:value"): "1"' },
      { line: 6, message: '2 values outside net.* skipped (first: "kernel.pid_max"); only network sysctls are recorded' },
    ]);
  });

  it('accepts a key already written as a path (net/ipv4/ip_forward = 1)', () => {
    expect(parseSysctlText('net/ipv4/ip_forward = 1').entries).toEqual([{ path: 'net/ipv4/ip_forward', value: '1' }]);
  });

  it('leaves out a value longer than the contract allows, with a warning on its line', () => {
    const { entries, warnings } = parseSysctlText(`net.ipv4.ip_forward = 1\nnet.core.foo = ${'x'.repeat(200)}`);
    expect(entries).toEqual([{ path: 'net/ipv4/ip_forward', value: '1' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ line: 2, message: expect.stringContaining('sysctl net/core/foo left out: it does not fit the snapshot contract (value:') });
  });

  it('warns about a /proc/sys line without a value separator', () => {
    expect(parseSysctlText('/proc/sys/net/ipv4/ip_forward').warnings).toEqual([
      { line: 1, message: '"/proc/sys/net/ipv4/ip_forward" has no ":" between the file and its value (expected grep -r output such as /proc/sys/net/ipv4/ip_forward:1)' },
    ]);
  });
});
