import type { BenchResults } from './bench-results';
import { COLLECTOR_FLOOR_TARGETS } from './collector-bench';
import { dashboardTargets, renderDashboardSection, type TargetCheck } from './dashboard-report';
import { gitBaselineFigures, renderGitBaselineSection } from './git-baseline-report';
import { formatBytes, markdownTable, type Sample } from './measure';
import { QUERY_TARGETS_MS } from './query-bench';

/** The readable table `npm run bench` prints; bench/results.json has every number. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const table = (header: string[], rows: Array<Array<string | number>>) => out.push(...markdownTable(header, rows));
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const lat = (s: Sample) => `${ms(s.p50)} / ${ms(s.p99)}`;

  line(`# Routescope bench (${r.mode}) — ${r.startedAt}, ${r.durationS} s`);
  line(`machine: ${r.machine.cpus} CPUs, Node ${r.machine.node}, PostgreSQL ${r.machine.postgres ?? '?'}; system under test: this working tree, NODE_ENV=production`);
  line(`synthetic cluster: ${r.synth.clusterNodes} nodes × ${r.synth.podsPerNode} pods (seed ${r.synth.seed}), ${r.synth.factsPerSnapshot} facts and ${formatBytes(r.synth.snapshotBytes)} of JSON per node snapshot`);
  line();

  if (r.ceiling) {
    const c = r.ceiling;
    line('## Ceiling: parse + validate + normalise + hash, no database, one thread');
    table(
      ['', 'ms/snapshot (mean)', 'p50 / p99 ms', 'snapshots/s', 'parse', 'validate', 'normalise', 'hash'],
      [['ceiling', ms(c.sample.mean), lat(c.sample), c.sample.perSecond, ms(c.stages.parseMs), ms(c.stages.validateMs), ms(c.stages.normaliseMs), ms(c.stages.hashMs)]],
    );
  }

  if (r.ingest.length > 0 && r.ceiling) {
    const ceilingMean = r.ceiling.sample.mean;
    const ceilingRate = r.ceiling.sample.perSecond;
    line('## Routescope ingest (p50 / p99 ms at 1 in flight; snapshots/s at 4 in flight; ratios to the ceiling)');
    const rows: Array<Array<string | number>> = [];
    for (const i of r.ingest) {
      for (const path of ['service', 'http'] as const) {
        for (const k of ['unchanged', 'changed'] as const) {
          const s = i[path][k];
          rows.push([
            `${i.kind} ${path} ${k === 'changed' ? '1% churn' : 'unchanged'}`,
            lat(s.sequential),
            s.concurrent.perSecond,
            `${(s.concurrent.perSecond / ceilingRate).toFixed(2)}×`,
            `${(s.sequential.mean / ceilingMean).toFixed(2)}×`,
          ]);
        }
      }
      if (i.heartbeat) {
        for (const path of ['service', 'http'] as const) {
          const s = i.heartbeat[path];
          rows.push([
            `${i.kind} ${path} unchanged as a heartbeat (v1.1)`,
            lat(s.sequential),
            s.concurrent.perSecond,
            `${(s.concurrent.perSecond / ceilingRate).toFixed(2)}×`,
            `${(s.sequential.mean / ceilingMean).toFixed(3)}× (${(ceilingMean / Math.max(0.001, s.sequential.mean)).toFixed(0)}× faster)`,
          ]);
        }
      }
      if (i.serviceWithoutChecks) {
        const s = i.serviceWithoutChecks.changed;
        rows.push([`${i.kind} service 1% churn, checks off`, lat(s.sequential), s.concurrent.perSecond, `${(s.concurrent.perSecond / ceilingRate).toFixed(2)}×`, `${(s.sequential.mean / ceilingMean).toFixed(2)}×`]);
      }
      rows.push([`${i.kind} first snapshot (~1,400 inserts)`, lat(i.first), i.first.perSecond, '', '']);
    }
    table(['', 'p50 / p99 ms', 'snapshots/s', 'rate vs ceiling', 'time vs ceiling'], rows);
    for (const i of r.ingest.filter((x) => x.kind === 'postgres')) {
      for (const [name, p] of Object.entries(i.profiles)) {
        line(`Profile, ${i.kind} ${name} (4 in flight; ${p.idlePct}% idle = waiting on PostgreSQL):`);
        for (const l of p.lines.slice(0, 8)) line(`    ${String(l.selfPct).padStart(5)}%  ${l.fn}`);
      }
    }
    line();
    const changes = r.ingest.map((i) => i.meanChangesPerChangedSnapshot);
    for (const i of r.ingest) line(`${i.kind}: ${i.backgroundNodes > 0 ? `the current state of ${i.backgroundNodes} more nodes was loaded first, so the checks evaluated a ${i.backgroundNodes + i.first.count}-node cluster` : 'only the posting nodes were in the database'}.`);
    line(`1%-churn snapshots changed ${Math.min(...changes)}–${Math.max(...changes)} facts each (churn model: pod created/deleted + ARP entries).`);
    line();
  }

  if (r.storage.length > 0) {
    line('## Storage per node-day (30 s interval; pg_total_relation_size incl. indexes)');
    table(
      ['', 'Routescope / node-day', 'fact rows / node-day', 'first snapshot / node', 'naive JSONB / node-day', 'naive / Routescope', 'naive insert p50 / p99 ms, /s'],
      r.storage.map((s) => [
        `${s.kind}`,
        formatBytes(s.bytesPerNodeDay),
        s.factRowsPerNodeDay,
        formatBytes(s.initialBytesPerNode),
        formatBytes(s.naive.bytesPerNodeDay),
        `${s.ratio}×`,
        `${lat(s.naive.insert)}, ${s.naive.insert.perSecond}`,
      ]),
    );
    for (const s of r.storage) {
      const retained = s.retainedBytesPerNodeDay === undefined ? '' : ` Kept 90 days with snapshot records for 7 (the defaults): ${formatBytes(s.retainedBytesPerNodeDay)} per node-day of history (${Math.round(s.naive.bytesPerNodeDay / Math.max(1, s.retainedBytesPerNodeDay))}×).`;
      const resolution = s.resolutionBytesPerNodeDay === undefined ? '' : ` Resolution: one 8 KB page of one relation = ${formatBytes(s.resolutionBytesPerNodeDay)}/node-day.`;
      line(`- ${s.kind}: by table ${Object.entries(s.bytesPerNodeDayByTable).map(([t, b]) => `${t} ${formatBytes(b)}`).join(', ')}.${retained}${resolution} ${s.howExtrapolated}`);
    }
    line();
  }

  if (r.history) {
    const h = r.history;
    line(`## Queries at ${h.days} days of history, ${h.nodes} nodes (PostgreSQL, GraphQL over HTTP, p50 / p95 ms)`);
    line(`history: ${h.stats.factRows.toLocaleString('en')} fact rows (${h.stats.openRows.toLocaleString('en')} open), ${h.stats.snapshotRows.toLocaleString('en')} snapshot rows, ${(h.stats.findingRows ?? 0).toLocaleString('en')} finding rows; ${Object.entries(h.tableBytes).map(([t, b]) => `${t} ${formatBytes(Number(b))}`).join(', ')}; ${h.method}.`);
    line();
    table(
      ['', 'p50 / p95 ms', 'first request ms', 'rows (mean)', 'target (p95)', 'p95 / target'],
      r.queries.map((x) => {
        const limit = QUERY_TARGETS_MS[x.name];
        if (!x.sample) return [x.name, x.skipped ?? 'n/a', '', '', limit ? `< ${limit} ms` : '', ''];
        return [x.name, `${ms(x.sample.p50)} / ${ms(x.sample.p95)}`, x.coldMs ?? '', x.meanRows ?? '', limit ? `< ${limit} ms` : '', limit ? `${(x.sample.p95 / limit).toFixed(2)}×` : ''];
      }),
    );
  }

  for (const x of r.queries.filter((y) => y.profile)) {
    line(`Profile of ${x.name} (API and client in this process; ${x.profile!.idlePct}% idle = waiting on PostgreSQL):`);
    for (const p of x.profile!.lines.slice(0, 10)) line(`    ${String(p.selfPct).padStart(5)}%  ${p.fn}`);
    line();
  }

  if (r.gitBaseline) {
    line(renderGitBaselineSection(r.gitBaseline, gitBaselineFigures(r)).trimEnd());
    line();
  }

  if (r.retention.length > 0) {
    line('## Retention (90 days; closed intervals 120 days old deleted in batches of 5,000, 10 ms apart)');
    table(
      ['', 'rows deleted', 'time', 'rows/s', 'batches', 'ingest p50 / p99 ms alone', 'ingest p50 / p99 ms during (worst window)', 'fact table before → after (VACUUMed)'],
      r.retention.map((x) =>
        x.skipped
          ? [x.kind, x.skipped, '', '', '', '', '', '']
          : [
              x.kind,
              Object.values(x.deleted ?? {}).reduce((a, b) => a + b, 0),
              `${((x.durationMs ?? 0) / 1000).toFixed(1)} s`,
              x.rowsPerSecond ?? '',
              x.batches ?? '',
              x.ingestAlone ? lat(x.ingestAlone) : '',
              x.ingestDuringRetention ? lat(x.ingestDuringRetention) : 'n/a',
              `${formatBytes(x.factBytesBefore ?? NaN)} → ${formatBytes(x.factBytesAfterVacuum ?? NaN)}`,
            ],
      ),
    );
    line('Deleted space is reused by new rows after VACUUM (autovacuum); the files shrink only with VACUUM FULL or by dropping time partitions (docs/scaling.md).');
    line();
  }

  if (r.probes?.length) {
    line('## Probe dispatch: GraphQL requestProbe → the collector’s waiting long-poll holds the job (real HTTP)');
    table(
      ['', 'dispatch p50 / p95 ms', 'baseline p50 / p95 ms (request + GET next that finds it)', 'ratio p95'],
      r.probes.map((p) => [`${p.kind} (${p.samples} probes)`, `${ms(p.dispatch.p50)} / ${ms(p.dispatch.p95)}`, `${ms(p.baseline.p50)} / ${ms(p.baseline.p95)}`, `${(p.dispatch.p95 / p.baseline.p95).toFixed(2)}×`]),
    );
    line();
  }

  if (r.replicas) {
    const x = r.replicas;
    line(`## Cross-node checks with several API replicas (${x.nodes} nodes, PostgreSQL, debounce ${x.debounceMs} ms)`);
    table(
      ['', 'measured'],
      [
        ['findings, 2 replicas ingesting different nodes vs 1 replica ingesting all', `${x.agreement.equal ? 'same' : 'DIFFERENT'} (${x.agreement.findings} findings, ${x.agreement.crossNode} cross-node)`],
        ['failover: leader session ended → other replica elected', `${x.failover.ms} ms = ${x.failover.debounceIntervals} debounce intervals`],
        ['findings after failover vs 1 replica', x.failover.findingsEqualAfter ? 'same' : 'DIFFERENT'],
      ],
    );
    line(x.method);
    line();
  }

  if (r.collector) {
    const c = r.collector;
    line(`## Collector: one \`collect\` of a netlab node with ${c.extraRoutes} extra routes`);
    if (c.skipped) line(`skipped: ${c.skipped}`);
    else {
      const floor = c.nodeFloor;
      table(
        ['', 'CPU ms (p50 / max)', 'wall ms (p50)', 'peak RSS MB (p50 / max)', 'facts'],
        [
          ['collect (GNU time: node + the ip(8) children it waits for)', `${c.cpuMs!.p50} / ${c.cpuMs!.max}`, c.wallMs!.p50, `${c.peakRssMb!.p50} / ${c.peakRssMb!.max}`, c.facts ?? ''],
          ...(floor ? [["baseline: `node -e ''` (the runtime alone)", floor.cpuMs, '', floor.peakRssMb, '']] : []),
          ...(c.ratioToFloor
            ? [[`ratio collect / baseline (target ≤ ${COLLECTOR_FLOOR_TARGETS.cpu}× CPU, ≤ ${COLLECTOR_FLOOR_TARGETS.rss}× RSS)`, `${c.ratioToFloor.cpu.toFixed(2)}×`, '', `${c.ratioToFloor.rss.toFixed(2)}×`, '']]
            : []),
        ],
      );
    }
  }

  if (r.dashboard) {
    line(renderDashboardSection(r.dashboard).trimEnd());
    line();
  }

  line('## Targets');
  for (const t of targets(r)) line(`- ${t.met === undefined ? '·' : t.met ? 'MET ' : 'MISS'} ${t.name}: ${t.value}`);
  return `${out.join('\n')}\n`;
}

/** The issue's targets, evaluated on this run (--quick asserts nothing: it only shows them). */
export function targets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const c = r.ceiling;
  for (const i of r.ingest.filter((x) => x.kind === 'postgres')) {
    if (!c) break;
    const changed = i.service.changed;
    checks.push({
      name: `[${i.kind}] changed ingest at 1% churn ≥ 60% of the ceiling, p99 < 50 ms (service)`,
      value: `${changed.concurrent.perSecond}/s = ${Math.round((changed.concurrent.perSecond / c.sample.perSecond) * 100)}% of ${c.sample.perSecond}/s, p99 ${changed.sequential.p99} ms`,
      met: changed.concurrent.perSecond >= 0.6 * c.sample.perSecond && changed.sequential.p99 < 50,
    });
    if (i.serviceWithoutChecks) {
      const w = i.serviceWithoutChecks.changed;
      checks.push({
        name: `[${i.kind}] same, storage path only (checks' listener removed)`,
        value: `${w.concurrent.perSecond}/s = ${Math.round((w.concurrent.perSecond / c.sample.perSecond) * 100)}% of ${c.sample.perSecond}/s, p99 ${w.sequential.p99} ms`,
        met: w.concurrent.perSecond >= 0.6 * c.sample.perSecond && w.sequential.p99 < 50,
      });
    }
    // Contract v1.1: an unchanged snapshot is posted as a heartbeat, which the API never parses as a snapshot.
    if (i.heartbeat) {
      for (const path of ['service', 'http'] as const) {
        const beat = i.heartbeat[path].sequential;
        checks.push({
          name: `[${i.kind}] unchanged snapshot as a heartbeat ≥ 20× faster than the ceiling's per-snapshot time (${path === 'service' ? 'service' : 'POST /api/v1/heartbeats'})`,
          value: `${beat.mean} ms vs ${c.sample.mean} ms = ${(c.sample.mean / Math.max(0.001, beat.mean)).toFixed(1)}× faster (p99 ${beat.p99} ms)`,
          met: c.sample.mean >= 20 * beat.mean,
        });
      }
    }
  }
  for (const s of r.storage) checks.push({ name: `[${s.kind}] storage per node-day ≥ 1000× smaller than naive`, value: `${s.ratio}×`, met: s.ratio >= 1000 });
  for (const x of r.queries) {
    const limit = QUERY_TARGETS_MS[x.name];
    // the matrix "now" is cached by the API: its first (cold) request is the one held to the target
    const worst = x.sample ? Math.max(x.sample.p95, x.name === 'block consistency matrix (now)' ? (x.coldMs ?? 0) : 0) : undefined;
    if (limit !== undefined) checks.push({ name: `${x.name} ${x.name === 'block consistency matrix (now)' ? 'first request and p95' : 'p95'} < ${limit} ms`, value: worst !== undefined ? `${worst} ms` : (x.skipped ?? ''), met: worst !== undefined ? worst < limit : undefined });
  }
  if (r.collector && !r.collector.skipped) {
    checks.push({ name: 'collector < 100 ms CPU', value: `${r.collector.cpuMs!.p50} ms (max ${r.collector.cpuMs!.max})`, met: r.collector.cpuMs!.p50 < 100 });
    checks.push({ name: 'collector < 60 MB RSS', value: `${r.collector.peakRssMb!.p50} MB (max ${r.collector.peakRssMb!.max})`, met: r.collector.peakRssMb!.max < 60 });
    const ratio = r.collector.ratioToFloor;
    if (ratio) {
      const floor = r.collector.nodeFloor!;
      checks.push({ name: `collector CPU ≤ ${COLLECTOR_FLOOR_TARGETS.cpu}× \`node -e ''\``, value: `${ratio.cpu}× (${r.collector.cpuMs!.p50} vs ${floor.cpuMs} ms)`, met: ratio.cpu <= COLLECTOR_FLOOR_TARGETS.cpu });
      checks.push({ name: `collector RSS ≤ ${COLLECTOR_FLOOR_TARGETS.rss}× \`node -e ''\``, value: `${ratio.rss}× (${r.collector.peakRssMb!.p50} vs ${floor.peakRssMb} MB)`, met: ratio.rss <= COLLECTOR_FLOOR_TARGETS.rss });
    }
  }
  if (r.replicas) {
    const x = r.replicas;
    checks.push({ name: 'cross-node checks, 2 replicas: same findings whatever replica ingests (before and after failover)', value: `${x.agreement.equal && x.failover.findingsEqualAfter ? 'same' : 'different'} (${x.agreement.findings} findings)`, met: x.agreement.equal && x.failover.findingsEqualAfter });
    checks.push({ name: 'cross-node checks, leader failover ≤ 1 debounce interval', value: `${x.failover.ms} ms = ${x.failover.debounceIntervals} × ${x.debounceMs} ms`, met: x.failover.debounceIntervals <= 1 });
  }
  for (const p of r.probes ?? []) checks.push({ name: `[${p.kind}] probe dispatch p95 < 1500 ms`, value: `${p.dispatch.p95} ms (${(p.dispatch.p95 / p.baseline.p95).toFixed(2)}× the no-wait baseline)`, met: p.dispatch.p95 < 1500 });
  if (r.dashboard) checks.push(...dashboardTargets({ ...r.dashboard, mode: 'full' }));
  if (r.mode === 'quick') return checks.map((t) => ({ ...t, met: undefined, value: `${t.value} (quick: not asserted)` }));
  return checks;
}
