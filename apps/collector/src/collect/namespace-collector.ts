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
import { MissingProgramError, runCommand, type CommandResult } from './command-runner';
import { describeTarget, readProcFiles, runIp, runShell, type NamespaceTarget } from './namespace-target';

export interface NamespaceState {
  links: Link[];
  addresses: Address[];
  routes: Route[];
  neighbors: Neighbor[];
  sysctls: Sysctl[];
  warnings: string[];
  /** with `nsids`: nsid → name of the named namespaces this one has numbered. */
  namedNsids?: Map<number, string>;
  /** with `iproute2Version`: what `ip -V` printed. */
  iproute2Output?: string;
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
  /** also run `ip -V`, for the iproute2 version the snapshot names (`iproute2Output`). */
  iproute2Version?: boolean;
}

/**
 * Reads one namespace: links (with details), addresses, routes of all tables in both
 * families, neighbours and proxy entries, and sysctls.
 *
 * Normally one process does it all (`readAtOnce`): every exec costs the collector a fork of
 * itself and the child its dynamic linking, and a collection is mostly such start-up costs.
 * When that read fails in any way, the namespace is read command by command
 * (`readCommandByCommand`), which words every failure as it always has.
 */
export async function collectNamespace(target: NamespaceTarget, options: CollectOptions = {}): Promise<NamespaceState> {
  return (await readAtOnce(target, options)) ?? (await readCommandByCommand(target, options));
}

/** The sysctl files of every link, as globs: what `sysctlPaths` can name, and a little more (neigh/default, ipv6/conf/default). */
const SYSCTL_GLOBS = [
  '/proc/sys/net/ipv4/ip_forward',
  '/proc/sys/net/ipv6/conf/all/forwarding',
  ...['proxy_arp', 'forwarding', 'rp_filter'].map((key) => `/proc/sys/net/ipv4/conf/*/${key}`),
  '/proc/sys/net/ipv4/neigh/*/proxy_delay',
  '/proc/sys/net/ipv6/conf/*/forwarding',
];

/** Ends the output of `ip -V` and of `ip -batch` in the script's standard output, with their exit code. */
const END_MARK = '@@routescope-end';

/**
 * One shell inside the namespace: `ip -V` when asked ("$1" = with-version), one `ip -d -batch`
 * for every ip(8) section, then grep of the sysctl files. The files are globbed, since the link
 * names are not known before ip has run; `sysctlsOf` picks and orders them as sysctlPaths says.
 * (grep, not the shell's `read`: dash reads a byte at a time, and a /proc/sys file answers only
 * the first read, so `read` turns a proxy_delay of 80 into 8.)
 */
const NAMESPACE_SCRIPT = [
  `if [ "$1" = with-version ]; then ip -V; echo "${END_MARK} $?"; fi`,
  `ip -j -d -batch -; echo "${END_MARK} $?"`,
  `exec grep -H -s . ${SYSCTL_GLOBS.join(' ')}`,
].join('\n');

/**
 * `ip -d addr show` prints each link exactly as `ip -d link show` does (the same print_linkinfo),
 * followed by its addresses: one listing serves both. Under `-d` the route listings carry
 * iproute2's defaults, which `parseIpJsonRoutes(…, { details: true })` drops again.
 */
const DETAILED_SECTIONS = [ADDRESSES, ROUTES4, ROUTES6, NEIGHBORS, PROXIES];

/** The namespace read by one process, or undefined when anything about that read went wrong. */
async function readAtOnce(target: NamespaceTarget, options: CollectOptions): Promise<NamespaceState | undefined> {
  const sections = [...DETAILED_SECTIONS, ...(options.nsids ? [NSIDS] : [])];
  let result: CommandResult;
  try {
    result = await runShell(target, NAMESPACE_SCRIPT, options.iproute2Version ? ['with-version'] : [], sections.map((s) => `${s.batch}\n`).join(''));
  } catch (error) {
    if (error instanceof MissingProgramError) return undefined;
    throw error;
  }
  // grep exits 2 when a file is missing (IPv6 disabled, a link gone meanwhile): its exit code says nothing.
  if (result.code === null || result.stderr.trim() !== '') return undefined;
  const lines = result.stdout.split('\n');
  let at = 0;
  /** The lines up to the next end mark, or undefined when the mark is missing or reports a failure. */
  const upToMark = (): string[] | undefined => {
    const end = lines.indexOf(`${END_MARK} 0`, at);
    const anyEnd = lines.findIndex((line, i) => i >= at && line.startsWith(END_MARK));
    if (end < 0 || anyEnd !== end) return undefined;
    const part = lines.slice(at, end);
    at = end + 1;
    return part;
  };
  const version = options.iproute2Version ? upToMark() : [];
  const outputs = upToMark();
  if (version === undefined || outputs === undefined) return undefined;
  if (outputs.length !== sections.length || !outputs.every((line) => line.startsWith('['))) return undefined;
  const output = (s: Section) => outputs[sections.indexOf(s)];

  const warnings: string[] = [];
  const links = parseIpJsonLinks(output(ADDRESSES));
  note(warnings, 'ip link', links.warnings);
  const addresses = parsedSection(ADDRESSES, parseIpJsonAddresses(output(ADDRESSES)), warnings);
  const routes4 = parsedSection(ROUTES4, parseIpJsonRoutes(output(ROUTES4), 'inet', { details: true }), warnings);
  const routes6 = parsedSection(ROUTES6, parseIpJsonRoutes(output(ROUTES6), 'inet6', { details: true }), warnings);
  const neighbors = parsedSection(NEIGHBORS, parseIpJsonNeighbors(output(NEIGHBORS)), warnings);
  const proxies = parsedSection(PROXIES, parseIpJsonNeighbors(output(PROXIES), { proxy: true }), warnings);
  const sysctls = parseSysctlText(sysctlsOf(lines.slice(at), links.entries.map((l) => l.name)));
  note(warnings, 'sysctl', sysctls.warnings);
  return {
    links: links.entries,
    addresses,
    routes: [...routes4, ...routes6],
    neighbors: [...neighbors, ...proxies],
    sysctls: sysctls.entries,
    warnings,
    ...(options.nsids ? { namedNsids: parseNsids({ stdout: output(NSIDS), stderr: '', code: 0 }) } : {}),
    ...(options.iproute2Version ? { iproute2Output: version.join('\n') } : {}),
  };
}

/**
 * The `path:value` lines of the files sysctlPaths names for these links, in its order: what
 * `grep -H -s . PATHS…` prints (it skips missing files, and prints each line of a file; these
 * files hold one line).
 */
export function sysctlsOf(lines: readonly string[], interfaceNames: readonly string[]): string {
  const byPath = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0 && !byPath.has(line.slice(0, colon))) byPath.set(line.slice(0, colon), line);
  }
  let text = '';
  for (const path of sysctlPaths(interfaceNames)) {
    const line = byPath.get(path);
    if (line !== undefined) text += `${line}\n`;
  }
  return text;
}

/** The old way, and the fallback: `ip -d link`, one `ip -batch` for the rest (or one ip per section), and grep. */
async function readCommandByCommand(target: NamespaceTarget, options: CollectOptions): Promise<NamespaceState> {
  // As before the one-process read: `ip -V` first, so a missing ip(8) is reported as such.
  const version = options.iproute2Version ? await runCommand('ip', ['-V']) : undefined;
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
    ...(version ? { iproute2Output: version.stdout } : {}),
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

/** A section's entries, its parse warnings noted under the stand-alone command's name. */
function parsedSection<T>({ args }: Section, parsed: { entries: T[]; warnings: ParseWarning[] }, warnings: string[]): T[] {
  note(warnings, `ip ${args.join(' ')}`, parsed.warnings);
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
