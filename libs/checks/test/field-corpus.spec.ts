import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { importCaptureNodes } from '@routescope/snapshot';
import { checkCapture, type CaptureReport } from '../src/capture-check';
import { SEVERITIES } from '../src/check-types';
import { ruleById } from '../src/rules/catalogue';

// The field corpus (libs/snapshot/test/field/): real captures posted publicly by people running
// real clusters, each with what a good checker must, may and must not say about it. Every
// capture is imported and checked exactly as `routescope-collector check` and the API's
// checkCapture do, and held to its expectations. Captures and expectations are never edited
// to make a rule pass (see the corpus README).

const FIELD = join(__dirname, '../../snapshot/test/field');

interface Expectation {
  source: string;
  title: string;
  healthy: boolean;
  expectCni?: string;
  must?: Array<{ rule: string; why: string }>;
  mustNot?: Array<{ rule: string; why: string }>;
  /** passed evidence the report must carry (e.g. CALICO_PROXY_ARP_VERIFIED) */
  passed?: Array<{ rule: string; why: string }>;
}

const slugs = existsSync(FIELD)
  ? readdirSync(FIELD)
      .filter((f) => f.endsWith('.capture.txt'))
      .map((f) => f.slice(0, -'.capture.txt'.length))
      .sort()
  : [];

function expectation(slug: string): Expectation {
  return JSON.parse(readFileSync(join(FIELD, `${slug}.expect.json`), 'utf8')) as Expectation;
}

const reports = new Map<string, CaptureReport>();
function report(slug: string): CaptureReport {
  let r = reports.get(slug);
  if (!r) {
    r = checkCapture(importCaptureNodes(readFileSync(join(FIELD, `${slug}.capture.txt`), 'utf8')));
    reports.set(slug, r);
  }
  return r;
}

const raised = (r: CaptureReport, rule: string) => r.findings.filter((f) => f.rule === rule);
const warningOrWorse = SEVERITIES.indexOf('warning');

describe('the field corpus', () => {
  it('has captures, each with its expectations', () => {
    expect(slugs.length).toBeGreaterThan(0);
    expect(slugs.filter((slug) => !existsSync(join(FIELD, `${slug}.expect.json`)))).toEqual([]);
  });

  it('names only catalogued rules in its expectations', () => {
    const unknown = slugs.flatMap((slug) => {
      const e = expectation(slug);
      return [...(e.must ?? []), ...(e.mustNot ?? []), ...(e.passed ?? [])].filter((m) => !ruleById(m.rule)).map((m) => `${slug}: ${m.rule}`);
    });
    expect(unknown).toEqual([]);
  });
});

describe.each(slugs)('%s', (slug) => {
  const e = expectation(slug);

  it('imports without throwing, reads at least one section and states the coverage of each', () => {
    const imported = importCaptureNodes(readFileSync(join(FIELD, `${slug}.capture.txt`), 'utf8'));
    expect(imported.unreadable).toBeUndefined();
    expect(imported.coverage.length).toBeGreaterThan(0);
    expect(imported.coverage.some((c) => c.status !== 'unsupported')).toBe(true);
    expect(imported.nodes.length).toBeGreaterThan(0);
  });

  const must = (e.must ?? []).map((m) => [m.rule, m.why] as const);
  if (must.length > 0) {
    it.each(must)('raises %s (%s)', (rule) => {
      expect({ rule, raised: raised(report(slug), rule).length > 0, findings: report(slug).findings.map((f) => f.rule) }).toMatchObject({ rule, raised: true });
    });
  }

  const mustNot = (e.mustNot ?? []).map((m) => [m.rule, m.why] as const);
  if (mustNot.length > 0) {
    it.each(mustNot)('does not raise %s (%s)', (rule) => {
      expect({ rule, messages: raised(report(slug), rule).map((f) => f.message) }).toEqual({ rule, messages: [] });
    });
  }

  const passed = (e.passed ?? []).map((m) => [m.rule, m.why] as const);
  if (passed.length > 0) {
    it.each(passed)('records %s as passed evidence (%s)', (rule) => {
      expect({ rule, passed: report(slug).passed.map((f) => f.rule) }).toEqual({ rule, passed: expect.arrayContaining([rule]) });
    });
  }

  if (e.healthy) {
    it('is a healthy control: no finding of severity warning or worse', () => {
      const serious = report(slug).findings.filter((f) => SEVERITIES.indexOf(f.severity) >= warningOrWorse);
      expect(serious.map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
    });
  }

  if (e.expectCni) {
    it(`detects the CNI as ${e.expectCni}`, () => {
      const detected = report(slug).nodes.find((n) => n.cni !== 'unknown')?.cni ?? 'unknown';
      expect(detected).toBe(e.expectCni);
    });
  }
});
