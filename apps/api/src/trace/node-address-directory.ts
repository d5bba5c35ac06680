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

/** address → the nodes with an address fact for it (any namespace). */
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

/** The local addresses of a node's address facts (canonical text, as stored). */
export function addressesOf(facts: readonly Fact[]): Set<string> {
  const addresses = new Set<string>();
  for (const fact of facts) {
    if (fact.kind === 'address' && typeof fact.attrs.local === 'string') addresses.add(fact.attrs.local);
  }
  return addresses;
}
