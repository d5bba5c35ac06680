import type { Fact } from '@routescope/snapshot';

/**
 * Past states of nodes by (node, state version) (FactStateRepository.stateVersionsAt: the last
 * instant at or before the asked one at which a fact of the node began or ended). A state is
 * immutable once its version is known: a later snapshot adds a version, a late one that changes
 * the past adds one at its own instant. Bounded by the number of facts held (least recently
 * used states go first); the facts are shared by every reader: treat them as immutable.
 */
export class StateVersionCache {
  private readonly states = new Map<string, Fact[]>();
  private readonly entriesByNode = new Map<number, number>();
  private facts = 0;

  constructor(readonly capacityFacts: number) {}

  get(nodeId: number, changedAt: Date): Fact[] | undefined {
    const key = keyOf(nodeId, changedAt);
    const facts = this.states.get(key);
    if (facts) {
      // refresh its place in the LRU order
      this.states.delete(key);
      this.states.set(key, facts);
    }
    return facts;
  }

  set(nodeId: number, changedAt: Date, facts: Fact[]): void {
    if (facts.length > this.capacityFacts) return;
    const key = keyOf(nodeId, changedAt);
    this.remove(key);
    this.states.set(key, facts);
    this.facts += facts.length;
    this.entriesByNode.set(nodeId, (this.entriesByNode.get(nodeId) ?? 0) + 1);
    while (this.facts > this.capacityFacts) this.remove(this.states.keys().next().value as string);
  }

  /** Whether any state of the node is held (when none is, asking for its version first is a wasted round trip). */
  holds(nodeId: number): boolean {
    return this.entriesByNode.has(nodeId);
  }

  /** Drops every state of a node (its history was cut back: versions may be reused). */
  forgetNode(nodeId: number): void {
    for (const key of [...this.states.keys()]) if (key.startsWith(`${nodeId}@`)) this.remove(key);
  }

  get size(): number {
    return this.states.size;
  }

  private remove(key: string): void {
    const facts = this.states.get(key);
    if (!facts) return;
    this.states.delete(key);
    this.facts -= facts.length;
    const nodeId = Number(key.slice(0, key.indexOf('@')));
    const left = (this.entriesByNode.get(nodeId) ?? 1) - 1;
    if (left > 0) this.entriesByNode.set(nodeId, left);
    else this.entriesByNode.delete(nodeId);
  }
}

function keyOf(nodeId: number, changedAt: Date): string {
  return `${nodeId}@${changedAt.getTime()}`;
}
