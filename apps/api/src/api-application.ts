import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Database } from '@routescope/db';
import express, { type NextFunction, type Request, type Response } from 'express';
import { appModule } from './app.module';
import { seedTokens, type SeedOutcome } from './auth/token-seeder';
import { AuthService } from './auth/auth.service';
import { TokenHasher } from './auth/token-hash';
import { TokenRepository } from './auth/token.repository';
import type { ApiConfig } from './config/api-config';
import { RestExceptionFilter } from './errors/rest-exception.filter';

const LOG_LEVELS: Record<ApiConfig['logLevel'], LogLevel[]> = {
  error: ['error', 'fatal'],
  warn: ['error', 'fatal', 'warn'],
  log: ['error', 'fatal', 'warn', 'log'],
  debug: ['error', 'fatal', 'warn', 'log', 'debug'],
};

/**
 * Builds the API on an open, migrated database (main.ts and the tests share this): JSON body
 * limits with errors in the API's own shape, the REST exception filter, seeded tokens.
 */
export async function createApiApplication(config: ApiConfig, database: Database): Promise<{ app: INestApplication; seeded: SeedOutcome }> {
  const app = await NestFactory.create<NestExpressApplication>(appModule(config, database), { bodyParser: false, logger: LOG_LEVELS[config.logLevel] });
  app.use(express.json({ limit: config.maxSnapshotBytes }));
  app.use(bodyErrors);
  app.useGlobalFilters(new RestExceptionFilter());
  app.enableShutdownHooks();
  const seeded = await seedTokens(config, { tokens: app.get(TokenRepository), hasher: app.get(TokenHasher), auth: app.get(AuthService) });
  return { app, seeded };
}

/** body-parser reports an oversized or malformed body before Nest routes the request. */
function bodyErrors(error: { type?: string; status?: number; message?: string } | undefined, _req: Request, res: Response, next: NextFunction): void {
  if (!error) return next();
  if (error.type === 'entity.too.large') {
    res.status(413).json({ error: 'SNAPSHOT_TOO_LARGE', message: `the body exceeds the limit of ${(error as { limit?: number }).limit ?? '?'} bytes` });
    return;
  }
  if (error.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'INVALID_JSON', message: `the body is not valid JSON: ${error.message}` });
    return;
  }
  Logger.error(error.message ?? String(error), 'HTTP');
  res.status(error.status ?? 500).json({ error: 'HTTP_ERROR', message: error.message ?? 'request failed' });
}
