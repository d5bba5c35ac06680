import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchApi, until, type LaunchedApi } from '@routescope/testing';
import { apiBundle, collectorBin, repoRoot } from './support/api-process';

// Live probes end to end on the real kernel: the built API and the built collector
// (`routescope-collector run --probes`) as real processes over real HTTP, the netlab's pods, the
// collector's own tcpdump -e. A proxy-arp probe asked through GraphQL reaches the collector
// through its long-poll, runs in the lab and comes back with its frames: verified on the healthy
// lab, no-arp-reply under proxy-arp-off (opening PROBE_PROXY_ARP_FAILED), and verified again
// after heal (resolving it). Root only; run under `flock /tmp/netlab.lock`.

const PREFIX = 'rq-';
const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';
const netlabScript = join(repoRoot, 'tools/netlab/netlab');
const netlab = (...args: string[]) => execFileSync(netlabScript, args, { env: { ...process.env, NETLAB_PREFIX: PREFIX }, encoding: 'utf8' });

interface LabPod {
  name: string;
  namespace: string;
  node: string;
  nodeNamespace: string;
  hostVeth: string;
  ip: string;
  podMac: string;
}

interface Frame {
  srcMac?: string;
  dstMac?: string;
  arp?: { op: string; targetIp?: string; senderIp?: string; resolvedMac?: string };
  ip?: { icmp?: string };
}

interface ProbeView {
  id: string;
  state: string;
  verdict: string | null;
  reason: string | null;
  requestedBy: string;
  ping: { sent: number; received: number } | null;
  captures: Array<{ point: string; device: string; lines: string[]; frames: Frame[] }>;
}

if (process.getuid?.() !== 0) throw new Error('the probes end-to-end suite needs root (network namespaces); run it as root, as CI does');

describe('live probes on the netlab: GraphQL → API → collector long-poll → tcpdump → verdict', () => {
  const admin = `rs_e2e_admin_${randomBytes(12).toString('hex')}`;
  const processes: ChildProcess[] = [];
  let api: LaunchedApi | undefined;
  let dataDir: string;
  let base: string;
  let podA1: LabPod;
  let node: string;

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  }

  /** Asks for a proxy-arp probe of pod-a1 and waits until the collector's result is in. */
  async function proxyArpProbe(): Promise<ProbeView> {
    const requested = await graphql<{ requestProbe: { id: string } }>('mutation($input: RequestProbeInput!) { requestProbe(input: $input) { id } }', { input: { node, pod: podA1.namespace, kind: 'PROXY_ARP' } });
    if (!requested.data) throw new Error(JSON.stringify(requested.errors));
    const id = requested.data.requestProbe.id;
    return until(
      `probe ${id} to finish`,
      async () => {
        const read = await graphql<{ probe: ProbeView }>('query($id: ID!) { probe(id: $id) { id state verdict reason requestedBy ping { sent received } captures { point device lines frames } } }', { id });
        const probe = read.data?.probe;
        if (probe && probe.state !== 'QUEUED' && probe.state !== 'DISPATCHED') return probe;
        return undefined;
      },
      30_000,
    );
  }

  async function probeFinding(): Promise<{ open: boolean; subject: string; evidence: Array<{ kind: string; key: string; attrs: Record<string, unknown> }> } | undefined> {
    const read = await graphql<{ findings: { edges: Array<{ node: { open: boolean; subject: string; evidence: never } }> } }>(
      'query($node: String) { findings(filter: { node: $node, rule: "PROBE_PROXY_ARP_FAILED" }) { edges { node { open subject evidence } } } }',
      { node },
    );
    return read.data?.findings.edges[0]?.node;
  }

  const capture = (probe: ProbeView, point: string) => probe.captures.find((c) => c.point === point)!;
  const gatewayArp = (frames: Frame[], op: string) => frames.filter((f) => f.arp?.op === op && f.arp.targetIp === '169.254.1.1');

  beforeAll(async () => {
    netlab('up');
    const lab = JSON.parse(netlab('info')) as { pods: LabPod[] };
    podA1 = lab.pods.find((p) => p.name === 'pod-a1')!;
    node = podA1.nodeNamespace;
    dataDir = await mkdtemp(join(tmpdir(), 'rs-probes-'));
    api = await launchApi({
      bundle: apiBundle,
      cwd: repoRoot,
      readyTimeoutMs: 60_000,
      env: { ROUTESCOPE_DATA_DIR: join(dataDir, 'data'), ROUTESCOPE_ADMIN_TOKEN: admin, ROUTESCOPE_LOG_LEVEL: 'warn', DATABASE_URL: undefined, KUBECONFIG: undefined },
    });
    base = api.url;
    // the collector's own token, as an operator would make it: snapshots and probes, nothing else
    const created = await graphql<{ createToken: { secret: string } }>('mutation { createToken(name: "collector-rp", scopes: [ingest, probe_runner]) { secret } }');
    if (!created.data) throw new Error(JSON.stringify(created.errors));
    processes.push(
      spawn(process.execPath, [collectorBin, 'run', '--server', base, '--netns', node, '--interval', '1000ms', '--probes', '--spool', join(dataDir, 'spool')], {
        env: { ...process.env, ROUTESCOPE_TOKEN: created.data.createToken.secret },
        stdio: 'ignore',
      }),
    );
    await until(`${node} to report its pods`, async () => {
      const read = await graphql<{ node: { state: { pods: Array<{ name: string }> } } }>('query($name: String!) { node(name: $name) { state { pods { name } } } }', { name: node });
      return read.data?.node.state.pods.some((p) => p.name === podA1.namespace) ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all([api?.stop(), ...processes.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.on('exit', r)) : undefined))]);
    netlab('down');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a healthy pod is verified: the ARP request from its MAC answered is-at ee:ee:ee:ee:ee:ee by its veth, and echoes answered', async () => {
    const probe = await proxyArpProbe();
    expect({ state: probe.state, verdict: probe.verdict, requestedBy: probe.requestedBy }).toEqual({ state: 'DONE', verdict: 'VERIFIED', requestedBy: 'env-admin' });
    expect(probe.ping!.received).toBeGreaterThan(0);
    const veth = capture(probe, 'host-veth');
    expect(veth.device).toBe(podA1.hostVeth);
    expect(gatewayArp(veth.frames, 'request')[0]).toMatchObject({ srcMac: podA1.podMac, arp: { senderIp: podA1.ip } });
    expect(gatewayArp(veth.frames, 'reply')[0]).toMatchObject({ srcMac: CALICO_MAC, dstMac: podA1.podMac, arp: { resolvedMac: CALICO_MAC } });
    expect(veth.frames.some((f) => f.ip?.icmp === 'echo-reply' && f.srcMac === CALICO_MAC)).toBe(true);
    expect(veth.lines.some((l) => l.includes(`Reply 169.254.1.1 is-at ${CALICO_MAC}`))).toBe(true);
    expect(await probeFinding()).toBeUndefined();
  });

  it('under proxy-arp-off the pod gets no ARP reply and PROBE_PROXY_ARP_FAILED opens; after heal a verified probe resolves it', async () => {
    netlab('fault', 'proxy-arp-off');
    try {
      const failed = await proxyArpProbe();
      expect({ state: failed.state, verdict: failed.verdict }).toEqual({ state: 'DONE', verdict: 'NO_ARP_REPLY' });
      for (const point of ['pod', 'host-veth']) {
        const frames = capture(failed, point).frames;
        expect(gatewayArp(frames, 'request').length).toBeGreaterThan(0);
        expect(gatewayArp(frames, 'request')[0]).toMatchObject({ srcMac: podA1.podMac });
        expect(gatewayArp(frames, 'reply')).toEqual([]);
        expect(frames.some((f) => f.ip?.icmp === 'echo-reply')).toBe(false);
      }
      const opened = await probeFinding();
      expect(opened).toMatchObject({ open: true, subject: `pod:${podA1.namespace}` });
      expect(opened!.evidence[0]).toMatchObject({ kind: 'probe', key: failed.id, attrs: { verdict: 'no-arp-reply' } });
      expect(opened!.evidence.filter((e) => e.kind === 'frame').length).toBeGreaterThan(0);
    } finally {
      netlab('heal');
    }
    const passed = await proxyArpProbe();
    expect(passed.verdict).toBe('VERIFIED');
    expect(await probeFinding()).toMatchObject({ open: false, subject: `pod:${podA1.namespace}` });
  });
});
