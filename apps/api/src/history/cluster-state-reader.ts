import { Inject, Injectable } from '@nestjs/common';
import type { Fact } from '@routescope/snapshot';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { StateVersionCache } from './state-version-cache';
import { ClusterStateRepository } from './store/cluster-state.repository';

const DAY_MS = 86_400_000;

/**
 * Every node's state at an instant turned into something derived from its facts alone (the
 * block matrix's cluster views), through a cache of those by (node, state version): one
 * statement per chunk of nodes finds each node's version at the instant and reads the facts of
 * only those whose derived state at that version is not held. A past instant near one asked
 * before (a time slider, paging, the next minute of an incident) reads and derives only the nodes
 * that changed in between. Instants older than the retention window are not cached (retention
 * removes rows from those states without adding a version); resetNodeHead forgets the node's entries.
 */
@Injectable()
export class ClusterStateReader {
  private readonly caches = new Set<StateVersionCache<unknown>>();

  constructor(
    private readonly cluster: ClusterStateRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** A cache for derivedAt, weighed by `sizeOf` up to `capacity`, that resets forget. */
  derivedCache<V>(capacity: number, sizeOf: (value: V) => number): StateVersionCache<V> {
    const cache = new StateVersionCache<V>(capacity, sizeOf);
    this.caches.add(cache as StateVersionCache<unknown>);
    return cache;
  }

  /**
   * `derive(node, facts)` of every node with facts valid at `at` (clusterFactsAt's kinds, in
   * canonical order), in node id order, as a rebuild from clusterFactsAt would give it. `derive`
   * must depend on its arguments only: its result is reused for every instant of the same version.
   */
  async derivedAt<V>(at: Date, cache: StateVersionCache<V>, derive: (node: string, facts: Fact[]) => V): Promise<V[]> {
    const cacheable = at.getTime() >= Date.now() - this.config.retentionDays * DAY_MS;
    const slots: Array<{ nodeId: number; value?: V }> = [];
    const missed: number[] = [];
    for await (const chunk of this.cluster.clusterVersionedFactsAt(at, (nodeId) => (cacheable ? cache.versionsOf(nodeId) : []))) {
      for (const state of chunk) {
        if (state.facts === null) continue;
        if (state.facts) {
          const value = derive(state.node, state.facts);
          if (cacheable && state.changedAt) cache.set(state.nodeId, state.changedAt, value);
          slots.push({ nodeId: state.nodeId, value });
          continue;
        }
        const value = state.changedAt ? cache.get(state.nodeId, state.changedAt) : undefined;
        // evicted while the statement ran (entries of the previous chunk pushed it out)
        if (value === undefined) missed.push(state.nodeId);
        slots.push({ nodeId: state.nodeId, value });
      }
    }
    if (missed.length > 0) {
      const reread = new Map<number, V>();
      for await (const chunk of this.cluster.clusterVersionedFactsAt(at, () => [], missed)) {
        for (const state of chunk) if (state.facts) reread.set(state.nodeId, derive(state.node, state.facts));
      }
      for (const slot of slots) if (slot.value === undefined) slot.value = reread.get(slot.nodeId);
    }
    return slots.flatMap((slot) => (slot.value === undefined ? [] : [slot.value]));
  }

  /** Forgets a node's cached entries: its history was cut back (resetNodeHead), so a version may come back with other facts. */
  forgetNode(nodeId: number): void {
    for (const cache of this.caches) cache.forgetNode(nodeId);
  }
}
