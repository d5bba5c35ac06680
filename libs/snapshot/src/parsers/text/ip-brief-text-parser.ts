import type { Address, Link } from '../../contract/snapshot-schema';
import type { ParseWarning } from '../parse-result';
import { acceptEntry, readHwAddress, readIfname, readPrefix } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * `ip -br link` and `ip -br addr` (brief: one line per device):
 *
 *   calirsp0@if2     UP             ee:ee:ee:ee:ee:ee <BROADCAST,MULTICAST,UP,LOWER_UP>
 *   calirsp0@if2     UP             fd00::1/64 fe80::ecee:eeff:feee:eeee/64
 *
 * The brief form prints no ifindex and no MTU: links carry ifindex 0 ("not printed"). An
 * address's scope and flags are not printed either: IPv6 link-local (fe80::/10) gets scope
 * link, 127/8 and ::1 scope host, the rest global.
 */

export interface IpBriefTextResult {
  links: Link[];
  addresses: Address[];
  warnings: ParseWarning[];
  /** device lines read */
  devices: number;
}

const STATES = new Set(['UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN', 'DORMANT', 'NOTPRESENT', 'TESTING']);

export function parseIpBriefText(text: string, object: 'link' | 'addr'): IpBriefTextResult {
  const log = new WarningLog();
  const links: Link[] = [];
  const addresses: Address[] = [];
  let devices = 0;
  for (const { line, text: content } of readLines(text, log)) {
    const tokens = tokensOf(content);
    if (tokens.length < 2 || !STATES.has(tokens[1])) {
      log.add(line, `not a line of ip -brief output: ${quote(content)}`);
      continue;
    }
    const [printed, peer] = tokens[0].split('@');
    const name = readIfname(printed);
    if (name.kind !== 'ok') {
      log.add(line, `device ${quote(printed)} left out: not an interface name`);
      continue;
    }
    devices++;
    const draft: Partial<Link> & { name: string } = { ifindex: 0, name: name.value, operState: tokens[1], flags: [] };
    const peerIndex = /^if(\d{1,10})$/.exec(peer ?? '');
    if (peerIndex) draft.peerIfindex = Number(peerIndex[1]);
    else if (peer && peer !== 'NONE' && readIfname(peer).kind === 'ok') draft.peerName = peer;
    if (object === 'link') {
      const mac = readHwAddress(tokens[2]);
      if (mac.kind === 'ok') draft.mac = mac.value;
      const flags = /^<([^<>]*)>$/.exec(tokens[tokens.length - 1] ?? '');
      if (flags) draft.flags = flags[1].split(',').filter((f) => f !== '');
      const link = acceptEntry('link', draft, line, `link ${name.value}`, log);
      if (link) links.push(link);
      continue;
    }
    for (const token of tokens.slice(2)) {
      const prefix = readPrefix(token);
      if (prefix.kind !== 'ok' || prefix.value.length === undefined) {
        log.add(line, `address ${quote(token)} of ${name.value} left out: ${prefix.kind === 'masked' ? 'it is masked' : 'not an address/prefix'}`);
        continue;
      }
      const local = prefix.value.address;
      const scope = /^fe[89ab]/i.test(local) ? 'link' : local.startsWith('127.') || local === '::1' ? 'host' : undefined;
      const address = acceptEntry('address', { dev: name.value, family: prefix.value.family, local, prefixlen: prefix.value.length, scope, flags: [] }, line, `address ${token}`, log);
      if (address) addresses.push(address);
    }
  }
  return { links, addresses, warnings: log.finish(), devices };
}
