import { expect, test } from '@playwright/test';
import { captureFromOutput, judgeProbe, type ProbeJob, type ProbeResult } from '@routescope/probe';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signIn, workspaceRoot } from './support/servers';
import { dashboardUrl, expectNoSeriousA11yViolations } from './support/page-checks';

// Live probes in a real browser against the real API process: click "Verify proxy ARP" on a pod,
// follow the probe's live status to its verdict, read the ladder and the raw tcpdump lines.
//
// The node's collector is played by this test over real HTTP with the collector's protocol (GET
// /api/v1/probes/next long-poll, POST /api/v1/probes/{id}/result): the netlab and its root
// privileges are not part of this suite. Its results are built from real netlab tcpdump -e output
// (libs/probe/test/fixtures) by the contract's own code (captureFromOutput, judgeProbe), so the
// verdict is judged, not written here. The real collector against the netlab is covered by
// apps/api/e2e/netlab-probes.e2e.spec.ts.

const ARTIFACTS = join(__dirname, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });
const FIXTURES = join(workspaceRoot, 'libs/probe/test/fixtures');
const POD_A2 = 'cni-0a2a2a2a-0000-4000-8000-00000000a002';
const VETH_A2 = 'calia2a2a2a2a02';

const apiUrl = () => process.env.E2E_API_URL!;

/** One long-poll of the collector protocol, as `routescope-collector run --probes` sends it. */
async function nextJob(node: string, signal: AbortSignal): Promise<ProbeJob | undefined> {
  for (;;) {
    const response = await fetch(`${apiUrl()}/api/v1/probes/next?node=${node}&wait=25`, { headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN!}` }, signal });
    if (response.status === 200) return (await response.json()) as ProbeJob;
    if (response.status !== 204) throw new Error(`GET /api/v1/probes/next answered ${response.status}: ${await response.text()}`);
  }
}

function resultFor(job: ProbeJob, scene: 'healthy' | 'proxy-arp-off'): ProbeResult {
  const read = (point: string) => readFileSync(join(FIXTURES, `${scene}.${point}.txt`), 'utf8');
  const captures = [
    captureFromOutput({ point: 'pod', device: 'eth0', netns: job.pod, pod: job.pod }, read('pod')).capture,
    captureFromOutput({ point: 'host-veth', device: VETH_A2, pod: job.pod }, read('veth')).capture,
  ];
  const count = (kind: string) => read('pod').split('\n').filter((l) => l.includes(`ICMP echo ${kind}`)).length;
  const ping = { sent: count('request'), received: count('reply') };
  const judged = judgeProbe({ kind: 'proxy-arp', node: job.node, pod: job.pod, captures, ping });
  const finished = new Date();
  return { id: job.id, kind: 'proxy-arp', node: job.node, pod: job.pod, verdict: judged.verdict, reason: judged.reason, startedAt: new Date(finished.getTime() - job.timeoutMs).toISOString(), finishedAt: finished.toISOString(), captures, ping };
}

/** A path probe's result from the netlab's pod-a1 → pod-b1 captures (172.17.8.66 on node-b), leaving node-a by vxlan.calico. */
function pathResultFor(job: ProbeJob): ProbeResult {
  const read = (point: string) => readFileSync(join(FIXTURES, `path-healthy.${point}.txt`), 'utf8');
  const captures = [
    captureFromOutput({ point: 'pod', device: 'eth0', netns: job.pod, pod: job.pod }, read('pod')).capture,
    captureFromOutput({ point: 'host-veth', device: VETH_A2, pod: job.pod }, read('veth')).capture,
    captureFromOutput({ point: 'egress', device: 'vxlan.calico', pod: job.pod }, read('egress')).capture,
  ];
  const count = (kind: string) => read('pod').split('\n').filter((l) => l.includes(`ICMP echo ${kind}`)).length;
  const ping = { sent: count('request'), received: count('reply') };
  const judged = judgeProbe({ kind: 'path', node: job.node, pod: job.pod, target: job.target, captures, ping, route: { device: 'vxlan.calico', tunnels: ['vxlan.calico'] } });
  const finished = new Date();
  return { id: job.id, kind: 'path', node: job.node, pod: job.pod, target: job.target, verdict: judged.verdict, reason: judged.reason, path: judged.path, startedAt: new Date(finished.getTime() - job.timeoutMs).toISOString(), finishedAt: finished.toISOString(), captures, ping };
}

async function postResult(result: ProbeResult): Promise<void> {
  const response = await fetch(`${apiUrl()}/api/v1/probes/${result.id}/result`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN!}` },
    body: JSON.stringify(result),
  });
  expect(response.status).toBe(204);
}

test.describe('live probes', () => {
  test('Verify proxy ARP: the click queues a probe, the page follows it live to VERIFIED and draws its frames as a ladder', async ({ browser }) => {
    // the admin token holds the probe scope; the suite's default session (read) does not
    const session = await signIn(dashboardUrl(), process.env.E2E_ADMIN_TOKEN!);
    const context = await browser.newContext({ storageState: { cookies: [{ ...session, domain: '127.0.0.1', path: '/', sameSite: 'Strict' }], origins: [] } });
    const page = await context.newPage();
    const collector = new AbortController();
    const job = nextJob('node-a', collector.signal);
    try {
      await page.goto(`${dashboardUrl()}/nodes/node-a?tab=pods`);
      await page.getByRole('button', { name: `Verify proxy ARP of pod ${POD_A2}` }).click();
      await expect(page).toHaveURL(/\/probes\/[0-9a-f-]{36}$/);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(`proxy-ARP probe of pod ${POD_A2} on node-a`);
      const taken = await job;
      expect(taken).toMatchObject({ kind: 'proxy-arp', node: 'node-a', pod: POD_A2 });
      expect(page.url()).toContain(taken!.id);
      // dispatched: the page hears it through the subscription (no reload by the test)
      await expect(page.getByTestId('probe-state')).toHaveAttribute('data-state', 'DISPATCHED');
      await expect(page.getByTestId('probe-state')).toContainText('Running');
      await expectNoSeriousA11yViolations(page, 'probe running');

      const result = resultFor(taken!, 'healthy');
      expect(result.verdict).toBe('verified');
      await postResult(result);
      await expect(page.getByTestId('probe-state')).toHaveAttribute('data-state', 'DONE');
      await expect(page.getByTestId('probe-verdict')).toHaveAttribute('data-verdict', 'VERIFIED');

      const ladder = page.getByTestId('probe-ladder');
      await expect(ladder).toContainText(`pod eth0 ↔ host ${VETH_A2}`);
      const steps = ladder.locator('li.probe-step');
      const request = steps.filter({ hasText: 'ARP request: who-has 169.254.1.1' }).first();
      await expect(request).toHaveAttribute('data-from', 'pod');
      await expect(request).toHaveAttribute('data-to', 'host-veth');
      const reply = steps.filter({ hasText: 'ARP reply: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee' }).first();
      await expect(reply).toHaveAttribute('data-from', 'host-veth');
      await expect(reply).toContainText('ee:ee:ee:ee:ee:ee → ');
      await expect(reply).toContainText(/\d\d:\d\d:\d\d\.\d+/);
      await expect(steps.filter({ hasText: 'ICMP echo reply' }).first()).toHaveAttribute('data-to', 'pod');
      await expect(page.getByTestId('probe-raw-host-veth')).toContainText('Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
      await expect(page.getByRole('link', { name: /^State of node-a at / })).toHaveAttribute('href', /\/nodes\/node-a\?at=.*&tab=pods/);
      await page.screenshot({ path: join(ARTIFACTS, 'probe-verified.png'), fullPage: true });
      await expectNoSeriousA11yViolations(page, 'probe verified');

      // the probe is an event of the node now, beside its timeline
      await page.goto(`${dashboardUrl()}/nodes/node-a`);
      await expect(page.getByTestId('node-probe').first()).toContainText(`proxy ARP of ${POD_A2}: verified`);
    } finally {
      collector.abort();
      await job.catch(() => undefined);
      await context.close();
    }
  });

  test('Trace to…: a target that is no IP is refused on the trace page and nothing is queued; at now, "verify now" queues a path probe whose page says how far the pings got', async ({ browser }) => {
    const session = await signIn(dashboardUrl(), process.env.E2E_ADMIN_TOKEN!);
    const context = await browser.newContext({ storageState: { cookies: [{ ...session, domain: '127.0.0.1', path: '/', sameSite: 'Strict' }], origins: [] } });
    const page = await context.newPage();
    const collector = new AbortController();
    let job: Promise<ProbeJob | undefined> | undefined;
    try {
      const traceFrom = async (target: string) => {
        await page.goto(`${dashboardUrl()}/nodes/node-a?tab=pods`);
        const form = page.getByRole('form', { name: `Trace from pod ${POD_A2}` });
        await form.getByRole('textbox', { name: `Target IP to trace to from pod ${POD_A2}` }).fill(target);
        await form.getByRole('button', { name: 'Trace to…' }).click();
        await expect(page).toHaveURL(/\/trace\?/);
      };
      await traceFrom('db.example');
      await expect(page.getByRole('alert').filter({ hasText: 'The trace could not run' })).toContainText('"db.example"');
      await expect(page.getByRole('button', { name: /^Verify now/ })).toHaveCount(0);
      await expectNoSeriousA11yViolations(page, 'trace refused');
      const nothing = await fetch(`${apiUrl()}/api/v1/probes/next?node=node-a&wait=0`, { headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN!}` } });
      expect(nothing.status).toBe(204);

      job = nextJob('node-a', collector.signal);
      await traceFrom('172.17.8.66');
      await expect(page.getByTestId('trace-verdict')).toBeVisible();
      await page.getByRole('button', { name: `Verify now: probe the path from pod ${POD_A2} to 172.17.8.66 live` }).click();
      await expect(page).toHaveURL(/\/probes\/[0-9a-f-]{36}$/);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(`path probe of pod ${POD_A2} on node-a to 172.17.8.66`);
      const taken = await job;
      expect(taken).toMatchObject({ kind: 'path', node: 'node-a', pod: POD_A2, target: '172.17.8.66' });
      await expect(page.getByTestId('probe-state')).toHaveAttribute('data-state', 'DISPATCHED');

      // the page may have rendered DISPATCHED itself (the job was taken before it loaded): post once it listens
      await expect(page.locator('.live')).toHaveAttribute('data-state', 'live');
      const result = pathResultFor(taken!);
      expect(result.verdict).toBe('answered');
      await postResult(result);
      await expect(page.getByTestId('probe-state')).toHaveAttribute('data-state', 'DONE');
      await expect(page.getByTestId('probe-verdict')).toHaveAttribute('data-verdict', 'ANSWERED');
      await expect(page.getByTestId('probe-path')).toHaveText('left the pod; the route leaves by vxlan.calico; left the node; answered');
      await expect(page.getByTestId('probe-ladder')).toContainText('egress vxlan.calico');
      await expect(page.getByTestId('probe-raw-egress')).toContainText('172.17.8.66 > ');
      await page.screenshot({ path: join(ARTIFACTS, 'probe-path-answered.png'), fullPage: true });
      await expectNoSeriousA11yViolations(page, 'path probe answered');

      // the incident review of the last hour lists it, tells it in its story, and exports it
      await page.goto(`${dashboardUrl()}/review`);
      const listed = page.getByTestId('review-probe').filter({ hasText: 'path to 172.17.8.66' });
      await expect(listed).toHaveCount(1);
      await expect(listed).toHaveAttribute('data-verdict', 'ANSWERED');
      await expect(listed).toContainText(`of ${POD_A2} on node-a: answered`);
      await expect(listed.getByRole('link', { name: 'path to 172.17.8.66' })).toHaveAttribute('href', `/probes/${taken!.id}`);
      await expect(page.getByTestId('story').locator('li[data-kind="probe"]').filter({ hasText: 'path to 172.17.8.66' })).toContainText(`of ${POD_A2}: answered`);
      await expectNoSeriousA11yViolations(page, 'review with probes');
      const exported = await page.request.get(`${dashboardUrl()}/review/export`);
      expect(exported.status()).toBe(200);
      const line = (await exported.text()).split('\n').find((l) => l.includes(`/probes/${taken!.id})`));
      expect(line).toContain(`[path to 172.17.8.66](`);
      expect(line).toContain(`of pod \`${POD_A2}\` on [node-a](`);
      expect(line).toContain('**answered**');
    } finally {
      collector.abort();
      await job?.catch(() => undefined);
      await context.close();
    }
  });

  test('a result posted before the page’s live stream connects is not lost: the page reads the probe again once it listens', async ({ browser }) => {
    const session = await signIn(dashboardUrl(), process.env.E2E_ADMIN_TOKEN!);
    const context = await browser.newContext({ storageState: { cookies: [{ ...session, domain: '127.0.0.1', path: '/', sameSite: 'Strict' }], origins: [] } });
    const page = await context.newPage();
    const collector = new AbortController();
    const job = nextJob('node-a', collector.signal);
    // The page's live stream (/api/live) is held until the result is in: the worst order there is.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/live**', async (route) => {
      await released;
      await route.continue();
    });
    try {
      await page.goto(`${dashboardUrl()}/nodes/node-a?tab=pods`);
      await page.getByRole('button', { name: `Verify proxy ARP of pod ${POD_A2}` }).click();
      await expect(page).toHaveURL(/\/probes\/[0-9a-f-]{36}$/);
      const taken = await job;
      await expect(page.getByTestId('probe-state')).toHaveAttribute('data-state', /^(QUEUED|DISPATCHED)$/);
      await postResult(resultFor(taken!, 'healthy'));
      release();
      await expect(page.getByTestId('probe-state')).toHaveAttribute('data-state', 'DONE', { timeout: 30_000 });
      await expect(page.getByTestId('probe-verdict')).toHaveAttribute('data-verdict', 'VERIFIED');
    } finally {
      release();
      collector.abort();
      await job.catch(() => undefined);
      await context.close();
    }
  });

  test('a token without the probe scope gets told so at the button, and nothing is queued', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/nodes/node-a?tab=pods`);
    await page.getByRole('button', { name: `Verify proxy ARP of pod ${POD_A2}` }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Your token may not run probes' })).toContainText('Your token may not run probes. Sign in with a token that has the probe scope');
    await expect(page).toHaveURL(/\/nodes\/node-a/);
    const next = await fetch(`${apiUrl()}/api/v1/probes/next?node=node-a&wait=0`, { headers: { authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN!}` } });
    expect(next.status).toBe(204);
  });
});
