/**
 * Past states of nodes by (node, state version) (FactStateRepository.versionedFactsAt: the last
 * instant at or before the asked one at which a fact of the node began or ended). A state is
 * immutable once its version is known: a later snapshot adds a version, a late one that changes
 * the past adds one at its own instant. Bounded by the number of facts held (least recently
 * used states go first); the facts are shared by every reader: treat them as immutable. What is
 * held per state is a node's facts (NodeStateReader) or anything derived from them alone (the
 * block matrix's cluster views), weighed by `sizeOf`.
 */
export class StateVersionCache<V> {
  private readonly states = new Map<string, { nodeId: number; changedAt: number; facts: V; size: number }>();
  /** node → the versions (ms) held */
  private readonly versionsByNode = new Map<number, Set<number>>();
  private facts = 0;

  constructor(
    readonly capacityFacts: number,
    private readonly sizeOf: (value: V) => number = (value) => (value as { length: number }).length,
  ) {}

  get(nodeId: number, changedAt: Date): V | undefined {
    const key = keyOf(nodeId, changedAt.getTime());
    const entry = this.states.get(key);
    if (entry) {
      // refresh its place in the LRU order
      this.states.delete(key);
      this.states.set(key, entry);
    }
    return entry?.facts;
  }

  set(nodeId: number, changedAt: Date, facts: V): void {
    const size = this.sizeOf(facts);
    if (size > this.capacityFacts) return;
    const key = keyOf(nodeId, changedAt.getTime());
    this.remove(key);
    this.states.set(key, { nodeId, changedAt: changedAt.getTime(), facts, size });
    this.facts += size;
    const versions = this.versionsByNode.get(nodeId) ?? new Set<number>();
    versions.add(changedAt.getTime());
    this.versionsByNode.set(nodeId, versions);
    while (this.facts > this.capacityFacts) this.remove(this.states.keys().next().value as string);
  }

  /** The versions of the node whose states are held. */
  versionsOf(nodeId: number): Date[] {
    return [...(this.versionsByNode.get(nodeId) ?? [])].map((ms) => new Date(ms));
  }

  /** Drops every state of a node (its history was cut back: versions may be reused). */
  forgetNode(nodeId: number): void {
    for (const ms of [...(this.versionsByNode.get(nodeId) ?? [])]) this.remove(keyOf(nodeId, ms));
  }

  get size(): number {
    return this.states.size;
  }

  private remove(key: string): void {
    const entry = this.states.get(key);
    if (!entry) return;
    this.states.delete(key);
    this.facts -= entry.size;
    const versions = this.versionsByNode.get(entry.nodeId);
    versions?.delete(entry.changedAt);
    if (versions?.size === 0) this.versionsByNode.delete(entry.nodeId);
  }
}

function keyOf(nodeId: number, changedAt: number): string {
  return `${nodeId}@${changedAt}`;
}
