import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@routescope/testing';

// The built API (apps/api/dist/main.js, `npx nx run api:build`) as its own process on a free
// port and a fresh PostgreSQL database, for routescope-admin's end-to-end suite. Tools may not
// import apps/ or another project's files (module boundaries): this mirrors, in small,
// tools/seed/e2e/support/routescope-api.ts.

export const workspaceRoot = join(__dirname, '../../../..');
const apiBundle = process.env['ROUTESCOPE_E2E_API_BUNDLE'] ?? join(workspaceRoot, 'apps/api/dist/main.js');
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
  if (!existsSync(apiBundle)) throw new Error(`${apiBundle} is missing: run \`npx nx run api:build\` first (admin:e2e depends on it)`);
  const name = `rs_admin_e2e_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  const port = await freePort();
  const child = spawn(process.execPath, [apiBundle], {
    cwd: workspaceRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl.toString(), ROUTESCOPE_LOG_LEVEL: 'warn', ROUTESCOPE_KUBERNETES: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  // Ready is an answer from /readyz; the API may take a while to migrate a fresh database.
  for (const deadline = Date.now() + 90_000; ; ) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the API exited with ${child.exitCode}\n${output}`);
    }
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the API was not ready within 90 s\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
