import type { Neighbor } from '../../contract/snapshot-schema';
import type { ParseResult } from '../parse-result';
import { acceptEntry, readHwAddress, readIfname, readIp } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * net-tools and busybox `arp` into neighbours:
 *
 *   Address                  HWtype  HWaddress           Flags Mask            Iface     (arp, arp -n)
 *   192.168.56.7                     (incomplete)                              br0
 *   192.168.56.1             ether   52:54:00:12:34:56   C                     br0
 *   192.168.56.8             ether   52:54:00:aa:bb:cc   CM                    br0
 *
 *   ? (192.168.56.1) at 52:54:00:12:34:56 [ether] on br0                             (arp -a, arp -an)
 *   web-1 (10.244.1.5) at e2:8e:e9:c7:20:80 [ether] PERM on calirsp0
 *   ? (192.168.56.7) at <incomplete> on br0
 *
 * States: `C` (complete) → REACHABLE, `M`/`PERM` → PERMANENT, `(incomplete)` → INCOMPLETE,
 * `P`/`PUB` (published) → a proxy entry. The table form without -n may print a host name in
 * the Address column: such rows are left out with a warning (`unresolved`).
 */

export interface ArpTableTextResult extends ParseResult<Neighbor> {
  unresolved: number;
  rows: number;
  headers: number;
}

export function parseArpTableText(text: string): ArpTableTextResult {
  const log = new WarningLog();
  const neighbors: Neighbor[] = [];
  let unresolved = 0;
  let rows = 0;
  let headers = 0;
  for (const { line, text: content } of readLines(text, log)) {
    const tokens = tokensOf(content);
    if (tokens[0] === 'Address' && tokens.includes('HWaddress')) {
      headers++;
      continue;
    }
    if (/^Entries: \d+/.test(content) || /no match found/i.test(content)) continue;
    rows++;
    const bsd = /^(\S+) \(([^()]+)\) at (\S+)(?: \[(\w+)\])?((?: \w+)*?) on (\S+)/.exec(content.replace(/\s+/g, ' '));
    let dstText: string;
    let hwText: string | undefined;
    let flags: string[];
    let devText: string;
    if (bsd) {
      dstText = bsd[2];
      hwText = bsd[3] === '<incomplete>' ? undefined : bsd[3];
      flags = bsd[5].trim().split(' ').filter((f) => f !== '');
      if (hwText === undefined) flags.push('incomplete');
      devText = bsd[6];
    } else if (tokens.length >= 2) {
      dstText = tokens[0];
      devText = tokens[tokens.length - 1];
      if (tokens[1] === '(incomplete)') {
        flags = ['incomplete'];
      } else {
        hwText = tokens[2];
        flags = tokens[3] && tokens.length >= 5 ? tokens[3].split('') : [];
      }
    } else {
      log.add(line, `not a line of arp output: ${quote(content)}`);
      continue;
    }
    const dst = readIp(dstText);
    if (dst.kind !== 'ok') {
      if (dst.kind === 'invalid') unresolved++;
      log.add(line, dst.kind === 'masked' ? `neighbour left out: its address ${quote(dstText)} is masked` : `neighbour left out: ${quote(dstText)} is a name or not an address (use arp -n)`);
      continue;
    }
    const dev = readIfname(devText);
    if (dev.kind !== 'ok') {
      log.add(line, `neighbour ${dst.value.address} left out: ${quote(devText)} is not an interface name`);
      continue;
    }
    const neighbor: Neighbor = { family: dst.value.family, dst: dst.value.address, dev: dev.value, state: [] };
    if (hwText !== undefined) {
      const hw = readHwAddress(hwText);
      if (hw.kind === 'ok') neighbor.lladdr = hw.value;
      else neighbor.redacted = ['lladdr'];
    }
    const upper = flags.map((f) => f.toUpperCase());
    if (upper.includes('INCOMPLETE')) neighbor.state = ['INCOMPLETE'];
    else if (upper.includes('M') || upper.includes('PERM')) neighbor.state = ['PERMANENT'];
    else if (neighbor.lladdr) neighbor.state = ['REACHABLE'];
    if (upper.includes('P') || upper.includes('PUB')) neighbor.proxy = true;
    const accepted = acceptEntry('neighbor', neighbor, line, `neighbour ${neighbor.dst}`, log);
    if (accepted) neighbors.push(accepted);
  }
  return { entries: neighbors, warnings: log.finish(), unresolved, rows, headers };
}
