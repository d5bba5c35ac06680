import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Database } from '@routescope/db';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { appModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { seedTokens, type SeedOutcome } from './auth/token-seeder';
import { TokenHasher } from './auth/token-hash';
import { TokenRepository } from './auth/token.repository';
import type { ApiConfig } from './config/api-config';
import { RestExceptionFilter } from './errors/rest-exception.filter';
import { buildOpenApiDocument, serveOpenApiDocument } from './openapi/openapi-document';
import { createApiLogger, PinoNestLogger, requestLogging } from './logging/api-logger';
import { httpMetrics } from './metrics/http-metrics';
import { MetricsService } from './metrics/metrics.service';
import { RateLimiter } from './transport/rate-limiter';
import { expressRouteMethods, requestGate } from './transport/request-gate';

/**
 * Builds the API on an open, migrated database (main.ts and the tests share this): security
 * headers, the request gate (token, rate limit, then the body, per route: transport/request-gate.ts),
 * the REST exception filter, the OpenAPI document and Swagger UI (/api/docs), seeded tokens.
 */
export async function createApiApplication(config: ApiConfig, database: Database): Promise<{ app: INestApplication; seeded: SeedOutcome; logger: Logger }> {
  // JSON lines (or pretty on a terminal) at ROUTESCOPE_LOG_LEVEL: logging/api-logger.ts.
  const logger = createApiLogger(config);
  const app = await NestFactory.create<NestExpressApplication>(appModule(config, database), { bodyParser: false, logger: new PinoNestLogger(logger) });
  app.disable('x-powered-by');
  // The API answers JSON, and Swagger UI at /api/docs from its own files: helmet's defaults (a CSP
  // that allows nothing foreign, nosniff, no framing, HSTS), except upgrade-insecure-requests,
  // which made a browser on plain HTTP (not localhost) fetch the UI's scripts over HTTPS and fail.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(requestLogging(logger));
  app.use(httpMetrics(app.get(MetricsService).metrics));
  app.use(requestGate({ auth: app.get(AuthService), rateLimiter: app.get(RateLimiter), config, routeMethods: expressRouteMethods(app.getHttpAdapter().getInstance()) }));
  app.useGlobalFilters(new RestExceptionFilter());
  serveOpenApiDocument(app, buildOpenApiDocument(app));
  app.enableShutdownHooks();
  const seeded = await seedTokens(config, { tokens: app.get(TokenRepository), hasher: app.get(TokenHasher), auth: app.get(AuthService) });
  return { app, seeded, logger };
}
