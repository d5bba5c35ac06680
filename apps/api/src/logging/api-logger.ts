import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AuthenticatedRequest } from '../auth/scope.guard';
import type { ApiConfig } from '../config/api-config';

const PINO_LEVELS: Record<ApiConfig['logLevel'], pino.Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug' };

/**
 * Never logged, wherever a request or an error object puts them: the token travels only in these
 * headers (a log line names the token by its name: `token`).
 */
const REDACTED = ['req.headers.authorization', 'headers.authorization', 'authorization', 'req.headers.cookie', '*.authorization'];

/**
 * The API's log stream: JSON lines (one object per line, `time` in ISO 8601) for log pipelines,
 * or pino-pretty's coloured lines on a terminal (ROUTESCOPE_LOG_FORMAT).
 */
export function createApiLogger(config: Pick<ApiConfig, 'logLevel' | 'logFormat'>, destination: NodeJS.WritableStream = process.stdout): Logger {
  const options: pino.LoggerOptions = {
    level: PINO_LEVELS[config.logLevel],
    base: { name: 'routescope-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return config.logFormat === 'pretty' ? pino(options, pretty({ colorize: true, destination: destination as never, sync: true })) : pino(options, destination as pino.DestinationStream);
}

/** Nest's own messages (start-up, module errors, Logger instances) into the same stream, `context` as a field. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, context) or, for errors, (message, stack, context). */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...(message as object) });
    else this.logger[level](fields, String(message));
  }
}

/** Probes and scrapes come every few seconds: logged at debug unless they fail. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/livez', '/metrics']);

/** A client's own request id is kept when it looks like one (so a proxy's id follows the request). */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * One line per HTTP request when its answer is sent: request id (also sent back as
 * `x-request-id`), method, route, status, latency, and for ingest the node; the token by name,
 * never its value. Mounted first, so it sees the request gate's refusals too.
 */
export function requestLogging(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('x-request-id', requestId);
    response.once('finish', () => {
      const principal = (request as unknown as AuthenticatedRequest).principal;
      const node = request.method === 'POST' && typeof (request.body as { node?: unknown } | undefined)?.node === 'string' ? (request.body as { node: string }).node.slice(0, 253) : undefined;
      const status = response.statusCode;
      const quiet = QUIET_PATHS.has(request.path) && status < 400;
      logger[status >= 500 ? 'error' : status >= 400 ? 'warn' : quiet ? 'debug' : 'info'](
        {
          requestId,
          method: request.method,
          route: (request.route as { path?: string } | undefined)?.path ?? request.path,
          status,
          latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          ...(node ? { node } : {}),
          ...(principal ? { token: principal.tokenName } : {}),
        },
        'request',
      );
    });
    next();
  };
}
