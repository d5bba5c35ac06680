import type { Fact } from '@routescope/snapshot';
import { covers, prefixLength, routeDevices, str, strings, type NamespaceState } from './cluster-state';
import type { FactRef } from './trace-types';

/**
 * The kernel's decisions over one namespace's facts, each with the facts it read: the FIB
 * lookup (default policy rules: local, main, default), and the per-device sysctls as the IPv4
 * code combines them (devinet.c / route.c / arp.c).
 */

/** Tables the default policy rules consult, in order (`ip rule`: 0 local, 32766 main, 32767 default). */
const DEFAULT_TABLES = ['local', 'main', 'default'];

export type RouteDecision =
  | { kind: 'local'; route?: Fact; address?: Fact; evidence: FactRef[] }
  | { kind: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit'; route: Fact; evidence: FactRef[] }
  | { kind: 'no-route'; evidence: FactRef[] }
  | { kind: 'not-captured'; detail: string; evidence: FactRef[] };

/**
 * The route the kernel picks for `dst` in `ns`: the local table (or an address of the namespace
 * where the local table was not captured), then main and default by longest prefix and lowest
 * metric. A route of another table that covers `dst` means policy rules (not captured) may
 * decide instead: that is `not-captured`, never a guess.
 */
export function lookupRoute(ns: NamespaceState, dst: string): RouteDecision {
  const inet = ns.routes.filter((r) => r.attrs.family === 'inet');
  if (!ns.captured('routes')) {
    const own = ns.ownAddress(dst);
    if (own) return { kind: 'local', address: own, evidence: [ns.ref(own)] };
    return { kind: 'not-captured', detail: `the routes of ${ns.label} were not captured`, evidence: ns.netns ? [ns.ref(ns.netns)] : [] };
  }
  const policy = inet.filter((r) => !DEFAULT_TABLES.includes(String(r.attrs.table)) && covers(String(r.attrs.dst), dst));
  if (policy.length > 0) {
    const tables = [...new Set(policy.map((r) => String(r.attrs.table)))].join(', ');
    return {
      kind: 'not-captured',
      detail: `table ${tables} of ${ns.label} has a route for ${dst}; which table applies is up to the policy rules (ip rule), which were not captured`,
      evidence: policy.map((r) => ns.ref(r)),
    };
  }
  for (const table of DEFAULT_TABLES) {
    const best = bestMatch(inet.filter((r) => r.attrs.table === table), dst);
    if (!best) {
      // ip(8) output without the local table (a pasted `ip route`): an address is a local route all the same.
      if (table === 'local') {
        const own = ns.ownAddress(dst);
        if (own) return { kind: 'local', address: own, evidence: [ns.ref(own)] };
      }
      continue;
    }
    const type = String(best.attrs.type);
    if (table === 'local') {
      if (type === 'local') return { kind: 'local', route: best, evidence: [ns.ref(best)] };
      continue;
    }
    const evidence = [ns.ref(best)];
    if (type === 'unicast' || type === 'blackhole' || type === 'unreachable' || type === 'prohibit') return { kind: type, route: best, evidence };
    if (type === 'local') return { kind: 'local', route: best, evidence };
    return { kind: 'not-captured', detail: `the best route for ${dst} in ${ns.label} is a ${type} route, which this trace does not follow`, evidence };
  }
  const partial = !ns.captured('routes', true);
  if (partial) return { kind: 'not-captured', detail: `no route for ${dst} among the routes of ${ns.label}, but only part of its route table was captured`, evidence: ns.netns ? [ns.ref(ns.netns)] : [] };
  return { kind: 'no-route', evidence: [ns.absent('route', 'main|inet|unicast|0.0.0.0/0|0')] };
}

function bestMatch(routes: readonly Fact[], dst: string): Fact | undefined {
  let best: Fact | undefined;
  let bestLength = -1;
  for (const route of routes) {
    const dstText = String(route.attrs.dst);
    if (!covers(dstText, dst)) continue;
    const length = prefixLength(dstText);
    const metric = Number(route.attrs.metric ?? 0);
    if (length > bestLength || (length === bestLength && best && metric < Number(best.attrs.metric ?? 0))) {
      best = route;
      bestLength = length;
    }
  }
  return best;
}

/** A sysctl's value as a number, with the fact (or its absence) read. */
function sysctlValue(ns: NamespaceState, path: string): { value?: number; ref: FactRef } {
  const fact = ns.sysctl(path);
  const value = fact ? Number(fact.attrs.value) : undefined;
  return { value: value !== undefined && Number.isFinite(value) ? value : undefined, ref: ns.refOr(fact, 'sysctl', path) };
}

export interface SysctlReading {
  /** undefined: not captured */
  on?: boolean;
  value?: number;
  evidence: FactRef[];
  text: string;
}

/**
 * IN_DEV_FORWARD: `conf/<dev>/forwarding`. Writing ip_forward rewrites every conf/<dev>/forwarding,
 * so ip_forward stands in for a device whose own value was not captured.
 */
export function forwarding(ns: NamespaceState, dev: string): SysctlReading {
  const own = sysctlValue(ns, `net/ipv4/conf/${dev}/forwarding`);
  if (own.value !== undefined) return { on: own.value !== 0, value: own.value, evidence: [own.ref], text: `conf/${dev}/forwarding = ${own.value}` };
  const global = sysctlValue(ns, 'net/ipv4/ip_forward');
  if (global.value !== undefined) return { on: global.value !== 0, value: global.value, evidence: [own.ref, global.ref], text: `ip_forward = ${global.value} (conf/${dev}/forwarding not captured)` };
  return { evidence: [own.ref, global.ref], text: `conf/${dev}/forwarding and ip_forward not captured` };
}

/** IN_DEV_RPFILTER: the larger of conf/all/rp_filter and conf/<dev>/rp_filter (0 off, 1 strict, 2 loose). */
export function rpFilter(ns: NamespaceState, dev: string): SysctlReading {
  const all = sysctlValue(ns, 'net/ipv4/conf/all/rp_filter');
  const own = sysctlValue(ns, `net/ipv4/conf/${dev}/rp_filter`);
  const evidence = [own.ref, all.ref];
  if (all.value !== undefined && own.value !== undefined) {
    const value = Math.max(all.value, own.value);
    return { on: value !== 0, value, evidence, text: `rp_filter = ${value} (max of conf/all ${all.value} and conf/${dev} ${own.value})` };
  }
  const known = all.value ?? own.value;
  if (known === 2) return { on: true, value: 2, evidence, text: `rp_filter = 2 (the larger of conf/all and conf/${dev}; one of them not captured)` };
  return { evidence, text: `rp_filter of ${dev} not captured (conf/all ${all.value ?? '?'}, conf/${dev} ${own.value ?? '?'})` };
}

/** IN_DEV_PROXY_ARP: conf/all/proxy_arp OR conf/<dev>/proxy_arp. */
export function proxyArp(ns: NamespaceState, dev: string): SysctlReading {
  const all = sysctlValue(ns, 'net/ipv4/conf/all/proxy_arp');
  const own = sysctlValue(ns, `net/ipv4/conf/${dev}/proxy_arp`);
  const evidence = [own.ref, all.ref];
  if (own.value === 1 || all.value === 1) return { on: true, value: 1, evidence, text: own.value === 1 ? `conf/${dev}/proxy_arp = 1` : `conf/all/proxy_arp = 1` };
  if (own.value !== undefined && all.value !== undefined) return { on: false, value: 0, evidence, text: `conf/${dev}/proxy_arp = ${own.value} and conf/all/proxy_arp = ${all.value}` };
  return { evidence, text: `proxy_arp of ${dev} not captured (conf/all ${all.value ?? '?'}, conf/${dev} ${own.value ?? '?'})` };
}

/** neigh/<dev>/proxy_delay in jiffies (centiseconds here); the kernel default is 80. */
export function proxyDelay(ns: NamespaceState, dev: string): { value?: number; ref: FactRef } {
  return sysctlValue(ns, `net/ipv4/neigh/${dev}/proxy_delay`);
}

export type ReversePath = { ok: true; detail?: string; evidence: FactRef[] } | { ok: false; reason: 'rp_filter' | 'not-captured'; detail: string; evidence: FactRef[] };

/**
 * fib_validate_source for a packet from `src` received on `dev`: a source that is one of the
 * namespace's own addresses is a martian (dropped even with rp_filter off); with rp_filter on,
 * the route back to `src` must be unicast, and in strict mode leave by `dev`.
 */
export function validateSource(ns: NamespaceState, dev: string, src: string): ReversePath {
  const own = ns.ownAddress(src);
  if (own) return { ok: false, reason: 'rp_filter', detail: `martian source: ${src} is an address of ${ns.label} itself (${own.attrs.dev}), so a packet from it arriving on ${dev} is dropped`, evidence: [ns.ref(own)] };
  const rp = rpFilter(ns, dev);
  if (rp.on === false) return { ok: true, evidence: [] };
  const back = lookupRoute(ns, src);
  const backEvidence = [...rp.evidence, ...back.evidence];
  const usable = back.kind === 'unicast';
  const viaDev = usable && routeDevices(back.route).includes(dev);
  if (rp.on === undefined) {
    // Unknown mode: only a source that passes strict mode is certain to pass.
    if (viaDev) return { ok: true, evidence: backEvidence };
    return { ok: false, reason: 'not-captured', detail: `whether ${dev} accepts ${src} depends on rp_filter: ${rp.text}`, evidence: backEvidence };
  }
  const mode = rp.value === 1 ? 'strict' : 'loose';
  if (!usable) {
    const why = back.kind === 'no-route' ? `there is no route back to ${src}` : back.kind === 'not-captured' ? back.detail : `the route back to ${src} is ${back.kind}`;
    return { ok: false, reason: back.kind === 'not-captured' ? 'not-captured' : 'rp_filter', detail: `${rp.text} (${mode}) drops it on ${dev}: ${why}`, evidence: backEvidence };
  }
  if (rp.value === 1 && !viaDev) {
    return { ok: false, reason: 'rp_filter', detail: `${rp.text} (strict) drops it: the route back to ${src} leaves by ${routeDevices(back.route).join(', ')}, not ${dev}`, evidence: backEvidence };
  }
  return { ok: true, detail: `${rp.text} (${mode}): ${src} is routed back ${viaDev ? `by ${dev}` : `by ${routeDevices(back.route).join(', ')}`}`, evidence: backEvidence };
}

export type LinkCheck = { up: true; link?: Fact; mtu?: number } | { up: false; detail: string; evidence: FactRef[] };

/** Admin (UP flag) and carrier state of a device; a route's `linkdown` flag says the same. */
export function linkState(ns: NamespaceState, dev: string, route?: Fact): LinkCheck {
  const link = ns.links.get(dev);
  if (!link) {
    if (ns.captured('links', true)) return { up: false, detail: `${ns.label} has no device ${dev}`, evidence: [ns.absent('link', dev)] };
    return { up: true };
  }
  const flags = strings(link.attrs.flags);
  const oper = str(link.attrs.operState);
  const evidence = [ns.ref(link), ...(route ? [ns.ref(route)] : [])];
  if (flags.length > 0 && !flags.includes('UP')) return { up: false, detail: `${dev} is administratively down`, evidence };
  if (oper === 'DOWN' || oper === 'LOWERLAYERDOWN' || oper === 'NOTPRESENT' || flags.includes('NO-CARRIER')) return { up: false, detail: `${dev} has no carrier (state ${oper ?? 'NO-CARRIER'})`, evidence };
  if (route && strings(route.attrs.flags).includes('linkdown')) return { up: false, detail: `the route by ${dev} is marked linkdown`, evidence };
  const mtu = typeof link.attrs.mtu === 'number' ? link.attrs.mtu : undefined;
  return { up: true, link, mtu };
}

/**
 * The source address a locally sent packet gets (inet_select_addr): the route's `src`, else an
 * address of the device it leaves by, else any global address of the namespace.
 */
export function sourceAddress(ns: NamespaceState, route: Fact | undefined, dev: string | undefined): string | undefined {
  const prefsrc = route ? str(route.attrs.prefsrc) : undefined;
  if (prefsrc) return prefsrc;
  const inet = ns.inetAddresses().filter((a) => a.attrs.scope !== 'host');
  const onDev = inet.find((a) => a.attrs.dev === dev && a.attrs.scope === 'global');
  return str((onDev ?? inet.find((a) => a.attrs.scope === 'global'))?.attrs.local);
}
