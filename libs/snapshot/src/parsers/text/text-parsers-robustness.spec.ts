import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { addressSchema, linkSchema, neighborSchema, routeSchema, sysctlSchema } from '../../contract/snapshot-schema';
import type { ParseWarning } from '../parse-result';
import { parseIpAddrText, parseIpLinkText, parseIpNeighText, parseIpRouteText, parseSysctlText } from './index';
import { MAX_LINE_LENGTH, MAX_WARNINGS } from './text-input';

const FIXTURES = join(__dirname, '../../../test/fixtures/text');
const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));
const allFixtureText = fixtureNames.map((f) => readFileSync(join(FIXTURES, f), 'utf8')).join('\n');
const fixtureLines = allFixtureText.split('\n').filter((l) => l.trim() !== '');

/** Runs every text parser on one input and checks the invariants every caller relies on. */
function parseAllAndCheck(input: string): void {
  const results = {
    link: parseIpLinkText(input),
    addr: parseIpAddrText(input),
    route: parseIpRouteText(input),
    route6: parseIpRouteText(input, { family: 'inet6' }),
    neigh: parseIpNeighText(input),
    proxy: parseIpNeighText(input, { proxy: true }),
    sysctl: parseSysctlText(input),
  };
  const lineCount = input.split(/\r\n|\r|\n/).length;
  const checkWarnings = (warnings: ParseWarning[]) => {
    expect(warnings.length).toBeLessThanOrEqual(MAX_WARNINGS + 1);
    for (const w of warnings) {
      expect(typeof w.message).toBe('string');
      expect(w.message.length).toBeGreaterThan(0);
      expect(w.message.length).toBeLessThanOrEqual(2048);
      if (w.line !== undefined) {
        expect(Number.isInteger(w.line)).toBe(true);
        expect(w.line).toBeGreaterThanOrEqual(1);
        expect(w.line).toBeLessThanOrEqual(lineCount);
      }
    }
  };
  for (const l of results.link.entries) expect(linkSchema.safeParse(l).success).toBe(true);
  for (const l of results.addr.links) expect(linkSchema.safeParse(l).success).toBe(true);
  for (const a of results.addr.addresses) expect(addressSchema.safeParse(a).success).toBe(true);
  for (const r of [...results.route.entries, ...results.route6.entries]) expect(routeSchema.safeParse(r).success).toBe(true);
  for (const n of [...results.neigh.entries, ...results.proxy.entries]) expect(neighborSchema.safeParse(n).success).toBe(true);
  for (const s of results.sysctl.entries) expect(sysctlSchema.safeParse(s).success).toBe(true);
  checkWarnings(results.link.warnings);
  checkWarnings(results.addr.warnings);
  checkWarnings(results.route.warnings);
  checkWarnings(results.route6.warnings);
  checkWarnings(results.neigh.warnings);
  checkWarnings(results.proxy.warnings);
  checkWarnings(results.sysctl.warnings);
}

describe('text parsers never throw and only return contract-valid entries', () => {
  it('on random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => parseAllAndCheck(text)), { numRuns: 300 });
  });

  it('on text built from words ip(8) prints, in random order', () => {
    const words = [...new Set(allFixtureText.split(/\s+/))].filter((w) => w !== '');
    const line = fc.array(fc.constantFrom(...words, 'x.x.0.1', '<redacted>', 'xx:xx:xx:xx:xx:xx', 'nexthop', 'via', 'inet6', '@', ':', '-1'), { maxLength: 14 }).map((ws) => ws.join(' '));
    const indent = fc.constantFrom('', '    ', '\t', '> ', '       ');
    const text = fc.array(fc.tuple(indent, line), { maxLength: 30 }).map((ls) => ls.map(([i, l]) => i + l).join('\n'));
    fc.assert(fc.property(text, (t) => parseAllAndCheck(t)), { numRuns: 300 });
  });

  it('on real captured lines, shuffled and cut at random places', () => {
    const mutated = fc
      .array(fc.tuple(fc.constantFrom(...fixtureLines), fc.nat(), fc.nat()), { maxLength: 40 })
      .map((ls) => ls.map(([l, a, b]) => (a % 3 === 0 ? l.slice(0, b % (l.length + 1)) : a % 3 === 1 ? l.slice(b % (l.length + 1)) : l)).join('\n'));
    fc.assert(fc.property(mutated, (t) => parseAllAndCheck(t)), { numRuns: 300 });
  });

  it('on binary-ish text (NUL bytes, control characters, invalid surrogates)', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    parseAllAndCheck(bytes.toString('latin1'));
    parseAllAndCheck(bytes.toString('utf8'));
    parseAllAndCheck('\u0000\u0001: lo: <\u0000> mtu \ud800\n\u001b[31mdefault via 10.0.0.1\u001b[0m\n\ufeff10.0.0.1 dev eth0\r\r\n');
  });

  it('on huge lines, skipping a line longer than MAX_LINE_LENGTH with a warning on its number', () => {
    const huge = `default via 10.0.0.1 dev eth0\n${'a'.repeat(MAX_LINE_LENGTH + 1)}\n10.1.0.0/16 dev eth0`;
    parseAllAndCheck(huge);
    const { entries, warnings } = parseIpRouteText(huge);
    expect(entries.map((r) => r.dst)).toEqual(['default', '10.1.0.0/16']);
    expect(warnings).toEqual([{ line: 2, message: `line is ${MAX_LINE_LENGTH + 1} characters long, more than any ip(8) or sysctl output line (${MAX_LINE_LENGTH}); skipped` }]);
    // Long but allowed lines of pathological content stay fast.
    parseAllAndCheck(`1: ${':'.repeat(MAX_LINE_LENGTH - 10)}`);
    parseAllAndCheck(`10.0.0.0/8 ${'via '.repeat(MAX_LINE_LENGTH / 5)}`);
    parseAllAndCheck(`${'x.'.repeat(MAX_LINE_LENGTH / 3)} = 1`);
  });

  it('stays linear on long lines built to make regular expressions backtrack', () => {
    const started = Date.now();
    for (const line of [`1: ${'@'.repeat(65000)}`, `1: ${'@'.repeat(65000)} inet`, `1: a: <${'x'.repeat(65000)}`, `${'> '.repeat(32000)}x`, `${'x:'.repeat(32000)}`, `net.${'='.repeat(65000)}`]) {
      parseAllAndCheck(line);
    }
    // Each of these took seconds with a quadratic pattern; linear parsing takes milliseconds.
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('caps warnings at MAX_WARNINGS and says how many more were left out', () => {
    const { warnings } = parseIpRouteText(Array.from({ length: 1000 }, (_, i) => `garbage ${i}`).join('\n'));
    expect(warnings).toHaveLength(MAX_WARNINGS + 1);
    expect(warnings[MAX_WARNINGS - 1].line).toBe(MAX_WARNINGS);
    expect(warnings[MAX_WARNINGS]).toEqual({ message: `${1000 - MAX_WARNINGS} further warnings were left out (at most ${MAX_WARNINGS} are reported per input)` });
  });

  it('on input that is not a string at all (a JavaScript caller), with one warning', () => {
    for (const input of [undefined, null, 42, {}] as unknown as string[]) {
      expect(parseIpRouteText(input)).toEqual({ entries: [], warnings: [{ message: expect.stringContaining('not text') }] });
      expect(parseIpAddrText(input).addresses).toEqual([]);
      expect(parseIpLinkText(input).entries).toEqual([]);
      expect(parseIpNeighText(input).entries).toEqual([]);
      expect(parseSysctlText(input).entries).toEqual([]);
    }
  });

  it('treats blank lines and empty input as nothing, without warnings', () => {
    for (const input of ['', '\n\n', '   \r\n\t\n']) {
      expect(parseIpRouteText(input)).toEqual({ entries: [], warnings: [] });
      expect(parseIpAddrText(input)).toEqual({ links: [], addresses: [], warnings: [] });
      expect(parseIpLinkText(input)).toEqual({ entries: [], warnings: [] });
      expect(parseIpNeighText(input)).toEqual({ entries: [], warnings: [] });
      expect(parseSysctlText(input)).toEqual({ entries: [], warnings: [] });
    }
  });
});

describe('every fixture parses the same with Windows line endings, markdown quoting and indentation', () => {
  const parse = (name: string, text: string): unknown => {
    if (name.includes('.link')) return parseIpLinkText(text);
    if (name.includes('.addr')) return parseIpAddrText(text);
    if (name.includes('.route6')) return parseIpRouteText(text, { family: 'inet6' });
    if (name.includes('.route')) return parseIpRouteText(text);
    if (name.includes('.neigh')) return parseIpNeighText(text, { proxy: name.includes('proxy') });
    return parseSysctlText(text);
  };
  it.each(fixtureNames)('%s', (name) => {
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    const expected = parse(name, text);
    expect(parse(name, text.replace(/\n/g, '\r\n'))).toEqual(expected);
    // Quote every line (what a mail client or markdown reply does) and indent by four spaces.
    const quoted = text
      .split('\n')
      .map((l) => (l.startsWith('>') ? l : `>     ${l}`))
      .join('\n');
    expect(parse(name, quoted)).toEqual(expected);
    // A fence line on top: same entries, every warning one line further down.
    const fenced = parse(name, `\`\`\`\n${text}\n\`\`\``) as { warnings: ParseWarning[] };
    const plain = expected as { warnings: ParseWarning[] };
    expect({ ...fenced, warnings: undefined }).toEqual({ ...plain, warnings: undefined });
    expect(fenced.warnings.map((w) => w.line)).toEqual(plain.warnings.map((w) => (w.line === undefined ? undefined : w.line + 1)));
  });
});
