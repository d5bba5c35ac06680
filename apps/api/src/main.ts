import 'reflect-metadata';
import { resolve } from 'node:path';
import { createDatabase } from '@routescope/db';
import { createApiApplication } from './api-application';
import { ConfigError, loadApiConfig } from './config/api-config';
import { MetricsService } from './metrics/metrics.service';

/** Start-up order: config → database → migrations → Nest → listen. Any failure stops the process. */
async function bootstrap(): Promise<void> {
  const config = loadApiConfig();
  const database = await createDatabase({ databaseUrl: config.database.url, dataDir: resolve(config.database.dataDir) });
  const { applied } = await database.migrate();
  const { app, seeded, logger } = await createApiApplication(config, database);
  await app.listen(config.port, config.host);
  const where = config.database.url ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${resolve(config.database.dataDir)}`;
  logger.info(`routescope-api: listening on http://${config.host}:${config.port} (GraphQL at /graphql, ingest at POST /api/v1/snapshots), database ${where}`);
  if (config.metrics.port !== undefined) logger.info(`routescope-api: metrics on http://${config.host}:${await app.get(MetricsService).listenOnOwnPort(config.host)}/metrics`);
  if (applied.length > 0) logger.info(`routescope-api: applied migrations ${applied.join(', ')}`);
  if (seeded.tokenFile) logger.info(`routescope-api: API tokens (ingest, read, admin) are in ${resolve(seeded.tokenFile)}`);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `routescope-api: ${error.message}` : `routescope-api: start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
