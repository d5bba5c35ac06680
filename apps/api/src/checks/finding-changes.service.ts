import { Injectable } from '@nestjs/common';
import type { EvidenceFact } from '@routescope/checks';
import DataLoader from 'dataloader';
import { toFactChange } from '../history/fact-change.service';
import { ChecksError, ChecksErrorCode } from './checks.errors';
import { FactStore, type ChangeRow } from '../history/fact-store.service';
import type { ClusterChange } from '../history/types/fact-change.type';
import type { Finding } from './types/finding.type';

/** Changes read per node and instant: more than any snapshot of a real node records at once but its first. */
const CHANGES_PER_INSTANT = 5000;
const MAX_FIRST = 1000;

interface InstantKey {
  nodeId: number;
  at: number;
}

/**
 * Links findings to the changes that opened or resolved them: the changes of the finding's node
 * recorded at exactly its openedAt (or resolvedAt), those its evidence names first. One query
 * per distinct instant of a GraphQL operation, for every node asked about at that instant.
 */
@Injectable()
export class FindingChangesService {
  private readonly loaders = new WeakMap<object, DataLoader<InstantKey, ChangeRow[], string>>();

  constructor(private readonly history: FactStore) {}

  async changesAt(context: object, finding: Finding, at: Date | null, first: number | null): Promise<ClusterChange[]> {
    const size = first ?? 20;
    if (!Number.isInteger(size) || size < 0 || size > MAX_FIRST) throw new ChecksError(ChecksErrorCode.InvalidArgument, `first must be between 0 and ${MAX_FIRST}, got ${size}`);
    if (at === null || finding.nodeId === undefined || size === 0) return [];
    const rows = await this.loader(context).load({ nodeId: finding.nodeId, at: at.getTime() });
    const named = new Set(
      (Array.isArray(finding.evidence) ? (finding.evidence as EvidenceFact[]) : []).filter((e) => e.node === finding.node).map((e) => `${e.ns}\u0000${e.kind}\u0000${e.key}`),
    );
    const inEvidence = (row: ChangeRow) => named.has(`${row.ns}\u0000${row.kind}\u0000${row.key}`);
    // stable: evidence-matching changes first, each part in (namespace, kind, key) order
    const ordered = [...rows.filter(inEvidence), ...rows.filter((row) => !inEvidence(row))];
    return ordered.slice(0, size).map((row) => ({ ...toFactChange(row), node: row.node }));
  }

  private loader(context: object): DataLoader<InstantKey, ChangeRow[], string> {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader(
        async (keys) => {
          const byInstant = new Map<number, number[]>();
          for (const key of keys) byInstant.set(key.at, [...new Set([...(byInstant.get(key.at) ?? []), key.nodeId])]);
          const results = new Map<string, ChangeRow[]>();
          for (const [at, nodeIds] of byInstant) {
            // (at − 1 ms, at]: timestamps are stored to the millisecond, so exactly the changes at `at`
            const rows = await this.history.changesOfNodes(nodeIds, new Date(at - 1), new Date(at), CHANGES_PER_INSTANT);
            for (const row of rows) {
              const key = `${row.nodeId}@${at}`;
              results.set(key, [...(results.get(key) ?? []), row]);
            }
          }
          return keys.map((key) => results.get(`${key.nodeId}@${key.at}`) ?? []);
        },
        { cacheKeyFn: (key) => `${key.nodeId}@${key.at}` },
      );
      this.loaders.set(context, loader);
    }
    return loader;
  }
}
