import type { Sysctl } from '../../contract/snapshot-schema';
import type { ParseResult } from '../parse-result';
import { acceptEntry } from './ip-text-values';
import { quote, readLines, WarningLog } from './text-input';

/**
 * sysctl values as people paste them, into Sysctl {path below /proc/sys, value}:
 *
 *   net.ipv4.conf.cali1a2b3c4d5e6.proxy_arp = 1        (`sysctl -a`, `sysctl KEY...`)
 *   net.ipv4.conf.vxlan/calico.rp_filter = 0           (sysctl prints a '.' inside a name as '/')
 *   /proc/sys/net/ipv4/conf/cali1/proxy_arp:1          (`grep -r . /proc/sys/net/...`)
 *
 * A dotted key becomes a path by turning each '.' into '/' and each '/' into '.', so the
 * example above is net/ipv4/conf/vxlan.calico/rp_filter. Values are kept as printed (trimmed).
 * Keys outside net.* (kernel.*, vm.*) are skipped with one warning for all of them;
 * `sysctl:`/`grep:` error lines and anything else get a warning each.
 */

const PROC_SYS = '/proc/sys/';
const SYSCTL_LINE = /^([A-Za-z0-9_][A-Za-z0-9_./:@+-]*)\s*=\s?(.*)$/;

export function parseSysctlText(text: string): ParseResult<Sysctl> {
  const log = new WarningLog();
  const sysctls: Sysctl[] = [];
  let outside = 0;
  let firstOutside: number | undefined;
  let firstOutsideKey = '';

  for (const { line, text: content } of readLines(text, log)) {
    let path: string;
    let value: string;
    let printed: string;
    if (content.startsWith(PROC_SYS)) {
      const colon = content.indexOf(':', PROC_SYS.length);
      if (colon < 0) {
        log.add(line, `${quote(content)} has no ":" between the file and its value (expected grep -r output such as /proc/sys/net/ipv4/ip_forward:1)`);
        continue;
      }
      printed = content.slice(0, colon);
      path = content.slice(PROC_SYS.length, colon).replace(/\/+$/, '');
      value = content.slice(colon + 1);
    } else {
      const m = SYSCTL_LINE.exec(content);
      if (!m) {
        log.add(
          line,
          /^(sysctl|grep|cat):/.test(content)
            ? `error message, not a value: ${quote(content)}`
            : `not a sysctl line (expected "net.x.y = value" or "/proc/sys/net/x/y:value"): ${quote(content)}`,
        );
        continue;
      }
      const key = m[1];
      printed = key;
      value = m[2];
      // `net/ipv4/ip_forward = 1` (slash form, as sysctl also accepts) is a path already.
      path = key.startsWith('net/') ? key : key.split('.').map((part) => part.replace(/\//g, '.')).join('/');
    }
    if (path !== 'net' && !path.startsWith('net/')) {
      outside++;
      if (firstOutside === undefined) {
        firstOutside = line;
        firstOutsideKey = printed;
      }
      continue;
    }
    const sysctl = acceptEntry('sysctl', { path, value: value.trim() }, line, `sysctl ${path}`, log);
    if (sysctl) sysctls.push(sysctl);
  }
  if (outside > 0) {
    log.add(firstOutside, `${outside} value${outside === 1 ? '' : 's'} outside net.* skipped (first: ${quote(firstOutsideKey)}); only network sysctls are recorded`);
  }
  return { entries: sysctls, warnings: log.finish() };
}
