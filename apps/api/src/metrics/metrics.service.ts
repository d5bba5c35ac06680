import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Database } from '@routescope/db';
import { FindingsEvaluator } from '../checks/findings-evaluator.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { DATABASE } from '../database/database.module';
import { FactStore } from '../history/fact-store.service';
import { ApiMetrics, type StoredState } from './api-metrics';

/** A scrape every few seconds (several Prometheus replicas) costs one aggregate query at most this often. */
const STORED_STATE_TTL_MS = 5000;

/** The API's metrics (ApiMetrics) wired to the database and the checks, and who may read them. */
@Injectable()
export class MetricsService implements OnApplicationShutdown {
  readonly metrics: ApiMetrics;
  private stored?: { at: number; value: Promise<StoredState> };
  private server?: Server;

  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly history: FactStore,
    moduleRef: ModuleRef,
  ) {
    // The evaluator lives in ChecksModule; looked up at the first scrape, when every module is up.
    let evaluator: FindingsEvaluator | undefined;
    this.metrics = new ApiMetrics({
      stored: () => this.storedState(),
      evaluator: () => (evaluator ??= moduleRef.get(FindingsEvaluator, { strict: false }))?.stats(),
      pool: () => database.poolStats?.(),
    });
  }

  /** ROUTESCOPE_METRICS_PORT set: /metrics is served there (serveMetrics), not on the API's port. */
  get onOwnPort(): boolean {
    return this.config.metrics.port !== undefined;
  }

  /** With ROUTESCOPE_METRICS_TOKEN set, a scrape must carry it as a bearer token. */
  authorized(authorization: string | undefined): boolean {
    const expected = this.config.metrics.token;
    if (!expected) return true;
    const given = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
    const wanted = Buffer.from(expected);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  /** With ROUTESCOPE_METRICS_PORT: GET /metrics on that port (main.ts), nothing else. Resolves with the port bound. */
  async listenOnOwnPort(host: string): Promise<number> {
    const port = this.config.metrics.port;
    if (port === undefined) throw new Error('ROUTESCOPE_METRICS_PORT is not set');
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'HTTP_ERROR', message: 'only GET /metrics is served here' }));
        return;
      }
      if (!this.authorized(request.headers.authorization)) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'HTTP_ERROR', message: 'send ROUTESCOPE_METRICS_TOKEN as a bearer token' }));
        return;
      }
      this.scrape().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}`),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    return port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
  }

  private storedState(): Promise<StoredState> {
    const now = Date.now();
    if (this.stored && now - this.stored.at < STORED_STATE_TTL_MS) return this.stored.value;
    const value = this.queryStoredState().catch((error: unknown) => {
      this.stored = undefined;
      throw error;
    });
    this.stored = { at: now, value };
    return value;
  }

  /** Two statements side by side: open findings by rule and severity with nodes by status, and the fact store's coverage gaps. */
  private async queryStoredState(): Promise<StoredState> {
    const gapFactor = this.config.gapFactor;
    const [rows, coverageGaps] = await Promise.all([
      this.database.prisma.$queryRawUnsafe<Array<{ kind: string; a: string; b: string; n: bigint | number }>>(
        `SELECT 'finding' AS kind, rule AS a, severity AS b, count(*) AS n FROM finding WHERE resolved_at IS NULL GROUP BY rule, severity
         UNION ALL
         SELECT 'node', CASE WHEN last_seen_at + (interval_ms::float8 * $1::float8) * interval '1 millisecond' >= now() THEN 'reporting' ELSE 'silent' END, '', count(*) FROM node GROUP BY 2`,
        gapFactor,
      ),
      this.history.coverageGapCount(),
    ]);
    const state: StoredState = { findingsOpen: [], nodes: { reporting: 0, silent: 0 }, coverageGaps };
    for (const row of rows) {
      const n = Number(row.n);
      if (row.kind === 'finding') state.findingsOpen.push({ rule: row.a, severity: row.b, count: n });
      else state.nodes[row.a as 'reporting' | 'silent'] = n;
    }
    return state;
  }
}
