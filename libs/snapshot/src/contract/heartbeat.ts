import { hashFacts } from '../facts/fact-hash';
import { snapshotToFacts } from '../facts/fact-normaliser';
import { STATE_HASH_VERSION } from './snapshot-constants';
import type { Heartbeat, Snapshot } from './snapshot-schema';

/** The hash the API stores as the node's state for this snapshot: what a heartbeat carries (contract v1.1). */
export function snapshotStateHash(snapshot: Pick<Snapshot, 'namespaces'>): string {
  return hashFacts(snapshotToFacts(snapshot));
}

/** The heartbeat that stands for `snapshot` (zod-free: the collector builds it from a snapshot it validated). */
export function heartbeatFor(snapshot: Snapshot, stateHash: string): Heartbeat {
  const { version, bootId, seq, clockSkewMs } = snapshot.collector;
  return {
    hashVersion: STATE_HASH_VERSION,
    snapshotId: snapshot.snapshotId,
    node: snapshot.node,
    collector: { version, bootId, seq, ...(clockSkewMs === undefined ? {} : { clockSkewMs }) },
    takenAt: snapshot.takenAt,
    stateHash,
  };
}
