import { Inject, Injectable } from '@nestjs/common';
import type { Fact } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { StateVersionCache } from './state-version-cache';
import { FactStateRepository, type NodeFacts } from './store/fact-state.repository';

const DAY_MS = 86_400_000;

/**
 * States of ~1,500 facts: ~150 of them (≈ 50–70 MB of decoded facts) per replica. A state asked
 * again (the dashboard's node page, its time slider, an incident review read by several people)
 * costs one index probe per node instead of ~1,500 rows read, decoded and sorted.
 */
const CACHED_FACTS = 200_000;

/**
 * Nodes' facts at an instant, through a cache of past states by (node, state version)
 * (StateVersionCache): one statement finds each node's version at the instant and reads the
 * facts of only those whose state at that version is not held here. Instants older than the
 * retention window are not cached: retention removes rows from those states without adding a version.
 */
@Injectable()
export class NodeStateReader {
  private readonly cache = new StateVersionCache<Fact[]>(CACHED_FACTS);

  constructor(
    private readonly states: FactStateRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The facts of each node valid at `at` (nodes with none are left out), as FactStateRepository.factsAt. */
  async factsAt(nodeIds: readonly number[], at: Date): Promise<NodeFacts[]> {
    if (at.getTime() < Date.now() - this.config.retentionDays * DAY_MS) return this.states.factsAt(nodeIds, at);
    const known = nodeIds.flatMap((nodeId) => this.cache.versionsOf(nodeId).map((changedAt) => ({ nodeId, changedAt })));
    const found = new Map<number, Fact[]>();
    const evicted: number[] = [];
    for (const state of await this.states.versionedFactsAt(nodeIds, at, known)) {
      if (state.facts) {
        found.set(state.nodeId, state.facts);
        if (state.changedAt) this.cache.set(state.nodeId, state.changedAt, state.facts);
        continue;
      }
      const cached = state.changedAt ? this.cache.get(state.nodeId, state.changedAt) : undefined;
      if (cached) found.set(state.nodeId, cached);
      else evicted.push(state.nodeId); // evicted by a concurrent read while this one waited
    }
    if (evicted.length > 0) for (const state of await this.states.versionedFactsAt(evicted, at)) found.set(state.nodeId, state.facts ?? []);
    return nodeIds.flatMap((nodeId) => {
      const facts = found.get(nodeId);
      return facts && facts.length > 0 ? [{ nodeId, facts }] : [];
    });
  }

  /** Forgets a node's cached states: its history was cut back (resetNodeHead), so a version may come back with other facts. */
  forgetNode(nodeId: number): void {
    this.cache.forgetNode(nodeId);
  }
}
