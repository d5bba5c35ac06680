import type { MonitorEvent } from '../../evidence/capture-evidence';
import { addressFact, linkFact, neighborFact, routeFact, sysctlFact, type Fact } from '../../facts/fact-normaliser';
import type { ParseWarning } from '../parse-result';
import { parseIpAddrText } from './ip-addr-text-parser';
import { parseIpLinkText } from './ip-link-text-parser';
import { parseIpNeighText } from './ip-neigh-text-parser';
import { parseIpRouteText } from './ip-route-text-parser';
import { acceptEntry } from './ip-text-values';
import { MAX_LINE_LENGTH, quote, WarningLog } from './text-input';

/**
 * `ip monitor` (any objects, `-timestamp`/`-t`, `-ts`, `label`, `all-nsid`) into timed events,
 * each entry normalised as the snapshot facts are:
 *
 *   Timestamp: Sun Dec  6 09:05:55 2026 526097 usec          (-timestamp / -t: the next event's time)
 *   [2026-12-06T09:06:05.212986] Deleted 10.244.1.7 dev calirsp0 scope link     (-ts)
 *   [nsid 0]10.9.9.0/24 via 169.254.1.1 dev calirsp0 onlink                      (all-nsid)
 *   [ROUTE]10.244.1.6 dev calirsp0 scope link                                    (label)
 *   2: calirsp0@if2: <BROADCAST,…> mtu 1440 …  (+ indented link/ether line)    (link)
 *   3: br0    inet 192.168.57.11/24 scope global br0  (+ valid_lft line)         (address)
 *   inet calirsp0 proxy_neigh off                                                (netconf)
 *
 * netconf events become sysctl facts (proxy_neigh → proxy_arp / proxy_ndp, forwarding,
 * rp_filter), so a proxy_arp toggle is seen as a change. Events of another namespace
 * (`[nsid N]`) are kept in namespace `nsid:N`.
 */

export interface IpMonitorTextResult {
  events: MonitorEvent[];
  warnings: ParseWarning[];
  /** event lines seen (read or not); 0 means the text is not ip monitor output. */
  eventLines: number;
}

const MAX_EVENTS = 100_000;
const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

export function parseIpMonitorText(text: string, options: { ns: string }): IpMonitorTextResult {
  const log = new WarningLog();
  const events: MonitorEvent[] = [];
  let eventLines = 0;
  if (typeof text !== 'string') return { events, warnings: [{ message: 'input is not text; nothing was parsed' }], eventLines };
  const raw = text.split(/\r\n|\r|\n/);
  let nextAt: string | undefined;
  let pending: { line: number; at?: string; nsid?: number; deleted: boolean; label?: string; lines: string[] } | undefined;
  const flush = () => {
    if (!pending) return;
    for (const fact of factsOf(pending.lines, pending.label, pending.line, log)) {
      if (events.length >= MAX_EVENTS) break;
      const ns = pending.nsid === undefined ? options.ns : `nsid:${pending.nsid}`;
      events.push({ line: pending.line, ...(pending.at ? { at: pending.at } : {}), ...(pending.nsid !== undefined ? { nsid: pending.nsid } : {}), deleted: pending.deleted, fact: { ...fact, ns } });
    }
    pending = undefined;
  };
  for (let index = 0; index < raw.length; index++) {
    const line = index + 1;
    const original = raw[index];
    if (original.length > MAX_LINE_LENGTH) {
      log.add(line, `line is ${original.length} characters long; skipped`);
      continue;
    }
    let content = original.trim();
    if (content === '' || content.startsWith('```')) continue;
    if (pending && /^\s/.test(original) && !content.startsWith('[')) {
      if (pending.lines.length < 20) pending.lines.push(original);
      continue;
    }
    flush();
    const stamp = /^Timestamp: \w{3} (\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d) (\d{4}) (\d+) usec$/.exec(content);
    if (stamp) {
      nextAt = `${stamp[4]}-${MONTHS[stamp[1]] ?? '01'}-${stamp[2].padStart(2, '0')}T${stamp[3]}.${stamp[5].padStart(6, '0')}`;
      continue;
    }
    let at = nextAt;
    let nsid: number | undefined;
    let label: string | undefined;
    // Bracketed prefixes in any order: [2026-…] (-ts), [nsid N] / [nsid current], [ROUTE] (label).
    for (let i = 0; i < 4 && content.startsWith('['); i++) {
      const close = content.indexOf(']');
      if (close < 0) break;
      const inner = content.slice(1, close);
      if (/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(inner)) at = inner;
      else if (/^nsid \d+$/.test(inner)) nsid = Number(inner.slice(5));
      else if (inner !== 'nsid current' && /^[A-Z]+$/.test(inner)) label = inner;
      else if (inner !== 'nsid current') break;
      content = content.slice(close + 1).trim();
    }
    nextAt = undefined;
    const deleted = content.startsWith('Deleted ');
    if (deleted) content = content.slice(8);
    eventLines++;
    pending = { line, at, nsid, deleted, label, lines: [content] };
  }
  flush();
  return { events, warnings: log.finish(), eventLines };
}

/** The entry one event prints, as facts (one, or none with a warning). */
function factsOf(lines: string[], label: string | undefined, line: number, log: WarningLog): Fact[] {
  const first = lines[0];
  const text = lines.join('\n');
  const report = (warnings: ParseWarning[]) => {
    for (const w of warnings) log.add(line + (w.line ?? 1) - 1, w.message);
  };
  if (label === 'LINK' || /^\d+: \S+: </.test(first)) {
    const result = parseIpLinkText(text);
    report(result.warnings);
    return result.entries.map((link) => linkFact('', link));
  }
  if (label === 'ADDR' || /^\d+: \S+\s+inet6? /.test(first)) {
    const result = parseIpAddrText(text);
    report(result.warnings);
    return result.addresses.map((address) => addressFact('', address));
  }
  const netconf = /^(inet6?|ipv[46]) (?:dev )?(\S+) (.*)$/.exec(first);
  if (label === 'NETCONF' || (netconf && /\b(?:forwarding|rp_filter|mc_forwarding|proxy_neigh|ignore_routes_with_linkdown)\b/.test(first))) {
    return netconf ? netconfFacts(netconf[1].endsWith('6') ? 'ipv6' : 'ipv4', netconf[2], netconf[3], line, log) : [];
  }
  if (label === 'NEIGH' || / lladdr /.test(first) || /^\S+ dev \S+ (?:.* )?(?:REACHABLE|STALE|DELAY|PROBE|FAILED|INCOMPLETE|PERMANENT|NOARP|NONE)$/.test(first)) {
    const result = parseIpNeighText(first);
    report(result.warnings);
    return result.entries.map((neighbor) => neighborFact('', neighbor));
  }
  if (label === undefined || label === 'ROUTE') {
    const result = parseIpRouteText(first);
    report(result.warnings);
    return result.entries.flatMap((route) => routeFact('', route) ?? []);
  }
  log.add(line, `${label} event not recorded (only route, neigh, link, address and netconf events are): ${quote(first)}`);
  return [];
}

/** `inet calirsp0 proxy_neigh off forwarding on rp_filter strict` → sysctl facts. */
function netconfFacts(family: 'ipv4' | 'ipv6', dev: string, rest: string, line: number, log: WarningLog): Fact[] {
  const tokens = rest.split(/\s+/);
  const facts: Fact[] = [];
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const [key, value] = [tokens[i], tokens[i + 1]];
    const onOff = value === 'on' ? '1' : value === 'off' ? '0' : undefined;
    let leaf: string | undefined;
    let printed: string | undefined = onOff;
    if (key === 'proxy_neigh') leaf = family === 'ipv4' ? 'proxy_arp' : 'proxy_ndp';
    else if (key === 'forwarding' || key === 'mc_forwarding' || key === 'ignore_routes_with_linkdown') leaf = key;
    else if (key === 'rp_filter') {
      leaf = 'rp_filter';
      printed = value === 'strict' ? '1' : value === 'loose' ? '2' : value === 'off' ? '0' : undefined;
    }
    if (!leaf || printed === undefined) continue;
    const path = `net/${family}/conf/${dev}/${leaf}`;
    const sysctl = acceptEntry('sysctl', { path, value: printed }, line, `sysctl ${path}`, log);
    if (sysctl) facts.push(sysctlFact('', sysctl));
  }
  return facts;
}
