import { familyOf } from '../../contract/address-syntax';
import type { FdbEntry } from '../../evidence/capture-evidence';
import type { ParseWarning } from '../parse-result';
import { readHwAddress, readIfname } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * `bridge fdb [show]`:
 *
 *   a2:f1:9f:7c:b7:7c dev br0 master br0 permanent
 *   33:33:00:00:00:01 dev calirsp0 self permanent
 *   66:4b:2c:0e:b7:d2 dev vxlan.calico dst 192.168.56.12 self permanent
 *   00:00:00:00:00:00 dev flannel.1 dst 10.0.0.2 self permanent
 *
 * Keywords with a value (`dev`, `dst`, `master`, `vlan`, `port`, `vni`, `via`, `src_vni`,
 * `nhid`) are read or skipped; the rest are flags.
 */

export interface BridgeFdbTextResult {
  entries: FdbEntry[];
  warnings: ParseWarning[];
}

const WITH_VALUE = new Set(['port', 'vni', 'via', 'src_vni', 'nhid', 'used', 'updated']);

/** `dev`: the device of `bridge fdb show dev X`, whose lines leave the device out. */
export function parseBridgeFdbText(text: string, options: { ns: string; dev?: string }): BridgeFdbTextResult {
  const log = new WarningLog();
  const entries: FdbEntry[] = [];
  for (const { line, text: content } of readLines(text, log)) {
    let tokens = tokensOf(content);
    if (tokens[1] !== 'dev' && options.dev) tokens = [tokens[0], 'dev', options.dev, ...tokens.slice(1)];
    const mac = readHwAddress(tokens[0]);
    if (mac.kind !== 'ok' || tokens[1] !== 'dev') {
      log.add(line, `not a line of bridge fdb output: ${quote(content)}`);
      continue;
    }
    const dev = readIfname(tokens[2]);
    if (dev.kind !== 'ok') {
      log.add(line, `fdb entry left out: ${quote(tokens[2])} is not an interface name`);
      continue;
    }
    const entry: FdbEntry = { line, ns: options.ns, mac: mac.value, dev: dev.value, flags: [] };
    for (let i = 3; i < tokens.length; i++) {
      const token = tokens[i];
      const value = tokens[i + 1];
      if (token === 'dst' && value && familyOf(value)) {
        entry.dst = value;
        i++;
      } else if (token === 'master' && value) {
        const master = readIfname(value);
        if (master.kind === 'ok') entry.master = master.value;
        i++;
      } else if (token === 'vlan' && value && /^\d{1,4}$/.test(value)) {
        entry.vlan = Number(value);
        i++;
      } else if (WITH_VALUE.has(token)) i++;
      else if (entry.flags.length < 16) entry.flags.push(token.slice(0, 64));
    }
    if (entries.length < 65_536) entries.push(entry);
  }
  return { entries, warnings: log.finish() };
}
