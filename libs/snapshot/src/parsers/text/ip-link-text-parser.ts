import { familyOf } from '../../contract/address-syntax';
import type { Link } from '../../contract/snapshot-schema';
import type { ParseResult } from '../parse-result';
import { acceptEntry, looksMaskedName, noteUnreadable, readHwAddress, readIfname, readIp, readUint } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog, type InputLine } from './text-input';

/**
 * `ip link` / `ip -d link` text (also the link blocks of `ip addr`, and `ip -o link`):
 *
 *   10: cali1a2b3c4d5e6@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT group default qlen 1000
 *       link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netnsid 1 promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
 *       veth addrgenmode eui64 numtxqueues 2 ...
 *
 * Read: ifindex, name, @ifNN / @peer / @NONE, <flags>, mtu, master, state, link/TYPE address,
 * link-netnsid or `link-netns NAME`, and with -d the kind (first token of the line right after the link/ line) and
 * vxlan id/local/dev/dstport/[no]learning. Everything else (qdisc, mode, group, qlen, brd,
 * permaddr, promiscuity, minmtu, addrgenmode, bridge/bond details, *_slave lines, altname,
 * alias, vf, -s counters) is skipped without a warning.
 */

// `1.cali…@if4: <…>`: a markdown list turned the `1: ` of a pasted line into `1.`.
const HEADER = /^(\d{1,12})(?::\s+|\.\s?)(\S+?):\s+<([^<>]*)>(?:\s+(.*))?$/;
const MAX_IFINDEX = 2 ** 31;
const MAX_MTU = 65536 * 4;

/** Header keywords followed by a value that is not kept. */
const HEADER_SKIPPED_WITH_VALUE = new Set(['qdisc', 'mode', 'group', 'qlen', 'link-netnsid', 'netns', 'portid', 'protodown_reason']);
/** First words of -d detail lines that are not a link kind. */
const NOT_A_KIND = new Set([
  'altname', 'alias', 'vf', 'addrgenmode', 'numtxqueues', 'numrxqueues', 'gso_max_size', 'gso_max_segs', 'tso_max_size',
  'tso_max_segs', 'gro_max_size', 'gso_ipv4_max_size', 'gro_ipv4_max_size', 'parentbus', 'parentdev', 'xdp', 'prog',
  'promiscuity', 'allmulti', 'minmtu', 'maxmtu', 'protodown', 'protodown_reason', 'inet', 'inet6', 'valid_lft',
]);
/** Lines a plain (non -d) link block may contain besides the header and link/ line. */
const PLAIN_BLOCK_WORDS = new Set(['altname', 'alias', 'vf', 'RX:', 'TX:', 'RX', 'TX', 'prog/xdp', 'xdp']);

interface LinkDraft {
  ifindex: number;
  name: string;
  kind?: string;
  mac?: string;
  mtu?: number;
  operState?: string;
  flags: string[];
  master?: string;
  peerIfindex?: number;
  peerName?: string;
  linkNetnsId?: number;
  linkNetns?: string;
  vxlan?: { id?: number; local?: string; dev?: string; port?: number; learning?: boolean };
  redacted: string[];
}

interface LinkBlock {
  headerLine: number;
  /** Undefined when the link was left out (its name or index unusable). */
  draft?: LinkDraft;
  /** Why the link was left out, for warnings about lines that belong to it. */
  problem?: string;
  /** -d output: the link/ line carried `promiscuity`. */
  detail: boolean;
  previous: 'header' | 'link' | 'other';
}

/** What an address line needs to know about the link block it sits in. */
export interface LinkContext {
  headerLine: number;
  name?: string;
  problem?: string;
}

/** Reads link blocks line by line; shared by the `ip link` and `ip addr` parsers. */
export class LinkBlockReader {
  private block?: LinkBlock;
  private readonly drafts: { line: number; draft: LinkDraft }[] = [];

  constructor(private readonly log: WarningLog) {}

  get context(): LinkContext | undefined {
    if (!this.block) return undefined;
    return { headerLine: this.block.headerLine, name: this.block.draft?.name, problem: this.block.problem };
  }

  endBlock(): void {
    this.block = undefined;
  }

  /** A line inside the block that is not the link's own (an address line): no kind after it. */
  markOther(): void {
    if (this.block) this.block.previous = 'other';
  }

  /** Starts a new block if the line is a link header (`N: name[@peer]: <FLAGS> ...`). */
  readHeader(input: InputLine): boolean {
    const m = HEADER.exec(input.text);
    if (!m) return false;
    const { line } = input;
    const [, index, nameField, flagText, rest] = m;
    this.block = { headerLine: line, detail: false, previous: 'header' };
    const at = nameField.indexOf('@');
    const nameToken = at < 0 ? nameField : nameField.slice(0, at);
    const peerToken = at < 0 ? undefined : nameField.slice(at + 1);

    const name = readIfname(nameToken);
    if (name.kind !== 'ok') {
      this.block.problem = name.kind === 'masked' ? `its interface name ${quote(nameToken)} is masked` : `${quote(nameToken)} is not an interface name`;
      this.log.add(line, `link left out: ${this.block.problem}`);
      return true;
    }
    const ifindex = readUint(index, MAX_IFINDEX);
    if (ifindex.kind !== 'ok') {
      this.block.problem = `its ifindex ${quote(index)} is out of range`;
      this.log.add(line, `link ${name.value} left out: ${this.block.problem}`);
      return true;
    }
    const draft: LinkDraft = { ifindex: ifindex.value, name: name.value, flags: flagText.split(',').filter((f) => f !== ''), redacted: [] };
    this.block.draft = draft;
    this.drafts.push({ line, draft });

    if (peerToken !== undefined && peerToken !== 'NONE') {
      const byIndex = /^if(\d{1,12})$/.exec(peerToken);
      if (byIndex) {
        const peerIndex = readUint(byIndex[1], MAX_IFINDEX);
        if (peerIndex.kind === 'ok') draft.peerIfindex = peerIndex.value;
        else noteUnreadable(peerIndex, 'peerIfindex', peerToken, 'an ifindex', line, draft.redacted, this.log);
      } else {
        const peer = readIfname(peerToken);
        if (peer.kind === 'ok') draft.peerName = peer.value;
        else noteUnreadable(peer, 'peerName', peerToken, 'an interface name', line, draft.redacted, this.log);
      }
    }

    const tokens = tokensOf(rest ?? '');
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const value = tokens[i + 1];
      if (token === 'mtu') {
        const mtu = readUint(value, MAX_MTU);
        if (mtu.kind === 'ok') draft.mtu = mtu.value;
        else noteUnreadable(mtu, 'mtu', value, 'an MTU', line, draft.redacted, this.log);
        i++;
      } else if (token === 'master') {
        const master = readIfname(value);
        if (master.kind === 'ok') draft.master = master.value;
        else noteUnreadable(master, 'master', value, 'an interface name', line, draft.redacted, this.log);
        i++;
      } else if (token === 'state') {
        if (value !== undefined) draft.operState = value;
        i++;
      } else if (HEADER_SKIPPED_WITH_VALUE.has(token)) {
        i++;
      }
    }
    return true;
  }

  /** Consumes a line that belongs to the current block (link/ line, -d details, -s counters). */
  readBlockLine(input: InputLine, tokens: string[]): boolean {
    const block = this.block;
    if (!block || tokens.length === 0) return false;
    const first = tokens[0];
    if (first.startsWith('link/')) {
      if (block.draft) this.readLinkLine(block.draft, tokens, input.line);
      block.detail = block.detail || tokens.includes('promiscuity');
      block.previous = 'link';
      return true;
    }
    const detailLine = block.detail && /^[a-z]/.test(first);
    const counters = tokens.every((t) => /^-?\d+$/.test(t));
    if (!detailLine && !counters && !PLAIN_BLOCK_WORDS.has(first)) return false;
    if (block.previous === 'link' && block.detail && block.draft && isKind(first)) {
      block.draft.kind = first;
      if (first === 'vxlan') this.readVxlan(block.draft, tokens, input.line);
    }
    block.previous = 'other';
    return true;
  }

  /** The links read so far, validated against the contract. */
  finish(): Link[] {
    const links: Link[] = [];
    for (const { line, draft } of this.drafts) {
      const { redacted, vxlan, ...fields } = draft;
      const link = acceptEntry(
        'link',
        { ...fields, vxlan: vxlan && Object.keys(vxlan).length > 0 ? vxlan : undefined, redacted: redacted.length ? redacted : undefined },
        line,
        `link ${draft.name}`,
        this.log,
      );
      if (link) links.push(link);
    }
    return links;
  }

  private readLinkLine(draft: LinkDraft, tokens: string[], line: number): void {
    let i = 1;
    const candidate = tokens[1];
    // link/none has no address; otherwise the token after link/TYPE is the address unless it is a keyword.
    if (candidate !== undefined && tokens[0] !== 'link/none' && !isLinkLineKeyword(candidate)) {
      i = 2;
      const mac = readHwAddress(candidate);
      if (mac.kind === 'ok') draft.mac = mac.value;
      else if (mac.kind === 'invalid' && familyOf(candidate) === 'inet6') {
        // ip6tnl/ip6gre/sit print an IPv6 endpoint here; the contract's mac cannot hold it.
      } else noteUnreadable(mac, 'mac', candidate, 'a link-layer address', line, draft.redacted, this.log);
    }
    for (; i < tokens.length; i++) {
      if (tokens[i] === 'link-netnsid') {
        const value = tokens[i + 1];
        const nsid = readUint(value, MAX_IFINDEX);
        if (nsid.kind === 'ok') draft.linkNetnsId = nsid.value;
        else if (value !== 'unknown') noteUnreadable(nsid, 'linkNetnsId', value, 'a namespace id', line, draft.redacted, this.log);
        i++;
      }
      if (tokens[i] === 'link-netns') {
        // iproute2 names the peer's namespace instead of printing its nsid when the namespace has a name.
        const value = tokens[i + 1];
        if (value !== undefined && !looksMaskedName(value) && value.length <= 253) draft.linkNetns = value;
        else noteUnreadable({ kind: value !== undefined && looksMaskedName(value) ? 'masked' : 'invalid' }, 'linkNetns', value, 'a namespace name', line, draft.redacted, this.log);
        i++;
      }
    }
  }

  private readVxlan(draft: LinkDraft, tokens: string[], line: number): void {
    const vxlan: NonNullable<LinkDraft['vxlan']> = {};
    let learning = true;
    for (let i = 1; i < tokens.length; i++) {
      const token = tokens[i];
      const value = tokens[i + 1];
      if (token === 'id') {
        const id = readUint(value, 2 ** 24);
        if (id.kind === 'ok') vxlan.id = id.value;
        else noteUnreadable(id, 'vxlan.id', value, 'a VNI', line, draft.redacted, this.log);
        i++;
      } else if (token === 'local') {
        const local = readIp(value);
        if (local.kind === 'ok') vxlan.local = local.value.address;
        else noteUnreadable(local, 'vxlan.local', value, 'an IP address', line, draft.redacted, this.log);
        i++;
      } else if (token === 'dev') {
        const dev = readIfname(value);
        if (dev.kind === 'ok') vxlan.dev = dev.value;
        else noteUnreadable(dev, 'vxlan.dev', value, 'an interface name', line, draft.redacted, this.log);
        i++;
      } else if (token === 'dstport') {
        const port = readUint(value, 65535);
        if (port.kind === 'ok') vxlan.port = port.value;
        else noteUnreadable(port, 'vxlan.port', value, 'a UDP port', line, draft.redacted, this.log);
        i++;
      } else if (token === 'nolearning') {
        learning = false;
      }
    }
    // The kernel always reports IFLA_VXLAN_LEARNING and ip(8) prints `nolearning` exactly when it is off.
    vxlan.learning = learning;
    draft.vxlan = vxlan;
  }
}

function isKind(token: string): boolean {
  return /^[a-z][a-z0-9_]{0,30}$/.test(token) && !token.endsWith('_slave') && !NOT_A_KIND.has(token);
}

/** Words (brd, peer, permaddr, link-netnsid, promiscuity, ...) rather than an address after link/TYPE. */
function isLinkLineKeyword(token: string): boolean {
  return /^[a-z][a-z_-]*$/.test(token) && !/^(?:redacted|masked|hidden|removed)$/.test(token);
}

/** Parses `ip link` or `ip -d link` text (any iproute2 or busybox version) into contract links. */
export function parseIpLinkText(text: string): ParseResult<Link> {
  const log = new WarningLog();
  const reader = new LinkBlockReader(log);
  for (const input of readLines(text, log, { splitOneline: true })) {
    const tokens = tokensOf(input.text);
    if (reader.readHeader(input)) continue;
    if (reader.readBlockLine(input, tokens)) continue;
    if (reader.context && (tokens[0] === 'inet' || tokens[0] === 'inet6' || tokens[0] === 'valid_lft')) {
      // `ip addr` output given to the link parser: address lines belong to parseIpAddrText.
      reader.markOther();
      continue;
    }
    log.add(input.line, `not a line of ip link output: ${quote(input.text)}`);
  }
  return { entries: reader.finish(), warnings: log.finish() };
}
