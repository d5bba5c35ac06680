import { performance } from 'node:perf_hooks';
import { hashFacts, snapshotToFacts, validateSnapshot } from '@routescope/snapshot';
import { summarise, type Sample } from './measure';

export interface CeilingStages {
  parseMs: number;
  validateMs: number;
  normaliseMs: number;
  hashMs: number;
}

/**
 * The CPU limit of ingest: parse + validate + normalise + hash, no database, one thread.
 * Returns the per-snapshot sample and the mean time of each stage (the profile of the ceiling).
 */
export function measureCeiling(bodies: readonly string[], minRuns = 1): { sample: Sample; stages: CeilingStages; facts: number } {
  // warm-up: JIT the whole path first
  for (const body of bodies.slice(0, Math.min(5, bodies.length))) hashFacts(snapshotToFacts(checked(JSON.parse(body))));
  const latencies: number[] = [];
  const stages = { parseMs: 0, validateMs: 0, normaliseMs: 0, hashMs: 0 };
  let facts = 0;
  const started = performance.now();
  for (let run = 0; run < minRuns; run++) {
    for (const body of bodies) {
      const t0 = performance.now();
      const parsed: unknown = JSON.parse(body);
      const t1 = performance.now();
      const snapshot = checked(parsed);
      const t2 = performance.now();
      const list = snapshotToFacts(snapshot);
      const t3 = performance.now();
      hashFacts(list);
      const t4 = performance.now();
      latencies.push(t4 - t0);
      stages.parseMs += t1 - t0;
      stages.validateMs += t2 - t1;
      stages.normaliseMs += t3 - t2;
      stages.hashMs += t4 - t3;
      facts = list.length;
    }
  }
  const n = latencies.length;
  return {
    sample: summarise(latencies, performance.now() - started, 1),
    stages: { parseMs: stages.parseMs / n, validateMs: stages.validateMs / n, normaliseMs: stages.normaliseMs / n, hashMs: stages.hashMs / n },
    facts,
  };
}

function checked(body: unknown) {
  const result = validateSnapshot(body);
  if (!result.ok) throw new Error(`synthetic snapshot invalid: ${JSON.stringify(result.issues.slice(0, 2))}`);
  return result.snapshot;
}
