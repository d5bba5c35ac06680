import type { Link } from '../contract/snapshot-schema';
import { hasPeerInOtherNetns } from '../facts/fact-normaliser';

/**
 * Finds the host-side veth of a pod. A veth pair is two links that name each other by
 * ifindex (`@ifNN`) across namespaces: the pod's eth0 has peerIfindex = the host veth's
 * ifindex, and the host veth has peerIfindex = eth0's ifindex and a link-netnsid. Both
 * directions must agree, so an ifindex reused in another namespace cannot produce a match.
 */
export function findHostVeth(hostLinks: readonly Link[], podLinks: readonly Link[]): { hostVeth: Link; podLink: Link } | undefined {
  for (const podLink of podLinks) {
    if (podLink.peerIfindex === undefined || !hasPeerInOtherNetns(podLink)) continue;
    const hostVeth = hostLinks.find(
      (h) => h.ifindex === podLink.peerIfindex && h.peerIfindex === podLink.ifindex && hasPeerInOtherNetns(h),
    );
    if (hostVeth) return { hostVeth, podLink };
  }
  return undefined;
}

/** Host links whose peer lives in another namespace: candidate pod veths, with the nsid to look for. */
export function foreignPeerLinks(hostLinks: readonly Link[]): Link[] {
  return hostLinks.filter((l) => hasPeerInOtherNetns(l) && l.peerIfindex !== undefined && (l.kind === undefined || l.kind === 'veth'));
}
