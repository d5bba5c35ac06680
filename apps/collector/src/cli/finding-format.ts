import type { CniDetection, EvidenceFact, Finding, Severity } from '@routescope/checks';

const SEVERITY_ORDER: Severity[] = ['critical', 'error', 'warning', 'info'];

/** One block per finding: severity, rule and title; the message; the subject; the evidence, one fact per line. */
export function formatFinding(finding: Finding): string {
  const lines = [
    `${finding.severity.toUpperCase()}  ${finding.rule}  ${finding.title}`,
    `  ${finding.message}`,
    `  subject: ${finding.subject}`,
    '  evidence:',
    ...finding.evidence.map((e) => `    ${formatEvidence(e)}`),
  ];
  return lines.join('\n');
}

/** `pod:cni-1 neighbor eth0|169.254.1.1 {"dst":"169.254.1.1",…}`, or `(absent)` for a fact that is not there. */
export function formatEvidence(e: EvidenceFact): string {
  const attrs = e.attrs === null ? '(absent)' : JSON.stringify(e.attrs);
  return `${e.ns} ${e.kind} ${e.key} ${attrs}${e.at ? ` at ${e.at}` : ''}`;
}

/** The human report of `check`: findings worst first, then a one-line summary. */
export function formatReport(node: string, findings: readonly Finding[], detection: CniDetection): string {
  const sorted = [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  const blocks = sorted.map(formatFinding);
  const cni = `${detection.cni}${detection.mode ? `, ${detection.mode}` : ''}`;
  let summary: string;
  if (findings.length > 0) {
    const counts = SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    summary = `${findings.length} finding${findings.length === 1 ? '' : 's'} on node ${node} (${counts}); CNI: ${cni}.`;
  } else if (detection.cni === 'calico' || detection.cni === 'canal') {
    summary = `No findings on node ${node}: it matches the Calico proxy-ARP model (${cni}).`;
  } else {
    summary = `No findings on node ${node}: Calico was not detected (CNI: ${cni}), so the Calico rules did not run.`;
  }
  return [...blocks, summary].join('\n\n') + '\n';
}

/** `--json`: the findings as the API would store them, plus what was checked. */
export function formatJson(node: string, findings: readonly Finding[], detection: CniDetection): string {
  return `${JSON.stringify({ node, cni: { cni: detection.cni, ...(detection.mode ? { mode: detection.mode } : {}) }, findings }, null, 2)}\n`;
}
