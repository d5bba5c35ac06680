import type { Fact } from '@routescope/snapshot';
import { routeDevices, str, type NamespaceState } from './cluster-state';
import { forwarding, lookupRoute, proxyArp, proxyDelay, validateSource } from './kernel-decisions';
import type { FactRef } from './trace-types';
import type { Arrival, Stopped, WalkContext } from './walk-context';

/** NUD states (normalised) under which the kernel never sends ARP for the entry. */
const STATIC_STATES = new Set(['permanent', 'noarp']);

/**
 * Resolves `nexthop` on `out` to the device at `peer` (undefined: resolved). A static entry is
 * used as is; otherwise the answer to ARP decides — a cached (resolved) entry is re-validated by
 * ARP within seconds, so it is only noted. The peer answers for its own addresses (any device:
 * arp_ignore 0) when the sender passes its source check (rp_filter, martians); a host answers for others' only by proxy ARP, under the kernel's conditions
 * (arp_process → ip_route_input → arp_fwd_proxy): a unicast route for the address, forwarding on
 * the receiving device, the sender's address passing rp_filter there, the route leaving by
 * another device, and proxy_arp on (conf/all OR conf/<dev>) or a proxy entry for the address.
 */
export function resolveNeighbour(walk: WalkContext, here: NamespaceState, out: string, nexthop: string, src: string, peer: Arrival, route: Fact): Stopped | undefined {
  const cached = here.neighbors.get(`${out}|${nexthop}`);
  const cachedRef = here.refOr(cached, 'neighbor', `${out}|${nexthop}`);
  const state = str(cached?.attrs.state);
  if (cached && state !== undefined && STATIC_STATES.has(state)) {
    walk.hop(here, 'neighbour', `${nexthop} on ${out} is a ${state} entry (lladdr ${str(cached.attrs.lladdr) ?? 'none'}): no ARP`, [cachedRef, here.ref(route)]);
    return undefined;
  }
  const cacheNote = cached ? ` (the cache holds it as ${state}${cached.attrs.lladdr ? ` ${str(cached.attrs.lladdr)}` : ''})` : '';
  const owner = peer.ns.ownAddress(nexthop);
  if (owner) {
    // arp_process routes the request (ip_route_input) before answering: the sender must pass the source check on that device.
    const check = validateSource(peer.ns, peer.dev, src);
    if (!check.ok) return walk.stop(check.reason, peer.ns, `ARP for ${nexthop} from ${src} reaches ${peer.ns.label} on ${peer.dev}, which owns it, but does not answer: ${check.detail}${cacheNote}`, [cachedRef, peer.ns.ref(owner), ...check.evidence]);
    walk.hop(here, 'neighbour', `ARP for ${nexthop} on ${out}: ${peer.ns.label} answers for its own address (on ${str(owner.attrs.dev)})${cacheNote}`, [cachedRef, peer.ns.ref(owner)]);
    return undefined;
  }
  if (!peer.ns.isHost) {
    return walk.stop('no-arp-reply', here, `ARP for ${nexthop} on ${out} goes unanswered: ${peer.ns.label} has no such address and does not proxy${cacheNote}`, [cachedRef, peer.ns.absent('address', `${peer.dev}|${nexthop}/32`)]);
  }
  return proxyAnswer(walk, out, nexthop, src, peer, cachedRef, cacheNote);
}

function proxyAnswer(walk: WalkContext, out: string, nexthop: string, src: string, peer: Arrival, cachedRef: FactRef, cacheNote: string): Stopped | undefined {
  const host = peer.ns;
  const dev = peer.dev;
  const asked = `ARP for ${nexthop} from ${src} on ${out} reaches ${host.label} on ${dev}`;
  const route = lookupRoute(host, nexthop);
  if (route.kind === 'not-captured') return walk.stop('not-captured', host, `${asked}; whether proxy ARP answers depends on its route for ${nexthop}: ${route.detail}`, [cachedRef, ...route.evidence]);
  if (route.kind !== 'unicast') {
    const why = route.kind === 'no-route' ? `there is no route for ${nexthop} (no default route)` : `its route for ${nexthop} is a ${route.kind} route`;
    return walk.stop('no-arp-reply', host, `${asked}: proxy ARP stays silent, because ${why}; it answers only for a unicast route out of another interface${cacheNote}`, [cachedRef, ...route.evidence]);
  }
  const fwd = forwarding(host, dev);
  if (fwd.on !== true) {
    const reason = fwd.on === false ? 'forwarding-off' : 'not-captured';
    return walk.stop(reason, host, `${asked}: proxy ARP answers only on a forwarding interface, and ${fwd.text}${cacheNote}`, [cachedRef, ...fwd.evidence]);
  }
  const source = validateSource(host, dev, src);
  if (!source.ok) return walk.stop(source.reason, host, `${asked}: the request's sender fails the source check, so it is not answered — ${source.detail}`, [cachedRef, ...source.evidence]);
  if (routeDevices(route.route).includes(dev)) {
    return walk.stop('no-arp-reply', host, `${asked}: proxy ARP stays silent, because the route for ${nexthop} (${str(route.route.attrs.dst)}) leaves by ${dev} itself${cacheNote}`, [cachedRef, ...route.evidence]);
  }
  const proxy = proxyArp(host, dev);
  const entry = host.neighbors.get(`proxy|${dev}|${nexthop}`);
  if (proxy.on !== true && !entry) {
    const reason = proxy.on === false ? 'no-arp-reply' : 'not-captured';
    return walk.stop(reason, host, `${asked}: nothing answers — proxy ARP is off (${proxy.text}) and there is no proxy entry for ${nexthop}${cacheNote}`, [cachedRef, ...proxy.evidence, host.absent('neighbor', `proxy|${dev}|${nexthop}`)]);
  }
  const delay = proxyDelay(host, dev);
  const delayNote =
    delay.value === undefined ? '; proxy_delay not captured' : delay.value > 0 ? `; proxy_delay ${delay.value}: broadcast requests are answered after a random delay of up to ${delay.value * 10} ms` : '; proxy_delay 0: at once';
  const how = entry ? `the proxy entry for ${nexthop}` : proxy.text;
  walk.hop(
    host,
    'proxy-arp',
    `${asked}; ${host.label} answers with ${dev}'s MAC by proxy ARP (${how}; ${fwd.text}; route for ${nexthop} ${str(route.route.attrs.dst)} leaves by ${routeDevices(route.route).join(', ')})${delayNote}${cacheNote}`,
    [cachedRef, ...(entry ? [host.ref(entry)] : proxy.evidence), ...fwd.evidence, ...route.evidence, ...source.evidence, delay.ref],
  );
  return undefined;
}
