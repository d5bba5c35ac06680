import {
  parseIpJsonAddresses,
  parseIpJsonLinks,
  parseIpJsonNeighbors,
  parseIpJsonRoutes,
  parseSysctlText,
  type Address,
  type Link,
  type Neighbor,
  type ParseWarning,
  type Route,
  type Sysctl,
} from '@routescope/snapshot';
import type { CommandResult } from './command-runner';
import { describeTarget, readProcFiles, runIp, type NamespaceTarget } from './namespace-target';

export interface NamespaceState {
  links: Link[];
  addresses: Address[];
  routes: Route[];
  neighbors: Neighbor[];
  sysctls: Sysctl[];
  warnings: string[];
  /** with `nsids`: nsid → name of the named namespaces this one has numbered. */
  namedNsids?: Map<number, string>;
}

/** The namespace could not be read at all: it vanished, or it cannot be entered. */
export class NamespaceUnreadableError extends Error {
  constructor(
    readonly target: NamespaceTarget,
    detail: string,
  ) {
    super(`cannot read ${describeTarget(target)}: ${detail}`);
  }
}

/** Per-interface and global sysctls that decide how the Calico model forwards and answers ARP. */
export function sysctlPaths(interfaceNames: readonly string[]): string[] {
  const names = ['all', 'default', ...interfaceNames];
  const paths = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'];
  for (const name of names) {
    for (const key of ['proxy_arp', 'forwarding', 'rp_filter']) paths.push(`/proc/sys/net/ipv4/conf/${name}/${key}`);
  }
  for (const name of interfaceNames) paths.push(`/proc/sys/net/ipv4/neigh/${name}/proxy_delay`);
  for (const name of interfaceNames) paths.push(`/proc/sys/net/ipv6/conf/${name}/forwarding`);
  return paths;
}

/**
 * What a namespace read asks ip(8) for besides the detailed link listing. Each section is one
 * command; all of them normally go to one `ip -batch` process (`batch`), which prints one JSON
 * array per line. The `root` selectors make a family-less route listing print exactly what
 * `ip -4`/`ip -6 route show table all` print, since `-4`/`-6` cannot vary within a batch.
 */
interface Section {
  /** the stand-alone command, also the name warnings give */
  args: string[];
  /** the same command as an `ip -batch` line */
  batch: string;
}

const ADDRESSES: Section = { args: ['-j', 'addr', 'show'], batch: 'addr show' };
const ROUTES4: Section = { args: ['-j', '-4', 'route', 'show', 'table', 'all'], batch: 'route show table all root 0.0.0.0/0' };
const ROUTES6: Section = { args: ['-j', '-6', 'route', 'show', 'table', 'all'], batch: 'route show table all root ::/0' };
const NEIGHBORS: Section = { args: ['-j', 'neigh', 'show'], batch: 'neigh show' };
const PROXIES: Section = { args: ['-j', 'neigh', 'show', 'proxy'], batch: 'neigh show proxy' };
/** nsid → name of the namespaces mounted under /var/run/netns, as this namespace numbers them. */
const NSIDS: Section = { args: ['-j', 'netns', 'list-id'], batch: 'netns list-id' };

export interface CollectOptions {
  /** also list the nsids of named namespaces (`ip netns list-id`), to find the pods of a node. */
  nsids?: boolean;
}

/**
 * Reads one namespace: links (with details), addresses, routes of all tables in both
 * families, neighbours and proxy entries, and sysctls. The link listing comes first: if it
 * fails the namespace is unreadable; a later failure loses only that section.
 * Three processes per namespace: `ip -d link`, one `ip -batch` for the rest, and grep.
 */
export async function collectNamespace(target: NamespaceTarget, options: CollectOptions = {}): Promise<NamespaceState> {
  const warnings: string[] = [];
  const linkResult = await runIp(target, ['-j', '-d', 'link', 'show']);
  if (linkResult.code !== 0) throw new NamespaceUnreadableError(target, firstLine(linkResult.stderr) || `ip exited with ${linkResult.code}`);
  const links = parseIpJsonLinks(linkResult.stdout);
  note(warnings, 'ip link', links.warnings);

  const sections = [ADDRESSES, ROUTES4, ROUTES6, NEIGHBORS, PROXIES, ...(options.nsids ? [NSIDS] : [])];
  const [outputs, sysctls] = await Promise.all([runSections(target, sections), readProcFiles(target, sysctlPaths(links.entries.map((l) => l.name)))]);
  const output = (s: Section) => outputs[sections.indexOf(s)];
  const addresses = section(target, ADDRESSES, output(ADDRESSES), warnings, parseIpJsonAddresses);
  const routes4 = section(target, ROUTES4, output(ROUTES4), warnings, (out) => parseIpJsonRoutes(out, 'inet'));
  const routes6 = section(target, ROUTES6, output(ROUTES6), warnings, (out) => parseIpJsonRoutes(out, 'inet6'));
  const neighbors = section(target, NEIGHBORS, output(NEIGHBORS), warnings, (out) => parseIpJsonNeighbors(out));
  const proxies = section(target, PROXIES, output(PROXIES), warnings, (out) => parseIpJsonNeighbors(out, { proxy: true }));
  // grep exits 2 when some files are absent (IPv6 disabled, a link gone meanwhile): keep what it read.
  const parsedSysctls = parseSysctlText(sysctls.stdout);
  note(warnings, 'sysctl', parsedSysctls.warnings);
  return {
    links: links.entries,
    addresses,
    routes: [...routes4, ...routes6],
    neighbors: [...neighbors, ...proxies],
    sysctls: parsedSysctls.entries,
    warnings,
    ...(options.nsids ? { namedNsids: parseNsids(output(NSIDS)) } : {}),
  };
}

/**
 * The output of each section: from one `ip -batch` run when it went cleanly (exit 0, nothing
 * on stderr, one JSON array per command), otherwise from one `ip` run per section, so that a
 * failing command is reported, or tolerated, exactly as on its own.
 */
async function runSections(target: NamespaceTarget, sections: readonly Section[]): Promise<CommandResult[]> {
  const batch = await runIp(target, ['-j', '-batch', '-'], sections.map((s) => `${s.batch}\n`).join(''));
  if (batch.code === 0 && batch.stderr.trim() === '') {
    const lines = batch.stdout.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === sections.length && lines.every((line) => line.startsWith('['))) return lines.map((stdout) => ({ stdout, stderr: '', code: 0 }));
  }
  return Promise.all(sections.map((s) => runIp(target, s.args)));
}

function section<T>(
  target: NamespaceTarget,
  { args }: Section,
  result: CommandResult,
  warnings: string[],
  parse: (stdout: string) => { entries: T[]; warnings: ParseWarning[] },
): T[] {
  const command = `ip ${args.join(' ')}`;
  if (result.code !== 0) {
    // IPv6 disabled in the namespace is normal: an empty section, not a problem.
    if (args.includes('-6') && /not supported|Address family/i.test(result.stderr)) return [];
    throw new NamespaceUnreadableError(target, `${command}: ${firstLine(result.stderr) || `exited with ${result.code}`}`);
  }
  const parsed = parse(result.stdout);
  note(warnings, command, parsed.warnings);
  return parsed.entries;
}

/** An unreadable listing gives an empty map: the pods are then looked for through /proc. */
function parseNsids(result: CommandResult): Map<number, string> {
  const map = new Map<number, string>();
  if (result.code !== 0) return map;
  try {
    for (const entry of JSON.parse(result.stdout || '[]') as Array<{ nsid?: number; name?: string }>) {
      if (typeof entry.nsid === 'number' && typeof entry.name === 'string') map.set(entry.nsid, entry.name);
    }
  } catch {
    // An unparsable listing leaves every pod to the /proc scan.
  }
  return map;
}

function note(warnings: string[], command: string, parseWarnings: readonly ParseWarning[]): void {
  for (const w of parseWarnings) warnings.push(`${command}: ${w.message}`);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
