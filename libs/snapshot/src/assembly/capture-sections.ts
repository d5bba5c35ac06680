import { looksMasked } from '../parsers/text/ip-text-values';
import { describeCommand, splitQualifier, stripComment, wordsOf } from './capture-commands';
import type { SnapshotWarning } from '../contract/snapshot-schema';

/**
 * Splitting a pasted capture into sections, one per command output. A section starts at a
 * header line:
 *
 *   $ ip route                          --- ip route               # ip route   (a command Routescope reads)
 *   user@node-1:~$ ip route             [root@node-1 ~]# ip route  root@node-1:/# ip route
 *   / # ip route   (busybox in a pod)   node-1$ ip route           (a command Routescope reads)
 *
 * optionally ending in `node NAME` or `pod NAME` (only after a whole command:
 * `calicoctl node status` is a command). A prompt's host names the node, unless it looks like
 * a pod or container (then it names the pod). A closing markdown fence ends a section; text
 * between sections is prose and is left alone. Within a section, what terminals and tickets
 * add is removed: ANSI colours, CRLF, HTML escapes, markdown quote markers, a common
 * indentation, and per-host prefixes of fleet tools (pdsh/clush `host: …`, `host | …`, ansible
 * `host | CHANGED | rc=0 >>`, pssh `[1] 12:00:00 [SUCCESS] host`, clush -b's
 * `node[1-2] (2)` boxes), which split the section into one per host.
 */

export interface CaptureSection {
  /** the command as written, without prompt and node/pod qualifier. */
  command: string;
  side: { kind: 'host' } | { kind: 'pod'; name: string };
  nodeName?: string;
  /** 1-based line number of the header. */
  headerLine: number;
  /** the output, cleaned; line i of the body is capture line headerLine + i. */
  body: string;
  /** why the body is only part of the output, from decorations (fleet prefixes, masked values, truncation). */
  decorations: string[];
  /** the capture line of each body line (index 0 is body line 1), when they are not consecutive (fleet output). */
  lineMap?: number[];
}

const FENCE = /^\s*(?:```|~~~)/;
const DASH_HEADER = /^\s*(?:\$|---|>\s*\$)\s+(\S.*?)\s*(?:---)?\s*$/;
const HASH_HEADER = /^\s*#\s*(\S.*?)\s*$/;
/** user@host:~$ CMD, user@host:/# CMD, core@host ~ $ CMD, (venv) user@host:~$ CMD */
const PROMPT_USER_HOST = /^\s*(?:\([\w.-]+\)\s*)?([\w.-]+)@([\w.-]+)(?::[^\s$#]*)?(?:\s+[^\s$#@]+)?\s?[$#]\s?(.*?)\s*$/;
/** [root@host ~]# CMD, [host dir]$ CMD */
const PROMPT_BRACKET = /^\s*\[(?:([\w.-]+)@)?([\w.-]+)(?:\s+[^\]]*)?\]\s?[$#]\s?(.*?)\s*$/;
/** root@host: CMD (the prompt character lost) — only before a command import reads */
const PROMPT_USER_HOST_COLON = /^\s*([\w.-]+)@([\w.-]+):\s(.*?)\s*$/;
/** host:~$ CMD, host:/root#CMD — only before a command import reads */
const PROMPT_HOST_PATH = /^\s*([A-Za-z][\w.-]*):(?:[~/][^\s$#]*)?[$#]\s?(.*?)\s*$/;
/** gentoo/coreos: host dir # CMD — only before a command import reads */
const PROMPT_HOST_DIR = /^\s*([A-Za-z][\w.-]*)\s+[~/]?[\w./~-]*\s[$#]\s(.*?)\s*$/;
const PROMPT_PATH = /^\s*(\/[^\s#$]*|~)\s[#$]\s(.*?)\s*$/;
const PROMPT_HOST = /^\s*([A-Za-z][\w.-]*)\s?[$#]\s(.*?)\s*$/;
/** a prompt that names the shell, not the host (bash-4.2#, sh-5.2$) */
const SHELL_NAME = /^(?:ba|z|a|da|k|c|tc|fi)?sh(?:-\d+(?:\.\d+)*)?$/;
/** Programs whose output import reads, for the header forms that could also be prose (`# …`, `host$ …`). */
const KNOWN_PROGRAM = /^(?:sudo\s+)?(?:\S*\/)?(?:ip|route|ifconfig|arp|tcpdump|calicoctl\S*|kubectl|k|oc|sysctl|cat|grep|egrep|bridge|wg|netstat|busybox|nsenter|docker|crictl|ssh|watch|exit|logout)(?:\s|$)/;
/** DaemonSets that run in the host network namespace: a prompt inside them is the node's. */
const HOST_NETWORK_PODS = /^(?:calico-node|kube-proxy|canal|kube-flannel-ds(?:-\w+)?|cilium|weave-net)-[a-z0-9]{5}$/;
const POD_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[a-z0-9]{5}$/;
const CONTAINER_ID = /^[0-9a-f]{12}$/;
const FLEET_LINE = /^([A-Za-z][\w.-]{0,62})(?: \| |: )(.*)$/;
const NOT_HOSTS = new Set(['Error', 'Warning', 'Note', 'RTNETLINK', 'Cannot', 'tcpdump', 'listening', 'Usage', 'bash', 'sh', 'sudo', 'ip', 'Timestamp', 'interface', 'peer', 'transfer', 'endpoint', 'Object', 'Device', 'Command', 'error', 'warning', 'ERROR', 'WARNING', 'NAME', 'Calico']);
/** a host's block: ansible `host | CHANGED | rc=0 >>`, pssh -i `[1] 12:00:00 [SUCCESS] host` */
const HOST_BLOCK_HEADER = /^(?:([\w.-]+) \| (?:CHANGED|SUCCESS|FAILED|UNREACHABLE)!?(?: \| rc=\d+)? >>|\[\d+\] \d\d:\d\d:\d\d \[(?:SUCCESS|FAILURE)\] ([\w.-]+)(?::\d+)?(?: .*)?)$/;

export function splitCaptureSections(text: string): { sections: CaptureSection[]; warnings: SnapshotWarning[] } {
  const warnings: SnapshotWarning[] = [];
  if (typeof text !== 'string') return { sections: [], warnings: [{ code: 'not_text', message: 'the capture is not text' }] };
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').split(/\r\n|\r|\n/);
  const sections: CaptureSection[] = [];
  let current: { header: Header; headerLine: number; lines: string[]; fenceOpenedInside: boolean } | undefined;
  let strayLine: number | undefined;
  const leading: string[] = [];
  let headerSeen = false;
  let inFence = false;
  let session: { node?: string; pod?: string } | undefined;
  const finish = () => {
    if (current) sections.push(...finishSection(current.header, current.headerLine, current.lines));
    current = undefined;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].length > 65536 ? '' : lines[index];
    if (FENCE.test(line)) {
      inFence = !inFence;
      if (!headerSeen) leading.push('');
      if (current) {
        if (!inFence && current.lines.some((l) => l.trim() !== '')) finish();
        else current.lines.push('');
      }
      continue;
    }
    // No command line is this long; the cap also keeps the header patterns' lazy groups linear.
    const header = line.length <= 2000 ? readHeader(unescapeHtml(line)) : undefined;
    if (header) {
      finish();
      headerSeen = true;
      if (header.command === '') continue; // a bare prompt ends the output before it
      // `kubectl exec -it web -- bash`, `ssh node-2`: the sections after it run there, until a
      // prompt names another host or the shell exits. The shell's own line has no output to read.
      const meaning = describeCommand(header.command);
      if (meaning.shell) {
        session = { node: header.node ?? meaning.node, pod: header.pod ?? meaning.pod };
        continue;
      }
      if (meaning.exit) {
        session = undefined;
        continue;
      }
      if (header.hostNamed) session = undefined;
      else if (session && header.node === undefined && header.pod === undefined) {
        if (session.node !== undefined) header.node = session.node;
        if (session.pod !== undefined) header.pod = session.pod;
      }
      current = { header, headerLine: index + 1, lines: [], fenceOpenedInside: inFence };
      continue;
    }
    if (current) current.lines.push(line);
    else {
      if (!headerSeen) leading.push(line);
      if (line.trim() !== '' && strayLine === undefined) strayLine = index + 1;
    }
  }
  finish();
  // Output pasted without its command line: read it when its lines leave no doubt what printed them.
  const guessed = sniffCommand(leading);
  if (guessed !== undefined && strayLine !== undefined) {
    sections.unshift(...finishSection({ command: guessed }, 0, leading));
    warnings.push({ code: 'section_without_header', line: strayLine, message: `the output at line ${strayLine} has no command header; it was read as ${guessed} output` });
  } else if (strayLine !== undefined) {
    warnings.push({ code: 'text_outside_section', line: strayLine, message: 'text before the first command header ("$ COMMAND", "--- COMMAND" or a shell prompt) is ignored' });
  }
  return { sections, warnings };
}

/** Line shapes that only one command prints, for output pasted without its command. */
const SNIFFERS: Array<[string, RegExp]> = [
  ['route -n', /^(?:Kernel IP routing table|Destination\s+Gateway\s+Genmask\b.*|(?:\d{1,3}\.){3}\d{1,3}\s+(?:\d{1,3}\.){3}\d{1,3}\s+(?:\d{1,3}\.){3}\d{1,3}\s+[UGH!DMR]+\s.*)$/],
  ['calicoctl node status', /^(?:Calico process is (?:not )?running\.?|IPv[46] BGP status|No IPv[46] peers found\.?|\+[-+]+\+|\|.*\|)$/],
  ['ip addr', /^(?:\d+: \S+: <[^<>]*>.*|link\/\S+ .*|inet6? [\da-f.:]+\/\d+ .*|valid_lft .*|altname \S+)$/],
  ['ip neigh', /^\S+ dev \S+ (?:lladdr \S+ )?(?:router )?(?:REACHABLE|STALE|DELAY|PROBE|FAILED|INCOMPLETE|PERMANENT|NOARP|NONE)$/],
  ['ip route', /^(?:(?:(?:blackhole|unreachable|prohibit|throw|local|broadcast|anycast|multicast) )?(?:default|(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?|[\da-f]*:[\da-f:]*(?:\/\d{1,3})?)(?: (?:via|dev|proto|table|scope|metric|src|mtu|onlink|linkdown|pref|expires)\b.*)?|nexthop .*)$/],
  ['tcpdump', /^(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d+ .*(?:>|ARP, |who-has|is-at).*$/],
  ['ifconfig', /^(?:\S+: flags=\d+<.*|\S+\s+Link encap:.*|inet6? .*|ether .*|RX .*|TX .*|UP .*MTU:\d+.*|collisions:.*|loop .*)$/],
  ['arp -n', /^(?:Address\s+HWtype\s+HWaddress.*|(?:\d{1,3}\.){3}\d{1,3}\s+(?:ether\s+\S+|\(incomplete\)).*|\S+ \((?:\d{1,3}\.){3}\d{1,3}\) at \S+.* on \S+)$/],
  ['sysctl', /^net\.[\w./-]+ = .*$/],
  ['kubectl get pods -o wide', /^(?:(?:NAMESPACE\s+)?NAME\s+READY\s+STATUS\b.*|(?:\S+\s+)?\S+\s+\d+\/\d+\s+\S+\s+\d+.*)$/],
];

function sniffCommand(lines: string[]): string | undefined {
  const content = lines.map((l) => l.trim()).filter((l) => l !== '').slice(0, 200);
  if (content.length === 0) return undefined;
  for (const [command, shape] of SNIFFERS) {
    const matching = content.filter((l) => l.length <= 2000 && shape.test(l)).length;
    // Nearly every line must have the shape: prose around a paste is not output.
    if (matching >= Math.max(1, Math.ceil(content.length * 0.8))) return command;
  }
  return undefined;
}

interface Header {
  command: string;
  node?: string;
  pod?: string;
  hostNetworkPod?: boolean;
  /** the header is a prompt that names its host (a new terminal) */
  hostNamed?: boolean;
}

export function readHeader(text: string): Header | undefined {
  const line = text.trimEnd();
  let command: string | undefined;
  let host: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = DASH_HEADER.exec(line))) command = m[1];
  else if ((m = PROMPT_USER_HOST.exec(line))) [host, command] = [m[2], m[3]];
  else if ((m = PROMPT_BRACKET.exec(line))) [host, command] = [m[2], m[3]];
  else if ((m = PROMPT_USER_HOST_COLON.exec(line)) && KNOWN_PROGRAM.test(m[3])) [host, command] = [m[2], m[3]];
  else if ((m = PROMPT_HOST_PATH.exec(line)) && KNOWN_PROGRAM.test(m[2])) [host, command] = [m[1], m[2]];
  else if ((m = PROMPT_PATH.exec(line)) && KNOWN_PROGRAM.test(m[2])) command = m[2];
  else if ((m = HASH_HEADER.exec(line)) && KNOWN_PROGRAM.test(m[1])) command = m[1];
  else if ((m = PROMPT_HOST.exec(line)) && KNOWN_PROGRAM.test(m[2])) [host, command] = [m[1], m[2]];
  else if ((m = PROMPT_HOST_DIR.exec(line)) && KNOWN_PROGRAM.test(m[2])) [host, command] = [m[1], m[2]];
  if (host !== undefined && SHELL_NAME.test(host)) host = undefined;
  if (command === undefined) return undefined;
  const qualified = splitQualifier(stripComment(command));
  const header: Header = { command: qualified.command };
  if (qualified.node) header.node = qualified.node;
  if (qualified.pod) header.pod = qualified.pod;
  if (host && host !== 'localhost') header.hostNamed = true;
  if (host && host !== 'localhost' && !header.node) {
    const hostIsPod = CONTAINER_ID.test(host) || POD_NAME.test(host);
    if (header.pod) {
      // `[root@node-1 ~]# ip route pod web-…`: run on node-1 for one of its pods
      if (!hostIsPod && !HOST_NETWORK_PODS.test(host)) header.node = host;
    } else if (HOST_NETWORK_PODS.test(host)) header.hostNetworkPod = true;
    else if (hostIsPod) header.pod = host;
    else header.node = host;
  }
  return header;
}

function finishSection(header: Header, headerLine: number, rawLines: string[]): CaptureSection[] {
  // `**row**`: a line set in markdown bold inside a code block (the stars are not output).
  let lines = rawLines.map((l) => unescapeHtml(l).trimEnd().replace(/^(\s*)\*\*(?=\S)(.*\S)\*\*$/, '$1$2'));
  // trailing blank lines belong to no one
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const decorations: string[] = [];
  // markdown quote markers on every line
  if (lines.some((l) => l !== '') && lines.every((l) => l === '' || /^\s*>/.test(l))) lines = lines.map((l) => l.replace(/^\s*>\s?/, ''));
  lines = dedent(lines);
  const meaning = describeCommand(header.command);
  const side = (pod: string | undefined): CaptureSection['side'] => (pod ? { kind: 'pod', name: pod.slice(0, 253) } : { kind: 'host' });
  const base = { command: header.command, headerLine, nodeName: header.node ?? meaning.node, side: side(header.pod ?? meaning.pod) };
  if (lines.some((l) => /^\s*(?:\.\.\.|…|\[\.\.\.\]|<snip(?:ped)?>|\[snip(?:ped)?\]|\[truncated\])\s*$/i.test(l))) decorations.push('lines were cut out of the paste ("...")');
  if (hasMaskedValues(lines)) decorations.push('some addresses are masked');

  // Only the output of a command import reads is split per host: `key: value` text of others is not a fleet tool's.
  const fleet = meaning.format ? splitFleet(lines) : undefined;
  if (fleet) {
    return fleet.map((part) => ({
      ...base,
      nodeName: header.node ?? part.host,
      body: part.lines.join('\n'),
      decorations: [...decorations, `prefixed per host by a fleet tool (${part.host}), so lines may be missing or out of order`],
      lineMap: part.indices.map((i) => headerLine + 1 + i),
    }));
  }
  return [{ ...base, body: lines.join('\n'), decorations }];
}

function unescapeHtml(line: string): string {
  if (!line.includes('&')) return line;
  return line.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
}

function dedent(lines: string[]): string[] {
  let common: number | undefined;
  for (const l of lines) {
    if (l.trim() === '') continue;
    const indent = l.length - l.replace(/^[ \t]+/, '').length;
    common = common === undefined ? indent : Math.min(common, indent);
    if (common === 0) return lines;
  }
  return common ? lines.map((l) => l.slice(common)) : lines;
}

function hasMaskedValues(lines: string[]): boolean {
  for (const l of lines.slice(0, 20_000)) {
    if (!/[xX*]/.test(l)) continue;
    for (const token of wordsOf(l).slice(0, 64)) {
      if ((token.includes('.') || token.includes(':')) && /[xX*]/.test(token) && looksMasked(token.replace(/[,;()]+$/, ''))) return true;
    }
  }
  return false;
}

const CLUSH_NODESET = /^([\w.,[\]-]{1,200}) \(\d+\)$/;

/** `node[1-3],gw` → node1, node2, node3, gw (at most 64 names; zero padding kept: `n[01-02]`). */
export function expandNodeSet(set: string): string[] {
  const names: string[] = [];
  for (const item of set.match(/[^,[]+(?:\[[^\]]*\][^,[]*)*/g) ?? []) {
    const m = /^([^[]*)\[([^\]]*)\](.*)$/.exec(item);
    if (!m) {
      names.push(item);
      continue;
    }
    for (const range of m[2].split(',')) {
      const [from, to] = range.split('-');
      if (to === undefined) names.push(`${m[1]}${from}${m[3]}`);
      else for (let n = Number(from); n <= Number(to) && names.length < 64; n++) names.push(`${m[1]}${String(n).padStart(from.length, '0')}${m[3]}`);
    }
  }
  return names.slice(0, 64);
}

/** Per-host prefixed output into one part per host, or undefined when the lines are not prefixed. */
function splitFleet(lines: string[]): Array<{ host: string; lines: string[]; indices: number[] }> | undefined {
  const content = lines.filter((l) => l.trim() !== '');
  if (content.length === 0) return undefined;
  const parts = new Map<string, { lines: string[]; indices: number[] }>();
  const part = (host: string) => {
    let p = parts.get(host);
    if (!p) parts.set(host, (p = { lines: [], indices: [] }));
    return p;
  };
  const result = () => [...parts].map(([host, p]) => ({ host, lines: dedent(p.lines), indices: p.indices }));
  // clush -b gathers identical output: a dashed box naming the node set, e.g. `node[1-2] (2)`.
  const gathered = lines.findIndex((l, i) => /^-{5,}$/.test(l.trim()) && CLUSH_NODESET.test(lines[i + 1]?.trim() ?? '') && /^-{5,}$/.test(lines[i + 2]?.trim() ?? ''));
  if (gathered >= 0) {
    let hosts: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const set = CLUSH_NODESET.exec(lines[i + 1]?.trim() ?? '');
      if (/^-{5,}$/.test(lines[i].trim()) && set && /^-{5,}$/.test(lines[i + 2]?.trim() ?? '')) {
        hosts = expandNodeSet(set[1]);
        i += 2;
        continue;
      }
      for (const host of hosts) {
        part(host).lines.push(lines[i]);
        part(host).indices.push(i);
      }
    }
    return result();
  }
  if (content.some((l) => HOST_BLOCK_HEADER.test(l))) {
    let host: string | undefined;
    lines.forEach((l, i) => {
      const m = HOST_BLOCK_HEADER.exec(l);
      if (m) {
        host = m[1] ?? m[2];
        part(host);
      } else if (host) {
        part(host).lines.push(l);
        part(host).indices.push(i);
      }
    });
    return result();
  }
  const hosts = new Set<string>();
  for (const l of content) {
    const m = FLEET_LINE.exec(l);
    if (!m || NOT_HOSTS.has(m[1])) return undefined;
    hosts.add(m[1]);
  }
  // One host on a single line is more likely a "key: value" line than a fleet tool.
  if (hosts.size > Math.max(4, content.length / 2) || (content.length < 2 && hosts.size < 2)) return undefined;
  lines.forEach((l, i) => {
    const m = FLEET_LINE.exec(l);
    if (!m) return;
    part(m[1]).lines.push(m[2]);
    part(m[1]).indices.push(i);
  });
  return result();
}
