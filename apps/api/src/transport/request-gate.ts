import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { AuthenticatedRequest } from '../auth/scope.guard';
import type { Scope } from '../auth/scopes';
import type { ApiConfig } from '../config/api-config';
import { toPublicError, type PublicError } from '../errors/error-mapping';
import { IngestError, IngestErrorCode } from '../ingest/ingest.errors';
import { BodyAborted, readJsonBody } from './json-body';
import type { RateLimitedRoute, RateLimiter } from './rate-limiter';
import { TransportError, TransportErrorCode } from './transport.errors';

/** Error bodies in the shape the route's clients read: REST `{error, message}` or GraphQL `{errors}`. */
type ErrorShape = 'rest' | 'graphql';

interface GatedRoute {
  name: RateLimitedRoute;
  matches(method: string, path: string): boolean;
  scope: Scope;
  maxBodyBytes: number;
  tooLarge(limit: number): Error;
  shape: ErrorShape;
  /** GraphQL takes one operation per request: an array body is refused before it runs. */
  singleOperation: boolean;
}

/**
 * A refused request's body is read and dropped (never held), up to the route's own body limit, so
 * that a client still sending reliably reads the answer: closing under a client that is still
 * sending resets the connection, and the reset can wipe the unread answer on its side (measured:
 * a client cut off 1 MB into a 31 MB post lost the 401 in 4 runs out of 5). Past the limit the
 * connection is closed. A route that takes no body discards at most this much.
 */
const NO_BODY_DISCARD_BYTES = 64 * 1024;

/** Largest heartbeat body (contract v1.1): a few hundred bytes; anything near this is not a heartbeat. */
export const HEARTBEAT_MAX_BYTES = 4096;

/** Largest probe result body: three captures of 200 lines of 400 characters and their frames fit in well under it. */
export const PROBE_RESULT_MAX_BYTES = 1024 * 1024;

/**
 * The HTTP edge, in front of every route: for the routes that take a body, the token is checked
 * (AuthService, the route's scope) and counted against its rate limit from the headers alone,
 * and only then is the body read, up to the route's own limit. Unauthenticated, wrong-scope,
 * rate-limited and declared-oversize requests cost no body parse and hold no byte of it: 8
 * concurrent unauthenticated 31 MB posts once took the API from 276 MB to 1 GB because bodies were
 * parsed first. No other
 * route reads a body, so none exists to parse without a token; a body sent to one is refused.
 */
export function requestGate(options: { auth: AuthService; rateLimiter: RateLimiter; config: ApiConfig; routeMethods: RouteMethods }) {
  const { auth, rateLimiter, config, routeMethods } = options;
  const logger = new Logger('HTTP');
  const routes: GatedRoute[] = [
    {
      name: 'ingest',
      matches: (method, path) => method === 'POST' && path === '/api/v1/snapshots',
      scope: 'ingest',
      maxBodyBytes: config.maxSnapshotBytes,
      tooLarge: (limit) => new IngestError(IngestErrorCode.SnapshotTooLarge, `the snapshot exceeds the limit of ${limit} bytes (ROUTESCOPE_MAX_SNAPSHOT_BYTES)`),
      shape: 'rest',
      singleOperation: false,
    },
    {
      // contract v1.1: the same token scope and rate-limit budget as the snapshots it replaces
      name: 'ingest',
      matches: (method, path) => method === 'POST' && path === '/api/v1/heartbeats',
      scope: 'ingest',
      maxBodyBytes: HEARTBEAT_MAX_BYTES,
      tooLarge: (limit) => new TransportError(TransportErrorCode.BodyTooLarge, `the heartbeat exceeds the limit of ${limit} bytes`),
      shape: 'rest',
      singleOperation: false,
    },
    {
      name: 'graphql',
      // Apollo is mounted with app.use('/graphql'): it answers every method and every sub-path.
      matches: (_method, path) => path === '/graphql' || path.startsWith('/graphql/'),
      scope: 'read',
      maxBodyBytes: config.graphql.maxBodyBytes,
      tooLarge: (limit) => new TransportError(TransportErrorCode.BodyTooLarge, `the GraphQL request exceeds the limit of ${limit} bytes (ROUTESCOPE_GRAPHQL_MAX_BODY_BYTES)`),
      shape: 'graphql',
      singleOperation: true,
    },
    {
      // the collectors' long-poll for probe jobs: no body, but the token and the rate limit first
      name: 'probes',
      matches: (method, path) => method === 'GET' && path === '/api/v1/probes/next',
      scope: 'probe-runner',
      maxBodyBytes: 0,
      tooLarge: () => new TransportError(TransportErrorCode.BodyTooLarge, 'GET /api/v1/probes/next takes no request body'),
      shape: 'rest',
      singleOperation: false,
    },
    {
      name: 'probes',
      matches: (method, path) => method === 'POST' && /^\/api\/v1\/probes\/[^/]+\/result$/.test(path),
      scope: 'probe-runner',
      maxBodyBytes: PROBE_RESULT_MAX_BYTES,
      tooLarge: (limit) => new TransportError(TransportErrorCode.BodyTooLarge, `the probe result exceeds the limit of ${limit} bytes`),
      shape: 'rest',
      singleOperation: false,
    },
  ];

  const refuse = (request: Request, response: Response, shape: ErrorShape, error: unknown, discardLimit: number): void => {
    if (error instanceof BodyAborted || response.headersSent) return;
    const mapped = toPublicError(error) ?? internal(error, logger);
    if (!request.complete) discardBody(request, discardLimit);
    if (error instanceof TransportError && error.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof TransportError && error.allow) response.setHeader('Allow', error.allow.join(', '));
    response.status(mapped.status).json(errorBody(shape, mapped));
  };

  /** Resolves when the request may go on (its body, if any, parsed into request.body); rejects with why not. */
  const gate = async (route: GatedRoute, request: Request): Promise<void> => {
    const header = request.headers.authorization;
    const principal = await auth.authorize(header, route.scope);
    (request as unknown as AuthenticatedRequest).principal = principal;
    const verdict = await rateLimiter.hit(route.name, principal.tokenId);
    if (!verdict.allowed) {
      throw new TransportError(
        TransportErrorCode.RateLimited,
        `token "${principal.tokenName}" sent more than ${verdict.limit} ${route.name} requests in ${verdict.windowSeconds} s; retry in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
      );
    }
    if (!hasBody(request)) {
      // Apollo reads req.body on every POST (undefined there is its own 500): an empty one is its 400.
      if (route.singleOperation && request.method === 'POST') request.body = {};
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (declared > route.maxBodyBytes) throw route.tooLarge(route.maxBodyBytes);
    if (!isJson(request.headers['content-type'])) {
      const sent = request.headers['content-type'];
      throw new TransportError(TransportErrorCode.UnsupportedMediaType, `send the body as JSON with content-type: application/json (got ${sent ? `"${sent}"` : 'no content type'})`);
    }
    const body = await readJsonBody(request, route.maxBodyBytes, () => route.tooLarge(route.maxBodyBytes));
    if (route.singleOperation && Array.isArray(body)) {
      throw new TransportError(TransportErrorCode.BatchingNotSupported, 'send one GraphQL operation per request: batched (array) requests are not supported');
    }
    request.body = body;
  };

  return (request: Request, response: Response, next: NextFunction): void => {
    const path = normalisedPath(request.path);
    const route = routes.find((r) => r.matches(request.method, path));
    if (route) {
      gate(route, request).then(
        () => next(),
        (error: unknown) => refuse(request, response, route.shape, error, route.maxBodyBytes),
      );
      return;
    }
    // What no gated route takes is answered for what it is: a method the path does not answer,
    // a body to a path that does not exist, or a body to a route that reads none.
    const allowed = request.method === 'OPTIONS' ? [] : routeMethods(request.path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const error = new TransportError(TransportErrorCode.MethodNotAllowed, `${request.method} ${request.path}: this route answers ${allowed.join(', ')} only`, undefined, allowed);
      refuse(request, response, 'rest', error, NO_BODY_DISCARD_BYTES);
      return;
    }
    if (hasBody(request)) {
      const error =
        allowed.length === 0 && request.method !== 'OPTIONS'
          ? new TransportError(TransportErrorCode.RouteNotFound, `${request.method} ${request.path}: no such route`)
          : new TransportError(TransportErrorCode.BodyTooLarge, `${request.method} ${request.path} takes no request body`);
      refuse(request, response, 'rest', error, NO_BODY_DISCARD_BYTES);
      return;
    }
    next();
  };
}

/** The methods the app's routes answer at a path (none: no route has it). */
export type RouteMethods = (path: string) => string[];

interface RouterLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/**
 * The methods of the routes Express holds for a path, read from its router when asked (the
 * controllers' routes are registered after this gate is installed): HEAD wherever GET is, as
 * Express answers it. Middleware mounted with `use` (GraphQL, static files) has no methods.
 */
export function expressRouteMethods(expressApp: object): RouteMethods {
  // Express 5's router (the `router` package): route layers carry `route.methods` and `match(path)`.
  const router = () => (expressApp as { router?: { stack?: RouterLayer[] } }).router;
  return (path) => {
    const methods = new Set<string>();
    for (const layer of router()?.stack ?? []) {
      if (!layer.route || !layer.match(path)) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  };
}

/** Express routes case-insensitively and ignores a trailing slash; the gate matches the same way. */
function normalisedPath(path: string): string {
  const lower = path.toLowerCase().replace(/\/+$/, '');
  return lower === '' ? '/' : lower;
}

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/** application/json (or a +json type) in UTF-8, the only encoding JSON has (RFC 8259): another charset is refused, not misread. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  return charset === undefined || /^utf-?8$/i.test(charset);
}

/** Reads and drops what the client still sends, up to `limit` bytes, then cuts the connection. */
function discardBody(request: Request, limit: number): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) request.socket.destroy();
  });
  request.resume();
}

function errorBody(shape: ErrorShape, error: PublicError): unknown {
  if (shape === 'rest') return { error: error.reason, message: error.message, ...(error.details ? { details: error.details } : {}) };
  return { errors: [{ message: error.message, extensions: { code: error.graphqlCode, reason: error.reason } }] };
}

function internal(error: unknown, logger: Logger): PublicError {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { status: 500, graphqlCode: 'INTERNAL_SERVER_ERROR', reason: 'INTERNAL', message: 'internal error' };
}
