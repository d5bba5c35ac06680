import type { Address, Link, NetworkNamespace, Neighbor, Route, Sysctl, SnapshotWarning } from '../contract/snapshot-schema';
import { parseIpJsonAddresses, parseIpJsonLinks, parseIpJsonNeighbors, parseIpJsonRoutes } from '../parsers/ip-json-parser';
import type { ParseResult, ParseWarning } from '../parsers/parse-result';
import { parseIpAddrText, parseIpLinkText, parseIpNeighText, parseIpRouteText, parseSysctlText } from '../parsers/text';
import { findHostVeth } from './pod-veth-pairing';

/**
 * A capture is what people paste into a ticket: several command outputs, each introduced by
 * a header line `$ COMMAND` or `--- COMMAND`, optionally ending in `node NAME` or `pod NAME`
 * to say which side ran it (the node by default). This turns a capture into namespaces.
 */
export interface CaptureSection {
  /** the command as written, without the side marker. */
  command: string;
  side: { kind: 'host' } | { kind: 'pod'; name: string };
  nodeName?: string;
  /** 1-based line number of the header. */
  headerLine: number;
  body: string;
}

export interface ImportedCapture {
  /** from a `node NAME` marker, if any. */
  nodeName?: string;
  namespaces: NetworkNamespace[];
  warnings: SnapshotWarning[];
}

const HEADER = /^\s*(?:\$|---)\s+(\S.*?)\s*$/;
const SIDE_MARKER = /^(.*?)\s+(node|pod)\s+([A-Za-z0-9][\w.:-]*)$/;

export function splitCapture(text: string): { sections: CaptureSection[]; warnings: SnapshotWarning[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections: CaptureSection[] = [];
  const warnings: SnapshotWarning[] = [];
  let current: (CaptureSection & { lines: string[] }) | undefined;
  let strayLine: number | undefined;
  lines.forEach((line, index) => {
    const header = HEADER.exec(line);
    if (header) {
      if (current) sections.push(finish(current));
      const marker = SIDE_MARKER.exec(header[1]);
      const command = marker ? marker[1] : header[1];
      const side: CaptureSection['side'] = marker?.[2] === 'pod' ? { kind: 'pod', name: marker[3] } : { kind: 'host' };
      current = { command, side, nodeName: marker?.[2] === 'node' ? marker[3] : undefined, headerLine: index + 1, body: '', lines: [] };
      return;
    }
    if (current) current.lines.push(line);
    else if (line.trim() !== '' && strayLine === undefined) strayLine = index + 1;
  });
  if (current) sections.push(finish(current));
  if (strayLine !== undefined) {
    warnings.push({ code: 'text_outside_section', line: strayLine, message: 'text before the first "$ COMMAND" or "--- COMMAND" header is ignored' });
  }
  return { sections, warnings };
}

function finish(section: CaptureSection & { lines: string[] }): CaptureSection {
  const { lines, ...rest } = section;
  return { ...rest, body: lines.join('\n') };
}

type SectionKind =
  | { kind: 'link'; json: boolean }
  | { kind: 'addr'; json: boolean }
  | { kind: 'route'; json: boolean; family?: 'inet' | 'inet6' }
  | { kind: 'neigh'; json: boolean; proxy: boolean }
  | { kind: 'sysctl'; singleFile?: string };

const IP_OBJECTS: Array<[RegExp, 'link' | 'addr' | 'route' | 'neigh']> = [
  [/^l(i(nk?)?)?$/, 'link'],
  [/^a(d(dr?(ess)?)?)?$/, 'addr'],
  [/^r(o(u(te?)?)?)?$/, 'route'],
  [/^n(e(i(gh(bou?r)?)?)?)?$/, 'neigh'],
];
/** ip(8) options that take a value, so the value is not mistaken for the object. */
const IP_OPTIONS_WITH_VALUE = new Set(['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-l', '-loops', '-f', '-family']);

/** Recognises `ip [options] OBJECT ...`, `sysctl ...`, and `cat`/`grep` of /proc/sys files. */
export function classifyCommand(command: string): SectionKind | undefined {
  const tokens = command.split(/\s+/).filter((t) => t !== '' && t !== 'sudo');
  if (tokens[0] === 'busybox') tokens.shift();
  const program = tokens.shift()?.split('/').pop();
  if (program === 'sysctl') return { kind: 'sysctl' };
  if ((program === 'cat' || program === 'grep') && tokens.some((t) => t.startsWith('/proc/sys/'))) {
    const files = tokens.filter((t) => t.startsWith('/proc/sys/'));
    return program === 'cat' && files.length === 1 && !files[0].includes('*') ? { kind: 'sysctl', singleFile: files[0] } : { kind: 'sysctl' };
  }
  if (program !== 'ip') return undefined;
  let json = false;
  let family: 'inet' | 'inet6' | undefined;
  let object: 'link' | 'addr' | 'route' | 'neigh' | undefined;
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!object && token.startsWith('-')) {
      const option = token.replace(/^--?/, '-');
      if (option === '-j' || option === '-json') json = true;
      else if (option === '-6') family = 'inet6';
      else if (option === '-4') family = 'inet';
      else if (IP_OPTIONS_WITH_VALUE.has(option)) {
        if ((option === '-f' || option === '-family') && tokens[i + 1]) family = tokens[i + 1] === 'inet6' ? 'inet6' : 'inet';
        i++;
      }
      continue;
    }
    if (!object) {
      object = IP_OBJECTS.find(([pattern]) => pattern.test(token))?.[1];
      if (!object) return undefined;
      continue;
    }
    rest.push(token);
  }
  switch (object) {
    case 'link':
    case 'addr':
      return { kind: object, json };
    case 'route':
      return { kind: 'route', json, family };
    case 'neigh':
      return { kind: 'neigh', json, proxy: rest.includes('proxy') };
    default:
      return undefined;
  }
}

interface NamespaceParts {
  linkSections: Link[][];
  addrLinks: Link[][];
  addresses?: Address[];
  routes?: Route[];
  neighbors?: Neighbor[];
  sysctls?: Sysctl[];
}

export function importCapture(text: string): ImportedCapture {
  const { sections, warnings } = splitCapture(text);
  const parts = new Map<string, NamespaceParts>();
  const nodeNames = new Set<string>();
  const partsFor = (name: string) => {
    let p = parts.get(name);
    if (!p) parts.set(name, (p = { linkSections: [], addrLinks: [] }));
    return p;
  };

  for (const section of sections) {
    if (section.nodeName) nodeNames.add(section.nodeName);
    const namespace = section.side.kind === 'pod' ? section.side.name : 'host';
    const kind = classifyCommand(section.command);
    if (!kind) {
      warnings.push({ code: 'unknown_section', line: section.headerLine, namespace, message: `section "${section.command}" is not a command Routescope reads; kept as this warning only` });
      continue;
    }
    const p = partsFor(namespace);
    const report = (result: { warnings: ParseWarning[] }) => {
      for (const w of result.warnings) {
        warnings.push({
          code: 'parse_warning',
          namespace,
          ...(w.line !== undefined ? { line: section.headerLine + w.line } : { line: section.headerLine }),
          message: `${section.command}: ${w.message}`.slice(0, 2000),
        });
      }
    };
    switch (kind.kind) {
      case 'link': {
        const result = kind.json ? parseIpJsonLinks(section.body) : parseIpLinkText(section.body);
        report(result);
        p.linkSections.push(result.entries);
        break;
      }
      case 'addr': {
        if (kind.json) {
          const links = parseIpJsonLinks(section.body);
          const addresses = parseIpJsonAddresses(section.body);
          report(addresses);
          p.addrLinks.push(links.entries);
          p.addresses = [...(p.addresses ?? []), ...addresses.entries];
        } else {
          const result = parseIpAddrText(section.body);
          report(result);
          p.addrLinks.push(result.links);
          p.addresses = [...(p.addresses ?? []), ...result.addresses];
        }
        break;
      }
      case 'route': {
        const result: ParseResult<Route> = kind.json
          ? parseIpJsonRoutes(section.body, kind.family ?? 'inet')
          : parseIpRouteText(section.body, kind.family ? { family: kind.family } : {});
        report(result);
        p.routes = [...(p.routes ?? []), ...result.entries];
        break;
      }
      case 'neigh': {
        const result = kind.json ? parseIpJsonNeighbors(section.body, { proxy: kind.proxy }) : parseIpNeighText(section.body, { proxy: kind.proxy });
        report(result);
        p.neighbors = [...(p.neighbors ?? []), ...result.entries];
        break;
      }
      case 'sysctl': {
        const result = kind.singleFile ? singleSysctlFile(kind.singleFile, section.body) : parseSysctlText(section.body);
        report(result);
        p.sysctls = [...(p.sysctls ?? []), ...result.entries];
        break;
      }
    }
  }

  if (nodeNames.size > 1) {
    warnings.push({ code: 'conflicting_node_names', message: `sections name several nodes (${[...nodeNames].join(', ')}); using ${[...nodeNames][0]}` });
  }
  if (!parts.has('host')) parts.set('host', { linkSections: [], addrLinks: [] });

  const host = toNamespace('host', 'host', parts.get('host') as NamespaceParts);
  const namespaces: NetworkNamespace[] = [host];
  for (const [name, p] of [...parts].filter(([n]) => n !== 'host').sort(([a], [b]) => a.localeCompare(b))) {
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
  return { nodeName: [...nodeNames][0], namespaces, warnings };
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
  return namespace;
}

function mergeByName(sections: Link[][]): Link[] {
  const byName = new Map<string, Link>();
  for (const links of sections) for (const link of links) byName.set(link.name, { ...byName.get(link.name), ...link });
  return [...byName.values()];
}
