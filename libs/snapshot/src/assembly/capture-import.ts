import { SNAPSHOT_LIMITS, storableText, type PartialSection } from '../contract/snapshot-constants';
import type { Address, Link, NetworkNamespace, Neighbor, Route, Sysctl, SnapshotWarning } from '../contract/snapshot-schema';
import { emptyEvidence, type CaptureEvidence, type KubernetesListing, type SectionCoverage } from '../evidence/capture-evidence';
import { parseIpJsonAddresses, parseIpJsonLinks, parseIpJsonNeighbors, parseIpJsonRoutes } from '../parsers/ip-json-parser';
import type { ParseResult, ParseWarning } from '../parsers/parse-result';
import { parseIpAddrText, parseIpLinkText, parseIpNeighText, parseIpRouteText, parseSysctlText } from '../parsers/text';
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
import { describeCommand, type SectionFormat } from './capture-commands';
import { splitCaptureSections, type CaptureSection } from './capture-sections';
import { findHostVeth } from './pod-veth-pairing';

export type { CaptureSection } from './capture-sections';
export { describeCommand, type CommandMeaning, type SectionFormat } from './capture-commands';

/**
 * A capture is what people paste into a ticket: several command outputs, each introduced by a
 * header (`$ COMMAND`, `--- COMMAND`, a shell prompt; see capture-sections.ts). Import turns it
 * into one set of namespaces and evidence per node named in it, and says for every section
 * whether it was read, read in part, or not read, and why.
 */

export interface ImportedNodeCapture {
  /** from `node NAME` qualifiers, a prompt's host name, `ssh HOST` or a fleet tool's prefix. */
  nodeName?: string;
  namespaces: NetworkNamespace[];
  warnings: SnapshotWarning[];
  evidence: CaptureEvidence;
  /** the sections that belong to this node. */
  coverage: SectionCoverage[];
}

export interface CaptureImport {
  /** one per node named in the capture (one when none is named). */
  nodes: ImportedNodeCapture[];
  /** every section, in order. */
  coverage: SectionCoverage[];
  warnings: SnapshotWarning[];
  /** undefined when at least one section was read or partial; else a one-line reason. */
  unreadable?: string;
  /** kubectl get pods/nodes -o wide anywhere in the capture. */
  kubernetes?: KubernetesListing;
}

/** The first (or only) node of a capture, as earlier callers expect it. */
export interface ImportedCapture {
  nodeName?: string;
  namespaces: NetworkNamespace[];
  warnings: SnapshotWarning[];
}

interface NamespaceParts {
  linkSections: Link[][];
  addrLinks: Link[][];
  addresses?: Address[];
  routes?: Route[];
  neighbors?: Neighbor[];
  sysctls?: Sysctl[];
  /** per contract section: true once a complete section contributed, false while only partial ones did. */
  complete: Partial<Record<PartialSection, boolean>>;
}

interface NodeParts {
  nodeName?: string;
  namespaces: Map<string, NamespaceParts>;
  evidence: CaptureEvidence;
  coverage: SectionCoverage[];
  warnings: SnapshotWarning[];
  /** true once a section gave this node facts or evidence (a kubectl listing alone does not make a node). */
  used: boolean;
}

/** Sections of a capture, for callers that only split (kept for earlier callers). */
export function splitCapture(text: string): { sections: CaptureSection[]; warnings: SnapshotWarning[] } {
  return splitCaptureSections(text);
}

/** The format of a command line, or undefined when import does not read it (kept for earlier callers). */
export function classifyCommand(command: string): SectionFormat | undefined {
  return describeCommand(command).format;
}

/** The first node of importCaptureNodes: for callers that read one node. */
export function importCapture(text: string): ImportedCapture {
  const imported = importCaptureNodes(text);
  const first = imported.nodes[0];
  const warnings = [...imported.warnings];
  if (imported.nodes.length > 1) {
    const names = imported.nodes.map((n) => n.nodeName ?? '(unnamed)');
    warnings.push({ code: 'conflicting_node_names', message: `sections name several nodes (${names.join(', ')}); using ${names[0]}` });
  }
  return { nodeName: first.nodeName, namespaces: first.namespaces, warnings };
}

export function importCaptureNodes(text: string): CaptureImport {
  const { sections, warnings } = splitCaptureSections(text);
  const captureWarnings = [...warnings];
  const nodes = new Map<string, NodeParts>();
  const coverage: SectionCoverage[] = [];
  let kubernetes: KubernetesListing | undefined;
  const nodeFor = (name: string | undefined): NodeParts => {
    const key = name ?? '';
    let node = nodes.get(key);
    if (!node) nodes.set(key, (node = { nodeName: name, namespaces: new Map(), evidence: emptyEvidence(), coverage: [], warnings: [], used: false }));
    return node;
  };

  const inferredWarnings = inferSectionNodes(sections);

  for (const section of sections) {
    const ns = section.side.kind === 'pod' ? `pod:${section.side.name}` : 'host';
    const namespaceName = section.side.kind === 'pod' ? section.side.name : 'host';
    const meaning = describeCommand(section.command);
    const node = nodeFor(section.nodeName);
    const entry: SectionCoverage = { headerLine: section.headerLine, command: section.command.slice(0, 500), ns, status: 'read' };
    if (section.nodeName) entry.node = section.nodeName;
    if (meaning.formatName) entry.format = meaning.formatName;
    const sectionWarnings: SnapshotWarning[] = [];
    const lineOf = (w: ParseWarning) => (w.line === undefined ? section.headerLine : (section.lineMap?.[w.line - 1] ?? section.headerLine + w.line));
    const report = (result: { warnings: ParseWarning[] }) => {
      for (const w of result.warnings) {
        sectionWarnings.push({ code: 'parse_warning', namespace: namespaceName, line: lineOf(w), message: `${section.command}: ${w.message}`.slice(0, 2000) });
      }
    };
    const partialReasons = [...(meaning.partial ? [meaning.partial] : []), ...section.decorations];
    const format = meaning.format;
    if (!format) {
      entry.status = 'unsupported';
      entry.reason = meaning.unsupported ?? 'not a command Routescope reads';
      sectionWarnings.push({ code: 'unknown_section', line: section.headerLine, namespace: namespaceName, message: `section "${section.command}" is not read: ${entry.reason}`.slice(0, 2000) });
    } else {
      const outcome = readSection(format, meaning.formatName ?? format.kind, section, ns, node, namespaceName, report);
      if (outcome.kubernetes) kubernetes = mergeListings(kubernetes, outcome.kubernetes);
      if (outcome.unreadable) {
        entry.status = 'unsupported';
        entry.reason = outcome.unreadable;
      } else {
        if (outcome.usedNode) node.used = true;
        if (partialReasons.length > 0 || outcome.partial.length > 0) {
          entry.status = 'partial';
          entry.reason = sentence([...partialReasons, ...outcome.partial]);
        }
        const parts = outcome.sections;
        if (parts) {
          const p = partsOf(node, namespaceName);
          for (const s of parts) p.complete[s] = (p.complete[s] ?? false) || entry.status === 'read';
        }
      }
    }
    coverage.push(entry);
    node.coverage.push(entry);
    node.warnings.push(...sectionWarnings);
    warnings.push(...sectionWarnings);
  }

  for (const [name, w] of inferredWarnings) {
    nodeFor(name).warnings.push(w);
    warnings.push(w);
  }

  // A kubectl listing from a workstation prompt, or a section nothing could be read from,
  // makes no node: such nodes only lend their coverage to the first node that remains.
  const used = [...nodes.values()].filter((n) => n.used);
  const unused = [...nodes.values()].filter((n) => !n.used);
  const named = used.filter((n) => n.nodeName !== undefined);
  const unnamed = used.find((n) => n.nodeName === undefined);
  // Sections that name no node belong to the only node named, when there is one.
  let result: NodeParts[] = used;
  if (named.length === 1 && unnamed) {
    mergeNodeInto(named[0], unnamed);
    result = [named[0]];
  }
  if (result.length === 0) result = [unused.find((n) => n.nodeName === undefined) ?? unused[0] ?? nodeFor(undefined)];
  for (const n of unused) if (!result.includes(n)) mergeCoverageInto(result[0], n);

  const out: ImportedNodeCapture[] = result.map((n) => buildNode(n));
  // What concerns the whole capture (text outside any section) goes with the first node's snapshot.
  out[0].warnings.unshift(...captureWarnings);
  // Warnings quote the paste (commands, values), which may be binary: keep them storable.
  for (const list of [warnings, ...out.map((n) => n.warnings)]) list.forEach((w, i) => (list[i] = { ...w, message: storableText(w.message, SNAPSHOT_LIMITS.messageLength) }));
  const readable = coverage.some((c) => c.status !== 'unsupported');
  const imported: CaptureImport = { nodes: out, coverage, warnings };
  if (kubernetes) {
    imported.kubernetes = kubernetes;
    for (const n of out) n.evidence.kubernetes = kubernetes;
  }
  if (!readable) {
    imported.unreadable =
      sections.length === 0
        ? 'no command header ("$ COMMAND", "--- COMMAND" or a shell prompt) was found, so no command output could be told apart'
        : `none of the ${sections.length} section${sections.length === 1 ? '' : 's'} could be read (${coverage
            .slice(0, 3)
            .map((c) => `${c.command.slice(0, 40)}: ${c.reason ?? 'unsupported'}`)
            .join('; ')})`;
  }
  return imported;
}

/**
 * Sections that name no node, in a capture that names several (`--- ip route node node-1`, then
 * `--- ip route pod web-…`): a pod the capture's own `kubectl get pods -o wide` places on one of
 * the named nodes is that node's; otherwise the section belongs to the node named before it, as
 * people paste one node's outputs together. (With one named node, every section is its.) Sets
 * `nodeName` and returns one warning per node that was given sections this way.
 */
function inferSectionNodes(sections: CaptureSection[]): Array<[string, SnapshotWarning]> {
  const named = new Set(sections.flatMap((s) => (s.nodeName === undefined ? [] : [s.nodeName])));
  if (named.size < 2) return [];
  const podNodes = new Map<string, string>();
  for (const s of sections) {
    if (describeCommand(s.command).format?.kind !== 'kubectl-wide') continue;
    for (const pod of parseKubectlWideText(s.body).listing.pods) if (pod.node !== undefined && named.has(pod.node)) podNodes.set(pod.name, pod.node);
  }
  const inferred = new Map<string, { listed: number[]; before: number[] }>();
  let previous: string | undefined;
  for (const section of sections) {
    if (section.nodeName !== undefined) {
      previous = section.nodeName;
      continue;
    }
    if (describeCommand(section.command).format?.kind === 'kubectl-wide') continue; // the cluster's, not a node's
    const listed = section.side.kind === 'pod' ? podNodes.get(section.side.name) : undefined;
    const node = listed ?? previous;
    if (node === undefined) continue;
    section.nodeName = node;
    const entry = inferred.get(node) ?? { listed: [], before: [] };
    (listed ? entry.listed : entry.before).push(section.headerLine);
    inferred.set(node, entry);
  }
  const lines = (l: number[]) => `${l.length === 1 ? 'line' : 'lines'} ${l.join(', ')}`;
  return [...inferred].map(([node, { listed, before }]) => {
    const reasons = [
      ...(listed.length ? [`${lines(listed)} (kubectl get pods -o wide places the pod there)`] : []),
      ...(before.length ? [`${lines(before)} (the node named before ${before.length === 1 ? 'it' : 'them'})`] : []),
    ];
    return [node, { code: 'node_inferred', message: `sections that name no node read as ${node}'s: ${reasons.join('; ')}` }];
  });
}

interface SectionOutcome {
  /** the contract sections the section added to */
  sections?: PartialSection[];
  partial: string[];
  unreadable?: string;
  usedNode: boolean;
  kubernetes?: KubernetesListing;
}

function partsOf(node: NodeParts, name: string): NamespaceParts {
  let p = node.namespaces.get(name);
  if (!p) node.namespaces.set(name, (p = { linkSections: [], addrLinks: [], complete: {} }));
  return p;
}

function readSection(
  format: SectionFormat,
  formatName: string,
  section: CaptureSection,
  ns: string,
  node: NodeParts,
  namespaceName: string,
  report: (result: { warnings: ParseWarning[] }) => void,
): SectionOutcome {
  const body = section.body;
  const hasText = body.trim() !== '';
  const partial: string[] = [];
  const shift = (line: number) => section.lineMap?.[line - 1] ?? section.headerLine + line;
  const facts = (sections: PartialSection[], found: number, lines: number): SectionOutcome => {
    // Output that yields nothing where there was text is not this format (prose, an error message).
    if (hasText && found === 0 && lines > 0) return { partial, unreadable: `no line could be read as ${formatName} output`, usedNode: false };
    return { sections, partial, usedNode: true };
  };
  const nonBlank = body.split('\n').filter((l) => l.trim() !== '' && !/^\s*(?:```|~~~)/.test(l)).length;
  switch (format.kind) {
    case 'link': {
      // A paste under `ip -br link` that holds the long form (or the reverse) is read as what it holds.
      const brief = format.brief ? parseIpBriefText(body, 'link') : undefined;
      const result = brief && brief.devices > 0 ? { entries: brief.links, warnings: brief.warnings } : format.json ? parseIpJsonLinks(body) : parseIpLinkText(body);
      report(result);
      const outcome = facts(['links'], result.entries.length, nonBlank);
      if (!outcome.unreadable) partsOf(node, namespaceName).linkSections.push(result.entries);
      return outcome;
    }
    case 'addr': {
      let links: Link[];
      let addresses: Address[];
      let found: number | undefined;
      const brief = format.brief ? parseIpBriefText(body, 'addr') : undefined;
      if (brief && brief.devices > 0) {
        const result = brief;
        report(result);
        links = [];
        addresses = result.addresses;
        found = result.devices;
      } else if (format.json) {
        links = parseIpJsonLinks(body).entries;
        const result = parseIpJsonAddresses(body);
        report(result);
        addresses = result.entries;
      } else {
        const result = parseIpAddrText(body);
        report(result);
        links = result.links;
        addresses = result.addresses;
      }
      const outcome = facts(found !== undefined ? ['addresses'] : ['links', 'addresses'], found ?? links.length + addresses.length, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        if (found === undefined) p.addrLinks.push(links);
        p.addresses = [...(p.addresses ?? []), ...addresses];
      }
      return outcome;
    }
    case 'route': {
      const result: ParseResult<Route> = format.json ? parseIpJsonRoutes(body, format.family ?? 'inet') : parseIpRouteText(body, format.family ? { family: format.family } : {});
      report(result);
      const outcome = facts(['routes'], result.entries.length, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        p.routes = [...(p.routes ?? []), ...result.entries];
      }
      return outcome;
    }
    case 'neigh': {
      const result = format.json ? parseIpJsonNeighbors(body, { proxy: format.proxy }) : parseIpNeighText(body, { proxy: format.proxy });
      report(result);
      const outcome = facts(['neighbors'], result.entries.length, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        p.neighbors = [...(p.neighbors ?? []), ...result.entries];
      }
      return outcome;
    }
    case 'sysctl': {
      const result = format.singleFile ? singleSysctlFile(format.singleFile, body) : parseSysctlText(body);
      report(result);
      const outcome = facts(['sysctls'], result.entries.length, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        p.sysctls = [...(p.sysctls ?? []), ...result.entries];
      }
      return outcome;
    }
    case 'route-table': {
      const result = parseRouteTableText(body);
      report(result);
      if (result.unresolved > 0) partial.push(`${result.unresolved} row${result.unresolved === 1 ? '' : 's'} show${result.unresolved === 1 ? 's' : ''} a host name instead of an address (route without -n)`);
      const outcome = facts(['routes'], result.entries.length + result.unresolved + result.headers, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        p.routes = [...(p.routes ?? []), ...result.entries];
      }
      return outcome;
    }
    case 'ifconfig': {
      const result = parseIfconfigText(body);
      report(result);
      const outcome = facts(['links', 'addresses'], result.records, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        p.linkSections.push(result.links);
        p.addresses = [...(p.addresses ?? []), ...result.addresses];
      }
      return outcome;
    }
    case 'arp': {
      const result = parseArpTableText(body);
      report(result);
      if (result.unresolved > 0) partial.push(`${result.unresolved} row${result.unresolved === 1 ? '' : 's'} show${result.unresolved === 1 ? 's' : ''} a host name instead of an address (arp without -n)`);
      const outcome = facts(['neighbors'], result.entries.length + result.unresolved + result.headers, nonBlank);
      if (!outcome.unreadable) {
        const p = partsOf(node, namespaceName);
        p.neighbors = [...(p.neighbors ?? []), ...result.entries];
      }
      return outcome;
    }
    case 'tcpdump': {
      const result = parseTcpdumpText(body, { ns, ...(format.interface ? { interface: format.interface } : {}) });
      report(result);
      if (hasText && result.frameLines === 0 && nonBlank > 0 && !/packets? captured/.test(body)) {
        return { partial, unreadable: 'no line could be read as a tcpdump frame', usedNode: false };
      }
      node.evidence.frames.push(...result.frames.map((f) => ({ ...f, line: shift(f.line) })));
      return { partial, usedNode: true };
    }
    case 'calicoctl-node-status': {
      const result = parseCalicoctlNodeStatusText(body);
      report(result);
      if (result.recognised === 0) return { partial, unreadable: 'no line could be read as calicoctl node status output', usedNode: false };
      const status = node.evidence.calicoNodeStatus ?? { peers: [], families: [] };
      if (result.status.processRunning !== undefined) status.processRunning = result.status.processRunning;
      status.peers.push(...result.status.peers.map((p) => ({ ...p, line: shift(p.line) })));
      for (const f of result.status.families) if (!status.families.includes(f)) status.families.push(f);
      node.evidence.calicoNodeStatus = status;
      return { partial, usedNode: true };
    }
    case 'monitor': {
      const result = parseIpMonitorText(body, { ns });
      report(result);
      if (hasText && result.events.length === 0 && result.eventLines > 0 && nonBlank > 0) return { partial, unreadable: 'no line could be read as an ip monitor event', usedNode: false };
      node.evidence.monitorEvents.push(...result.events.map((e) => ({ ...e, line: shift(e.line) })));
      return { partial, usedNode: true };
    }
    case 'kubectl-wide': {
      const result = parseKubectlWideText(body);
      report(result);
      if (result.headers === 0 && nonBlank > 0) return { partial, unreadable: 'no "NAME …" header line of kubectl get', usedNode: false };
      const listing: KubernetesListing = {
        pods: result.listing.pods.map((p) => ({ ...p, line: shift(p.line) })),
        nodes: result.listing.nodes.map((n) => ({ ...n, line: shift(n.line) })),
      };
      return { partial, usedNode: false, kubernetes: listing };
    }
    case 'bridge-fdb': {
      const result = parseBridgeFdbText(body, { ns, ...(format.dev ? { dev: format.dev } : {}) });
      report(result);
      if (hasText && result.entries.length === 0) return { partial, unreadable: 'no line could be read as bridge fdb output', usedNode: false };
      node.evidence.fdb = [...(node.evidence.fdb ?? []), ...result.entries.map((e) => ({ ...e, line: shift(e.line) }))];
      return { partial, usedNode: true };
    }
    case 'wireguard': {
      const result = parseWireguardText(body, { ns, ...(format.showconfInterface ? { showconfInterface: format.showconfInterface } : {}) });
      report(result);
      if (hasText && result.interfaces.length === 0) return { partial, unreadable: 'no line could be read as wg output', usedNode: false };
      node.evidence.wireguard = [
        ...(node.evidence.wireguard ?? []),
        ...result.interfaces.map((i) => ({ ...i, line: shift(i.line), peers: i.peers.map((p) => ({ ...p, line: shift(p.line) })) })),
      ];
      return { partial, usedNode: true };
    }
  }
}

function sentence(reasons: string[]): string {
  const unique = [...new Set(reasons)];
  const text = unique.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`.slice(0, 500);
}

function mergeListings(a: KubernetesListing | undefined, b: KubernetesListing): KubernetesListing {
  if (!a) return b;
  return { pods: [...a.pods, ...b.pods], nodes: [...a.nodes, ...b.nodes] };
}

function mergeNodeInto(target: NodeParts, source: NodeParts): void {
  for (const [name, p] of source.namespaces) {
    const t = partsOf(target, name);
    t.linkSections.push(...p.linkSections);
    t.addrLinks.push(...p.addrLinks);
    for (const key of ['addresses', 'routes', 'neighbors', 'sysctls'] as const) {
      const add = p[key];
      if (add) (t as unknown as Record<string, unknown[]>)[key] = [...((t[key] as unknown[] | undefined) ?? []), ...add];
    }
    for (const [s, complete] of Object.entries(p.complete) as Array<[PartialSection, boolean]>) t.complete[s] = (t.complete[s] ?? false) || complete;
  }
  target.evidence.frames.push(...source.evidence.frames);
  target.evidence.monitorEvents.push(...source.evidence.monitorEvents);
  if (source.evidence.calicoNodeStatus) {
    const status = target.evidence.calicoNodeStatus ?? { peers: [], families: [] };
    if (source.evidence.calicoNodeStatus.processRunning !== undefined) status.processRunning = source.evidence.calicoNodeStatus.processRunning;
    status.peers.push(...source.evidence.calicoNodeStatus.peers);
    for (const f of source.evidence.calicoNodeStatus.families) if (!status.families.includes(f)) status.families.push(f);
    target.evidence.calicoNodeStatus = status;
  }
  if (source.evidence.fdb) target.evidence.fdb = [...(target.evidence.fdb ?? []), ...source.evidence.fdb];
  if (source.evidence.wireguard) target.evidence.wireguard = [...(target.evidence.wireguard ?? []), ...source.evidence.wireguard];
  mergeCoverageInto(target, source);
}

function mergeCoverageInto(target: NodeParts, source: NodeParts): void {
  // The sections now belong to the target node: their coverage says so.
  if (target.nodeName !== undefined) for (const c of source.coverage) if (c.node === undefined) c.node = target.nodeName;
  target.coverage.push(...source.coverage);
  target.coverage.sort((a, b) => a.headerLine - b.headerLine);
  target.warnings.push(...source.warnings);
  target.warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function buildNode(n: NodeParts): ImportedNodeCapture {
  const warnings = [...n.warnings];
  if (!n.namespaces.has('host')) n.namespaces.set('host', { linkSections: [], addrLinks: [], complete: {} });
  const host = toNamespace('host', 'host', n.namespaces.get('host') as NamespaceParts);
  const namespaces: NetworkNamespace[] = [host];
  for (const [name, p] of [...n.namespaces].filter(([name]) => name !== 'host').sort(([a], [b]) => a.localeCompare(b))) {
    const pod = toNamespace('pod', name, p);
    const pair = host.links && pod.links ? findHostVeth(host.links, pod.links) : undefined;
    if (pair) {
      pod.hostVeth = pair.hostVeth.name;
      if (pair.hostVeth.linkNetnsId !== undefined) pod.netnsId = pair.hostVeth.linkNetnsId;
    } else if (host.links && pod.links) {
      warnings.push({ code: 'pod_veth_unpaired', namespace: name, message: `no host veth in the capture pairs with a link of pod ${name}` });
    }
    namespaces.push(pod);
  }
  const node: ImportedNodeCapture = { namespaces, warnings, evidence: n.evidence, coverage: n.coverage };
  if (n.nodeName !== undefined) node.nodeName = n.nodeName;
  return node;
}

/** `cat /proc/sys/net/ipv4/ip_forward` prints only the value. */
function singleSysctlFile(file: string, body: string): ParseResult<Sysctl> {
  const value = body.trim();
  const path = file.replace(/^\/proc\/sys\//, '');
  if (value === '' || value.includes('\n') || !/^net\//.test(path)) {
    return { entries: [], warnings: [{ line: 1, message: `expected one value from ${file}` }] };
  }
  return { entries: [{ path, value }], warnings: [] };
}

function toNamespace(kind: 'host' | 'pod', name: string, p: NamespaceParts): NetworkNamespace {
  // Detailed `ip -d link` output wins over the link headers that `ip addr` repeats.
  const linkSource = p.linkSections.length > 0 ? p.linkSections : p.addrLinks;
  const namespace: NetworkNamespace = { kind, name };
  if (linkSource.length > 0) namespace.links = mergeByName(linkSource);
  if (p.addresses) namespace.addresses = p.addresses;
  if (p.routes) namespace.routes = p.routes;
  if (p.neighbors) namespace.neighbors = p.neighbors;
  if (p.sysctls) namespace.sysctls = p.sysctls;
  const partial = (['links', 'addresses', 'routes', 'neighbors', 'sysctls'] as const).filter((s) => namespace[s] !== undefined && p.complete[s] === false);
  if (partial.length > 0) namespace.partial = partial;
  return namespace;
}

function mergeByName(sections: Link[][]): Link[] {
  const byName = new Map<string, Link>();
  for (const links of sections) {
    for (const link of links) {
      const known = byName.get(link.name);
      // ifconfig prints no ifindex (0): it never hides the one ip(8) printed.
      byName.set(link.name, { ...known, ...link, ...(link.ifindex === 0 && known ? { ifindex: known.ifindex } : {}) });
    }
  }
  return [...byName.values()];
}
