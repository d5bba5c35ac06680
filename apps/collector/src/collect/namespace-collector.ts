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
import { describeTarget, readProcFiles, runIp, type NamespaceTarget } from './namespace-target';

export interface NamespaceState {
  links: Link[];
  addresses: Address[];
  routes: Route[];
  neighbors: Neighbor[];
  sysctls: Sysctl[];
  warnings: string[];
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
 * Reads one namespace: links (with details), addresses, routes of all tables in both
 * families, neighbours and proxy entries, and sysctls. The link listing comes first: if it
 * fails the namespace is unreadable; a later failure loses only that section.
 */
export async function collectNamespace(target: NamespaceTarget): Promise<NamespaceState> {
  const warnings: string[] = [];
  const linkResult = await runIp(target, ['-j', '-d', 'link', 'show']);
  if (linkResult.code !== 0) throw new NamespaceUnreadableError(target, firstLine(linkResult.stderr) || `ip exited with ${linkResult.code}`);
  const links = parseIpJsonLinks(linkResult.stdout);
  note(warnings, 'ip link', links.warnings);

  const [addresses, routes4, routes6, neighbors, proxies, sysctls] = await Promise.all([
    section(target, ['-j', 'addr', 'show'], warnings, parseIpJsonAddresses),
    section(target, ['-j', '-4', 'route', 'show', 'table', 'all'], warnings, (out) => parseIpJsonRoutes(out, 'inet')),
    section(target, ['-j', '-6', 'route', 'show', 'table', 'all'], warnings, (out) => parseIpJsonRoutes(out, 'inet6')),
    section(target, ['-j', 'neigh', 'show'], warnings, (out) => parseIpJsonNeighbors(out)),
    section(target, ['-j', 'neigh', 'show', 'proxy'], warnings, (out) => parseIpJsonNeighbors(out, { proxy: true })),
    readProcFiles(target, sysctlPaths(links.entries.map((l) => l.name))),
  ]);
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
  };
}

async function section<T>(
  target: NamespaceTarget,
  args: string[],
  warnings: string[],
  parse: (stdout: string) => { entries: T[]; warnings: ParseWarning[] },
): Promise<T[]> {
  const result = await runIp(target, args);
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

function note(warnings: string[], command: string, parseWarnings: readonly ParseWarning[]): void {
  for (const w of parseWarnings) warnings.push(`${command}: ${w.message}`);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
