import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ApiProblemError } from './api-problem';

// Server-side configuration. The read token is resolved here and used only by server code
// (app/lib/api-client.ts and the live-update route); nothing in this module reaches the browser.

const envSchema = z.object({
  ROUTESCOPE_API_URL: z.url({ protocol: /^https?$/, error: 'ROUTESCOPE_API_URL must be an http(s) URL' }).default('http://127.0.0.1:4000'),
  ROUTESCOPE_READ_TOKEN: z.string().min(16, 'ROUTESCOPE_READ_TOKEN must have at least 16 characters').optional(),
  ROUTESCOPE_DATA_DIR: z.string().min(1).optional(),
});

export interface DashboardConfig {
  apiUrl: string;
  graphqlUrl: string;
  websocketUrl: string;
  /** where the token comes from, for error messages (never the token itself) */
  tokenSource: string;
}

function workspaceRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return resolve(start);
  }
}

function parseEnv() {
  const parsed = envSchema.safeParse({
    ROUTESCOPE_API_URL: process.env.ROUTESCOPE_API_URL || undefined,
    ROUTESCOPE_READ_TOKEN: process.env.ROUTESCOPE_READ_TOKEN || undefined,
    ROUTESCOPE_DATA_DIR: process.env.ROUTESCOPE_DATA_DIR || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiProblemError({ kind: 'no-token', title: 'The dashboard is misconfigured.', detail: issue?.message ?? 'invalid environment' });
  }
  return parsed.data;
}

function tokensFile(dataDir: string | undefined): string {
  return resolve(workspaceRoot(process.cwd()), dataDir ?? '.routescope/data', 'tokens.json');
}

export function dashboardConfig(): DashboardConfig {
  const env = parseEnv();
  const apiUrl = env.ROUTESCOPE_API_URL.replace(/\/+$/, '');
  return {
    apiUrl,
    graphqlUrl: `${apiUrl}/graphql`,
    websocketUrl: `${apiUrl.replace(/^http/, 'ws')}/graphql`,
    tokenSource: env.ROUTESCOPE_READ_TOKEN ? 'ROUTESCOPE_READ_TOKEN' : tokensFile(env.ROUTESCOPE_DATA_DIR),
  };
}

/**
 * The read token: ROUTESCOPE_READ_TOKEN, or the `read` entry of tokens.json that the API writes on
 * first start (read on every call, so a dashboard started before the API picks it up).
 */
export function readToken(): string {
  const env = parseEnv();
  if (env.ROUTESCOPE_READ_TOKEN) return env.ROUTESCOPE_READ_TOKEN;
  const file = tokensFile(env.ROUTESCOPE_DATA_DIR);
  let token: unknown;
  try {
    token = (JSON.parse(readFileSync(file, 'utf8')) as { read?: unknown }).read;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist yet' : 'cannot be read';
    throw new ApiProblemError({
      kind: 'no-token',
      title: 'The dashboard has no read token.',
      detail: `Set ROUTESCOPE_READ_TOKEN, or start the API once so that it writes ${file} (that file ${reason}).`,
    });
  }
  if (typeof token !== 'string' || token.length < 16) {
    throw new ApiProblemError({ kind: 'no-token', title: 'The dashboard has no read token.', detail: `${file} has no valid "read" entry; set ROUTESCOPE_READ_TOKEN.` });
  }
  return token;
}
