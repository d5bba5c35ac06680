import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpJsonRoutes } from '@routescope/snapshot';
import { MissingProgramError, type CommandResult } from './command-runner';
import { collectNamespace, NamespaceUnreadableError, sysctlPaths, sysctlsOf } from './namespace-collector';
import { readProcFiles, runIp, runShell, type NamespaceTarget } from './namespace-target';
import { compareNames } from './node-collector';

jest.mock('./namespace-target', () => ({
  ...jest.requireActual('./namespace-target'),
  runIp: jest.fn(),
  runShell: jest.fn(),
  readProcFiles: jest.fn(),
}));

// `ip -j` captures of tools/netlab's node-a, stored with the snapshot library.
const FIXTURES = join(__dirname, '../../../../libs/snapshot/test/fixtures/json');
const fixture = (name: string) => JSON.stringify(JSON.parse(readFileSync(join(FIXTURES, `lab-node.${name}.json`), 'utf8')));
const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', code: 0 });
const failed = (stderr: string): CommandResult => ({ stdout: '', stderr, code: 1 });

/** What each stand-alone command prints, by its arguments. */
const SINGLE: Record<string, string> = {
  '-j -d link show': fixture('link'),
  '-j addr show': fixture('addr'),
  '-j -4 route show table all': fixture('route'),
  '-j -6 route show table all': fixture('route6'),
  '-j neigh show': fixture('neigh'),
  '-j neigh show proxy': fixture('neigh-proxy'),
  '-j netns list-id': '[{"nsid":1,"name":"rs-pod-a1"},{"nsid":2,"name":"rs-pod-a2"}]',
};
const BATCH_LINES: Record<string, string> = {
  'addr show': SINGLE['-j addr show'],
  'route show table all root 0.0.0.0/0': SINGLE['-j -4 route show table all'],
  'route show table all root ::/0': SINGLE['-j -6 route show table all'],
  'neigh show': SINGLE['-j neigh show'],
  'neigh show proxy': SINGLE['-j neigh show proxy'],
  'netns list-id': SINGLE['-j netns list-id'],
};

const runIpMock = runIp as jest.MockedFunction<typeof runIp>;
const runShellMock = runShell as jest.MockedFunction<typeof runShell>;
const readProcFilesMock = readProcFiles as jest.MockedFunction<typeof readProcFiles>;
const target: NamespaceTarget = { kind: 'named', name: 'rs-node-a' };

/** A fake ip(8): stand-alone commands from SINGLE; `-batch -` as `batch` says. */
function fakeIp(batch: (lines: string[]) => CommandResult = (lines) => ok(lines.map((l) => `${BATCH_LINES[l]}\n`).join(''))) {
  runIpMock.mockImplementation(async (_target, args, input) => {
    if (args.join(' ') === '-j -batch -') return batch((input ?? '').split('\n').filter(Boolean));
    const out = SINGLE[args.join(' ')];
    return out === undefined ? failed(`unexpected ip ${args.join(' ')}`) : ok(out);
  });
}

beforeEach(() => {
  runIpMock.mockReset();
  readProcFilesMock.mockReset();
  // the one-process read fails (as when sh is missing), so the namespace is read command by command
  runShellMock.mockReset();
  runShellMock.mockRejectedValue(new MissingProgramError('sh'));
  readProcFilesMock.mockResolvedValue(ok('/proc/sys/net/ipv4/ip_forward:1\n/proc/sys/net/ipv4/conf/all/proxy_arp:0\n'));
});

describe('collectNamespace, command by command', () => {
  it('reads everything but the detailed links with one ip -batch, and the sysctls with one grep', async () => {
    fakeIp();
    const state = await collectNamespace(target, { nsids: true });
    expect(runIpMock.mock.calls.map(([, args]) => args.join(' '))).toEqual(['-j -d link show', '-j -batch -']);
    expect(runIpMock.mock.calls[1][2]).toBe(`${Object.keys(BATCH_LINES).join('\n')}\n`);
    expect(readProcFilesMock).toHaveBeenCalledTimes(1);
    expect(state.links.length).toBeGreaterThan(3);
    expect(state.routes).toEqual([
      ...parseIpJsonRoutes(SINGLE['-j -4 route show table all'], 'inet').entries,
      ...parseIpJsonRoutes(SINGLE['-j -6 route show table all'], 'inet6').entries,
    ]);
    expect(state.routes.length).toBeGreaterThan(10);
    expect(state.sysctls).toEqual([
      { path: 'net/ipv4/ip_forward', value: '1' },
      { path: 'net/ipv4/conf/all/proxy_arp', value: '0' },
    ]);
    expect(state.namedNsids).toEqual(new Map([[1, 'rs-pod-a1'], [2, 'rs-pod-a2']]));
    expect(state.warnings).toEqual([]);
  });

  it('gives the same state when the batch fails and every section is read on its own', async () => {
    fakeIp();
    const batched = await collectNamespace(target, { nsids: true });
    for (const broken of [
      () => failed('Command failed -:3'),
      (lines: string[]) => ok(lines.slice(1).map((l) => `${BATCH_LINES[l]}\n`).join('')),
      () => ({ stdout: '[]\n[]\n[]\n[]\n[]\n[]\n', stderr: 'Warning: something odd\n', code: 0 }),
    ]) {
      runIpMock.mockReset();
      fakeIp(broken);
      expect(await collectNamespace(target, { nsids: true })).toEqual(batched);
      expect(runIpMock).toHaveBeenCalledTimes(2 + Object.keys(BATCH_LINES).length);
    }
  });

  it('keeps the stand-alone rules when falling back: no IPv6 is an empty section, another failure makes the namespace unreadable', async () => {
    fakeIp(() => failed('Command failed -:3'));
    const single = runIpMock.getMockImplementation()!;
    runIpMock.mockImplementation(async (t, args, input) =>
      args.includes('-6') ? failed('RTNETLINK answers: Address family not supported by protocol') : single(t, args, input),
    );
    expect((await collectNamespace(target)).routes).toEqual(parseIpJsonRoutes(SINGLE['-j -4 route show table all'], 'inet').entries);

    runIpMock.mockImplementation(async (t, args, input) => (args.join(' ') === '-j neigh show' ? failed('Cannot open network namespace "rs-node-a"') : single(t, args, input)));
    await expect(collectNamespace(target)).rejects.toThrow(new NamespaceUnreadableError(target, 'ip -j neigh show: Cannot open network namespace "rs-node-a"'));
  });

  it('reports an unreadable namespace from the link listing, before anything else runs', async () => {
    runIpMock.mockResolvedValue(failed('Cannot open network namespace "rs-gone": No such file or directory'));
    await expect(collectNamespace(target)).rejects.toThrow(/cannot read network namespace rs-node-a: Cannot open network namespace "rs-gone"/);
    expect(runIpMock).toHaveBeenCalledTimes(1);
    expect(readProcFilesMock).not.toHaveBeenCalled();
  });
});

/** tools/netlab's node-b (iproute2 6.1), captured back to back: the one-process read's output and each command's. */
const NODE_B = join(__dirname, 'fixtures/netlab-node-b');
const nodeB = (name: string) => readFileSync(join(NODE_B, name), 'utf8');
const libJson = (name: string) => readFileSync(join(FIXTURES, `lab-node-b.${name}.json`), 'utf8');
const NODE_B_COMMANDS: Record<string, string> = {
  '-j -d link show': libJson('link'),
  '-j addr show': libJson('addr'),
  '-j -4 route show table all': libJson('route'),
  '-j -6 route show table all': libJson('route6'),
  '-j neigh show': nodeB('ip-neigh.json'),
  '-j neigh show proxy': nodeB('ip-neigh-proxy.json'),
  '-j netns list-id': nodeB('ip-netns-list-id.json'),
};
const ONE_PROCESS_STDOUT = nodeB('one-process.stdout.txt');
const nodeBTarget: NamespaceTarget = { kind: 'named', name: 'co-node-b' };

/** node-b read command by command (no batch), as the collector always could. */
function fakeNodeBCommands() {
  runIpMock.mockImplementation(async (_target, args) => {
    const out = NODE_B_COMMANDS[args.join(' ')];
    return out === undefined ? failed(`unexpected ip ${args.join(' ')}`) : ok(out);
  });
  readProcFilesMock.mockResolvedValue(ok(nodeB('grep-sysctls.txt')));
}

describe('collectNamespace, one process', () => {
  it('reads the namespace with one shell (ip -V when asked, one ip -d -batch, grep of the sysctls), to the state read command by command', async () => {
    fakeNodeBCommands();
    const commandByCommand = await collectNamespace(nodeBTarget, { nsids: true });
    runIpMock.mockReset();
    readProcFilesMock.mockReset();
    runShellMock.mockReset();
    runShellMock.mockResolvedValue({ stdout: ONE_PROCESS_STDOUT, stderr: '', code: 0 });

    const { iproute2Output, ...atOnce } = await collectNamespace(nodeBTarget, { nsids: true, iproute2Version: true });
    expect(runShellMock).toHaveBeenCalledTimes(1);
    const [target, , args, input] = runShellMock.mock.calls[0];
    expect([target, args, input]).toEqual([nodeBTarget, ['with-version'], 'addr show\nroute show table all root 0.0.0.0/0\nroute show table all root ::/0\nneigh show\nneigh show proxy\nnetns list-id\n']);
    expect(runIpMock).not.toHaveBeenCalled();
    expect(readProcFilesMock).not.toHaveBeenCalled();
    expect(iproute2Output).toBe('ip utility, iproute2-6.1.0, libbpf 1.1.2');
    expect(atOnce).toEqual(commandByCommand);
    expect(atOnce.warnings).toEqual([]);
    expect(atOnce.sysctls.find((s) => s.path === 'net/ipv4/neigh/cali86a12876b92/proxy_delay')).toEqual({ path: 'net/ipv4/neigh/cali86a12876b92/proxy_delay', value: '0' });
    expect(atOnce.sysctls.find((s) => s.path === 'net/ipv4/neigh/eth0/proxy_delay')?.value).toBe('80');
  });

  it.each([
    ['the namespace cannot be entered', { stdout: '', stderr: 'nsenter: cannot open /var/run/netns/co-node-b: No such file or directory\n', code: 1 }],
    ['ip -batch fails', { stdout: ONE_PROCESS_STDOUT.replace(/@@routescope-end 0\n\[\{"type"[^]*?@@routescope-end 0/, '@@routescope-end 1'), stderr: '', code: 0 }],
    ['ip warns on stderr', { stdout: ONE_PROCESS_STDOUT, stderr: 'Warning: something odd\n', code: 0 }],
    ['a listing is missing', { stdout: ONE_PROCESS_STDOUT.replace(/\n\[\]\n/, '\n'), stderr: '', code: 0 }],
    ['the end mark is missing (killed)', { stdout: ONE_PROCESS_STDOUT.split('@@routescope-end 0\n[{"type"')[0], stderr: '', code: null }],
  ])('reads command by command when %s', async (_case, result) => {
    fakeNodeBCommands();
    const expected = await collectNamespace(nodeBTarget, { nsids: true });
    runIpMock.mockClear();
    runShellMock.mockResolvedValue(result);
    expect(await collectNamespace(nodeBTarget, { nsids: true })).toEqual(expected);
    expect(runIpMock).toHaveBeenCalled();
  });

  it('the fallback still reports an unreadable namespace as before', async () => {
    runShellMock.mockResolvedValue({ stdout: '', stderr: 'nsenter: cannot open /var/run/netns/rs-gone: No such file or directory\n', code: 1 });
    runIpMock.mockResolvedValue(failed('nsenter: cannot open /var/run/netns/rs-gone: No such file or directory'));
    await expect(collectNamespace(target)).rejects.toThrow('cannot read network namespace rs-node-a: nsenter: cannot open /var/run/netns/rs-gone: No such file or directory');
  });
});

describe('sysctlsOf', () => {
  it('picks the files sysctlPaths names for the links, in its order, from the globbed grep output', () => {
    const globbed = [
      '/proc/sys/net/ipv4/conf/eth0/proxy_arp:0',
      '/proc/sys/net/ipv4/conf/all/proxy_arp:0',
      '/proc/sys/net/ipv4/neigh/default/proxy_delay:80',
      '/proc/sys/net/ipv4/neigh/eth0/proxy_delay:80',
      '/proc/sys/net/ipv4/neigh/gone0/proxy_delay:80',
      '/proc/sys/net/ipv6/conf/all/forwarding:0',
      '/proc/sys/net/ipv4/ip_forward:1',
      '/proc/sys/net/ipv6/conf/all/forwarding:0',
      '',
    ];
    expect(sysctlsOf(globbed, ['eth0'])).toBe(
      ['/proc/sys/net/ipv4/ip_forward:1', '/proc/sys/net/ipv6/conf/all/forwarding:0', '/proc/sys/net/ipv4/conf/all/proxy_arp:0', '/proc/sys/net/ipv4/conf/eth0/proxy_arp:0', '/proc/sys/net/ipv4/neigh/eth0/proxy_delay:80', ''].join('\n'),
    );
    expect(sysctlPaths(['eth0'])).toContain('/proc/sys/net/ipv4/neigh/eth0/proxy_delay');
  });
});

describe('compareNames', () => {
  it('orders names exactly as localeCompare does', () => {
    const alphabet = 'abcz019-';
    const odd = ['pid:12', 'pid:3', 'Cni-1', 'cni_1', 'cni.1', 'cni-1', 'host', ''];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const names = [...odd, ...Array.from({ length: 300 }, () => Array.from({ length: Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''))];
    const wrong = names.flatMap((a) => names.filter((b) => Math.sign(compareNames(a, b)) !== Math.sign(a.localeCompare(b))).map((b) => [a, b]));
    expect(wrong).toEqual([]);
  });
});
