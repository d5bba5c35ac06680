import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpJsonRoutes } from '@routescope/snapshot';
import type { CommandResult } from './command-runner';
import { collectNamespace, NamespaceUnreadableError } from './namespace-collector';
import { readProcFiles, runIp, type NamespaceTarget } from './namespace-target';
import { compareNames } from './node-collector';

jest.mock('./namespace-target', () => ({
  ...jest.requireActual('./namespace-target'),
  runIp: jest.fn(),
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
  readProcFilesMock.mockResolvedValue(ok('/proc/sys/net/ipv4/ip_forward:1\n/proc/sys/net/ipv4/conf/all/proxy_arp:0\n'));
});

describe('collectNamespace', () => {
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
