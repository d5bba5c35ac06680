import type { Database } from '@routescope/db';
import type { NetworkNamespace } from '@routescope/snapshot';
import { DATABASE } from '../database/database.module';
import { hostNamespace, podNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp, type GraphqlResponse } from '../../test/api-test-app';

// Triage over HTTP on each database: silences (stored, audited, shown on the findings they
// cover, filtered and counted), finding groups counted in SQL, and the changes that opened and
// resolved a finding. Findings come from the real ingest path and checks.

const S = 1000;
const M = 60 * S;
const NOW = Math.floor(Date.now() / S) * S;
const at = (offset: number) => new Date(NOW + offset).toISOString();
const DAY = 24 * 60 * M;

const NODES = ['node-a', 'node-b', 'node-c'];
const vethOf = (node: number, pod: number) => `cali${node}${pod}000000000`.slice(0, 15);

/** Node i (0-based) with its block, routes to the others' blocks, `pods` pods; `proxyArpOff` lists the pods with proxy_arp 0. */
function node(i: number, pods: number, options: { proxyArpOff?: number[]; ipForward?: string; gateway?: string } = {}): NetworkNamespace[] {
  const veths = Array.from({ length: pods }, (_, p) => [vethOf(i, p), `172.17.${i}.${2 + p}`] as [string, string]);
  const blocks = NODES.map((_, k) => [`172.17.${k}.0/26`, k === i ? undefined : `10.0.0.${11 + k}`] as [string, string | undefined]);
  const host = hostNamespace({ ip: `10.0.0.${11 + i}`, gateway: options.gateway ?? '10.0.0.1', ipForward: options.ipForward, blocks, veths });
  for (const p of options.proxyArpOff ?? []) host.sysctls = host.sysctls!.map((s) => (s.path === `net/ipv4/conf/${vethOf(i, p)}/proxy_arp` ? { ...s, value: '0' } : s));
  return [host, ...veths.map(([veth, ip], p) => podNamespace(`cni-${i}-${p}`, veth, ip))];
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}

function errorOf(response: GraphqlResponse<unknown>): { code?: string; message: string } {
  expect(response.errors?.length).toBeGreaterThan(0);
  return { code: response.errors![0].extensions?.code as string | undefined, message: response.errors![0].message };
}

interface SilenceView {
  id: string;
  rule: string;
  node: string | null;
  subjectPattern: string | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  active: boolean;
}
const SILENCE = 'id rule node subjectPattern reason createdBy createdAt expiresAt revokedAt active';
const SILENCE_FINDINGS = `mutation($input: SilenceInput!) { silenceFindings(input: $input) { ${SILENCE} } }`;

interface FindingView {
  node: string;
  rule: string;
  subject: string;
  silencedBy: { id: string; reason: string } | null;
}

for (const kind of testDatabaseKinds()) {
  describe(`silences, finding groups and the changes behind findings [${kind}]`, () => {
    let t: ApiTestApp;
    /** a token with the triage and read scopes, and one with triage only */
    let oncall: string;
    let triageOnly: string;

    const createToken = async (name: string, scopes: string[]) =>
      dataOf(await t.graphql<{ createToken: { secret: string } }>(`mutation($n: String!, $s: [TokenScope!]!) { createToken(name: $n, scopes: $s) { secret } }`, { n: name, s: scopes }, t.tokens.admin))
        .createToken.secret;

    const findings = async (filter: Record<string, unknown> = {}) =>
      dataOf(await t.graphql<{ findings: { edges: Array<{ node: FindingView }> } }>(`query($f: FindingFilter) { findings(filter: $f) { edges { node { node rule subject silencedBy { id reason } } } } }`, { f: filter }))
        .findings.edges.map((e) => e.node)
        .sort((a, b) => (`${a.node} ${a.subject}` < `${b.node} ${b.subject}` ? -1 : 1));

    const silence = async (input: Record<string, unknown>, token = oncall) => t.graphql<{ silenceFindings: SilenceView }>(SILENCE_FINDINGS, { input: { reason: 'known: ticket OPS-1', expiresAt: at(DAY), ...input } }, token);

    const auditRows = async () =>
      t.app.get<Database>(DATABASE).prisma.$queryRaw<Array<{ actor: string; action: string; subject: string; details: Record<string, unknown> }>>`
        SELECT actor, action, subject, details FROM audit_log WHERE action IN ('silenceFindings', 'revokeSilence') ORDER BY id`;

    beforeAll(async () => {
      t = await startApiTestApp(kind);
      oncall = await createToken('oncall', ['triage', 'read']);
      triageOnly = await createToken('triage-bot', ['triage']);
      // node-a: two pods without proxy_arp; node-b: one; node-c: forwarding off (critical).
      // node-a's first finding opens at -20 min together with a gateway change, and one of them is fixed at -10 min.
      await t.ingest(snapshot({ node: 'node-a', takenAt: at(-30 * M), seq: 0, namespaces: node(0, 2) }));
      await t.ingest(snapshot({ node: 'node-b', takenAt: at(-30 * M), seq: 0, namespaces: node(1, 1, { proxyArpOff: [0] }) }));
      await t.ingest(snapshot({ node: 'node-c', takenAt: at(-30 * M), seq: 0, namespaces: node(2, 1, { ipForward: '0' }) }));
      await t.ingest(snapshot({ node: 'node-a', takenAt: at(-20 * M), seq: 1, namespaces: node(0, 2, { proxyArpOff: [0, 1], gateway: '10.0.0.254' }) }));
      await t.ingest(snapshot({ node: 'node-a', takenAt: at(-10 * M), seq: 2, namespaces: node(0, 2, { proxyArpOff: [1], gateway: '10.0.0.254' }) }));
    }, 120_000);

    afterAll(async () => {
      await t?.close();
    });

    it('the findings it starts from: node-a one open and one resolved proxy_arp finding, node-b one, node-c forwarding off', async () => {
      const open = await findings({ openAt: at(0) });
      expect(open.map((f) => [f.node, f.rule, f.subject, f.silencedBy])).toEqual([
        ['node-a', 'CALICO_PROXY_ARP', `veth:${vethOf(0, 1)}`, null],
        ['node-b', 'CALICO_PROXY_ARP', `veth:${vethOf(1, 0)}`, null],
        ['node-c', 'CALICO_IP_FORWARD', 'node', null],
      ]);
    });

    describe('scopes', () => {
      it('silencing needs the triage scope: read and ingest tokens are FORBIDDEN and nothing is stored', async () => {
        for (const token of [t.tokens.read, t.tokens.ingest]) expect(errorOf(await silence({ rule: 'CALICO_PROXY_ARP' }, token)).code).toBe('FORBIDDEN');
        expect(errorOf(await t.graphql('mutation { revokeSilence(id: "1") { id } }', {}, t.tokens.read)).code).toBe('FORBIDDEN');
        expect(dataOf(await t.graphql<{ silences: unknown[] }>('{ silences { id } }')).silences).toEqual([]);
        expect(await auditRows()).toEqual([]);
      });

      it('reading silences needs read: a triage-only token may silence but not list', async () => {
        expect(errorOf(await t.graphql('{ silences { id } }', {}, triageOnly)).code).toBe('FORBIDDEN');
        expect(errorOf(await t.graphql('{ silences { id } }', {}, null)).code).toBe('UNAUTHENTICATED');
      });
    });

    describe('bad input is BAD_USER_INPUT naming the field, and stores nothing', () => {
      it.each([
        ['an unknown rule', { rule: 'NO_SUCH_RULE' }, /^input\.rule: "NO_SUCH_RULE" is not a rule of the catalogue/],
        ['an empty reason', { rule: 'CALICO_PROXY_ARP', reason: '  ' }, /^input\.reason: is empty/],
        ['an expiry in the past', { rule: 'CALICO_PROXY_ARP', expiresAt: at(-M) }, /^input\.expiresAt: .* is not in the future$/],
        ['an expiry over 90 days ahead', { rule: 'CALICO_PROXY_ARP', expiresAt: at(91 * DAY) }, /^input\.expiresAt: .* is more than 90 days ahead$/],
        ['an empty subject pattern', { rule: 'CALICO_PROXY_ARP', subjectPattern: '' }, /^input\.subjectPattern: is empty/],
      ])('%s', async (_label, input, message) => {
        const error = errorOf(await silence(input));
        expect(error).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(message) });
        expect(dataOf(await t.graphql<{ silences: unknown[] }>('{ silences { id } }')).silences).toEqual([]);
        expect(await auditRows()).toEqual([]);
      });
    });

    describe('a silence', () => {
      let onNodeA: SilenceView;
      let everywhere: SilenceView;

      it('is stored with who created it, audited, and shown on the findings it covers (still listed)', async () => {
        onNodeA = dataOf(await silence({ rule: 'CALICO_PROXY_ARP', node: 'node-a', subjectPattern: 'veth:*' })).silenceFindings;
        expect(onNodeA).toEqual({
          id: expect.any(String),
          rule: 'CALICO_PROXY_ARP',
          node: 'node-a',
          subjectPattern: 'veth:*',
          reason: 'known: ticket OPS-1',
          createdBy: 'oncall',
          createdAt: expect.any(String),
          expiresAt: at(DAY),
          revokedAt: null,
          active: true,
        });
        const open = await findings({ openAt: at(0) });
        expect(open.map((f) => [f.node, f.rule, f.silencedBy?.id ?? null])).toEqual([
          ['node-a', 'CALICO_PROXY_ARP', onNodeA.id],
          ['node-b', 'CALICO_PROXY_ARP', null],
          ['node-c', 'CALICO_IP_FORWARD', null],
        ]);
        expect(open[0].silencedBy).toEqual({ id: onNodeA.id, reason: 'known: ticket OPS-1' });
        expect(await auditRows()).toEqual([
          {
            actor: 'oncall',
            action: 'silenceFindings',
            subject: `silence:${onNodeA.id}`,
            details: { rule: 'CALICO_PROXY_ARP', node: 'node-a', subjectPattern: 'veth:*', reason: 'known: ticket OPS-1', expiresAt: at(DAY), revokedAt: null },
          },
        ]);
      });

      it('matches subjects by its pattern: another kind of subject, or another rule, is not covered', async () => {
        const other = dataOf(await silence({ rule: 'CALICO_PROXY_ARP', subjectPattern: 'address:*' })).silenceFindings;
        const open = await findings({ openAt: at(0) });
        expect(open.filter((f) => f.silencedBy?.id === other.id)).toEqual([]);
        expect(dataOf(await t.graphql<{ revokeSilence: SilenceView }>(`mutation { revokeSilence(id: "${other.id}") { active } }`, {}, oncall)).revokeSilence.active).toBe(false);
      });

      it('filters: silenced true lists only covered findings, false only the others, null both', async () => {
        expect((await findings({ openAt: at(0), silenced: true })).map((f) => f.node)).toEqual(['node-a']);
        expect((await findings({ openAt: at(0), silenced: false })).map((f) => f.node)).toEqual(['node-b', 'node-c']);
        expect(await findings({ openAt: at(0), silenced: null })).toHaveLength(3);
        // the resolved finding of node-a is covered too: a silence is about the group, not one row
        expect((await findings({ silenced: true })).map((f) => f.subject)).toEqual([`veth:${vethOf(0, 0)}`, `veth:${vethOf(0, 1)}`]);
      });

      it('a silence of every node (node null, pattern null) covers the rule everywhere; the newest active one is shown', async () => {
        everywhere = dataOf(await silence({ rule: 'CALICO_PROXY_ARP', reason: 'rolling out the felix fix' })).silenceFindings;
        const open = await findings({ openAt: at(0) });
        expect(open.map((f) => [f.node, f.silencedBy?.id ?? null])).toEqual([
          ['node-a', everywhere.id],
          ['node-b', everywhere.id],
          ['node-c', null],
        ]);
      });

      it('silences lists every silence newest first, and activeAt those active then', async () => {
        const all = dataOf(await t.graphql<{ silences: SilenceView[] }>(`{ silences { ${SILENCE} } }`)).silences;
        expect(all.map((s) => [s.subjectPattern, s.active])).toEqual([
          [null, true],
          ['address:*', false],
          ['veth:*', true],
        ]);
        const activeNow = dataOf(await t.graphql<{ silences: SilenceView[] }>(`query($a: DateTime) { silences(activeAt: $a) { id } }`, { a: new Date().toISOString() })).silences;
        expect(activeNow.map((s) => s.id)).toEqual([everywhere.id, onNodeA.id]);
        // before any was created, and after they expire: none
        for (const instant of [at(-M), at(DAY + S)]) expect(dataOf(await t.graphql<{ silences: unknown[] }>(`query($a: DateTime) { silences(activeAt: $a) { id } }`, { a: instant })).silences).toEqual([]);
      });

      it('revoking ends it now, audited; the findings stay and are no longer covered by it', async () => {
        const revoked = dataOf(await t.graphql<{ revokeSilence: SilenceView }>(`mutation($id: ID!) { revokeSilence(id: $id) { ${SILENCE} } }`, { id: everywhere.id }, oncall)).revokeSilence;
        expect(revoked).toMatchObject({ id: everywhere.id, active: false, revokedAt: expect.any(String) });
        const open = await findings({ openAt: at(0) });
        expect(open.map((f) => [f.node, f.silencedBy?.id ?? null])).toEqual([
          ['node-a', onNodeA.id],
          ['node-b', null],
          ['node-c', null],
        ]);
        const audit = await auditRows();
        expect(audit.at(-1)).toEqual({ actor: 'oncall', action: 'revokeSilence', subject: `silence:${everywhere.id}`, details: expect.objectContaining({ revokedAt: revoked.revokedAt }) });
        // revoking again changes nothing and is not audited twice
        const again = dataOf(await t.graphql<{ revokeSilence: SilenceView }>(`mutation($id: ID!) { revokeSilence(id: $id) { revokedAt } }`, { id: everywhere.id }, oncall)).revokeSilence;
        expect(again.revokedAt).toBe(revoked.revokedAt);
        expect(await auditRows()).toHaveLength(audit.length);
      });

      it('revoking an unknown id is NOT_FOUND', async () => {
        expect(errorOf(await t.graphql('mutation { revokeSilence(id: "999999") { id } }', {}, oncall))).toEqual({ code: 'NOT_FOUND', message: 'id: no silence "999999"' });
        expect(errorOf(await t.graphql('mutation { revokeSilence(id: "abc") { id } }', {}, oncall)).code).toBe('NOT_FOUND');
      });

      it('an admin token may silence too (admin has every scope)', async () => {
        const byAdmin = dataOf(await silence({ rule: 'CALICO_IP_FORWARD', node: 'node-c', subjectPattern: 'node' }, t.tokens.admin)).silenceFindings;
        expect(byAdmin.createdBy).toBe('env-admin');
        expect((await findings({ openAt: at(0), silenced: true })).map((f) => f.node)).toEqual(['node-a', 'node-c']);
        await t.graphql(`mutation { revokeSilence(id: "${byAdmin.id}") { id } }`, {}, t.tokens.admin);
      });
    });

    describe('findingGroups', () => {
      const GROUPS = `query($f: FindingFilter) { findingGroups(filter: $f) { rule severity title subjectKind findingCount nodeCount subjectCount silencedCount sample { node rule subject } } }`;
      const groups = async (filter: Record<string, unknown> | null = null) =>
        dataOf(await t.graphql<{ findingGroups: Array<Record<string, unknown> & { sample: FindingView }> }>(GROUPS, { f: filter })).findingGroups;

      it('groups by rule and subject kind with counts, critical first, then by count', async () => {
        expect(await groups({ openAt: at(0) })).toEqual([
          { rule: 'CALICO_IP_FORWARD', severity: 'CRITICAL', title: 'IPv4 forwarding is off on the node', subjectKind: 'node', findingCount: 1, nodeCount: 1, subjectCount: 1, silencedCount: 0, sample: { node: 'node-c', rule: 'CALICO_IP_FORWARD', subject: 'node' } },
          {
            rule: 'CALICO_PROXY_ARP',
            severity: 'ERROR',
            title: 'Proxy ARP is off on a pod’s host veth',
            subjectKind: 'veth',
            findingCount: 2,
            nodeCount: 2,
            subjectCount: 2,
            silencedCount: 1,
            sample: expect.objectContaining({ rule: 'CALICO_PROXY_ARP' }),
          },
        ]);
      });

      it('takes the findings filter: every finding ever (3 of proxy_arp), one node, silenced only', async () => {
        expect((await groups()).map((g) => [g.rule, g.findingCount, g.subjectCount, g.silencedCount])).toEqual([
          ['CALICO_IP_FORWARD', 1, 1, 0],
          ['CALICO_PROXY_ARP', 3, 3, 2],
        ]);
        expect((await groups({ node: 'node-b' })).map((g) => [g.rule, g.findingCount, g.nodeCount])).toEqual([['CALICO_PROXY_ARP', 1, 1]]);
        expect((await groups({ silenced: true })).map((g) => [g.rule, g.findingCount, g.silencedCount])).toEqual([['CALICO_PROXY_ARP', 2, 2]]);
        expect(await groups({ rule: 'CALICO_BLACKHOLE' })).toEqual([]);
      });

      it('is counted in SQL: two statements whatever the number of findings', async () => {
        t.sql.reset();
        await groups({ openAt: at(0) });
        expect(t.sql.count).toBe(2);
      });
    });

    describe('openingChanges and resolvingChanges', () => {
      interface Linked {
        subject: string;
        openedAt: string;
        resolvedAt: string | null;
        openingChanges: Array<{ node: string; at: string; kind: string; key: string; change: string }>;
        resolvingChanges: Array<{ node: string; at: string; kind: string; key: string; change: string }>;
      }
      const LINKED = `query($f: FindingFilter, $first: Int) { findings(filter: $f) { edges { node { subject openedAt resolvedAt
        openingChanges(first: $first) { node at kind key change } resolvingChanges { node at kind key change } } } } }`;
      const linked = async (filter: Record<string, unknown>, first?: number) =>
        dataOf(await t.graphql<{ findings: { edges: Array<{ node: Linked }> } }>(LINKED, { f: filter, first })).findings.edges.map((e) => e.node);

      it('a finding links to the changes of its node at its openedAt, those its evidence names first', async () => {
        const [resolved] = await linked({ node: 'node-a', openAt: at(-15 * M), rule: 'CALICO_PROXY_ARP' }).then((list) => list.filter((f) => f.subject === `veth:${vethOf(0, 0)}`));
        expect(resolved.openedAt).toBe(at(-20 * M));
        // at -20 min node-a changed both proxy_arp sysctls, its default route and the gateway's ARP entry
        // (old one gone, new one there); the finding's own sysctl comes first, before the host's neighbours and routes
        expect(resolved.openingChanges[0]).toEqual({ node: 'node-a', at: at(-20 * M), kind: 'SYSCTL', key: `net/ipv4/conf/${vethOf(0, 0)}/proxy_arp`, change: 'CHANGED' });
        expect(resolved.openingChanges.map((c) => c.kind)).toEqual(['SYSCTL', 'NEIGHBOR', 'NEIGHBOR', 'ROUTE', 'SYSCTL']);
        expect(new Set(resolved.openingChanges.map((c) => c.at))).toEqual(new Set([at(-20 * M)]));
        // and to the change that resolved it
        expect(resolved.resolvedAt).toBe(at(-10 * M));
        expect(resolved.resolvingChanges).toEqual([{ node: 'node-a', at: at(-10 * M), kind: 'SYSCTL', key: `net/ipv4/conf/${vethOf(0, 0)}/proxy_arp`, change: 'CHANGED' }]);
      });

      it('an open finding has no resolving changes; `first` limits the opening ones', async () => {
        const [open] = await linked({ node: 'node-a', openAt: at(0) }, 1);
        expect(open.resolvingChanges).toEqual([]);
        expect(open.openingChanges).toEqual([{ node: 'node-a', at: at(-20 * M), kind: 'SYSCTL', key: `net/ipv4/conf/${vethOf(0, 1)}/proxy_arp`, change: 'CHANGED' }]);
      });

      it('a finding opened by its node’s first snapshot links to that snapshot’s facts', async () => {
        const [first] = await linked({ node: 'node-b', openAt: at(0) }, 100);
        expect(first.openedAt).toBe(at(-30 * M));
        expect(first.openingChanges[0]).toMatchObject({ kind: 'SYSCTL', key: `net/ipv4/conf/${vethOf(1, 0)}/proxy_arp`, change: 'ADDED' });
        expect(first.openingChanges.length).toBeGreaterThan(10);
      });

      it('`first` out of range is BAD_USER_INPUT', async () => {
        expect(errorOf(await t.graphql(LINKED, { f: { node: 'node-a' }, first: 1001 })).code).toBe('BAD_USER_INPUT');
      });
    });
  });
}
