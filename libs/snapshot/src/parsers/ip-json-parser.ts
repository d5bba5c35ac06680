import { familyOf } from '../contract/address-syntax';
import { checkContractEntry } from '../contract/lazy-contract';
import type { ContractEntryKind } from '../contract/snapshot-fast-path';
import type { AddressFamily } from '../contract/snapshot-constants';
import type { Address, Link, Neighbor, Nexthop, Route } from '../contract/snapshot-schema';
import { formatPath } from '../contract/validation-issues';
import type { ParseResult, ParseWarning } from './parse-result';

/**
 * Parsers for `ip -j` (iproute2 JSON) output, which the collector reads. They map iproute2's
 * field names onto the contract, keep only contract-valid entries, and report the rest as
 * warnings naming the entry; they never throw. Entries are built with their keys in the
 * contract's order, which lets the contract check keep them as they are.
 */

type JsonObject = Record<string, unknown>;

/** iproute2 prints lifetimes of `forever` as the all-ones u32. */
const FOREVER = 4294967295;

/** Address flags iproute2 prints as `"flag": true` in JSON and as bare words in text. */
const ADDRESS_FLAG_KEYS = [
  'secondary', 'temporary', 'nodad', 'optimistic', 'dadfailed', 'home', 'deprecated', 'tentative',
  'dynamic', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy',
];

export function parseIpJsonLinks(json: string): ParseResult<Link> {
  return parseArray(json, 'ip link', (raw) => {
    const info = asObject(raw.linkinfo);
    const infoData = asObject(info?.info_data);
    const kind = asString(info?.info_kind);
    const link: Partial<Link> = {
      ifindex: asNumber(raw.ifindex),
      name: asString(raw.ifname),
      kind,
      // tunnels print an IP as their "address" (link/tunnel6 ::); only hardware addresses are kept.
      mac: raw.link_type === 'none' || String(raw.address).includes('::') ? undefined : asString(raw.address),
      mtu: asNumber(raw.mtu),
      operState: asString(raw.operstate),
      flags: asStringArray(raw.flags),
      master: asString(raw.master),
      peerIfindex: asNumber(raw.link_index),
      peerName: typeof raw.link === 'string' ? raw.link : undefined,
      linkNetnsId: asNumber(raw.link_netnsid),
    };
    if (kind === 'vxlan' && infoData) {
      link.vxlan = dropUndefined({
        id: asNumber(infoData.id),
        local: asString(infoData.local) ?? asString(infoData.local6),
        dev: asString(infoData.link),
        port: asNumber(infoData.port),
        learning: typeof infoData.learning === 'boolean' ? infoData.learning : undefined,
      });
    }
    return { kind: 'link', value: dropUndefined(link), label: `link ${String(raw.ifname)}` };
  });
}

export function parseIpJsonAddresses(json: string): ParseResult<Address> {
  const entries: Address[] = [];
  const warnings: ParseWarning[] = [];
  const links = parseArray(json, 'ip addr', (raw) => ({ kind: null, value: raw, label: `link ${String(raw.ifname)}` }));
  warnings.push(...links.warnings);
  for (const raw of links.entries as JsonObject[]) {
    const dev = asString(raw.ifname);
    const infos = Array.isArray(raw.addr_info) ? raw.addr_info : [];
    for (const info of infos.map(asObject)) {
      if (!info || !dev) continue;
      const valid = asNumber(info.valid_life_time);
      const preferred = asNumber(info.preferred_life_time);
      const address: Partial<Address> = {
        dev,
        family: asFamily(info.family),
        local: asString(info.local),
        prefixlen: asNumber(info.prefixlen),
        scope: asString(info.scope),
        broadcast: asString(info.broadcast),
        peer: asString(info.address),
        label: asString(info.label),
        flags: ADDRESS_FLAG_KEYS.filter((flag) => info[flag] === true),
        validLifetime: valid === FOREVER ? undefined : valid,
        preferredLifetime: preferred === FOREVER ? undefined : preferred,
      };
      keepValid('address', dropUndefined(address), `address ${String(info.local)} on ${dev}`, entries, warnings);
    }
  }
  return { entries, warnings };
}

/**
 * `family` must be given: `ip -4/-6 route` output does not say which family a `default` is.
 * `details`: the listing was printed with `ip -d`, which adds the values plain `ip route`
 * leaves out because they are the defaults (type unicast, table main, protocol boot, scope
 * global; iproute2's print_route prints each `if (value != default || show_details)`). Protocol
 * boot and scope global are dropped, so each entry is the one the plain listing gives (type and
 * table default to unicast and main either way).
 */
export function parseIpJsonRoutes(json: string, family: AddressFamily, options: { details?: boolean } = {}): ParseResult<Route> {
  return parseArray(json, 'ip route', (raw) => {
    const dst = asString(raw.dst);
    const gateway = asString(raw.gateway) ?? asString(asObject(raw.via)?.host);
    // `ip route show table all` lists both families; a default route's family shows in its gateway.
    const addressed = dst && dst !== 'default' ? dst.split('/')[0] : gateway;
    const route: Partial<Route> = {
      family: (addressed && familyOf(addressed)) || family,
      table: asString(raw.table) ?? String(raw.table ?? 'main'),
      type: asString(raw.type) ?? 'unicast',
      dst,
      gateway,
      dev: asString(raw.dev),
      protocol: raw.protocol === undefined || (options.details && raw.protocol === 'boot') ? undefined : String(raw.protocol),
      scope: options.details && raw.scope === 'global' ? undefined : asString(raw.scope),
      prefsrc: asString(raw.prefsrc),
      metric: asNumber(raw.metric),
      tos: raw.tos === undefined ? undefined : String(raw.tos),
      flags: asStringArray(raw.flags),
      pref: asString(raw.pref),
      mtu: routeMtu(raw.metrics),
      nexthops: Array.isArray(raw.nexthops) ? raw.nexthops.map(asObject).filter(isDefined).map(toNexthop) : undefined,
      expires: asNumber(raw.expires),
    };
    return { kind: 'route', value: dropUndefined(route), label: `route ${String(dst)}` };
  });
}

/** `proxy` marks the output of `ip neigh show proxy`. */
export function parseIpJsonNeighbors(json: string, options: { proxy?: boolean } = {}): ParseResult<Neighbor> {
  return parseArray(json, 'ip neigh', (raw) => {
    const dst = asString(raw.dst);
    const neighbor: Partial<Neighbor> = {
      family: dst ? familyOf(dst) : undefined,
      dst,
      dev: asString(raw.dev),
      lladdr: asString(raw.lladdr),
      state: asStringArray(raw.state),
      // iproute2 prints flags such as router and proxy as `"router": null`.
      router: 'router' in raw ? true : undefined,
      proxy: options.proxy || 'proxy' in raw ? true : undefined,
    };
    return { kind: 'neighbor', value: dropUndefined(neighbor), label: `neighbour ${String(dst)}` };
  });
}

function toNexthop(raw: JsonObject): Nexthop {
  return dropUndefined({
    gateway: asString(raw.gateway) ?? asString(asObject(raw.via)?.host),
    dev: asString(raw.dev),
    weight: asNumber(raw.weight),
    flags: asStringArray(raw.flags),
  }) as Nexthop;
}

function routeMtu(metrics: unknown): number | undefined {
  if (!Array.isArray(metrics)) return undefined;
  for (const metric of metrics.map(asObject)) {
    const mtu = metric?.mtu;
    if (typeof mtu === 'number') return mtu;
    // `mtu lock 1400` is printed as {"mtu": {"lock": true, "value": 1400}} by some versions.
    const locked = asObject(mtu);
    if (locked && typeof locked.value === 'number') return locked.value;
  }
  return undefined;
}

interface Mapped {
  /** the contract entry to check the value against; null passes it through unchecked. */
  kind: ContractEntryKind | null;
  value: unknown;
  label: string;
}

function parseArray<T>(json: string, command: string, map: (raw: JsonObject) => Mapped): ParseResult<T> {
  const entries: T[] = [];
  const warnings: ParseWarning[] = [];
  let parsed: unknown;
  try {
    parsed = json.trim() === '' ? [] : JSON.parse(json);
  } catch (error) {
    return { entries, warnings: [{ message: `${command}: output is not JSON (${(error as Error).message})` }] };
  }
  if (!Array.isArray(parsed)) return { entries, warnings: [{ message: `${command}: expected a JSON array` }] };
  parsed.forEach((item, index) => {
    const raw = asObject(item);
    if (!raw) {
      warnings.push({ message: `${command}: entry ${index} is not an object` });
      return;
    }
    const mapped = map(raw);
    if (mapped.kind === null) entries.push(mapped.value as T);
    else keepValid(mapped.kind, mapped.value, `${command}: ${mapped.label}`, entries as unknown[], warnings);
  });
  return { entries, warnings };
}

function keepValid(kind: ContractEntryKind, value: unknown, label: string, entries: unknown[], warnings: ParseWarning[]): void {
  const result = checkContractEntry(kind, value);
  if (result.ok) {
    entries.push(result.value);
    return;
  }
  const detail = result.issues.map((i) => `${formatPath(i.path) || '(entry)'} ${i.message}`).join('; ');
  warnings.push({ message: `${label} skipped: ${detail}` });
}

function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function asStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function asFamily(value: unknown): AddressFamily | undefined {
  return value === 'inet' || value === 'inet6' ? value : undefined;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** Keys in the order given (the contract's order, so that checking needs no copy), undefined values left out. */
function dropUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) out[key] = value[key];
  return out as T;
}
