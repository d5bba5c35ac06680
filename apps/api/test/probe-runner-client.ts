import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureFromOutput, judgeProbe, type ProbeJob, type ProbeResult } from '@routescope/probe';

/**
 * The collector's side of the probe channel over real HTTP, for tests and the bench where the
 * real collector and the netlab do not run: it long-polls GET /api/v1/probes/next like
 * `routescope-collector run --probes` and answers with captures built from real netlab tcpdump
 * output (libs/probe/test/fixtures, taken with tcpdump -e -n -l in the lab) through the same
 * contract code the collector uses (captureFromOutput, judgeProbe).
 */
export class ProbeRunnerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async next(node: string, waitSeconds: number, signal?: AbortSignal): Promise<{ status: number; job?: ProbeJob; body?: unknown }> {
    const response = await fetch(`${this.baseUrl}/api/v1/probes/next?node=${encodeURIComponent(node)}&wait=${waitSeconds}`, { headers: { authorization: `Bearer ${this.token}` }, signal });
    if (response.status === 200) return { status: 200, job: (await response.json()) as ProbeJob };
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async post(id: string, result: unknown): Promise<{ status: number; body?: { error: string; message: string; details?: Array<{ path: string; message: string }> } }> {
    const response = await fetch(`${this.baseUrl}/api/v1/probes/${id}/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(result),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as never) : undefined };
  }
}

const FIXTURES = join(__dirname, '../../../libs/probe/test/fixtures');

/** Netlab captures of a proxy-arp probe: healthy wiring and each fault the fixtures hold. */
export type ProxyArpScene = 'healthy' | 'proxy-arp-off' | 'veth-mac-wrong' | 'ip-forward-off' | 'default-route-missing';

/** The result a collector would post for `job` if the wire showed `scene` (the verdict judged by libs/probe, not written here). */
export function proxyArpResult(job: ProbeJob, scene: ProxyArpScene, veth = 'cali1a2b3c4d5e6'): ProbeResult {
  const read = (name: string) => readFileSync(join(FIXTURES, `${scene}.${name}.txt`), 'utf8');
  const captures = [
    captureFromOutput({ point: 'pod', device: 'eth0', netns: job.pod, pod: job.pod }, read('pod')).capture,
    captureFromOutput({ point: 'host-veth', device: veth, pod: job.pod }, read('veth')).capture,
  ];
  const echoes = (text: string, kind: string) => text.split('\n').filter((l) => l.includes(`ICMP echo ${kind}`)).length;
  const podText = read('pod');
  const ping = { sent: echoes(podText, 'request'), received: echoes(podText, 'reply') };
  const judged = judgeProbe({ kind: 'proxy-arp', node: job.node, pod: job.pod, captures, ping });
  const finishedAt = new Date();
  return { id: job.id, kind: 'proxy-arp', node: job.node, pod: job.pod, verdict: judged.verdict, reason: judged.reason, startedAt: new Date(finishedAt.getTime() - job.timeoutMs).toISOString(), finishedAt: finishedAt.toISOString(), captures, ping };
}
