import { Injectable } from '@nestjs/common';
import type { Fact } from '@routescope/snapshot';
import { FactStore } from '../history/fact-store.service';

/** How often a miss may rebuild the index: a rebuild reads every node's open facts. */
const REBUILD_AFTER_MISS_MS = 60_000;

/**
 * Which nodes hold an address, as a hint for the trace: built from every node's open facts
 * (FactStore.currentStateOfCluster) and rebuilt at most once a minute when an address a walk
 * could not place is not in it. Node, tunnel and underlay addresses outlive pods, so "who holds it now" nearly always names
 * who held it at a past instant; callers verify the hint against the node's state at that instant.
 */
@Injectable()
export class NodeAddressDirectory {
  private index?: Map<string, string[]>;
  private builtAt = 0;
  private building?: Promise<Map<string, string[]>>;

  constructor(private readonly store: FactStore) {}

  /**
   * Nodes holding `address` (canonical text) now, by the last index; [] when none. With
   * `rebuildOnMiss`, an address not in it rebuilds the index first (at most once a minute).
   */
  async holders(address: string, rebuildOnMiss: boolean): Promise<string[]> {
    let index = await this.current();
    if (rebuildOnMiss && !index.has(address) && Date.now() - this.builtAt >= REBUILD_AFTER_MISS_MS) index = await this.rebuild();
    return index.get(address) ?? [];
  }

  private current(): Promise<Map<string, string[]>> {
    return this.index ? Promise.resolve(this.index) : this.rebuild();
  }

  private rebuild(): Promise<Map<string, string[]>> {
    this.building ??= (async () => {
      try {
        const index = addressIndex(await this.store.currentStateOfCluster());
        this.index = index;
        this.builtAt = Date.now();
        return index;
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }
}

/** address (or `mac:<VTEP MAC>`) → the nodes holding it. */
export function addressIndex(cluster: Map<string, Fact[]>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const [node, facts] of cluster) {
    for (const address of addressesOf(facts)) {
      const holders = index.get(address);
      if (!holders) index.set(address, [node]);
      else if (!holders.includes(node)) holders.push(node);
    }
  }
  return index;
}

/** A VTEP MAC as the index keys it (addresses and MACs share one index). */
export const macKey = (mac: string): string => `mac:${mac.toLowerCase()}`;

/**
 * What places a node on a path: the local addresses of its address facts (canonical text, as
 * stored) and the MACs of its VXLAN devices (a VXLAN next hop is found by its VTEP MAC; pod veths
 * all share ee:ee:ee:ee:ee:ee and place nothing).
 */
export function addressesOf(facts: readonly Fact[]): Set<string> {
  const addresses = new Set<string>();
  for (const fact of facts) {
    if (fact.kind === 'address' && typeof fact.attrs.local === 'string') addresses.add(fact.attrs.local);
    if (fact.kind === 'link' && fact.attrs.kind === 'vxlan' && typeof fact.attrs.mac === 'string') addresses.add(macKey(fact.attrs.mac));
  }
  return addresses;
}
