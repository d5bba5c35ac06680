import { expect, test, type Page, type Request } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './support/servers';
import { dashboardUrl, expectNoSeriousA11yViolations } from './support/page-checks';

// "Check a capture" in a real browser against the real API: real captures from the field corpus
// pasted into the page, checked through the dashboard's server (a POST), their findings, coverage
// and ARP ladder shown, evidence lines lit up, the paste shared through the URL fragment only.

const ARTIFACTS = join(__dirname, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });
const fieldCapture = (slug: string) => readFileSync(join(workspaceRoot, 'libs/snapshot/test/field', `${slug}.capture.txt`), 'utf8');

/** calicoctl node status with seven mesh peers stuck in `start` (kops#10546). */
const PEERS_DOWN = fieldCapture('kops-10546-calicoctl-connection-refused');
/** tcpdump on a node: the pod's ARP for 169.254.1.1 answered is-at ee:ee:ee:ee:ee:ee (kubernetes/community#7918). */
const ARP_ANSWERED = fieldCapture('k8s-community-7918-node-tcpdump-proxy-arp-answered');
/**
 * `tcpdump -e -n -i calirsp0` on a lab pod's host veth with proxy_arp=0, captured with the real tcpdump
 * (libs/snapshot/test/fixtures/text/README.md); pasted under the header naming that command, as a ticket would.
 */
const labTcpdump = (file: string) => `--- tcpdump -e -n -i calirsp0\n${readFileSync(join(workspaceRoot, 'libs/snapshot/test/fixtures/text', file), 'utf8')}`;
const ARP_UNANSWERED = labTcpdump('tcpdump-e-n-unanswered.txt');
/** The same veth with proxy_arp on while the pod pings the node: ARP answered, then echo request and reply. */
const PING_HEALTHY = labTcpdump('tcpdump-e-n.txt');

/** Every request the page makes, to prove where the paste goes (a POST body) and where it never goes (a URL). */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  return requests;
}

async function paste(page: Page, text: string): Promise<void> {
  await page.getByLabel(/Paste what the ticket shows/).fill(text);
}

test.describe('check a capture', () => {
  test('is linked from the navigation; a calicoctl paste shows its coverage and each down peer, lit up in the text on click; passes axe', async ({ page }) => {
    const requests = recordRequests(page);
    await page.goto(`${dashboardUrl()}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Check a capture' }).click();
    await expect(page).toHaveURL(/\/check$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Check a capture' })).toBeVisible();
    await expect(page.getByTestId('capture-size')).toHaveText('0 B of at most 1.0 MiB.');

    await paste(page, PEERS_DOWN);
    await expect(page.getByTestId('capture-size')).toHaveText(`${(Buffer.byteLength(PEERS_DOWN) / 1024).toFixed(1)} KiB of at most 1.0 MiB.`);
    await page.getByRole('button', { name: 'Check', exact: true }).click();

    const findings = page.getByTestId('capture-findings').locator('li[data-rule]');
    await expect(findings).toHaveCount(7);
    await expect(page.getByTestId('capture-findings').locator('li[data-rule="CALICO_BGP_PEER_DOWN"]')).toHaveCount(7);
    const first = findings.first();
    await expect(first).toContainText('Error');
    await expect(first).toContainText('10.2.147.44');
    await expect(first).toContainText('Active Socket: Connection refused');
    await expect(page.getByTestId('capture-coverage').locator('li')).toHaveCount(1);
    await expect(page.getByTestId('capture-coverage').locator('li').first()).toHaveAttribute('data-status', 'READ');
    await expect(page.getByTestId('capture-coverage')).toContainText('read as calicoctl node status');
    await expect(page.getByTestId('capture-nodes')).toContainText('calico');
    await expect(page.getByRole('figure')).toHaveCount(0);

    // The peer 10.2.167.162 (Passive) is on line 15 of the paste: its finding lights that line up and scrolls to it.
    const passive = page.getByTestId('capture-findings').locator('li[data-rule]', { hasText: '10.2.167.162' });
    await passive.getByRole('button', { name: 'show line 15 in the capture' }).click();
    const line = page.getByTestId('capture-lines').locator('li[data-line="15"]');
    await expect(line).toHaveAttribute('data-highlighted', 'true');
    await expect(line.locator('mark')).toContainText('| 10.2.167.162 | node-to-node mesh | start | 00:21:18 | Passive');
    await expect(line).toBeInViewport();
    await expect(page.getByTestId('capture-lines').locator('li[data-highlighted]')).toHaveCount(1);

    // The paste went once, in the body of a POST to the dashboard's own server; never in a URL.
    const carrying = requests.filter((r) => (r.postData() ?? '').includes('10.2.147.44'));
    expect(carrying.map((r) => [r.method(), new URL(r.url()).origin])).toEqual([['POST', new URL(dashboardUrl()).origin]]);
    expect(requests.filter((r) => decodeURIComponent(r.url()).includes('10.2.147.44'))).toEqual([]);
    expect(page.url()).not.toContain('?');

    await page.screenshot({ path: join(ARTIFACTS, 'check-capture-bgp.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'check a capture (calicoctl)');
  });

  test('a tcpdump paste shows proxy ARP verified and the ARP ladder; its share link opens with the report, the paste only in the fragment', async ({ page, context }) => {
    await page.goto(`${dashboardUrl()}/check`);
    await paste(page, ARP_ANSWERED);
    await page.getByRole('button', { name: 'Check', exact: true }).click();

    const passed = page.getByTestId('capture-passed').locator('li[data-rule="CALICO_PROXY_ARP_VERIFIED"]');
    await expect(passed).toHaveCount(1);
    await expect(passed).toContainText('Proxy ARP verified: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
    await expect(page.getByTestId('capture-findings').locator('li[data-rule^="CALICO_ARP"]')).toHaveCount(0);
    // The poster cut lines out ("..."): the section is partial, and the page says why.
    const section = page.getByTestId('capture-coverage').locator('li').first();
    await expect(section).toHaveAttribute('data-status', 'PARTIAL');
    await expect(section).toContainText('Partial');
    await expect(section).toContainText('"..."');

    const ladder = page.getByRole('figure', { name: /^pod eth0 ↔ host/ });
    await expect(ladder).toBeVisible();
    const steps = ladder.getByRole('listitem');
    await expect(steps).toHaveCount(2);
    await expect(steps.nth(0)).toHaveAttribute('data-direction', 'to-host');
    await expect(steps.nth(0)).toContainText('ARP request: who-has 169.254.1.1 tell 172.18.88.13');
    await expect(steps.nth(0)).toContainText('09:47:41.318517');
    await expect(steps.nth(1)).toHaveAttribute('data-direction', 'to-pod');
    await expect(steps.nth(1)).toContainText('ARP reply: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
    await steps.nth(1).getByRole('button', { name: 'Show line 7 in the capture' }).click();
    await expect(page.getByTestId('capture-lines').locator('li[data-line="7"] mark')).toContainText('ARP, Reply 169.254.1.1 is-at ee:ee:ee:ee:ee:ee');
    await page.screenshot({ path: join(ARTIFACTS, 'check-capture-arp.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'check a capture (tcpdump)');

    // The link carries the paste after #, which the browser never sends: opened elsewhere, it checks at once.
    const shared = page.url();
    expect(new URL(shared).search).toBe('');
    expect(new URL(shared).hash).toMatch(/^#capture=[A-Za-z0-9_-]+$/);
    expect(shared).not.toContain('172.18.88.13');
    const other = await context.newPage();
    const requests = recordRequests(other);
    await other.goto(shared);
    await expect(other.getByTestId('capture-passed').locator('li[data-rule="CALICO_PROXY_ARP_VERIFIED"]')).toHaveCount(1);
    await expect(other.getByRole('figure', { name: /^pod eth0 ↔ host/ }).getByRole('listitem')).toHaveCount(2);
    await expect(other.getByLabel(/Paste what the ticket shows/)).toHaveValue(ARP_ANSWERED);
    const navigation = requests.find((r) => r.isNavigationRequest());
    expect(navigation && new URL(navigation.url()).hash).toBe('');
    expect(requests.filter((r) => r.url().includes('capture=')).map((r) => r.url())).toEqual([]);
  });

  test('a tcpdump -e paste of an unanswered ARP shows the error, its three requests lit up, and a ladder with MACs and no reply; passes axe', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/check`);
    await paste(page, ARP_UNANSWERED);
    await page.getByRole('button', { name: 'Check', exact: true }).click();

    const finding = page.getByTestId('capture-findings').locator('li[data-rule="CALICO_ARP_UNANSWERED"]');
    await expect(finding).toHaveCount(1);
    await expect(finding).toContainText('Error');
    await expect(finding).toContainText('asked who-has 169.254.1.1 3 times on calirsp0 and got no reply');
    await finding.getByRole('button', { name: 'show lines 2–3, 5 in the capture' }).click();
    await expect(page.getByTestId('capture-lines').locator('li[data-highlighted]')).toHaveCount(3);
    for (const n of [2, 3, 5]) await expect(page.getByTestId('capture-lines').locator(`li[data-line="${n}"] mark`)).toContainText('Request who-has 169.254.1.1 tell 10.244.1.5');
    // The router solicitation between them (line 4) is not evidence.
    await expect(page.getByTestId('capture-lines').locator('li[data-line="4"]')).not.toHaveAttribute('data-highlighted', 'true');

    const ladder = page.getByRole('figure', { name: 'pod eth0 ↔ host calirsp0 on node imported' });
    await expect(ladder).toContainText('10.244.1.5 · e2:8e:e9:c7:20:80');
    const steps = ladder.getByRole('listitem');
    await expect(steps).toHaveCount(3);
    for (let i = 0; i < 3; i++) {
      await expect(steps.nth(i)).toHaveAttribute('data-direction', 'to-host');
      await expect(steps.nth(i)).toContainText('e2:8e:e9:c7:20:80 → ff:ff:ff:ff:ff:ff');
    }
    await expect(ladder.getByTestId('ladder-unanswered')).toHaveText('No reply to the pod’s ARP request in the capture.');
    await page.screenshot({ path: join(ARTIFACTS, 'check-capture-arp-unanswered.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'check a capture (unanswered ARP)');
  });

  test('a tcpdump -e paste of a pod pinging its node draws ARP then ICMP echo on the ladder, with MACs, and no finding', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/check`);
    await paste(page, PING_HEALTHY);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('capture-passed').locator('li[data-rule="CALICO_PROXY_ARP_VERIFIED"]')).toContainText('is-at ee:ee:ee:ee:ee:ee on calirsp0');
    await expect(page.getByTestId('capture-findings').locator('li[data-rule]')).toHaveCount(0);
    const ladder = page.getByRole('figure', { name: 'pod eth0 ↔ host calirsp0 on node imported' });
    await expect(ladder).toContainText('10.244.1.5 · e2:8e:e9:c7:20:80');
    const steps = ladder.getByRole('listitem');
    await expect(steps).toHaveCount(4);
    const expected: Array<[string, string, string]> = [
      ['to-host', 'ARP request: who-has 169.254.1.1 tell 10.244.1.5', 'e2:8e:e9:c7:20:80 → ff:ff:ff:ff:ff:ff'],
      ['to-pod', 'ARP reply: 169.254.1.1 is-at ee:ee:ee:ee:ee:ee', 'ee:ee:ee:ee:ee:ee → e2:8e:e9:c7:20:80'],
      ['to-host', 'ICMP echo request 10.244.1.5 → 192.168.56.11', 'e2:8e:e9:c7:20:80 → ee:ee:ee:ee:ee:ee'],
      ['to-pod', 'ICMP echo reply 192.168.56.11 → 10.244.1.5', 'ee:ee:ee:ee:ee:ee → e2:8e:e9:c7:20:80'],
    ];
    for (const [i, [direction, label, macs]] of expected.entries()) {
      await expect(steps.nth(i)).toHaveAttribute('data-direction', direction);
      await expect(steps.nth(i)).toContainText(label);
      await expect(steps.nth(i)).toContainText(macs);
    }
    await expect(ladder.getByTestId('ladder-unanswered')).toHaveCount(0);
    await page.screenshot({ path: join(ARTIFACTS, 'check-capture-ping.png'), fullPage: true });
  });

  test('sends the IP pools given as context: the API’s refusal of a bad one names the field, in place', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/check`);
    await paste(page, PEERS_DOWN);
    await page.getByText('Cluster context (optional): IP pools').click();
    await page.getByRole('button', { name: 'Add an IP pool' }).click();
    await page.getByLabel('Pool 1 CIDR').fill('10.244.0.0/33');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const alert = page.locator('section[role="alert"]');
    await expect(alert).toContainText('The capture could not be checked: The API refused the request.');
    await expect(alert).toContainText('context.ipPools[0].cidr: "10.244.0.0/33" is not a CIDR');
    await page.getByLabel('Pool 1 CIDR').fill('10.244.0.0/16');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('capture-findings').locator('li[data-rule="CALICO_BGP_PEER_DOWN"]')).toHaveCount(7);
    await expect(page.locator('section[role="alert"]')).toHaveCount(0);
    expect(new URL(page.url()).hash).toContain('&pools=10.244.0.0%2F16%2CIPIP%2C%2C');
    await expectNoSeriousA11yViolations(page, 'check a capture (IP pools)');
  });

  test('says the size before sending and will not send a paste over the API’s limit', async ({ page }) => {
    await page.goto(`${dashboardUrl()}/check`);
    // 1.1 MiB of routes, made in the page (sending it through the driver is needlessly slow), entered as typing would.
    await page.getByLabel(/Paste what the ticket shows/).evaluate((textarea: HTMLTextAreaElement) => {
      const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
      setValue?.call(textarea, `--- ip route\n${'default via 10.0.0.1 dev eth0\n'.repeat(40_000)}`);
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect(page.getByTestId('capture-size')).toHaveText(/^1\.1 MiB: over the limit of 1\.0 MiB\. Keep the sections that matter\.$/);
    await expect(page.getByRole('button', { name: 'Check', exact: true })).toBeDisabled();
    await expect(page.getByLabel(/Paste what the ticket shows/)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('button', { name: 'Copy link to share' })).toBeDisabled();
  });
});
