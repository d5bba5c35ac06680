import type { Neighbor } from '../../contract/snapshot-schema';
import type { ParseResult } from '../parse-result';
import { acceptEntry, noteUnreadable, readHwAddress, readIfname, readIp } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * `ip neigh`, `ip neigh show nud all`, `ip neigh show proxy`, `ip -s neigh` and busybox
 * `ip neigh` text:
 *
 *   169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE
 *   fe80::1 dev eth0 lladdr 02:00:00:00:00:01 router STALE
 *   10.0.0.9 dev eth0  FAILED
 *   172.17.8.2 dev eth0  proxy
 *   192.168.1.1 dev eth0 lladdr 00:11:22:33:44:55 ref 1 used 0/0/0 probes 1 REACHABLE,NOARP   (busybox)
 *
 * NUD states are kept as printed (space- or comma-separated). `router` and `proxy` become
 * booleans. Skipped without a warning: `ref`, `used`, `probes`, `proto` (with their values)
 * and the flags `extern_learn`, `offload`, `managed`, `extern_valid`.
 */

export interface IpNeighTextOptions {
  /** The text is `ip neigh show proxy` output: every entry is a proxy entry. */
  proxy?: boolean;
}

const NUD_STATES = new Set(['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE']);
const SKIPPED_WITH_VALUE = new Set(['ref', 'used', 'probes', 'proto', 'protocol', 'nud']);
const SKIPPED_FLAGS = new Set(['extern_learn', 'offload', 'managed', 'extern_valid']);

/** Parses `ip neigh` text into contract neighbours; unusable lines become warnings. */
export function parseIpNeighText(text: string, options: IpNeighTextOptions = {}): ParseResult<Neighbor> {
  const log = new WarningLog();
  const neighbors: Neighbor[] = [];
  for (const { line, text: content } of readLines(text, log)) {
    const tokens = tokensOf(content);
    const dstToken = tokens[0];
    const dst = readIp(dstToken);
    if (dst.kind !== 'ok') {
      log.add(
        line,
        dst.kind === 'masked'
          ? `neighbour left out: its address ${quote(dstToken)} is masked`
          : tokens[1] === 'dev' || /^[\d.:a-fA-F]+$/.test(dstToken)
            ? `neighbour left out: ${quote(dstToken)} is not an IP address`
            : `not a line of ip neigh output: ${quote(content)}`,
      );
      continue;
    }
    const redacted: string[] = [];
    const state: string[] = [];
    const unknown: string[] = [];
    let dev: string | undefined;
    let devProblem: string | undefined;
    let lladdr: string | undefined;
    let router: true | undefined;
    let proxy: true | undefined = options.proxy ? true : undefined;
    for (let i = 1; i < tokens.length; i++) {
      const token = tokens[i];
      const value = tokens[i + 1];
      if (token === 'dev') {
        const name = readIfname(value);
        if (name.kind === 'ok') dev = name.value;
        else devProblem = name.kind === 'masked' ? `its interface ${quote(value)} is masked` : `${quote(value)} is not an interface name`;
        i++;
      } else if (token === 'lladdr') {
        const hw = readHwAddress(value);
        if (hw.kind === 'ok') lladdr = hw.value;
        else noteUnreadable(hw, 'lladdr', value, 'a link-layer address', line, redacted, log);
        i++;
      } else if (token === 'router') {
        router = true;
      } else if (token === 'proxy') {
        proxy = true;
      } else if (SKIPPED_WITH_VALUE.has(token)) {
        i++;
      } else if (SKIPPED_FLAGS.has(token)) {
        // kept by the kernel, not by the contract
      } else if (token.split(',').every((s) => NUD_STATES.has(s))) {
        for (const s of token.split(',')) if (!state.includes(s)) state.push(s);
      } else {
        unknown.push(token);
      }
    }
    const what = `neighbour ${dst.value.address}`;
    if (unknown.length) log.add(line, `${what}: skipped words this parser does not know: ${unknown.slice(0, 8).map(quote).join(', ')}`);
    if (!dev) {
      // The device is part of the neighbour's identity; `ip neigh show dev X` leaves it out.
      log.add(line, `${what} left out: ${devProblem ?? 'no "dev" on the line (was the output filtered with "dev X"?)'}`);
      continue;
    }
    const neighbor = acceptEntry(
      'neighbor',
      { family: dst.value.family, dst: dst.value.address, dev, lladdr, state, router, proxy, redacted: redacted.length ? redacted : undefined },
      line,
      what,
      log,
    );
    if (neighbor) neighbors.push(neighbor);
  }
  return { entries: neighbors, warnings: log.finish() };
}
