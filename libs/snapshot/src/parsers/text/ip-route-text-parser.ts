import type { AddressFamily } from '../../contract/snapshot-constants';
import type { Nexthop, Route } from '../../contract/snapshot-schema';
import type { ParseResult } from '../parse-result';
import { acceptEntry, maskedFamily, noteUnreadable, readIfname, readIp, readPrefix, readUint } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * `ip route`, `ip -6 route`, `ip route show table all` (both families in one paste),
 * `ip route get` and busybox `ip route` text:
 *
 *   [TYPE] DST [via [inet|inet6] GW] [dev DEV] [table T] [proto P] [scope S] [src A] [metric N]
 *          [FLAGS] [pref P] [mtu [lock] N] [expires Nsec] [error E] [hoplimit H] ...
 *       nexthop via GW dev DEV weight W [FLAGS]      (multipath, one per continuation line)
 *       cache ...                                    (route cache / ip route get)
 *
 * Without `table`, the table is `main`; without a type word, the type is `unicast`. The family
 * comes from the destination; for `default` from the gateway (`via inet6 X` on an IPv4 route is
 * RTA_VIA: the route is the other family), the preferred source, the nexthops, `pref` (printed
 * for IPv6 only), and finally options.family or `inet`.
 */

export interface IpRouteTextOptions {
  /** Family of a `default` route whose line shows no address (from `ip -4`/`ip -6`). */
  family?: AddressFamily;
}

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multicast', 'anycast', 'nat', 'xresolve']);
/** Bare words ip(8) prints for RTNH_F_* / RTM_F_* flags (and `cache` for cloned routes). */
const ROUTE_FLAGS = new Set([
  'onlink', 'linkdown', 'dead', 'pervasive', 'offload', 'trap', 'notify', 'unresolved', 'rt_offload', 'rt_trap', 'rt_offload_failed', 'cache',
]);
/**
 * Keywords skipped with their value and no warning: route metrics the contract does not hold,
 * error codes of unreachable routes, `ip route get`/cache annotations, nexthop object ids, and
 * `from` (source-specific IPv6 routes; not part of the contract). A `lock` after a metric is skipped too.
 */
export const IGNORED_ROUTE_KEYWORDS = [
  'error', 'hoplimit', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'ssthresh', 'advmss',
  'realm', 'realms', 'quickack', 'features', 'fastopen_no_cookie', 'congctl', 'rto_min', 'uid', 'nhid', 'users', 'age',
  'used', 'ipid', 'from', 'iif', 'mark', 'ttl-propagate',
] as const;
const IGNORED_WITH_VALUE = new Set<string>(IGNORED_ROUTE_KEYWORDS);
const MAX_METRIC = 2 ** 32;
const MAX_MTU = 65536 * 4;

interface Via {
  address?: string;
  /** Family of the gateway address, from the address itself or its masked shape. */
  family?: AddressFamily;
  /** `via inet6 X`: printed for RTA_VIA, a gateway of the other family than the route. */
  explicit: boolean;
}

interface NexthopDraft {
  via?: Via;
  dev?: string;
  weight?: number;
  flags: string[];
}

interface RouteDraft {
  line: number;
  type: string;
  dst: string;
  dstFamily?: AddressFamily;
  via?: Via;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  prefsrcFamily?: AddressFamily;
  metric?: number;
  tos?: string;
  flags: string[];
  pref?: string;
  mtu?: number;
  expires?: number;
  nexthops?: NexthopDraft[];
  redacted: string[];
}

/** Parses `ip route` text into contract routes; unusable lines become warnings. */
export function parseIpRouteText(text: string, options: IpRouteTextOptions = {}): ParseResult<Route> {
  const log = new WarningLog();
  const drafts: RouteDraft[] = [];
  /** The route continuation lines belong to; null after a route that was left out. */
  let last: RouteDraft | null | undefined;

  for (const input of readLines(text, log, { splitOneline: true })) {
    const { line } = input;
    const tokens = tokensOf(input.text);
    if (tokens[0] === 'nexthop' || tokens[0] === 'cache') {
      if (last) readAttributes(last, tokens, 0, line, log);
      else if (last === undefined) log.add(line, `${quote(tokens[0])} line follows no route; skipped`);
      continue;
    }
    last = readRoute(tokens, line, log) ?? null;
    if (last) drafts.push(last);
  }

  const routes: Route[] = [];
  for (const draft of drafts) {
    const route = acceptEntry('route', toRoute(draft, options), draft.line, `route ${draft.dst}`, log);
    if (route) routes.push(route);
  }
  return { entries: routes, warnings: log.finish() };
}

function readRoute(tokens: string[], line: number, log: WarningLog): RouteDraft | undefined {
  let i = 0;
  let type = 'unicast';
  if (ROUTE_TYPES.has(tokens[0])) {
    type = tokens[0];
    i = 1;
  }
  const dstToken = tokens[i];
  let dst: string;
  let dstFamily: AddressFamily | undefined;
  if (dstToken === 'default') {
    dst = 'default';
  } else {
    const prefix = readPrefix(dstToken);
    if (prefix.kind === 'masked') {
      log.add(line, `route left out: its destination ${quote(dstToken)} is masked`);
      return undefined;
    }
    if (prefix.kind === 'invalid') {
      log.add(line, i === 0 && dstToken !== undefined && !/^[\d.:a-fA-F/]+$/.test(dstToken) ? `not a line of ip route output: ${quote(tokens.join(' '))}` : `route left out: ${quote(dstToken)} is not a destination (default, an address or address/length)`);
      return undefined;
    }
    dst = prefix.value.text;
    dstFamily = prefix.value.family;
  }
  const draft: RouteDraft = { line, type, dst, dstFamily, flags: [], redacted: [] };
  if (!readAttributes(draft, tokens, i + 1, line, log)) return undefined;
  return draft;
}

/** Reads route attributes from tokens[start]; returns false when the route must be left out. */
function readAttributes(draft: RouteDraft, tokens: string[], start: number, line: number, log: WarningLog): boolean {
  const unknown: string[] = [];
  let hop: NexthopDraft | undefined;
  for (let i = start; i < tokens.length; i++) {
    const token = tokens[i];
    const value = tokens[i + 1];
    if (token === 'nexthop') {
      hop = { flags: [] };
      (draft.nexthops ??= []).push(hop);
      continue;
    }
    const hopIndex = hop ? (draft.nexthops?.length ?? 0) - 1 : -1;
    const field = (name: string) => (hop ? `nexthops[${hopIndex}].${name}` : name);
    if (token === 'via') {
      let explicit: AddressFamily | undefined;
      let address = value;
      if (value === 'inet' || value === 'inet6') {
        explicit = value;
        address = tokens[i + 2];
        i++;
      }
      i++;
      const gateway = readIp(address);
      const via: Via = { explicit: explicit !== undefined };
      if (gateway.kind === 'ok') {
        via.address = gateway.value.address;
        via.family = gateway.value.family;
      } else {
        via.family = explicit ?? (address ? maskedFamily(address) : undefined);
        noteUnreadable(gateway, field('gateway'), address, 'an IP address', line, draft.redacted, log);
      }
      if (hop) hop.via = via;
      else draft.via = via;
    } else if (token === 'dev' || token === 'oif') {
      const dev = readIfname(value);
      if (dev.kind === 'ok') {
        if (hop) hop.dev = dev.value;
        else draft.dev = dev.value;
      } else noteUnreadable(dev, field('dev'), value, 'an interface name', line, draft.redacted, log);
      i++;
    } else if (token === 'weight' && hop) {
      const weight = readUint(value, 256);
      if (weight.kind === 'ok') hop.weight = weight.value;
      else noteUnreadable(weight, field('weight'), value, 'a weight from 1 to 256', line, draft.redacted, log);
      i++;
    } else if (ROUTE_FLAGS.has(token)) {
      const flags = hop ? hop.flags : draft.flags;
      if (!flags.includes(token)) flags.push(token);
    } else if (hop) {
      // Per-nexthop attributes other than via/dev/weight/flags (realms, encap ...) are not kept.
      if (IGNORED_WITH_VALUE.has(token)) i++;
      else unknown.push(token);
    } else if (token === 'table' || token === 'proto' || token === 'scope' || token === 'pref' || token === 'tos' || token === 'dsfield') {
      if (value === undefined) {
        unknown.push(token);
        continue;
      }
      if (token === 'table') draft.table = value;
      else if (token === 'proto') draft.protocol = value;
      else if (token === 'scope') draft.scope = value;
      else if (token === 'pref') draft.pref = value;
      else draft.tos = value;
      i++;
    } else if (token === 'src') {
      const src = readIp(value);
      if (src.kind === 'ok') {
        draft.prefsrc = src.value.address;
        draft.prefsrcFamily = src.value.family;
      } else {
        draft.prefsrcFamily = value ? maskedFamily(value) : undefined;
        noteUnreadable(src, 'prefsrc', value, 'an IP address', line, draft.redacted, log);
      }
      i++;
    } else if (token === 'metric' || token === 'preference' || token === 'priority') {
      // iproute2 before 4.x printed the u32 metric as signed: `metric -1` is 4294967295.
      const signed = value !== undefined && /^-\d{1,10}$/.test(value) && Number(value) >= -(2 ** 31) ? String(2 ** 32 + Number(value)) : value;
      const metric = readUint(signed, MAX_METRIC);
      if (metric.kind !== 'ok') {
        // The metric is part of the route's identity (a second route may differ only in metric).
        log.add(line, `route ${draft.dst} left out: metric ${quote(value)} is ${metric.kind === 'masked' ? 'masked' : 'not a number from 0 to 4294967295'}`);
        return false;
      }
      draft.metric = metric.value;
      i++;
    } else if (token === 'mtu') {
      let at = i + 1;
      if (tokens[at] === 'lock') at++;
      const mtu = readUint(tokens[at], MAX_MTU);
      if (mtu.kind === 'ok') draft.mtu = mtu.value;
      else noteUnreadable(mtu, 'mtu', tokens[at], 'an MTU', line, draft.redacted, log);
      i = at;
    } else if (token === 'expires') {
      const seconds = value === undefined ? null : /^(\d{1,10})(?:sec)?$/.exec(value);
      if (seconds) draft.expires = Number(seconds[1]);
      else log.add(line, `route ${draft.dst}: expires ${quote(value)} is not a number of seconds; left out`);
      i++;
    } else if (IGNORED_WITH_VALUE.has(token)) {
      i++;
      if (tokens[i] === 'lock') i++;
    } else {
      unknown.push(token);
    }
  }
  if (unknown.length) log.add(line, `route ${draft.dst}: skipped words this parser does not know: ${unknown.slice(0, 8).map(quote).join(', ')}`);
  return true;
}

function toRoute(draft: RouteDraft, options: IpRouteTextOptions): object {
  const family = routeFamily(draft, options);
  const nexthops: Nexthop[] | undefined = draft.nexthops?.map((hop) => ({
    gateway: hop.via?.address,
    dev: hop.dev,
    weight: hop.weight,
    flags: hop.flags,
  }));
  return {
    family,
    table: draft.table ?? 'main',
    type: draft.type,
    dst: draft.dst,
    gateway: draft.via?.address,
    dev: draft.dev,
    protocol: draft.protocol,
    scope: draft.scope,
    prefsrc: draft.prefsrc,
    metric: draft.metric,
    tos: draft.tos,
    flags: draft.flags,
    pref: draft.pref,
    mtu: draft.mtu,
    nexthops: nexthops?.map((hop) => Object.fromEntries(Object.entries(hop).filter(([, v]) => v !== undefined)) as Nexthop),
    expires: draft.expires,
    redacted: draft.redacted.length ? draft.redacted : undefined,
  };
}

function routeFamily(draft: RouteDraft, options: IpRouteTextOptions): AddressFamily {
  if (draft.dstFamily) return draft.dstFamily;
  const fromVia = (via: Via | undefined): AddressFamily | undefined => {
    if (!via?.family) return undefined;
    return via.explicit ? other(via.family) : via.family;
  };
  return (
    fromVia(draft.via) ??
    draft.prefsrcFamily ??
    draft.nexthops?.map((hop) => fromVia(hop.via)).find((f) => f !== undefined) ??
    (draft.pref !== undefined ? 'inet6' : undefined) ??
    options.family ??
    'inet'
  );
}

function other(family: AddressFamily): AddressFamily {
  return family === 'inet' ? 'inet6' : 'inet';
}
