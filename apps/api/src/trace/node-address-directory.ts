import { Injectable } from '@nestjs/common';
import type { Fact } from '@routescope/snapshot';
import { FactStore } from '../history/fact-store.service';

/**
 * Which nodes hold an address, as a hint for the trace: one indexed query per look-up
 * (FactStore.holdersNow: the attrs carrying the address, then the open facts with them), so the
 * answer is always the stored current state and costs a few index probes at any cluster size. Node,
 * tunnel and underlay addresses outlive pods, so "who holds it now" nearly always names who held
 * it at a past instant; callers verify the hint against the node's state at that instant.
 * (It was an index of every node's open facts, built on first use — 15 s at 1,000 nodes — and
 * rebuilt at most once a minute on a miss.)
 */
@Injectable()
export class NodeAddressDirectory {
  constructor(private readonly store: FactStore) {}

  /** For each of `keys` (a canonical address, or macKey(mac) for a VTEP), the nodes holding it now, in name order; absent when none. */
  async holders(keys: Iterable<string>): Promise<Map<string, NodeRef[]>> {
    const addresses: string[] = [];
    const macs: string[] = [];
    for (const key of new Set(keys)) {
      if (key.startsWith(MAC_PREFIX)) macs.push(key.slice(MAC_PREFIX.length));
      else if (!isLoopback(key)) addresses.push(key);
    }
    const found = new Map<string, NodeRef[]>();
    if (addresses.length === 0 && macs.length === 0) return found;
    const rows = await this.store.holdersNow(addresses, macs);
    const add = (key: string, node: NodeRef) => {
      const holders = found.get(key);
      if (!holders) found.set(key, [node]);
      else if (!holders.some((h) => h.id === node.id)) holders.push(node);
    };
    for (const row of rows.addresses) add(row.address, { id: row.nodeId, name: row.node });
    for (const row of rows.macs) add(macKey(row.address), { id: row.nodeId, name: row.node });
    return found;
  }
}

/**
 * Loopback addresses never leave the host that sends to them, and every node and pod holds
 * 127.0.0.1: looking them up named every node of the cluster, and a trace then read all their
 * states (seconds at 1,000 nodes for one trace to 127.0.0.1). The walk delivers them locally.
 */
function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** A node by id and name. */
export interface NodeRef {
  id: number;
  name: string;
}

const MAC_PREFIX = 'mac:';

/** A VTEP MAC as the directory keys it (addresses and MACs share one key space). */
export const macKey = (mac: string): string => `${MAC_PREFIX}${mac.toLowerCase()}`;

/**
 * What places a node on a path: the local addresses of its address facts (canonical text, as
 * stored) and the MACs of its VXLAN devices (a VXLAN next hop is found by its VTEP MAC; pod veths
 * all share ee:ee:ee:ee:ee:ee and place nothing). FactStore.holdersNow answers the same question
 * over every node's open facts.
 */
export function addressesOf(facts: readonly Fact[]): Set<string> {
  const addresses = new Set<string>();
  for (const fact of facts) {
    if (fact.kind === 'address' && typeof fact.attrs.local === 'string') addresses.add(fact.attrs.local);
    if (fact.kind === 'link' && fact.attrs.kind === 'vxlan' && typeof fact.attrs.mac === 'string') addresses.add(macKey(fact.attrs.mac));
  }
  return addresses;
}
