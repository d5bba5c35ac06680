import { Injectable } from '@nestjs/common';
import type { FactKind } from '@routescope/snapshot';
import { CoverageService } from './coverage.service';
import { toAddress, toLink, toNeighbor, toPods, toRoute, toSysctl, type StoredFact } from './fact-entry.mapper';
import { requireValidDate } from './history-arguments';
import type { HistoryLoaders } from './history-loaders';
import type { Address, Link, Neighbor, Pod, Route, Sysctl } from './types/fact-entries.type';
import type { Node } from './types/node.type';
import type { NodeState } from './types/node-state.type';

/**
 * A node's state at an instant: the facts valid then (valid_from <= at < valid_to), and
 * whether the node was reporting at that instant. Lists are cut from those facts on demand.
 */
@Injectable()
export class NodeStateService {
  constructor(private readonly coverage: CoverageService) {}

  async stateAt(loaders: HistoryLoaders, node: Node, at?: Date | null): Promise<NodeState> {
    const instant = at ? requireValidDate(at, 'at') : loaders.now;
    return { at: instant, node, ...(await this.factsAt(loaders, node, instant)) };
  }

  /** The facts of `node` valid at `at`, in (namespace, kind, key) order, and its coverage then. */
  async factsAt(loaders: HistoryLoaders, node: Node, at: Date): Promise<{ facts: StoredFact[]; covered: boolean }> {
    const [rows, covered] = await Promise.all([loaders.factsAt.load({ nodeId: node.nodeId, at }), this.coverage.coveredAt(loaders, node, at)]);
    return { facts: rows[0]?.facts ?? [], covered };
  }

  links(state: NodeState, namespace?: string | null): Link[] {
    return select(state, 'link', namespace).map(toLink);
  }

  addresses(state: NodeState, namespace?: string | null): Address[] {
    return select(state, 'address', namespace).map(toAddress);
  }

  routes(state: NodeState, namespace?: string | null): Route[] {
    return select(state, 'route', namespace).map(toRoute);
  }

  neighbors(state: NodeState, namespace?: string | null): Neighbor[] {
    return select(state, 'neighbor', namespace).map(toNeighbor);
  }

  sysctls(state: NodeState, namespace?: string | null): Sysctl[] {
    return select(state, 'sysctl', namespace).map(toSysctl);
  }

  pods(state: NodeState, namespace?: string | null): Pod[] {
    return toPods(namespace ? state.facts.filter((f) => f.ns === namespace) : state.facts);
  }

  /** Namespace keys present in the state: `host` first, then pods in key order. */
  namespaces(state: NodeState): string[] {
    return [...new Set(state.facts.map((f) => f.ns))];
  }
}

function select(state: NodeState, kind: FactKind, namespace?: string | null): StoredFact[] {
  return state.facts.filter((f) => f.kind === kind && (!namespace || f.ns === namespace));
}
