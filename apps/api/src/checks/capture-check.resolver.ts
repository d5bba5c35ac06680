import { Args, Query, Resolver } from '@nestjs/graphql';
import { canonicalCidr, checkCapture, ruleById, type CaptureReport as CaptureReportData, type ClusterContext, type Finding } from '@routescope/checks';
import { familyOf, importCaptureNodes, type SectionCoverage } from '@routescope/snapshot';
import { RequireScope } from '../auth/scopes';
import { ChecksError, ChecksErrorCode } from './checks.errors';
import {
  CaptureContextInput,
  CaptureFinding,
  CaptureReport,
  CaptureSectionCoverage,
  CaptureSectionStatusValue,
} from './types/capture-report.type';
import { RuleScopeValue, SeverityValue } from './types/finding.type';

/** Largest pasted text accepted (UTF-8 bytes): a ticket's worth of output, far below the body limit. */
export const CAPTURE_TEXT_MAX_BYTES = 1024 * 1024;
/** Items per context list: a large cluster's pods, not an unbounded array. */
const CONTEXT_LIST_MAX = 100_000;

/**
 * Checks pasted terminal output (any format the import reads) and answers with coverage,
 * findings and passed evidence. Nothing is stored and the text is never logged: it may come
 * from a ticket with addresses a user does not want kept.
 */
@Resolver(() => CaptureReport)
@RequireScope('read')
export class CaptureCheckResolver {
  @Query(() => CaptureReport, {
    description:
      'Check a pasted capture (ip, route, ifconfig, tcpdump -e, calicoctl node status, ip monitor, kubectl -o wide, filtered output…) against the Calico proxy-ARP model: per-section coverage, findings, passed evidence, CNI per node. At most 1 MiB of text; nothing is stored.',
  })
  checkCapture(
    @Args('text') text: string,
    @Args('context', { type: () => CaptureContextInput, nullable: true }) context: CaptureContextInput | null,
  ): CaptureReport {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > CAPTURE_TEXT_MAX_BYTES) {
      throw new ChecksError(ChecksErrorCode.CaptureTooLarge, `text: ${bytes} bytes exceed the limit of ${CAPTURE_TEXT_MAX_BYTES} bytes (1 MiB); paste the sections that matter`);
    }
    const clusterContext = toClusterContext(context);
    const imported = importCaptureNodes(text);
    return toCaptureReport(checkCapture(imported, clusterContext), imported.unreadable);
  }
}

/** The GraphQL input as libs/checks' ClusterContext, each CIDR and number checked (field path in the message). */
export function toClusterContext(input: CaptureContextInput | null): ClusterContext {
  if (!input) return {};
  const context: { -readonly [K in keyof ClusterContext]: ClusterContext[K] } = {};
  const bad = (field: string, why: string) => new ChecksError(ChecksErrorCode.InvalidCaptureContext, `context.${field}: ${why}`);
  const list = <T>(field: string, items: T[] | null | undefined): T[] | undefined => {
    if (!items) return undefined;
    if (items.length > CONTEXT_LIST_MAX) throw bad(field, `${items.length} items exceed the limit of ${CONTEXT_LIST_MAX}`);
    return items;
  };
  const cidr = (field: string, text: string) => {
    const canonical = canonicalCidr(text);
    if (!canonical) throw bad(field, `"${text}" is not a CIDR (e.g. 10.244.0.0/16)`);
    return canonical;
  };
  const ip = (field: string, text: string) => {
    if (!familyOf(text)) throw bad(field, `"${text}" is not an IP address`);
    return text;
  };
  const pods = list('pods', input.pods);
  if (pods) context.pods = pods.map((p, i) => ({ namespace: p.namespace, name: p.name, ...(p.node ? { node: p.node } : {}), ips: p.ips.map((a, j) => ip(`pods[${i}].ips[${j}]`, a)) }));
  const nodes = list('nodes', input.nodes);
  if (nodes) context.nodes = nodes.map((n, i) => ({ name: n.name, internalIPs: n.internalIPs.map((a, j) => ip(`nodes[${i}].internalIPs[${j}]`, a)) }));
  const pools = list('ipPools', input.ipPools);
  if (pools) {
    context.ipPools = pools.map((p, i) => {
      const canonical = cidr(`ipPools[${i}].cidr`, p.cidr);
      const maxPrefix = canonical.includes(':') ? 128 : 32;
      if (p.blockSize !== null && p.blockSize !== undefined && (p.blockSize < Number(canonical.split('/')[1]) || p.blockSize > maxPrefix)) {
        throw bad(`ipPools[${i}].blockSize`, `${p.blockSize} is not a prefix length between the pool's (${canonical.split('/')[1]}) and ${maxPrefix}`);
      }
      if (p.mtu !== null && p.mtu !== undefined && (p.mtu < 68 || p.mtu > 65535)) throw bad(`ipPools[${i}].mtu`, `${p.mtu} is not an MTU (68–65535)`);
      return { name: p.name, cidr: canonical, encapsulation: p.encapsulation, ...(p.mtu ? { mtu: p.mtu } : {}), ...(p.blockSize ? { blockSize: p.blockSize } : {}) };
    });
  }
  const affinities = list('blockAffinities', input.blockAffinities);
  if (affinities) context.blockAffinities = affinities.map((a, i) => ({ cidr: cidr(`blockAffinities[${i}].cidr`, a.cidr), node: a.node }));
  return context;
}

/** libs/checks' report as GraphQL objects (the lib's types are not GraphQL classes). */
export function toCaptureReport(report: CaptureReportData, unreadable: string | undefined): CaptureReport {
  return {
    nodes: report.nodes.map((n) => ({ node: n.node, cni: n.cni, mode: n.mode ?? null, namespaces: n.namespaces, facts: n.facts })),
    coverage: report.coverage.map(toCoverage),
    findings: report.findings.map(toFinding),
    passed: report.passed.map(toFinding),
    notChecked: report.notChecked,
    unreadable: unreadable ?? null,
  };
}

const STATUS: Record<SectionCoverage['status'], CaptureSectionStatusValue> = {
  read: CaptureSectionStatusValue.READ,
  partial: CaptureSectionStatusValue.PARTIAL,
  unsupported: CaptureSectionStatusValue.UNSUPPORTED,
};

function toCoverage(section: SectionCoverage): CaptureSectionCoverage {
  return {
    headerLine: section.headerLine,
    command: section.command,
    ns: section.ns,
    node: section.node ?? null,
    format: section.format ?? null,
    status: STATUS[section.status],
    reason: section.reason ?? null,
  };
}

function toFinding(finding: Finding): CaptureFinding {
  const lines = [...new Set(finding.evidence.map((e) => e.line).filter((l): l is number => l !== undefined))].sort((a, b) => a - b);
  return {
    rule: finding.rule,
    scope: (ruleById(finding.rule)?.scope ?? 'node') as RuleScopeValue,
    severity: finding.severity as SeverityValue,
    title: finding.title,
    message: finding.message,
    node: finding.node,
    subject: finding.subject,
    evidence: finding.evidence,
    lines,
  };
}
