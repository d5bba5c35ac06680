import type { CaptureReport, EvidenceFact, Finding, Severity } from '@routescope/checks';

const SEVERITY_ORDER: Severity[] = ['critical', 'error', 'warning', 'info'];

/** One block per finding: severity, rule and title; the message; the subject; the evidence, one fact per line. */
export function formatFinding(finding: Finding, label = finding.severity.toUpperCase()): string {
  const lines = [
    `${label}  ${finding.rule}  ${finding.title}`,
    `  ${finding.message}`,
    `  subject: ${finding.subject}`,
    '  evidence:',
    ...finding.evidence.map((e) => `    ${formatEvidence(e)}`),
  ];
  return lines.join('\n');
}

/**
 * `pod:cni-1 neighbor eth0|169.254.1.1 {"dst":"169.254.1.1",…}`, `(absent)` for a fact that is
 * not there, the time of a history fact, the line of the capture a frame or peer row was read from.
 */
export function formatEvidence(e: EvidenceFact): string {
  const attrs = e.attrs === null ? '(absent)' : JSON.stringify(e.attrs);
  return `${e.ns} ${e.kind} ${e.key} ${attrs}${e.at ? ` at ${e.at}` : ''}${e.line !== undefined ? ` (line ${e.line})` : ''}`;
}

/**
 * The human report of `check`: for a capture, its coverage and what was not checked; the
 * findings worst first; passed evidence (a verified proxy ARP); a one-line summary.
 */
export function formatReport(report: CaptureReport, options: { coverage: boolean }): string {
  const parts: string[] = [];
  if (options.coverage) parts.push([coverageLine(report), ...report.notChecked.map((s) => `not checked: ${s}`)].join('\n'));
  const sorted = [...report.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  parts.push(...sorted.map((f) => formatFinding(f)));
  parts.push(...report.passed.map((f) => formatFinding(f, 'PASSED')));
  parts.push(summary(report));
  return parts.join('\n\n') + '\n';
}

function coverageLine(report: CaptureReport): string {
  const count = (status: string) => report.coverage.filter((c) => c.status === status).length;
  const sections = report.coverage.length;
  const counts = [`${count('read')} read`, count('partial') ? `${count('partial')} partial` : '', count('unsupported') ? `${count('unsupported')} not read` : ''].filter(Boolean);
  return `coverage: ${sections} section${sections === 1 ? '' : 's'} (${counts.join(', ')})`;
}

function summary(report: CaptureReport): string {
  const cniOf = (n: CaptureReport['nodes'][number]) => `${n.cni}${n.mode ? `, ${n.mode}` : ''}`;
  const names = report.nodes.map((n) => n.node);
  const where = names.length === 1 ? `node ${names[0]}` : `nodes ${names.join(', ')}`;
  const cni = report.nodes.length === 1 ? cniOf(report.nodes[0]) : report.nodes.map((n) => `${n.node} ${cniOf(n)}`).join('; ');
  const findings = report.findings;
  if (findings.length > 0) {
    const counts = SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    return `${findings.length} finding${findings.length === 1 ? '' : 's'} on ${where} (${counts}); CNI: ${cni}.`;
  }
  if (report.nodes.every((n) => n.cni === 'calico' || n.cni === 'canal')) return `No findings on ${where}: ${names.length === 1 ? 'it matches' : 'they match'} the Calico proxy-ARP model (${cni}).`;
  return `No findings on ${where}: Calico was not detected${report.nodes.length === 1 ? '' : ' everywhere'} (CNI: ${cni}), so the Calico rules did not run${report.nodes.length === 1 ? '' : ' there'}.`;
}

/** `--json`: the findings as the API would store them, plus what was checked and how much of the capture was read. */
export function formatJson(report: CaptureReport): string {
  const first = report.nodes[0];
  const body = {
    node: first.node,
    cni: { cni: first.cni, ...(first.mode ? { mode: first.mode } : {}) },
    nodes: report.nodes,
    coverage: report.coverage,
    notChecked: report.notChecked,
    findings: report.findings,
    passed: report.passed,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
