import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { timeWindow } from './history-arguments';
import type { HistoryLoaders } from './history-loaders';
import type { CoverageRow } from './store/coverage.repository';
import type { CoverageGap, CoverageInterval } from './types/coverage.type';
import type { Node } from './types/node.type';

/**
 * When a node was reporting, so that a stretch without data is shown as a gap rather than as
 * "nothing changed". A coverage row runs from its first to its last snapshot; ingest keeps
 * extending it while snapshots arrive within gap factor x the reporting interval of each
 * other, so the same grace is granted after the last snapshot: the node is covered in
 * [start_at, end_at + gapFactor x interval_ms], cut at the next interval's start and at now.
 * This matches Node.status (REPORTING until the same threshold passes), so state(now) of a
 * reporting node is always covered.
 */
@Injectable()
export class CoverageService {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  async intervals(loaders: HistoryLoaders, node: Node, from?: Date | null, to?: Date | null): Promise<CoverageInterval[]> {
    return (await this.covered(loaders, node, from, to)).intervals;
  }

  /** The complement of `intervals` within the same window: stretches with no data at all. */
  async gaps(loaders: HistoryLoaders, node: Node, from?: Date | null, to?: Date | null): Promise<CoverageGap[]> {
    const { window, intervals } = await this.covered(loaders, node, from, to);
    if (!window) return [];
    const gaps: CoverageGap[] = [];
    let cursor = window.from;
    for (const interval of intervals) {
      if (interval.start.getTime() > cursor.getTime()) gaps.push({ start: cursor, end: interval.start });
      if (interval.end.getTime() > cursor.getTime()) cursor = interval.end;
    }
    if (cursor.getTime() < window.to.getTime()) gaps.push({ start: cursor, end: window.to });
    return gaps;
  }

  /** Whether the node was reporting at `at` (never in the future). */
  async coveredAt(loaders: HistoryLoaders, node: Node, at: Date): Promise<boolean> {
    if (at.getTime() > loaders.now.getTime()) return false;
    const rows = await loaders.coverage.load({ nodeId: node.nodeId, from: at, to: at });
    return this.effective(rows, loaders.now).some((i) => i.start.getTime() <= at.getTime() && at.getTime() <= i.end.getTime());
  }

  /**
   * One loader key per (from as given, end of window), so that `coverage` and `gaps` of every
   * node in a list, with default bounds, share a single query.
   */
  private async covered(loaders: HistoryLoaders, node: Node, from?: Date | null, to?: Date | null): Promise<{ window?: { from: Date; to: Date }; intervals: CoverageInterval[] }> {
    const window = this.window(loaders, node, from, to);
    if (!window) return { intervals: [] };
    const rows = await loaders.coverage.load({ nodeId: node.nodeId, from: from ?? null, to: window.to });
    return { window, intervals: clip(this.effective(rows, loaders.now), window.from, window.to) };
  }

  /**
   * The window asked for, defaulting to [firstSeenAt, now] and never reaching past now;
   * undefined when nothing of it is in the past. Explicit bounds must be ordered.
   */
  private window(loaders: HistoryLoaders, node: Node, from?: Date | null, to?: Date | null): { from: Date; to: Date } | undefined {
    if (from && to) timeWindow(from, to);
    const start = from ?? node.firstSeenAt;
    const end = new Date(Math.min((to ?? loaders.now).getTime(), loaders.now.getTime()));
    return start.getTime() < end.getTime() ? { from: start, to: end } : undefined;
  }

  /** Rows (one node, ordered by start) → covered intervals with their grace, cut at the next start and at now. */
  private effective(rows: readonly CoverageRow[], now: Date): CoverageInterval[] {
    return rows.map((row, i) => {
      const graceEnd = row.endAt.getTime() + this.config.gapFactor * row.intervalMs;
      const nextStart = rows[i + 1]?.startAt.getTime() ?? Infinity;
      const end = Math.max(row.startAt.getTime(), Math.min(graceEnd, nextStart, now.getTime()));
      return { start: row.startAt, end: new Date(end), lastSnapshotAt: row.endAt, snapshots: row.snapshots };
    });
  }
}

function clip(intervals: readonly CoverageInterval[], from: Date, to: Date): CoverageInterval[] {
  return intervals
    .filter((i) => i.end.getTime() >= from.getTime() && i.start.getTime() <= to.getTime())
    .map((i) => ({
      ...i,
      start: new Date(Math.max(i.start.getTime(), from.getTime())),
      end: new Date(Math.min(i.end.getTime(), to.getTime())),
    }));
}
