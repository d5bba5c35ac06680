import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { API_METRICS, type ApiMetrics } from '../metrics/api-metrics';

/** The probe series, in the application's one registry (/metrics). */
@Injectable()
export class ProbeMetrics {
  readonly requested: Counter<'kind'>;
  readonly finished: Counter<'kind' | 'state' | 'verdict'>;
  readonly dispatchSeconds: Histogram<'kind'>;
  readonly waiting: Gauge;

  constructor(@Inject(API_METRICS) metrics: ApiMetrics) {
    const registers = [metrics.registry];
    this.requested = new Counter({ name: 'routescope_probes_requested_total', help: 'Live probes queued (requestProbe), by kind', labelNames: ['kind'], registers });
    this.finished = new Counter({
      name: 'routescope_probes_finished_total',
      help: 'Live probes that ended, by kind, final state (done, expired, collector-unreachable) and verdict (empty when none)',
      labelNames: ['kind', 'state', 'verdict'],
      registers,
    });
    this.dispatchSeconds = new Histogram({
      name: 'routescope_probe_dispatch_seconds',
      help: 'Time from a probe request to its collector taking the job (GET /api/v1/probes/next)',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.waiting = new Gauge({ name: 'routescope_probe_long_polls', help: 'Collectors waiting for a probe job on this replica (open long-polls)', registers });
  }
}
