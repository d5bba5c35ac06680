import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { API_METRICS, type ApiMetrics } from '../metrics/api-metrics';
import { FactStore, HISTORY_TABLES, type HistoryTable } from '../history/fact-store.service';
import { OTHER_RETENTION_TABLES, RetentionRepository, type OtherRetentionTable } from './retention.repository';

/** Every table retention trims, in the order it trims them: the fact store's, then findings, cluster objects and probes. */
export const RETENTION_TABLES: ReadonlyArray<{ owner: 'history'; table: HistoryTable } | { owner: 'other'; table: OtherRetentionTable }> = [
  ...HISTORY_TABLES.map((table) => ({ owner: 'history' as const, table })),
  ...OTHER_RETENTION_TABLES.map(({ table }) => ({ owner: 'other' as const, table })),
];

export type RetentionTable = HistoryTable | OtherRetentionTable;

/** ROUTESCOPE_RETENTION_DAYS (config/api-config.ts): how long closed history is kept. */
export const DEFAULT_RETENTION_DAYS = 90;
/** ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: snapshot records serve idempotency and provenance, not history. */
export const DEFAULT_SNAPSHOT_RETENTION_DAYS = 7;

export interface RetentionSettings {
  /** closed intervals older than this are deleted */
  retentionDays: number;
  /** snapshot records older than this are deleted (≤ retentionDays; ROUTESCOPE_SNAPSHOT_RETENTION_DAYS) */
  snapshotRetentionDays: number;
  /** how often the job runs */
  intervalMs: number;
  /** rows per DELETE statement */
  batchSize: number;
  /** pause between batches, so that ingest (and PGlite's single session) gets its turn */
  pauseMs: number;
}

export interface RetentionRun {
  cutoff: Date;
  /** the snapshot records' cutoff (their window is shorter) */
  snapshotCutoff: Date;
  deleted: Record<RetentionTable, number>;
  batches: number;
  durationMs: number;
}

const DAY = 86_400_000;

/**
 * The retention job: every `intervalMs`, removes history that ended more than `retentionDays`
 * ago: closed facts by whole week partitions once their week ended before the cutoff
 * (FactStore.deleteEndedBefore), and cluster-object intervals, coverage intervals, snapshot
 * records, resolved findings, finished probes with their results in small batches. What is still true is never touched, so the state at any instant
 * after the cutoff stays exact; only instants before it lose their history.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly settings: RetentionSettings;
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionRun>;
  private stopping = false;

  constructor(
    private readonly history: FactStore,
    private readonly repository: RetentionRepository,
    @Inject(API_CONFIG) config: ApiConfig,
    @Optional() @Inject(API_METRICS) private readonly metrics?: ApiMetrics,
  ) {
    this.settings = retentionSettings(config);
  }

  onApplicationBootstrap(): void {
    // The first run waits one interval: start-up and tests are not the time for bulk deletes.
    this.timer = setInterval(() => void this.runOnce().catch((error: Error) => this.logger.error(`retention failed: ${error.stack ?? error.message}`)), this.settings.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every history table; a pass already under way is joined, not doubled. */
  runOnce(now: Date = new Date()): Promise<RetentionRun> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<RetentionRun> {
    const started = Date.now();
    const cutoff = new Date(now.getTime() - this.settings.retentionDays * DAY);
    const snapshotCutoff = new Date(now.getTime() - this.settings.snapshotRetentionDays * DAY);
    const deleted = Object.fromEntries(RETENTION_TABLES.map((t) => [t.table, 0])) as Record<RetentionTable, number>;
    let batches = 0;
    for (const entry of RETENTION_TABLES) {
      const { table } = entry;
      for (;;) {
        if (this.stopping) break;
        const count =
          entry.owner === 'history'
            ? await this.history.deleteEndedBefore(entry.table, entry.table === 'snapshot' ? snapshotCutoff : cutoff, this.settings.batchSize)
            : await this.repository.deleteBatch(entry.table, cutoff, this.settings.batchSize);
        batches++;
        deleted[table] += count;
        this.metrics?.retentionDeleted.inc({ table }, count);
        // facts go by whole week partitions, all of them in one call (FactStore.deleteEndedBefore)
        if (count < this.settings.batchSize || table === 'fact') break;
        if (this.settings.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, this.settings.pauseMs));
      }
    }
    const run = { cutoff, snapshotCutoff, deleted, batches, durationMs: Date.now() - started };
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);
    if (total > 0) this.logger.log(`deleted ${total} rows of history that ended before ${cutoff.toISOString()} in ${batches} batches (${run.durationMs} ms): ${JSON.stringify(deleted)}`);
    return run;
  }
}

/** The job's settings: ROUTESCOPE_RETENTION_DAYS and ROUTESCOPE_SNAPSHOT_RETENTION_DAYS (validated in config/api-config.ts). */
export function retentionSettings(config: Pick<Partial<ApiConfig>, 'retentionDays' | 'snapshotRetentionDays'>): RetentionSettings {
  const retentionDays = config.retentionDays ?? DEFAULT_RETENTION_DAYS;
  return {
    retentionDays,
    snapshotRetentionDays: Math.min(config.snapshotRetentionDays ?? DEFAULT_SNAPSHOT_RETENTION_DAYS, retentionDays),
    intervalMs: 3_600_000,
    batchSize: 5000,
    pauseMs: 10,
  };
}
