import type { EvidenceFact, Finding } from '../check-types';
import { ruleById } from './catalogue';

/** A finding of a catalogued rule: severity and title come from the catalogue. */
export function makeFinding(rule: string, node: string, subject: string, message: string, evidence: EvidenceFact[]): Finding {
  const definition = ruleById(rule);
  if (!definition) throw new Error(`rule ${rule} is not in the catalogue`);
  return { rule, severity: definition.severity, title: definition.title, message, node, subject, evidence };
}

/** Stable order: catalogue order, then node, then subject. */
export function sortFindings(findings: Finding[], order: readonly string[]): Finding[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  return findings.sort(
    (a, b) => (rank.get(a.rule) ?? 0) - (rank.get(b.rule) ?? 0) || compare(a.node, b.node) || compare(a.subject, b.subject),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
