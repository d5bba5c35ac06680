import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { toPublicError } from './error-mapping';

/** REST errors as `{error, message, details?}` with the status the mapping gives. */
@Catch()
export class RestExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('REST');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const mapped = toPublicError(exception);
    if (mapped) {
      if (mapped.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(mapped.retryAfterSeconds));
      response.status(mapped.status).json({ error: mapped.reason, message: mapped.message, ...(mapped.details ? { details: mapped.details } : {}) });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // body-parser's own errors: a body over the limit, or one that is not JSON.
      const cause = exception.cause as { type?: string } | undefined;
      const error = status === 413 || cause?.type === 'entity.too.large' ? 'SNAPSHOT_TOO_LARGE' : status === 400 ? 'INVALID_JSON' : 'HTTP_ERROR';
      response.status(status).json({ error, message: exception.message });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    response.status(500).json({ error: 'INTERNAL', message: 'internal error' });
  }
}
