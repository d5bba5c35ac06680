import { familyOf } from '../../contract/address-syntax';
import type { Route } from '../../contract/snapshot-schema';
import type { ParseResult } from '../parse-result';
import { acceptEntry, readIfname, readIp } from './ip-text-values';
import { quote, readLines, tokensOf, WarningLog } from './text-input';

/**
 * net-tools `route`, `route -n`, `route -e`, `netstat -rn` and busybox `route` (IPv4), and
 * `route -6` / `route -A inet6` (IPv6), with or without the two header lines:
 *
 *   Kernel IP routing table
 *   Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
 *   default         192.168.56.1    0.0.0.0         UG    0      0        0 br0
 *   10.99.0.0       -               255.255.0.0     !     0      -        0 -
 *   10.244.1.0      0.0.0.0         255.255.255.192 U     0      0        0 *
 *
 *   Destination                    Next Hop                   Flag Met Ref  Use If
 *   fd00::/64                      [::]                       U    256 2      0 calirsp0
 *
 * Types from the flags and the interface: `!` is a reject route (`unreachable`; net-tools
 * cannot tell prohibit/throw apart), an IPv4 route on interface `*` without `!` is a
 * `blackhole` (the kernel reports no device for it), else unicast. Host names (no -n) cannot
 * be turned back into addresses: such rows are left out with a warning, so the section is
 * partial. Gateway `0.0.0.0`, `*`, `-`, `::`, `[::]` mean none. Only the main table is shown.
 */

export interface RouteTableTextResult extends ParseResult<Route> {
  /** rows left out because a name stood where an address belongs (no -n) */
  unresolved: number;
  /** table rows seen (read or not); with headers 0, the text is not a route table. */
  rows: number;
  /** header lines seen (`Kernel IP routing table`, `Destination …`) */
  headers: number;
}

const NO_GATEWAY = new Set(['0.0.0.0', '*', '-', '::', '[::]']);

export function parseRouteTableText(text: string): RouteTableTextResult {
  const log = new WarningLog();
  const routes: Route[] = [];
  let unresolved = 0;
  let rows = 0;
  let headers = 0;
  let columns: string[] | undefined;
  let family: 'inet' | 'inet6' | undefined;
  for (const { line, text: content } of readLines(text, log)) {
    if (/^Kernel IP(v6)? routing table$/.test(content)) {
      family = content.includes('IPv6') ? 'inet6' : 'inet';
      headers++;
      continue;
    }
    const tokens = tokensOf(content);
    if (tokens[0] === 'Destination') {
      columns = tokens.map((t) => t.toLowerCase());
      // "Next Hop" is one column.
      const next = columns.indexOf('next');
      if (next >= 0 && columns[next + 1] === 'hop') columns.splice(next, 2, 'gateway');
      headers++;
      if (columns.includes('genmask')) family = 'inet';
      else if (family === undefined) family = 'inet6';
      continue;
    }
    rows++;
    const rowFamily = family ?? (tokens[0]?.includes(':') || tokens[0]?.includes('/') ? 'inet6' : 'inet');
    const cols = columns ?? (rowFamily === 'inet6' ? ['destination', 'gateway', 'flag', 'met', 'ref', 'use', 'if'] : ['destination', 'gateway', 'genmask', 'flags', 'metric', 'ref', 'use', 'iface']);
    if (tokens.length !== cols.length) {
      log.add(line, `route table row with ${tokens.length} columns, expected ${cols.length} (${cols.join(' ')}): ${quote(content)}`);
      continue;
    }
    const cell = (...names: string[]) => {
      for (const name of names) {
        const i = cols.indexOf(name);
        if (i >= 0) return tokens[i];
      }
      return undefined;
    };
    const route = rowFamily === 'inet6' ? readIpv6Row(cell, line, log) : readIpv4Row(cell, line, log);
    if (route === 'unresolved') {
      unresolved++;
      continue;
    }
    if (!route) continue;
    const accepted = acceptEntry('route', route, line, `route ${route.dst}`, log);
    if (accepted) routes.push(accepted);
  }
  return { entries: routes, warnings: log.finish(), unresolved, rows, headers };
}

type Cell = (...names: string[]) => string | undefined;

function readIpv4Row(cell: Cell, line: number, log: WarningLog): Route | 'unresolved' | undefined {
  const destination = cell('destination') ?? '';
  const gatewayText = cell('gateway') ?? '';
  const mask = cell('genmask') ?? '';
  const flags = cell('flags') ?? '';
  const iface = cell('iface') ?? '';
  const prefixlen = maskLength(mask);
  if (prefixlen === undefined) {
    log.add(line, `route left out: genmask ${quote(mask)} is not a contiguous netmask`);
    return undefined;
  }
  let dst: string;
  if (destination === 'default' || (destination === '0.0.0.0' && prefixlen === 0)) dst = 'default';
  else if (familyOf(destination) === 'inet') dst = `${destination}/${prefixlen}`;
  else if (readIp(destination).kind === 'masked') {
    log.add(line, `route left out: its destination ${quote(destination)} is masked`);
    return undefined;
  } else {
    log.add(line, `route left out: destination ${quote(destination)} is a name, not an address (use route -n)`);
    return 'unresolved';
  }
  const route: Route = { family: 'inet', table: 'main', type: routeType(flags, iface), dst, flags: [] };
  if (!NO_GATEWAY.has(gatewayText)) {
    const gateway = readIp(gatewayText);
    if (gateway.kind === 'masked') {
      route.redacted = ['gateway'];
      log.add(line, `route ${dst}: gateway ${quote(gatewayText)} is masked; left out and marked redacted`);
    } else if (gateway.kind !== 'ok') {
      log.add(line, `route ${dst} left out: gateway ${quote(gatewayText)} is a name, not an address (use route -n)`);
      return 'unresolved';
    } else route.gateway = gateway.value.address;
  }
  if (iface !== '*' && iface !== '-') {
    const dev = readIfname(iface);
    if (dev.kind === 'ok') route.dev = dev.value;
  }
  if (route.type === 'unicast' && route.dev && !route.gateway) route.scope = 'link';
  const metric = cell('metric');
  if (metric && /^\d+$/.test(metric) && metric !== '0') route.metric = Number(metric);
  return route;
}

function readIpv6Row(cell: Cell, line: number, log: WarningLog): Route | 'unresolved' | undefined {
  const destination = (cell('destination') ?? '').replace(/^\[::\]/, '::');
  const gatewayText = cell('gateway') ?? '';
  const flags = cell('flag', 'flags') ?? '';
  const iface = cell('if', 'iface') ?? '';
  const [address, length] = destination.split('/');
  if (familyOf(address) !== 'inet6' || !/^\d{1,3}$/.test(length ?? '')) {
    log.add(line, `route left out: destination ${quote(destination)} is not an IPv6 prefix`);
    return familyOf(address) ? undefined : 'unresolved';
  }
  // `route -6` lists the local table (flag n... host routes `Un`) and the reject route of `lo` too.
  const type = flags.includes('!') ? 'unreachable' : 'unicast';
  const route: Route = { family: 'inet6', table: 'main', type, dst: address === '::' && length === '0' ? 'default' : destination, flags: [] };
  if (!NO_GATEWAY.has(gatewayText)) {
    const gateway = readIp(gatewayText);
    if (gateway.kind !== 'ok') return 'unresolved';
    route.gateway = gateway.value.address;
  }
  if (type === 'unicast' && iface !== '*' && iface !== '-') {
    const dev = readIfname(iface);
    if (dev.kind === 'ok') route.dev = dev.value;
  }
  const metric = cell('met', 'metric');
  if (metric && /^\d+$/.test(metric) && metric !== '0') route.metric = Number(metric);
  return route;
}

function routeType(flags: string, iface: string): string {
  if (flags.includes('!')) return 'unreachable';
  if (iface === '*' || iface === '-') return 'blackhole';
  return 'unicast';
}

/** 255.255.255.192 → 26; undefined for a non-contiguous or malformed mask. */
export function maskLength(mask: string): number | undefined {
  if (familyOf(mask) !== 'inet') return undefined;
  const bits = mask
    .split('.')
    .map((part) => Number(part).toString(2).padStart(8, '0'))
    .join('');
  const ones = bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
  return bits.slice(ones).includes('1') ? undefined : ones;
}
