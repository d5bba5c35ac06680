import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { builtApiBundle, launchApi } from '@routescope/testing';

// The built API (apps/api/dist/main.js, `npx nx run api:build`) as its own process on a free
// port and a fresh PostgreSQL database, for routescope-admin's end-to-end suite, started by
// @routescope/testing's launchApi (tools may not import apps/: they spawn it and speak HTTP).

export const workspaceRoot = join(__dirname, '../../../..');
const apiBundle = builtApiBundle();
const serverUrl = process.env['ROUTESCOPE_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface ApiProcess {
  url: string;
  stop(): Promise<void>;
}

export function secret(name: string): string {
  return `rs_e2e_${name}_${randomBytes(16).toString('hex')}`;
}

/** The API on a fresh `rs_admin_e2e_<random>` database (dropped by stop()). */
export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const name = `rs_admin_e2e_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  try {
    const launched = await launchApi({
      bundle: apiBundle,
      cwd: workspaceRoot,
      keepOutput: 20_000,
      env: { ...env, DATABASE_URL: databaseUrl.toString(), ROUTESCOPE_LOG_LEVEL: 'warn', ROUTESCOPE_KUBERNETES: 'off' },
    });
    return {
      url: launched.url,
      async stop() {
        await launched.stop();
        await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  } catch (error) {
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw error;
  }
}
