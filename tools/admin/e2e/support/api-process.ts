import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { builtApiBundle, launchApi, scratchDatabase } from '@routescope/testing';

// The built API (apps/api/dist/main.js, `npx nx run api:build`) as its own process on a free
// port and a fresh PostgreSQL database, for routescope-admin's end-to-end suite, started by
// @routescope/testing's launchApi (tools may not import apps/: they spawn it and speak HTTP).

export const workspaceRoot = join(__dirname, '../../../..');
const apiBundle = builtApiBundle();

export interface ApiProcess {
  url: string;
  stop(): Promise<void>;
}

export function secret(name: string): string {
  return `rs_e2e_${name}_${randomBytes(16).toString('hex')}`;
}

/** The API on a fresh `rs_admin_e2e_<random>` database (dropped by stop()). */
export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const database = await scratchDatabase('rs_admin_e2e');
  try {
    const launched = await launchApi({
      bundle: apiBundle,
      cwd: workspaceRoot,
      keepOutput: 20_000,
      env: { ...env, DATABASE_URL: database.url, ROUTESCOPE_LOG_LEVEL: 'warn', ROUTESCOPE_KUBERNETES: 'off' },
    });
    return {
      url: launched.url,
      async stop() {
        await launched.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
