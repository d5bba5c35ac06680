import type { measureCeiling } from './ceiling';
import type { CollectorResult } from './collector-bench';
import type { DashboardResult, TargetCheck } from './dashboard-report';
import type { GitBaselineResult } from './git-baseline-report';
import type { HistoryStats } from './history-generator';
import type { IngestBenchResult } from './ingest-bench';
import type { ProbeBenchResult } from './probe-bench';
import type { QueryResult } from './query-bench';
import type { ReplicaBenchResult } from './replica-bench';
import type { RetentionResult } from './retention-bench';
import type { StorageResult } from './storage-bench';

/** Everything one run measured: bench/results.json, and what report.ts renders. */
export interface BenchResults {
  mode: 'quick' | 'full';
  startedAt: string;
  durationS: number;
  machine: { cpus: number; node: string; postgres?: string };
  synth: { seed: number; clusterNodes: number; podsPerNode: number; factsPerSnapshot: number; snapshotBytes: number };
  ceiling?: ReturnType<typeof measureCeiling>;
  ingest: IngestBenchResult[];
  storage: StorageResult[];
  history?: { stats: HistoryStats; nodes: number; days: number; method: string; tableBytes: Record<string, number>; databaseUrl?: string };
  queries: QueryResult[];
  retention: RetentionResult[];
  probes?: ProbeBenchResult[];
  /** cross-node checks with several API replicas (PostgreSQL) */
  replicas?: ReplicaBenchResult;
  collector?: CollectorResult;
  dashboard?: DashboardResult;
  /** issue #16: the same snapshots as RANCID/Oxidized-style text in git, against Routescope's figures of this run */
  gitBaseline?: GitBaselineResult;
  /** every target of the run as the printed list states it (report.ts targets) */
  targets?: TargetCheck[];
}
