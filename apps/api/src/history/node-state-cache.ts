/**
 * What one replica remembers about each node it ingested lately: the node's head (to take the
 * one-statement path for an unchanged snapshot) and its open facts (to diff a changed snapshot
 * without reading ~1,400 rows back). It is only ever a hint: the unchanged path is a
 * compare-and-set on the head in the database, and the full path uses the cached facts only when
 * the locked node row still has the state version they belong to. Bounded (least recently used
 * nodes go first); a miss costs one read of the node's open facts.
 */
export interface CachedFact {
  id: bigint;
  /** canonicalJson(attrs) */
  attrs: string;
}

export interface CachedNode {
  nodeId: number;
  lastSnapshotId: string;
  lastSeenAt: Date;
  lastBootId: string;
  lastSeq: bigint;
  intervalMs: number;
  stateHash: string;
  stateVersion: number;
  /** the newest coverage interval, or undefined when unknown */
  coverage?: { id: number; endAt: Date };
  /** open facts by factIdentity, for stateVersion */
  facts?: Map<string, CachedFact>;
}

export class NodeStateCache {
  private readonly nodes = new Map<string, CachedNode>();

  constructor(readonly capacity: number) {}

  get(name: string): CachedNode | undefined {
    const entry = this.nodes.get(name);
    if (entry) {
      // refresh its place in the LRU order
      this.nodes.delete(name);
      this.nodes.set(name, entry);
    }
    return entry;
  }

  set(name: string, entry: CachedNode): void {
    this.nodes.delete(name);
    this.nodes.set(name, entry);
    while (this.nodes.size > this.capacity) this.nodes.delete(this.nodes.keys().next().value as string);
  }

  delete(name: string): void {
    this.nodes.delete(name);
  }

  get size(): number {
    return this.nodes.size;
  }
}
