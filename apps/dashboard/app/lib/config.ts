import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ApiProblemError } from './api-problem';

// Server-side configuration; nothing in this module reaches the browser. The dashboard calls the
// API with the token of whoever signed in (app/lib/request-auth.ts). It holds a read token of its
// own only when it trusts an authenticating proxy (ROUTESCOPE_DASHBOARD_TRUSTED_HEADER).

const envSchema = z.object({
  ROUTESCOPE_API_URL: z.url({ protocol: /^https?$/, error: 'ROUTESCOPE_API_URL must be an http(s) URL' }).default('http://127.0.0.1:4000'),
  ROUTESCOPE_READ_TOKEN: z.string().min(16, 'ROUTESCOPE_READ_TOKEN must have at least 16 characters').optional(),
  ROUTESCOPE_DATA_DIR: z.string().min(1).optional(),
  ROUTESCOPE_DASHBOARD_TRUSTED_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'ROUTESCOPE_DASHBOARD_TRUSTED_HEADER must be an HTTP header name, e.g. X-Forwarded-User')
    .transform((h) => h.toLowerCase())
    .optional(),
  ROUTESCOPE_DASHBOARD_SESSION_SECRET: z
    .string()
    .min(32, 'ROUTESCOPE_DASHBOARD_SESSION_SECRET must have at least 32 characters')
    // the .env.example and Secret example values must never seal real sessions
    .refine((secret) => !/change-?me|placeholder/i.test(secret), 'ROUTESCOPE_DASHBOARD_SESSION_SECRET is a placeholder: generate one, e.g. openssl rand -base64 32')
    .optional(),
});

export interface DashboardConfig {
  apiUrl: string;
  graphqlUrl: string;
  websocketUrl: string;
  /** where the dashboard's own token comes from (proxy mode), for error messages (never the token itself) */
  tokenSource: string;
  /** lower-case header name set by a trusted authenticating proxy; undefined: sign-in only */
  trustedHeader?: string;
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
    ROUTESCOPE_DASHBOARD_TRUSTED_HEADER: process.env.ROUTESCOPE_DASHBOARD_TRUSTED_HEADER || undefined,
    ROUTESCOPE_DASHBOARD_SESSION_SECRET: process.env.ROUTESCOPE_DASHBOARD_SESSION_SECRET || undefined,
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
    trustedHeader: env.ROUTESCOPE_DASHBOARD_TRUSTED_HEADER,
  };
}

// One per process, shared by every bundle of it (proxy, route handlers, pages) through globalThis.
const processSecret = globalThis as unknown as { routescopeSessionSecret?: string };

/**
 * The key sessions are sealed with: ROUTESCOPE_DASHBOARD_SESSION_SECRET, or one generated for this
 * process (then a restart signs everybody out, and several dashboard replicas need the variable).
 */
export function sessionSecret(): string {
  const configured = parseEnv().ROUTESCOPE_DASHBOARD_SESSION_SECRET;
  if (configured) return configured;
  processSecret.routescopeSessionSecret ??= randomBytes(32).toString('base64url');
  return processSecret.routescopeSessionSecret;
}

/**
 * The dashboard's own read token, used only for requests that carry the trusted proxy's header:
 * ROUTESCOPE_READ_TOKEN, or the `read` entry of tokens.json that the API writes on first start.
 */
export function proxyReadToken(): string {
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
      detail: `It trusts ${env.ROUTESCOPE_DASHBOARD_TRUSTED_HEADER ?? 'a proxy'}: set ROUTESCOPE_READ_TOKEN, or start the API once so that it writes ${file} (that file ${reason}).`,
    });
  }
  if (typeof token !== 'string' || token.length < 16) {
    throw new ApiProblemError({ kind: 'no-token', title: 'The dashboard has no read token.', detail: `${file} has no valid "read" entry; set ROUTESCOPE_READ_TOKEN.` });
  }
  return token;
}
