import { familyOf } from '../../contract/address-syntax';
import type { CapturedFrame } from '../../evidence/capture-evidence';
import type { ParseWarning } from '../parse-result';
import { MAX_LINE_LENGTH, quote, WarningLog } from './text-input';

/**
 * tcpdump's text output (what people paste from `tcpdump -e -n -i caliXXX arp or icmp`) into
 * frames. Forms read (each captured on this machine, see test/fixtures/text/README.md):
 *
 *   09:04:40.197856 e2:8e:e9:c7:20:80 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 10.244.1.5, length 28   (-e -n)
 *   09:05:32.822299 e2:8e:e9:c7:20:80 (oui Unknown) > Broadcast, ethertype ARP (0x0806), length 42: Request who-has calico-gw tell web-1, length 28   (-e, names)
 *   09:05:11.091089 calirsp0 B   ifindex 2 e2:8e:e9:c7:20:80 ethertype ARP (0x0806), length 48: Request …   (-i any: LINUX_SLL2, tcpdump ≥ 4.99)
 *   09:05:12.453517 calirsp0 Out IP 192.168.56.11 > 10.244.1.5: ICMP echo reply, …   (-i any without -e)
 *   12:00:00.000000  In 00:11:22:33:44:55 ethertype IPv4 (0x0800), length 100: …   (-i any: LINUX_SLL, tcpdump < 4.99)
 *   09:05:14.108217 ARP, Request who-has calico-gw tell web-1, length 28 / IP a > b: ICMP …   (no -e)
 *   … (tos 0x0, ttl 64, id 19112, offset 0, flags [DF], proto ICMP (1), length 84)
 *       10.244.1.5 > 192.168.56.11: ICMP echo request, id 13080, seq 0, length 64   (-v: the record goes on over indented lines)
 *
 * Timestamps: `HH:MM:SS.frac` (default, -ttt), `YYYY-MM-DD HH:MM:SS.frac` (-tttt), epoch
 * seconds (-tt), or none (-t). tcpdump's own chatter (listening on…, N packets captured) is
 * skipped; hex dumps (-X) and lines that are not frames become warnings.
 */

export interface TcpdumpTextOptions {
  /** `host` or `pod:<name>`: where the capture ran. */
  ns: string;
  /** the `-i` interface of the command (not `any`), for frames that do not print one. */
  interface?: string;
}

export interface TcpdumpTextResult {
  frames: CapturedFrame[];
  warnings: ParseWarning[];
  /** lines recognised as frames (read or not); 0 means the text is not tcpdump output. */
  frameLines: number;
}

const MAX_FRAMES = 100_000;
const TIME = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?|\d\d:\d\d:\d\d(?:\.\d+)?|\d{9,10}\.\d+)\s+/;
const MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;
const DIRECTIONS = new Set(['In', 'Out', 'B', 'M', 'P']);
const CHATTER = /^(?:tcpdump:|listening on |reading from file|dropped privs|\d+ packets? (?:captured|received by filter|dropped by kernel)|\^C|[\d.]+ packets? )/;
const HEX_DUMP = /^0x[0-9a-f]{4}:/;

export function parseTcpdumpText(text: string, options: TcpdumpTextOptions): TcpdumpTextResult {
  const log = new WarningLog();
  const frames: CapturedFrame[] = [];
  let frameLines = 0;
  if (typeof text !== 'string') return { frames, warnings: [{ message: 'input is not text; nothing was parsed' }], frameLines };
  const raw = text.split(/\r\n|\r|\n/);
  let current: { line: number; head: string; more: string[] } | undefined;
  let previous = '';
  const flush = () => {
    if (!current) return;
    const frame = readFrame(current.line, current.head, current.more, options, log);
    if (frame && frames.length < MAX_FRAMES) frames.push(frame);
    current = undefined;
  };
  for (let index = 0; index < raw.length; index++) {
    const line = index + 1;
    const original = raw[index];
    if (original.length > MAX_LINE_LENGTH) {
      log.add(line, `line is ${original.length} characters long; skipped`);
      continue;
    }
    const content = original.trim();
    if (content === '' || content.startsWith('```')) continue;
    if (CHATTER.test(content)) continue;
    const indented = /^\s/.test(original);
    // A record a ticket wrapped (`…wscale 7],` / `length 0`) goes on like an indented -v line.
    const wrapped = current !== undefined && previous.endsWith(',');
    previous = content;
    if (current && (indented || wrapped) && !TIME.test(content)) {
      // -v continues a record over indented lines; hex dumps (-X, -x) are not decoded.
      if (!HEX_DUMP.test(content) && current.more.length < 20) current.more.push(content);
      continue;
    }
    if (TIME.test(content) || startsLikeFrame(content)) {
      flush();
      frameLines++;
      current = { line, head: content, more: [] };
      continue;
    }
    flush();
    log.add(line, `not a tcpdump frame line: ${quote(content)}`);
  }
  flush();
  return { frames, warnings: log.finish(), frameLines };
}

/** A frame line printed with -t (no timestamp). */
function startsLikeFrame(content: string): boolean {
  const first = content.slice(0, content.indexOf(' ') >>> 0);
  return MAC.test(first) || first === 'IP' || first === 'IP6' || first === 'ARP,' || DIRECTIONS.has(first);
}

function readFrame(line: number, head: string, more: string[], options: TcpdumpTextOptions, log: WarningLog): CapturedFrame | undefined {
  let rest = head;
  const frame: CapturedFrame = { line, ns: options.ns, ethertype: 'other' };
  const time = TIME.exec(rest);
  if (time) {
    frame.time = time[1];
    rest = rest.slice(time[0].length);
  }
  if (options.interface) frame.interface = options.interface;
  // LINUX_SLL2 (-i any, tcpdump ≥ 4.99): "IFACE DIR " before the rest.
  const sll2 = /^(\S{1,15}) (In|Out|B|M|P)\s+/.exec(rest);
  if (sll2 && !MAC.test(sll2[1])) {
    frame.interface = sll2[1];
    frame.direction = sll2[2] as CapturedFrame['direction'];
    rest = rest.slice(sll2[0].length);
    const ifindex = /^ifindex \d+ /.exec(rest);
    if (ifindex) rest = rest.slice(ifindex[0].length);
  } else {
    // LINUX_SLL (-i any, older tcpdump): "DIR " only.
    const sll = /^(In|Out|B|M|P)\s+/.exec(rest);
    if (sll) {
      frame.direction = sll[1] as CapturedFrame['direction'];
      rest = rest.slice(sll[0].length);
    }
  }
  let payload: string;
  const ethernet = readLinkHeader(rest);
  if (ethernet) {
    if (ethernet.src) frame.srcMac = ethernet.src;
    if (ethernet.dst) frame.dstMac = ethernet.dst;
    frame.ethertype = ethernet.ethertype;
    payload = ethernet.payload;
  } else if (rest.startsWith('ARP, ')) {
    frame.ethertype = 'arp';
    payload = rest.slice(5);
  } else if (rest.startsWith('IP6 ')) {
    frame.ethertype = 'ipv6';
    payload = rest.slice(4);
  } else if (rest.startsWith('IP ')) {
    frame.ethertype = 'ipv4';
    payload = rest.slice(3);
  } else {
    log.add(line, `tcpdump frame not understood (neither a link-level header, ARP, IP nor IP6): ${quote(rest)}`);
    return undefined;
  }
  const body = [payload, ...more].join(' ');
  if (frame.ethertype === 'arp') {
    const arp = readArp(body);
    if (arp) {
      frame.arp = arp.arp;
      if (arp.names) frame.resolvedNames = true;
    } else {
      log.add(line, `ARP frame without a request or reply: ${quote(body)}`);
    }
  } else if (frame.ethertype === 'ipv4' || frame.ethertype === 'ipv6') {
    const ip = readIp(body);
    if (ip) {
      frame.ip = ip.ip;
      if (ip.names) frame.resolvedNames = true;
    }
  }
  return frame;
}

interface LinkHeader {
  src?: string;
  dst?: string;
  ethertype: CapturedFrame['ethertype'];
  payload: string;
}

/**
 * `SRC [(oui X)] > DST [(oui X)], ethertype NAME (0xNNNN), length N: …` (ethernet) or
 * `SRC [(oui X)] ethertype NAME (0xNNNN), length N: …` (LINUX_SLL/SLL2: the source only).
 * 802.1Q frames print a second ethertype after `vlan N, p N,`; the last one counts.
 */
function readLinkHeader(text: string): LinkHeader | undefined {
  const at = text.indexOf(' ethertype ');
  if (at < 0 || at > 200) return undefined;
  const addresses = text.slice(0, at).replace(/\s*\([^()]*\)/g, '').replace(/,$/, '');
  const [srcText, dstText] = addresses.split(' > ');
  const src = macOf(srcText);
  if (src === undefined && !MAC.test(srcText ?? '')) {
    // not a link-level header unless the source at least looks like an address or a name
    if (!/^\S+$/.test(srcText ?? '')) return undefined;
  }
  let after = text.slice(at + 1);
  let ethertype: CapturedFrame['ethertype'] = 'other';
  let payload = '';
  // Up to two ethertype fields (802.1Q); bounded loop, no backtracking regex.
  for (let i = 0; i < 3; i++) {
    const m = /^ethertype (\S+) \(0x[0-9a-fA-F]{4}\), length \d+: ?/.exec(after);
    if (!m) {
      payload = after;
      break;
    }
    ethertype = m[1] === 'ARP' ? 'arp' : m[1] === 'IPv4' ? 'ipv4' : m[1] === 'IPv6' ? 'ipv6' : 'other';
    after = after.slice(m[0].length);
    payload = after;
    const vlan = /^vlan \d+, p \d+, /.exec(after);
    if (!vlan) break;
    after = after.slice(vlan[0].length);
  }
  return { src, dst: dstText === undefined ? undefined : macOf(dstText.trim()), ethertype, payload };
}

function macOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (MAC.test(text)) return text.toLowerCase();
  if (text === 'Broadcast') return 'ff:ff:ff:ff:ff:ff';
  return undefined;
}

/** `Request who-has T [(MAC)] tell S` / `Reply T is-at MAC` (after -v's `Ethernet (len 6), IPv4 (len 4),`). */
function readArp(body: string): { arp: NonNullable<CapturedFrame['arp']>; names: boolean } | undefined {
  const request = /\bRequest who-has (\S+)(?: \([^()]*\))? tell ([^\s,]+)/.exec(body);
  if (request) {
    const names = !familyOf(request[1]) || !familyOf(request[2]);
    return { arp: { op: 'request', targetIp: request[1], senderIp: request[2] }, names };
  }
  const reply = /\bReply (\S+) is-at ([0-9a-fA-F:]{17})/.exec(body);
  if (reply) return { arp: { op: 'reply', targetIp: reply[1], resolvedMac: reply[2].toLowerCase() }, names: !familyOf(reply[1]) };
  const announce = /\bAnnouncement (\S+),/.exec(body);
  if (announce) return { arp: { op: 'request', targetIp: announce[1], senderIp: announce[1] }, names: !familyOf(announce[1]) };
  return undefined;
}

/** `[(-v header)] SRC > DST: PROTO …`, SRC/DST with `.port` for TCP/UDP. */
function readIp(body: string): { ip: NonNullable<CapturedFrame['ip']>; names: boolean } | undefined {
  let text = body;
  let headerProto: string | undefined;
  if (text.startsWith('(')) {
    const close = text.indexOf(') ');
    if (close > 0) {
      const header = text.slice(0, close);
      headerProto = /(?:proto|next-header) (\S+) \(\d+\)/.exec(header)?.[1];
      text = text.slice(close + 2);
    }
  }
  const m = /^(\S+) > (\S+):\s*(.*)$/.exec(text);
  if (!m) return headerProto ? { ip: { proto: headerProto.toLowerCase() }, names: false } : undefined;
  const src = withoutPort(m[1]);
  const dst = withoutPort(m[2]);
  const what = m[3];
  const ip: NonNullable<CapturedFrame['ip']> = { src: src.address, dst: dst.address };
  const icmp = /^(?:\[[^\]]*\] )?ICMP6?,? (.*)$/.exec(what);
  if (icmp) {
    ip.proto = what.startsWith('ICMP6') || what.includes('ICMP6') ? 'icmp6' : 'icmp';
    const kind = icmp[1];
    ip.icmp = /^echo request/.test(kind) ? 'echo-request' : /^echo reply/.test(kind) ? 'echo-reply' : /unreachable/.test(kind) ? 'unreachable' : 'other';
  } else if (/Flags \[/.test(what)) ip.proto = 'tcp';
  else if (/^(?:UDP|VXLAN|\d+\+? |\d+\*? )/.test(what) || /\bUDP\b/.test(what)) ip.proto = 'udp';
  else if (headerProto) ip.proto = headerProto.toLowerCase();
  return { ip, names: !familyOf(src.address) || !familyOf(dst.address) };
}

/** `10.0.0.1.53` → 10.0.0.1; `fd00::1.53` → fd00::1; names keep what they print. */
function withoutPort(token: string): { address: string } {
  if (familyOf(token)) return { address: token };
  const dot = token.lastIndexOf('.');
  if (dot > 0 && /^[\w-]+$/.test(token.slice(dot + 1))) {
    const head = token.slice(0, dot);
    if (familyOf(head)) return { address: head };
  }
  return { address: token };
}
