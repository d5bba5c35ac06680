import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NETLAB_FAULT_RULES } from '@routescope/checks';
import { launchApi, until, untilChecksIdle, type LaunchedApi } from '@routescope/testing';

// Every netlab fault, end to end on the real kernel: collectors of both lab nodes post to the
// built API; each injected fault must open its finding (naming the right node and the pod or
// veth) from the collectors' next posts, and `netlab heal` must resolve it. Root only.
//
// The collectors post every 500 ms (the suite's 22 waits, one per fault and one per heal, each
// last about one interval plus ingest and the checks: at 1 s they were most of its time); a wait
// that runs out fails after SETTLE_MS, a deadline for a loaded machine, not a speed the test expects.

const root = resolve(__dirname, '../../..');
const collectorBin = join(root, 'apps/collector/dist/routescope-collector.cjs');
const netlabScript = join(root, 'tools/netlab/netlab');
const PREFIX = 'rf-';
const INTERVAL_MS = 500;
const SETTLE_MS = 30_000;

const netlab = (...args: string[]) => execFileSync(netlabScript, args, { env: { ...process.env, NETLAB_PREFIX: PREFIX }, encoding: 'utf8' });

interface OpenFinding {
  node: string;
  rule: string;
  subject: string;
  message: string;
}

if (process.getuid?.() !== 0) throw new Error('the findings end-to-end suite needs root (network namespaces); run it as root, as CI does');

describe('netlab faults open and heal resolves their findings', () => {
  const readToken = `rs_e2e_read_${randomBytes(12).toString('hex')}`;
  const ingestToken = `rs_e2e_ingest_${randomBytes(12).toString('hex')}`;
  const processes: ChildProcess[] = [];
  let api: LaunchedApi | undefined;
  let dataDir: string;
  let base: string;
  let lab: { pods: Array<{ name: string; namespace: string; node: string; hostVeth: string }> };

  async function openFindings(): Promise<OpenFinding[]> {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readToken}` },
      body: JSON.stringify({ query: 'query($now: DateTime) { findings(filter: { openAt: $now }, first: 1000) { edges { node { node rule subject message } } } }', variables: { now: new Date().toISOString() } }),
    });
    const body = (await response.json()) as { data?: { findings: { edges: Array<{ node: OpenFinding }> } }; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data.findings.edges.map((e) => e.node);
  }

  /**
   * Polls until `accept` holds, for at most `ms`; returns the last findings seen either way. A
   * failed request counts as "not yet" until the deadline: netlab runs synchronously and, on a
   * loaded machine, blocks this process for seconds, so fetch's keep-alive timer fires late and
   * the next poll can go out on a socket the API has just closed ("other side closed").
   */
  async function settle(accept: (findings: OpenFinding[]) => boolean, ms: number): Promise<OpenFinding[]> {
    const deadline = Date.now() + ms;
    let last: OpenFinding[] = [];
    for (;;) {
      try {
        last = await openFindings();
        if (accept(last)) return last;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
      }
      if (Date.now() >= deadline) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    netlab('up');
    lab = JSON.parse(netlab('info'));
    dataDir = await mkdtemp(join(tmpdir(), 'rs-findings-'));
    api = await launchApi({
      cwd: root,
      readyTimeoutMs: 60_000,
      env: { ROUTESCOPE_DATA_DIR: join(dataDir, 'data'), ROUTESCOPE_INGEST_TOKEN: ingestToken, ROUTESCOPE_READ_TOKEN: readToken, ROUTESCOPE_LOG_LEVEL: 'warn', DATABASE_URL: undefined, KUBECONFIG: undefined },
    });
    base = api.url;
    for (const node of ['node-a', 'node-b']) {
      const collector = spawn(process.execPath, [collectorBin, 'run', '--server', base, '--netns', `${PREFIX}${node}`, '--interval', `${INTERVAL_MS}ms`, '--spool', join(dataDir, node)], {
        env: { ...process.env, ROUTESCOPE_TOKEN: ingestToken },
        stdio: 'ignore',
      });
      processes.push(collector);
    }
  }, 120000);

  afterAll(async () => {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all([api?.stop(), ...processes.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : undefined))]);
    netlab('down');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the healthy lab has no open findings', async () => {
    // Both nodes must have reported, and the checks evaluated their states, before "none" means anything.
    await until('both nodes to report', async () => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${readToken}` },
        body: JSON.stringify({ query: '{ nodes { edges { node { name } } } }' }),
      });
      const body = (await response.json()) as { data?: { nodes: { edges: Array<{ node: { name: string } }> } } };
      const names = body.data?.nodes.edges.map((e) => e.node.name) ?? [];
      return names.includes(`${PREFIX}node-a`) && names.includes(`${PREFIX}node-b`) ? true : undefined;
    });
    await untilChecksIdle(base);
    expect(await openFindings()).toEqual([]);
  });

  const podA1 = () => lab.pods.find((p) => p.name === 'pod-a1')!;

  it.each(Object.entries(NETLAB_FAULT_RULES))('%s opens %s naming the node and the pod or veth, and heal resolves it', async (fault, rule) => {
    netlab('fault', fault);
    const matches = (f: OpenFinding) => f.rule === rule;
    const found = await settle((all) => all.some(matches), SETTLE_MS);
    const finding = found.find(matches);
    expect({ fault, finding }).toEqual({ fault, finding: expect.objectContaining({ rule }) });
    const target = podA1();
    const subjectOrMessage = `${finding!.subject} ${finding!.message}`;
    if (fault.startsWith('remote-block')) {
      expect(finding!.node).toBe(`${PREFIX}node-a`);
      expect(subjectOrMessage).toContain('172.17.8.64/26');
    } else if (fault === 'duplicate-pod-ip') {
      expect(subjectOrMessage).toContain('172.17.8.2');
    } else if (['ip-forward-off', 'default-route-missing', 'blackhole-missing'].includes(fault)) {
      expect(finding!.node).toBe(`${PREFIX}node-a`);
    } else {
      expect(finding!.node).toBe(`${PREFIX}node-a`);
      expect(subjectOrMessage.includes(target.hostVeth) || subjectOrMessage.includes(target.namespace)).toBe(true);
    }
    netlab('heal');
    const after = await settle((all) => all.length === 0, SETTLE_MS);
    expect({ fault, open: after }).toEqual({ fault, open: [] });
  });
});
