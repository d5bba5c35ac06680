import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './api-metrics';

/**
 * Counts ingest answers and rate-limited requests as they leave, whoever answered (the request
 * gate's 401/413/415/429, the ingest controller, the exception filter): the outcome is read from
 * the JSON answer itself (`status` of an IngestResult, or `error` of a refusal), so it needs no
 * hook in any of them. Mounted before the request gate (api-application.ts).
 */
export function httpMetrics(metrics: ApiMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const path = request.path.toLowerCase().replace(/\/+$/, '');
    const ingest = request.method === 'POST' && path === '/api/v1/snapshots';
    const heartbeat = request.method === 'POST' && path === '/api/v1/heartbeats';
    const graphql = request.path.toLowerCase().startsWith('/graphql');
    if (heartbeat) {
      // Counted apart: most posts of an idle cluster are heartbeats, and the snapshot series keep their meaning.
      let outcome = 'unknown';
      const json = response.json.bind(response);
      response.json = (body: unknown) => {
        outcome = outcomeOf(body);
        return json(body);
      };
      response.once('finish', () => {
        if (response.statusCode === 429) metrics.rateLimited.inc({ route: 'ingest' });
        metrics.heartbeats.inc({ code: String(response.statusCode), outcome });
      });
      return next();
    }
    if (!ingest && !graphql) return next();
    const started = process.hrtime.bigint();
    let outcome = 'unknown';
    let changes = 0;
    if (ingest) {
      const json = response.json.bind(response);
      response.json = (body: unknown) => {
        outcome = outcomeOf(body);
        const counted = (body as { changes?: unknown } | null)?.changes;
        if (typeof counted === 'number' && response.statusCode < 300) changes = counted;
        return json(body);
      };
    }
    response.once('finish', () => {
      if (response.statusCode === 429) metrics.rateLimited.inc({ route: ingest ? 'ingest' : 'graphql' });
      if (!ingest) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.ingestRequests.inc({ code: String(response.statusCode), outcome });
      metrics.ingestDuration.observe({ outcome }, seconds);
      const bytes = Number(request.headers['content-length']);
      if (Number.isFinite(bytes) && bytes > 0) metrics.snapshotBytes.observe(bytes);
      if (changes > 0) metrics.factsChanged.inc(changes);
    });
    next();
  };
}

/** created/changed/unchanged/duplicate from an IngestResult, or a refusal's reason (a closed enum) in lower case. */
function outcomeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'unknown';
  const { status, error } = body as { status?: unknown; error?: unknown };
  if (typeof status === 'string') return status;
  if (typeof error === 'string') return error.toLowerCase();
  return 'unknown';
}
