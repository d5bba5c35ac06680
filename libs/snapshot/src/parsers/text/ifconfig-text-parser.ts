import { familyOf } from '../../contract/address-syntax';
import type { Address, Link } from '../../contract/snapshot-schema';
import type { ParseWarning } from '../parse-result';
import { maskLength } from './route-table-text-parser';
import { acceptEntry, readHwAddress, readIfname, readIp } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * `ifconfig` in its two shapes, into links and addresses.
 *
 * net-tools 2.x (Debian ≥ 9, RHEL ≥ 7):
 *   br0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
 *           inet 192.168.56.11  netmask 255.255.255.0  broadcast 0.0.0.0
 *           inet6 fe80::a0f1:9fff:fe7c:b77c  prefixlen 64  scopeid 0x20<link>
 *           ether a2:f1:9f:7c:b7:7c  txqueuelen 1000  (Ethernet)
 *
 * net-tools 1.x and busybox:
 *   br0       Link encap:Ethernet  HWaddr A2:F1:9F:7C:B7:7C
 *             inet addr:192.168.56.11  Bcast:0.0.0.0  Mask:255.255.255.0
 *             inet6 addr: fe80::a0f1:9fff:fe7c:b77c/64 Scope:Link
 *             UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
 *
 * ifconfig prints no ifindex: links carry ifindex 0 ("not printed"), which the fact normaliser
 * leaves out. Flags become ip(8)'s names; operState is UP when RUNNING, else DOWN. An alias
 * `eth0:1` is an address label on eth0, not a link. Counters are skipped.
 */

export interface IfconfigTextResult {
  links: Link[];
  addresses: Address[];
  warnings: ParseWarning[];
  /** interface records seen; 0 means the text is not ifconfig output. */
  records: number;
}

interface Draft {
  line: number;
  name: string;
  label?: string;
  flags: string[];
  mtu?: number;
  mac?: string;
  running: boolean;
  addresses: Array<{ line: number; draft: Partial<Address> & { local: string; family: 'inet' | 'inet6' } }>;
}

const HEADER_2X = /^(\S+?): flags=\d+<([^<>]*)>\s+mtu (\d+)/;
const HEADER_1X = /^(\S+)\s+Link encap:(.*)$/;
const FLAG_WORDS = new Set(['UP', 'BROADCAST', 'RUNNING', 'MULTICAST', 'LOOPBACK', 'POINTOPOINT', 'NOARP', 'PROMISC', 'ALLMULTI', 'MASTER', 'SLAVE', 'DYNAMIC', 'NOTRAILERS']);

export function parseIfconfigText(text: string): IfconfigTextResult {
  const log = new WarningLog();
  const drafts: Draft[] = [];
  let current: Draft | undefined;
  for (const { line, text: content } of readLines(text, log)) {
    const h2 = HEADER_2X.exec(content);
    const h1 = h2 ? undefined : HEADER_1X.exec(content);
    const header = h2 ?? h1;
    if (header) {
      const printed = header[1];
      const [name, alias] = printed.split(':');
      current = { line, name, label: alias === undefined ? undefined : printed, flags: [], running: false, addresses: [] };
      drafts.push(current);
      if (h2) {
        current.flags = h2[2].split(',').filter((f) => f !== '');
        current.mtu = Number(h2[3]);
      } else {
        const hw = /HWaddr (\S+)/.exec(header[2]);
        if (hw) {
          const mac = readHwAddress(hw[1]);
          if (mac.kind === 'ok') current.mac = mac.value;
        }
      }
      continue;
    }
    if (!current) {
      log.add(line, `not an ifconfig interface header: ${quote(content)}`);
      continue;
    }
    readDetail(current, line, content, log);
  }

  const links = new Map<string, Link>();
  const addresses: Address[] = [];
  for (const d of drafts) {
    const running = d.flags.includes('RUNNING');
    const flags = d.flags.filter((f) => f !== 'RUNNING').map((f) => (f === 'POINTOPOINT' ? 'POINTOPOINT' : f));
    if (running) flags.push('LOWER_UP');
    if (d.label === undefined) {
      const name = readIfname(d.name);
      if (name.kind !== 'ok') {
        log.add(d.line, `interface ${quote(d.name)} left out: not an interface name`);
        continue;
      }
      const link = acceptEntry(
        'link',
        { ifindex: 0, name: name.value, mac: d.mac, mtu: d.mtu, operState: d.flags.includes('UP') ? (running ? 'UP' : 'DOWN') : 'DOWN', flags },
        d.line,
        `link ${d.name}`,
        log,
      );
      if (link) links.set(link.name, link);
    }
    for (const { line, draft } of d.addresses) {
      const address = acceptEntry('address', { dev: d.name, flags: [], ...draft, label: d.label ?? undefined }, line, `address ${draft.local}`, log);
      if (address) addresses.push(address);
    }
  }
  return { links: [...links.values()], addresses, warnings: log.finish(), records: drafts.length };
}

function readDetail(d: Draft, line: number, content: string, log: WarningLog): void {
  const tokens = tokensOf(content);
  const first = tokens[0];
  if (first === 'inet' && tokens[1]?.startsWith('addr:')) {
    // 1.x: inet addr:A  Bcast:B  Mask:M  (or P-t-P:X)
    const local = tokens[1].slice(5);
    const mask = tokens.find((t) => t.startsWith('Mask:'))?.slice(5);
    const bcast = tokens.find((t) => t.startsWith('Bcast:'))?.slice(6);
    const peer = tokens.find((t) => t.startsWith('P-t-P:'))?.slice(6);
    addInet(d, line, local, mask, bcast, peer, log);
  } else if (first === 'inet') {
    const at = (key: string) => {
      const i = tokens.indexOf(key);
      return i >= 0 ? tokens[i + 1] : undefined;
    };
    addInet(d, line, tokens[1], at('netmask'), at('broadcast'), at('destination'), log);
  } else if (first === 'inet6') {
    // 2.x: inet6 A  prefixlen N  scopeid 0x20<link>;  1.x: inet6 addr: A/N Scope:Link
    let local: string | undefined;
    let prefixlen: string | undefined;
    let scope: string | undefined;
    if (tokens[1] === 'addr:') {
      [local, prefixlen] = (tokens[2] ?? '').split('/');
      scope = tokens.find((t) => t.startsWith('Scope:'))?.slice(6).toLowerCase();
    } else {
      local = tokens[1];
      const i = tokens.indexOf('prefixlen');
      prefixlen = i >= 0 ? tokens[i + 1] : undefined;
      scope = /<(\w+)>/.exec(tokens[tokens.indexOf('scopeid') + 1] ?? '')?.[1];
    }
    const ip = readIp(local);
    if (ip.kind !== 'ok' || ip.value.family !== 'inet6' || !/^\d{1,3}$/.test(prefixlen ?? '')) {
      log.add(line, `address left out: ${quote(local)} with prefix length ${quote(prefixlen)} is not an IPv6 address`);
      return;
    }
    d.addresses.push({ line, draft: { family: 'inet6', local: ip.value.address, prefixlen: Number(prefixlen), scope: scope === 'global' || scope === 'compat' ? undefined : scope } });
  } else if (first === 'ether' || first === 'infiniband') {
    const mac = readHwAddress(tokens[1]);
    if (mac.kind === 'ok') d.mac = mac.value;
  } else if (tokens.some((t) => /^MTU:\d+$/.test(t))) {
    // 1.x flags line: UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
    d.flags = tokens.filter((t) => FLAG_WORDS.has(t));
    d.mtu = Number((tokens.find((t) => /^MTU:\d+$/.test(t)) ?? 'MTU:0').slice(4));
  } else if (/^(?:RX|TX|collisions|loop|unspec|Interrupt|Memory|device|tunnel|txqueuelen)\b/.test(content)) {
    // counters and hardware details
  } else {
    log.add(line, `ifconfig line not understood: ${quote(content)}`);
  }
}

function addInet(d: Draft, line: number, local: string | undefined, mask: string | undefined, bcast: string | undefined, peer: string | undefined, log: WarningLog): void {
  const ip = readIp(local);
  if (ip.kind !== 'ok' || ip.value.family !== 'inet') {
    log.add(line, ip.kind === 'masked' ? `address left out: ${quote(local)} is masked` : `address left out: ${quote(local)} is not an IPv4 address`);
    return;
  }
  const prefixlen = mask === undefined ? 32 : maskLength(mask);
  if (prefixlen === undefined) {
    log.add(line, `address ${local} left out: netmask ${quote(mask)} is not a contiguous netmask`);
    return;
  }
  const draft: Partial<Address> & { local: string; family: 'inet' } = { family: 'inet', local: ip.value.address, prefixlen };
  // ifconfig prints 0.0.0.0 when no broadcast address is set.
  if (bcast && bcast !== '0.0.0.0' && familyOf(bcast) === 'inet') draft.broadcast = bcast;
  if (peer && familyOf(peer) === 'inet') draft.peer = peer;
  if (d.name === 'lo' || ip.value.address.startsWith('127.')) draft.scope = 'host';
  d.addresses.push({ line, draft });
}
