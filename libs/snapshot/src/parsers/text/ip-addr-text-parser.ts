import type { AddressFamily } from '../../contract/snapshot-constants';
import type { Address, Link } from '../../contract/snapshot-schema';
import type { ParseWarning } from '../parse-result';
import { LinkBlockReader, type LinkContext } from './ip-link-text-parser';
import { acceptEntry, noteUnreadable, readIfname, readIp } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog, type InputLine } from './text-input';

/**
 * `ip addr` text (iproute2 of any age, busybox, `ip -o addr`):
 *
 *   2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1440 qdisc noqueue state UP group default
 *       link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0
 *       inet 172.17.8.2/32 brd 172.17.8.2 scope global eth0
 *          valid_lft forever preferred_lft forever
 *       inet6 fe80::ecee:eeff:feee:eeee/64 scope link
 *
 * The link headers become Links (with `kind` only when -d detail lines are present). Each
 * inet/inet6 line becomes an Address: local[/len] (no /len: 32 or 128), `peer P/len`, `brd`,
 * `scope`, the flags ip(8) prints, the trailing label (IPv4), and the lifetimes from the
 * following `valid_lft`/`preferred_lft` line (`forever` leaves them out). `metric N`,
 * `proto X`, `anycast X` and `flags XX` are skipped without a warning.
 */

export interface IpAddrTextResult {
  links: Link[];
  addresses: Address[];
  warnings: ParseWarning[];
}

const ADDRESS_FLAGS = new Set([
  'secondary', 'temporary', 'nodad', 'optimistic', 'dadfailed', 'home', 'deprecated', 'tentative', 'dynamic',
  'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy', 'permanent',
]);
const SKIPPED_WITH_VALUE = new Set(['metric', 'proto', 'protocol', 'anycast', 'any', 'flags']);

interface AddressDraft {
  line: number;
  fields: Partial<Address> & { flags: string[] };
  redacted: string[];
}

/** Parses `ip addr` text into the links its headers describe and the addresses under them. */
export function parseIpAddrText(text: string): IpAddrTextResult {
  const log = new WarningLog();
  const reader = new LinkBlockReader(log);
  const drafts: AddressDraft[] = [];
  /** The address the next lifetime line belongs to; null after an address that was left out. */
  let last: AddressDraft | null | undefined;
  /** Context from an `ip -o addr` line prefix. */
  let oneline: LinkContext | undefined;

  for (const input of readLines(text, log, { splitOneline: true })) {
    if (reader.readHeader(input)) {
      oneline = undefined;
      last = undefined;
      continue;
    }
    let tokens = tokensOf(input.text);
    // `ip -o addr`: `2: eth0    inet 10.0.0.1/24 ...` (no <FLAGS>, the address on the same line).
    if (tokens.length > 2 && /^\d{1,12}:$/.test(tokens[0]) && (tokens[2] === 'inet' || tokens[2] === 'inet6')) {
      reader.endBlock();
      const nameToken = tokens[1].split('@')[0];
      const name = readIfname(nameToken);
      oneline = {
        headerLine: input.line,
        name: name.kind === 'ok' ? name.value : undefined,
        problem: name.kind === 'ok' ? undefined : name.kind === 'masked' ? `its interface name ${quote(nameToken)} is masked` : `${quote(nameToken)} is not an interface name`,
      };
      tokens = tokens.slice(2);
    }
    const first = tokens[0];
    if (first === 'inet' || first === 'inet6') {
      reader.markOther();
      const draft = readAddress(input, tokens, first, oneline ?? reader.context, log);
      if (draft) drafts.push(draft);
      last = draft ?? null;
      continue;
    }
    if (first === 'valid_lft' || first === 'preferred_lft') {
      if (last) readLifetimes(last, tokens, 0, input.line, log);
      else if (last === undefined) log.add(input.line, `lifetimes ${quote(input.text)} follow no address line; skipped`);
      last = undefined;
      continue;
    }
    if (reader.readBlockLine(input, tokens)) continue;
    log.add(input.line, `not a line of ip addr output: ${quote(input.text)}`);
  }

  const addresses: Address[] = [];
  for (const draft of drafts) {
    const address = acceptEntry(
      'address',
      { ...draft.fields, redacted: draft.redacted.length ? draft.redacted : undefined },
      draft.line,
      `address ${draft.fields.local} on ${draft.fields.dev}`,
      log,
    );
    if (address) addresses.push(address);
  }
  return { links: reader.finish(), addresses, warnings: log.finish() };
}

function readAddress(input: InputLine, tokens: string[], keyword: 'inet' | 'inet6', context: LinkContext | undefined, log: WarningLog): AddressDraft | undefined {
  const { line } = input;
  const family: AddressFamily = keyword;
  const localToken = tokens[1];
  if (context && !context.name) {
    log.add(line, `address ${quote(localToken)} left out: the link it belongs to (line ${context.headerLine}) was left out: ${context.problem ?? 'unusable header'}`);
    return undefined;
  }
  const [localText, lengthText] = splitLength(localToken);
  const local = readIp(localText);
  if (local.kind !== 'ok') {
    log.add(line, `address left out: ${local.kind === 'masked' ? `its address ${quote(localToken)} is masked` : `${quote(localToken)} is not an IP address`}`);
    return undefined;
  }
  if (local.value.family !== family) {
    log.add(line, `address left out: ${quote(localText)} is not an ${family} address`);
    return undefined;
  }
  const maxLength = family === 'inet' ? 32 : 128;
  let prefixlen: number | undefined;
  if (lengthText !== undefined) {
    prefixlen = readLength(lengthText, maxLength);
    if (prefixlen === undefined) {
      log.add(line, `address ${localText} left out: prefix length ${quote(lengthText)} is not a number from 0 to ${maxLength}`);
      return undefined;
    }
  }

  const draft: AddressDraft = { line, fields: { family, local: local.value.address, flags: [] }, redacted: [] };
  const fields = draft.fields;
  let label: string | undefined;
  const unknown: string[] = [];
  for (let i = 2; i < tokens.length; i++) {
    const token = tokens[i];
    const value = tokens[i + 1];
    if (token === 'peer') {
      const [peerText, peerLength] = splitLength(value);
      const peer = readIp(peerText);
      if (peer.kind === 'ok') fields.peer = peer.value.address;
      else noteUnreadable(peer, 'peer', value, 'an IP address', line, draft.redacted, log);
      if (peerLength !== undefined && prefixlen === undefined) {
        prefixlen = readLength(peerLength, maxLength);
        if (prefixlen === undefined) {
          log.add(line, `address ${localText} left out: prefix length ${quote(peerLength)} is not a number from 0 to ${maxLength}`);
          return undefined;
        }
      }
      i++;
    } else if (token === 'brd' || token === 'broadcast') {
      const broadcast = readIp(value);
      if (broadcast.kind === 'ok') fields.broadcast = broadcast.value.address;
      else noteUnreadable(broadcast, 'broadcast', value, 'an IP address', line, draft.redacted, log);
      i++;
    } else if (token === 'scope') {
      if (value !== undefined) fields.scope = value;
      i++;
    } else if (ADDRESS_FLAGS.has(token)) {
      // `permanent` is never printed by ip(8) (it prints `dynamic` for its absence); accept it without keeping it.
      if (token !== 'permanent' && !fields.flags.includes(token)) fields.flags.push(token);
    } else if (SKIPPED_WITH_VALUE.has(token)) {
      i++;
    } else if (token === 'valid_lft' || token === 'preferred_lft') {
      // Lifetimes joined onto the address line (a re-wrapped paste).
      i = readLifetimes(draft, tokens, i, line, log);
    } else if (family === 'inet' && i === tokens.length - 1) {
      label = token;
    } else {
      unknown.push(token);
    }
  }
  if (unknown.length) log.add(line, `address ${localText}: skipped words ip(8) does not print here: ${unknown.map(quote).join(', ')}`);
  fields.prefixlen = prefixlen ?? maxLength;

  if (label !== undefined) {
    if (/^[^\s]{1,128}$/.test(label) && !readIfnameMasked(label)) fields.label = label;
    else noteUnreadable({ kind: readIfnameMasked(label) ? 'masked' : 'invalid' }, 'label', label, 'an address label', line, draft.redacted, log);
  }
  if (context?.name) {
    fields.dev = context.name;
  } else {
    // No link header (e.g. `ip addr | grep inet`): the label begins with the device name (eth0, eth0:1).
    const fromLabel = fields.label ? readIfname(fields.label.split(':')[0]) : undefined;
    if (fromLabel?.kind !== 'ok') {
      log.add(line, `address ${localText} left out: no link header above it and no label naming its interface`);
      return undefined;
    }
    fields.dev = fromLabel.value;
  }
  return draft;
}

/** Reads `valid_lft X preferred_lft Y` starting at tokens[start]; returns the index of the last token used. */
function readLifetimes(draft: AddressDraft, tokens: string[], start: number, line: number, log: WarningLog): number {
  let i = start;
  for (; i < tokens.length; i++) {
    const key = tokens[i];
    if (key !== 'valid_lft' && key !== 'preferred_lft') {
      log.add(line, `lifetimes: skipped ${quote(key)}`);
      continue;
    }
    const value = tokens[i + 1];
    i++;
    const field = key === 'valid_lft' ? 'validLifetime' : 'preferredLifetime';
    if (value === 'forever') continue;
    const seconds = value === undefined ? null : /^(\d{1,10})(?:sec)?$/.exec(value);
    if (seconds) draft.fields[field] = Number(seconds[1]);
    else log.add(line, `${key} ${quote(value)} is not a number of seconds or "forever"; left out`);
  }
  return i;
}

function splitLength(token: string | undefined): [string | undefined, string | undefined] {
  if (token === undefined) return [undefined, undefined];
  const slash = token.lastIndexOf('/');
  return slash < 0 ? [token, undefined] : [token.slice(0, slash), token.slice(slash + 1)];
}

function readLength(text: string, max: number): number | undefined {
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function readIfnameMasked(token: string): boolean {
  return readIfname(token.split(':')[0]).kind === 'masked';
}
