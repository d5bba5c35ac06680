import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { testing } from '@routescope/db';
import { printSchema } from 'graphql';
import { appModule } from '../app.module';
import { loadApiConfig } from '../config/api-config';

/**
 * The committed SDL (apps/api/schema.graphql) is the contract clients build against: this
 * suite boots the real app module (on an in-memory database) and compares the schema
 * Nest builds with the file. After an intended change, regenerate the file with
 *   ROUTESCOPE_UPDATE_SCHEMA=1 npx jest -c apps/api/jest.config.cjs graphql-schema
 * and review its diff like any other change.
 */
const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.graphql');
const UPDATE_COMMAND = 'ROUTESCOPE_UPDATE_SCHEMA=1 npx jest -c apps/api/jest.config.cjs graphql-schema';
const HEADER = `# Routescope GraphQL API. Generated from the code-first schema; do not edit by hand.\n# Regenerate: ${UPDATE_COMMAND}\n\n`;

async function printRunningSchema(): Promise<string> {
  // A real (in-memory) database: start-up hooks such as the checks' cluster view read from it.
  const database = await testing.createTestDatabase('pglite');
  const moduleRef = await Test.createTestingModule({ imports: [appModule(loadApiConfig({ ROUTESCOPE_KUBERNETES: 'off' }), database)] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    // sortSchema is on in app.module, so the printed schema is already in a stable order.
    return `${HEADER}${printSchema(app.get(GraphQLSchemaHost).schema)}\n`;
  } finally {
    await app.close();
    await database.dispose();
  }
}

describe('the committed GraphQL schema (apps/api/schema.graphql)', () => {
  it('equals the schema the running app builds', async () => {
    const printed = await printRunningSchema();
    if (process.env.ROUTESCOPE_UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, printed);
    let committed = '';
    try {
      committed = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      // reported below
    }
    if (committed !== printed) {
      throw new Error(
        `apps/api/schema.graphql is out of date with the code-first schema.\nIf the change is intended, regenerate it:\n  ${UPDATE_COMMAND}\nand commit the file.`,
      );
    }
  });
});
