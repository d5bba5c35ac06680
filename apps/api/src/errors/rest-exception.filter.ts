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
      // Nest's own answers (an unknown route's 404, …); bodies are read and refused by the request gate (transport/).
      response.status(exception.getStatus()).json({ error: 'HTTP_ERROR', message: exception.message });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    response.status(500).json({ error: 'INTERNAL', message: 'internal error' });
  }
}
