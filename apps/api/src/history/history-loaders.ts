import { Inject, Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { ChangeCountRepository, type ChangeCountRow } from './store/change-count.repository';
import { CoverageRepository, type CoverageRow } from './store/coverage.repository';
import { FactChangeRepository, type ChangePosition, type ChangeRow } from './store/fact-change.repository';
import { NodeStateReader } from './node-state-reader';
import type { NodeFacts } from './store/fact-state.repository';
import { NodeRepository, type NodeRow } from './store/node.repository';

export interface StateKey {
  nodeId: number;
  at: Date;
}

export interface CoverageKey {
  nodeId: number;
  /** null: from the node's first interval. */
  from: Date | null;
  to: Date;
}

export interface ChangesKey {
  nodeId: number;
  from: Date;
  to: Date;
  after: ChangePosition | undefined;
  /** rows to fetch (page size + 1). */
  limit: number;
}

export interface ChangeCountKey {
  nodeId: number;
  from: Date;
  to: Date;
}

/**
 * The loaders of one GraphQL operation. Fields resolved once per node of a list (state,
 * coverage, changes, changeCount) are batched: keys asking the same question (same instant, window or
 * page) for different nodes become one SQL statement, so `nodes { ... state { ... } }` costs
 * the same number of queries for 5 nodes as for 500. `now` is fixed for the operation, so
 * defaults such as `state(at: now)` are one instant (and one batch) for every node.
 */
/** The repositories the loaders batch their questions into. */
export interface HistoryReadRepositories {
  nodes: NodeRepository;
  /** states at an instant, through the cache of past states */
  states: Pick<NodeStateReader, 'factsAt'>;
  coverage: CoverageRepository;
  changes: FactChangeRepository;
  changeCounts: ChangeCountRepository;
}

export class HistoryLoaders {
  readonly now = new Date();

  readonly nodeByName: DataLoader<string, NodeRow | null>;
  readonly factsAt: DataLoader<StateKey, NodeFacts[], string>;
  readonly coverage: DataLoader<CoverageKey, CoverageRow[], string>;
  readonly changes: DataLoader<ChangesKey, ChangeRow[], string>;
  readonly changeCount: DataLoader<ChangeCountKey, number, string>;

  constructor(repositories: HistoryReadRepositories, graceFactor: number) {
    const { nodes, states, coverage, changes, changeCounts } = repositories;
    this.nodeByName = new DataLoader(async (names) => {
      const rows = await nodes.nodesByName(names);
      const byName = new Map(rows.map((row) => [row.name, row]));
      return names.map((name) => byName.get(name) ?? null);
    });
    this.factsAt = new DataLoader(
      (keys) => batchByQuestion(keys, (key) => String(key.at.getTime()), (key, ids) => states.factsAt(ids, key.at)),
      { cacheKeyFn: (key) => `${key.nodeId}@${key.at.getTime()}` },
    );
    this.coverage = new DataLoader(
      (keys) => batchByQuestion(keys, coverageQuestion, (key, ids) => coverage.coverage(ids, key.from, key.to, graceFactor)),
      { cacheKeyFn: (key) => `${key.nodeId}@${coverageQuestion(key)}` },
    );
    this.changes = new DataLoader(
      (keys) => batchByQuestion(keys, changesQuestion, (key, ids) => changes.nodeChanges(ids, key.from, key.to, key.after, key.limit)),
      { cacheKeyFn: (key) => `${key.nodeId}@${changesQuestion(key)}` },
    );
    this.changeCount = new DataLoader(
      async (keys) => {
        const counts = await batchByQuestion<ChangeCountKey, ChangeCountRow>(keys, changeCountQuestion, (key, ids) => changeCounts.changeCounts(ids, key.from, key.to));
        return counts.map((rows) => rows[0]?.count ?? 0);
      },
      { cacheKeyFn: (key) => `${key.nodeId}@${changeCountQuestion(key)}` },
    );
  }
}

/**
 * Loaders live as long as the GraphQL context object they were made for: one per HTTP
 * operation (and per subscription operation), found again through a WeakMap, so nothing
 * request-scoped leaks into the Nest module tree and nothing outlives the operation.
 */
@Injectable()
export class HistoryLoaderRegistry {
  private readonly byContext = new WeakMap<object, HistoryLoaders>();

  private readonly repositories: HistoryReadRepositories;

  constructor(
    nodes: NodeRepository,
    states: NodeStateReader,
    coverage: CoverageRepository,
    changes: FactChangeRepository,
    changeCounts: ChangeCountRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.repositories = { nodes, states, coverage, changes, changeCounts };
  }

  for(context: object): HistoryLoaders {
    let loaders = this.byContext.get(context);
    if (!loaders) {
      loaders = new HistoryLoaders(this.repositories, this.config.gapFactor);
      this.byContext.set(context, loaders);
    }
    return loaders;
  }
}

function coverageQuestion(key: CoverageKey): string {
  return `${key.from?.getTime() ?? '-'}..${key.to.getTime()}`;
}

function changeCountQuestion(key: ChangeCountKey): string {
  return `${key.from.getTime()}..${key.to.getTime()}`;
}

function changesQuestion(key: ChangesKey): string {
  const after = key.after ? JSON.stringify([key.after.at.getTime(), key.after.ns, key.after.kind, key.after.key]) : '-';
  return `${key.from.getTime()}..${key.to.getTime()}|${after}|${key.limit}`;
}

/**
 * Groups keys that ask the same question of different nodes, runs one query per group for
 * all of its nodes, and hands each key the rows of its node.
 */
async function batchByQuestion<K extends { nodeId: number }, R extends { nodeId: number }>(
  keys: readonly K[],
  questionOf: (key: K) => string,
  fetch: (sample: K, nodeIds: number[]) => Promise<R[]>,
): Promise<R[][]> {
  const groups = new Map<string, K[]>();
  for (const key of keys) {
    const question = questionOf(key);
    const group = groups.get(question);
    if (group) group.push(key);
    else groups.set(question, [key]);
  }
  const answers = new Map<string, Map<number, R[]>>();
  await Promise.all(
    [...groups].map(async ([question, group]) => {
      const rows = await fetch(group[0], [...new Set(group.map((k) => k.nodeId))]);
      const byNode = new Map<number, R[]>();
      for (const row of rows) {
        const list = byNode.get(row.nodeId);
        if (list) list.push(row);
        else byNode.set(row.nodeId, [row]);
      }
      answers.set(question, byNode);
    }),
  );
  return keys.map((key) => answers.get(questionOf(key))?.get(key.nodeId) ?? []);
}
