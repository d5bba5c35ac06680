import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testing } from '@routescope/db';
import { canonicalJson, snapshotToFacts, validateSnapshot, type Fact } from '@routescope/snapshot';
import { launchApi, until, type LaunchedApi } from '@routescope/testing';

// Real processes and real HTTP on the real kernel: tools/netlab builds a Calico-like node in
// network namespaces, the built collector (`run`) posts it to the built API, and GraphQL must
// show exactly what the kernel did. Root only (network namespaces), as CI runs it.

const root = resolve(__dirname, '../../..');
const collectorBin = join(root, 'apps/collector/dist/routescope-collector.cjs');
const netlabScript = join(root, 'tools/netlab/netlab');
const PREFIX = 'ra-';
const NODE = `${PREFIX}node-a`;

const netlab = (...args: string[]) => execFileSync(netlabScript, args, { env: { ...process.env, NETLAB_PREFIX: PREFIX }, encoding: 'utf8' });
const token = (name: string) => `rs_e2e_${name}_${randomBytes(12).toString('hex')}`;

const line = (f: Pick<Fact, 'ns' | 'kind' | 'key' | 'attrs'>) => `${f.ns} ${f.kind} ${f.key} ${canonicalJson(f.attrs)}`;

/** What the kernel has now, read by a one-shot `collect` of the same namespace. */
function kernelFacts(): string[] {
  const out = execFileSync(process.execPath, [collectorBin, 'collect', '--netns', NODE, '--out', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const validation = validateSnapshot(JSON.parse(out));
  if (!validation.ok) throw new Error('collect produced an invalid snapshot');
  return snapshotToFacts(validation.snapshot).map(line).sort();
}

if (process.getuid?.() !== 0) throw new Error('the API end-to-end suite needs root (network namespaces); run it as root, as CI does');

for (const kind of testing.testDatabaseKinds()) {
  describe(`netlab → collector run → API → GraphQL [${kind}]`, () => {
    const tokens = { ingest: token('ingest'), read: token('read') };
    const processes: ChildProcess[] = [];
    let database: testing.TestDatabase | undefined;
    let dataDir: string;
    let base: string;
    let api: LaunchedApi | undefined;

    async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.read}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data as T;
    }

    const stateVersion = async () =>
      (await graphql<{ nodes: { edges: Array<{ node: { name: string; stateVersion: number; lastSeenAt: string } }> } }>('{ nodes { edges { node { name stateVersion lastSeenAt } } } }')).nodes.edges.find(
        (e) => e.node.name === NODE,
      )?.node;

    async function stateAt(at: string): Promise<string[]> {
      const data = await graphql<{ node: { state: { facts: Array<{ namespace: string; kind: string; key: string; attrs: Fact['attrs'] }> } } }>(
        'query($n: String!, $at: DateTime) { node(name: $n) { state(at: $at) { facts { namespace kind key attrs } } } }',
        { n: NODE, at },
      );
      return data.node.state.facts.map((f) => line({ ns: f.namespace, kind: f.kind.toLowerCase() as Fact['kind'], key: f.key, attrs: f.attrs })).sort();
    }

    /** Waits until the collector has posted a snapshot that changed the state, and returns that node head. */
    async function nextChange(after: number) {
      return until(`a state version after ${after}`, async () => {
        const head = await stateVersion();
        return head && head.stateVersion > after ? head : undefined;
      });
    }

    beforeAll(async () => {
      netlab('up');
      // Pods re-resolve 169.254.1.1 on traffic only; start from empty caches so that faults,
      // which flush them, change nothing but what they inject.
      for (const pod of ['pod-a1', 'pod-a2']) execFileSync('ip', ['-n', `${PREFIX}${pod}`, 'neigh', 'flush', 'all']);
      dataDir = await mkdtemp(join(tmpdir(), 'rs-e2e-'));
      if (kind === 'postgres') database = await testing.createTestDatabase('postgres', { migrate: false });
      api = await launchApi({
        cwd: root,
        readyTimeoutMs: 60_000,
        env: { ROUTESCOPE_DATA_DIR: join(dataDir, 'data'), ROUTESCOPE_INGEST_TOKEN: tokens.ingest, ROUTESCOPE_READ_TOKEN: tokens.read, ROUTESCOPE_LOG_LEVEL: 'warn', DATABASE_URL: database?.databaseUrl },
      });
      base = api.url;
      const collector = spawn(process.execPath, [collectorBin, 'run', '--server', base, '--netns', NODE, '--interval', '500ms', '--spool', join(dataDir, 'spool')], {
        env: { ...process.env, ROUTESCOPE_TOKEN: tokens.ingest },
        stdio: 'ignore',
      });
      processes.push(collector);
    }, 120000);

    afterAll(async () => {
      for (const child of processes) child.kill('SIGTERM');
      await Promise.all([api?.stop(), ...processes.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : undefined))]);
      netlab('down');
      await database?.dispose();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('records proxy-arp-off as exactly one change, and state(at) matches the kernel before, during and after', async () => {
      const first = await nextChange(0);
      const healthyKernel = kernelFacts();
      // Two more snapshots of an idle node (lastSeenAt moves on each): nothing changes.
      const seen = await until('another snapshot', async () => {
        const head = await stateVersion();
        return head && head.lastSeenAt > first.lastSeenAt ? head : undefined;
      });
      const idle = await until('one more snapshot', async () => {
        const head = await stateVersion();
        return head && head.lastSeenAt > seen.lastSeenAt ? head : undefined;
      });
      expect(idle.stateVersion).toBe(first.stateVersion);
      const beforeFault = idle.lastSeenAt;

      netlab('fault', 'proxy-arp-off');
      const faulted = await nextChange(first.stateVersion);
      const faultKernel = kernelFacts();
      const veth = JSON.parse(netlab('info')).pods.find((p: { name: string }) => p.name === 'pod-a1').hostVeth as string;

      const diff = await graphql<{ diff: { changeCount: number; host: { sysctls: { changed: Array<{ key: string; before: { value: string }; after: { value: string } }> } }; pods: unknown[] } }>(
        'query($n: String!, $f: DateTime, $t: DateTime) { diff(node: $n, from: $f, to: $t) { changeCount host { sysctls { changed { key before after } } } pods { namespace } } }',
        { n: NODE, f: beforeFault, t: faulted.lastSeenAt },
      );
      expect(diff.diff).toEqual({
        changeCount: 1,
        host: { sysctls: { changed: [{ key: `net/ipv4/conf/${veth}/proxy_arp`, before: { value: '1' }, after: { value: '0' } }] } },
        pods: [],
      });

      netlab('heal');
      const healed = await nextChange(faulted.stateVersion);
      const healedKernel = kernelFacts();

      expect(await stateAt(beforeFault)).toEqual(healthyKernel);
      expect(await stateAt(faulted.lastSeenAt)).toEqual(faultKernel);
      expect(await stateAt(healed.lastSeenAt)).toEqual(healedKernel);
      expect(healedKernel).toEqual(healthyKernel);
    });
  });
}
