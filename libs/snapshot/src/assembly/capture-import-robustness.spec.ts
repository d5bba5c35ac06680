import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fastParseSnapshot } from '../contract/snapshot-fast-path';
import { snapshotSchema } from '../contract/snapshot-schema';
import { parseArpTableText } from '../parsers/text/arp-table-text-parser';
import { parseBridgeFdbText } from '../parsers/text/bridge-fdb-text-parser';
import { parseCalicoctlNodeStatusText } from '../parsers/text/calicoctl-status-text-parser';
import { parseIfconfigText } from '../parsers/text/ifconfig-text-parser';
import { parseIpBriefText } from '../parsers/text/ip-brief-text-parser';
import { parseIpMonitorText } from '../parsers/text/ip-monitor-text-parser';
import { parseKubectlWideText } from '../parsers/text/kubectl-wide-text-parser';
import { parseRouteTableText } from '../parsers/text/route-table-text-parser';
import { parseTcpdumpText } from '../parsers/text/tcpdump-text-parser';
import { parseWireguardText } from '../parsers/text/wireguard-text-parser';
import { importCaptureNodes } from './capture-import';

const FIXTURES = join(__dirname, '../../test/fixtures/text');
const fixtureTexts = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
const fixtureLines = fixtureTexts.join('\n').split('\n').filter((l) => l.trim() !== '');
const HEADERS = ['$ ip route', '--- ip -d link', '# route -n', '[root@node-1 ~]# tcpdump -e -n -i cali1', 'root@node-2:~# ifconfig -a', '$ ip monitor', '--- calicoctl node status', '$ kubectl get pods -o wide', '$ arp -an', '$ ip route | grep cali', '$ bridge fdb', '$ wg show', '$ sysctl -a', '/ # ip -br addr', '--- ip neigh pod web-1'];

/** Import and every new parser on one input: nothing throws, every namespace makes a valid snapshot. */
function importAndCheck(text: string): void {
  for (const parse of [
    () => parseTcpdumpText(text, { ns: 'host' }),
    () => parseCalicoctlNodeStatusText(text),
    () => parseIpMonitorText(text, { ns: 'host' }),
    () => parseRouteTableText(text),
    () => parseIfconfigText(text),
    () => parseArpTableText(text),
    () => parseKubectlWideText(text),
    () => parseBridgeFdbText(text, { ns: 'host' }),
    () => parseWireguardText(text, { ns: 'host' }),
    () => parseIpBriefText(text, 'link'),
    () => parseIpBriefText(text, 'addr'),
  ]) {
    expect(parse).not.toThrow();
  }
  const imported = importCaptureNodes(text);
  expect(imported.nodes.length).toBeGreaterThanOrEqual(1);
  // Every line number points into the capture.
  const lineCount = text.split(/\r\n|\r|\n/).length;
  const inRange = (line: number | undefined) => line === undefined || (Number.isInteger(line) && line >= 0 && line <= lineCount);
  const lines = [
    ...imported.coverage.map((c) => c.headerLine),
    ...imported.warnings.map((w) => w.line),
    ...imported.nodes.flatMap((n) => [...n.evidence.frames.map((f) => f.line), ...n.evidence.monitorEvents.map((e) => e.line), ...(n.evidence.calicoNodeStatus?.peers ?? []).map((p) => p.line)]),
  ];
  expect(lines.filter((l) => !inRange(l))).toEqual([]);
  expect(imported.unreadable === undefined).toBe(imported.coverage.some((c) => c.status !== 'unsupported'));
  for (const node of imported.nodes) {
    const snapshot = {
      schemaVersion: 1,
      snapshotId: '3f1b8a52-7d0e-4c1a-9a55-1f6f5e1a2b3c',
      node: 'n',
      collector: { version: '1', bootId: 'b', seq: 0, source: 'import' },
      takenAt: '2026-12-06T09:00:00.000Z',
      namespaces: node.namespaces,
      warnings: node.warnings.slice(0, 1000),
    };
    if (fastParseSnapshot(snapshot) === undefined) {
      const result = snapshotSchema.safeParse(snapshot);
      expect(result.success ? [] : result.error.issues.slice(0, 3)).toEqual([]);
    }
    for (const c of node.coverage) {
      if (c.status !== 'read') expect(c.reason).toMatch(/\S/);
    }
  }
}

describe('importCaptureNodes never throws and always yields valid namespaces', () => {
  it('on random binary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (t) => importAndCheck(t)), { numRuns: 200 });
  });

  it('on real output lines under random headers, cut and mixed with CRLF', () => {
    const line = fc.tuple(fc.constantFrom(...fixtureLines), fc.nat(), fc.nat()).map(([l, a, b]) => (a % 4 === 0 ? l.slice(0, b % (l.length + 1)) : l));
    const section = fc.tuple(fc.constantFrom(...HEADERS), fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r')).map(([h, ls, eol]) => [h, ...ls].join(eol));
    fc.assert(fc.property(fc.array(section, { maxLength: 8 }), (sections) => importAndCheck(sections.join('\n'))), { numRuns: 200 });
  });

  it('on every fixture under every header (truncated at a random point)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixtureTexts), fc.constantFrom(...HEADERS), fc.nat(), (body, header, cut) => importAndCheck(`${header}\n${body.slice(0, cut % (body.length + 1))}`)),
      { numRuns: 200 },
    );
  });

  it('on binary input', () => {
    const bytes = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) % 256));
    importAndCheck(bytes.toString('latin1'));
    importAndCheck(`$ tcpdump -e -n\n${bytes.toString('utf8')}`);
    importAndCheck(`$ ip monitor\n\u0000\u001b[31m[nsid 1][ROUTE]Deleted \ud800\n`);
  });

  it('reads 10 MB in bounded time, and lines built to make regular expressions backtrack stay linear', () => {
    const body = fixtureTexts.join('\n');
    const big = HEADERS.map((h) => `${h}\n${body}`).join('\n');
    const text = big.repeat(Math.ceil((10 * 1024 * 1024) / big.length)).slice(0, 10 * 1024 * 1024);
    let started = Date.now();
    const imported = importCaptureNodes(text);
    // Measured 5 s on this 2-core machine shared with other jobs; a quadratic pattern would take minutes.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(imported.coverage.length).toBeGreaterThan(100);
    for (const node of imported.nodes) expect(snapshotSchema.shape.namespaces.safeParse(node.namespaces).success).toBe(true);
    started = Date.now();
    const nasty = [
      `$ tcpdump -e\n12:00:00.000000 ${'a '.repeat(30000)}ethertype`,
      `$ tcpdump\n12:00:00.000000 IP ${'a.'.repeat(30000)} > b: ${'('.repeat(30000)}`,
      `$ wg show\n${' '.repeat(60000)}x`,
      `$ wg show\ninterface${' '.repeat(60000)}:`,
      `$ arp -a\n? (${'('.repeat(30000)} at x on y`,
      `$ ip monitor\n${'['.repeat(60000)}`,
      `$ ip monitor\ninet ${'x '.repeat(30000)}`,
      `$ ifconfig\n${'a'.repeat(60000)}: flags=1<${'U,'.repeat(2000)}`,
      `[root@${'a'.repeat(60000)}`,
      `${'a@'.repeat(30000)}:# ip route`,
      `${'a '.repeat(30000)}# ip route`,
      `$ ip route\n${'node-1: '.repeat(8000)}`,
    ];
    for (const t of nasty) importAndCheck(t);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 120_000);
});
