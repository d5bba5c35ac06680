import { z } from 'zod';

/**
 * Everything the API reads from the environment, validated at boot: a bad value stops
 * start-up with a message naming the variable, never a surprise later.
 */
const MAX_CLOCK_SKEW_LIMIT_MS = 86_400_000;
const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `5m`, `300s`, `1h`, `1500ms` or a bare number of seconds, in ms; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 's'];
}

const token = z.string().min(16, 'must be at least 16 characters').optional();

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  ROUTESCOPE_DATA_DIR: z.string().min(1).default('.routescope/data'),
  ROUTESCOPE_INGEST_TOKEN: token,
  ROUTESCOPE_READ_TOKEN: token,
  ROUTESCOPE_ADMIN_TOKEN: token,
  /** largest snapshot accepted, in bytes (a 10,000-node cluster's routes fit in a few MB). */
  ROUTESCOPE_MAX_SNAPSHOT_BYTES: z.coerce.number().int().min(1024).default(32 * 1024 * 1024),
  /** a silence longer than this many reporting intervals is a gap in coverage. */
  ROUTESCOPE_GAP_FACTOR: z.coerce.number().min(1).max(100).default(3),
  ROUTESCOPE_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  /** watch Kubernetes when a kubeconfig or in-cluster config is present (auto), or never (off). */
  ROUTESCOPE_KUBERNETES: z.enum(['off', 'auto']).default('auto'),
  KUBECONFIG: z.string().optional(),
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  KUBERNETES_SERVICE_PORT: z.string().optional(),
  /** closed history (facts, coverage, snapshots, findings) older than this is deleted, hourly, in batches. */
  ROUTESCOPE_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(90),
  /** with several replicas: subscriptions fan out through Redis (redis://host:6379). */
  ROUTESCOPE_REDIS_URL: z.string().regex(/^redis:\/\//, 'must be a redis:// URL').optional(),
  ROUTESCOPE_REDIS_PREFIX: z.string().min(1).default('routescope'),
  /**
   * least time between two cross-node (cluster) evaluations of the checks, in ms: changes that
   * arrive meanwhile are evaluated together, once. Node rules do not wait for it.
   */
  ROUTESCOPE_CHECKS_DEBOUNCE_MS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ message: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(0, 'must be between 0 and 60000 (milliseconds)')
      .max(60000, 'must be between 0 and 60000 (milliseconds)')
      .default(250),
  ),
  /**
   * how far into the future (by the API's clock) a snapshot's takenAt may be: a duration such as
   * `5m`, `300s`, `1h` or `1500ms` (a bare number is seconds), at most a day.
   */
  ROUTESCOPE_MAX_CLOCK_SKEW: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .default('5m')
      .transform((text, ctx) => {
        const ms = parseDuration(text);
        if (ms === undefined || ms > MAX_CLOCK_SKEW_LIMIT_MS) {
          ctx.addIssue({ code: 'custom', message: 'must be a duration between 0 and 24h, such as 5m, 300s or 1500ms' });
          return z.NEVER;
        }
        return ms;
      }),
  ),
  /** Calico's host veth prefix (default `cali`), as felix reads it. */
  FELIX_INTERFACEPREFIX: z.string().optional(),
});

export type ApiConfig = Readonly<{
  port: number;
  host: string;
  database: { url?: string; dataDir: string };
  seedTokens: { ingest?: string; read?: string; admin?: string };
  maxSnapshotBytes: number;
  gapFactor: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  kubernetes: { mode: 'off' | 'auto'; env: Readonly<Record<string, string | undefined>> };
  retentionDays: number;
  redisUrl?: string;
  redisPrefix: string;
  /** ROUTESCOPE_CHECKS_DEBOUNCE_MS */
  checksDebounceMs: number;
  /** ROUTESCOPE_MAX_CLOCK_SKEW, in ms */
  maxClockSkewMs: number;
}>;

export class ConfigError extends Error {}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    database: { url: e.DATABASE_URL, dataDir: e.ROUTESCOPE_DATA_DIR },
    seedTokens: { ingest: e.ROUTESCOPE_INGEST_TOKEN, read: e.ROUTESCOPE_READ_TOKEN, admin: e.ROUTESCOPE_ADMIN_TOKEN },
    maxSnapshotBytes: e.ROUTESCOPE_MAX_SNAPSHOT_BYTES,
    gapFactor: e.ROUTESCOPE_GAP_FACTOR,
    logLevel: e.ROUTESCOPE_LOG_LEVEL,
    retentionDays: e.ROUTESCOPE_RETENTION_DAYS,
    redisUrl: e.ROUTESCOPE_REDIS_URL,
    redisPrefix: e.ROUTESCOPE_REDIS_PREFIX,
    checksDebounceMs: e.ROUTESCOPE_CHECKS_DEBOUNCE_MS,
    maxClockSkewMs: e.ROUTESCOPE_MAX_CLOCK_SKEW,
    kubernetes: {
      mode: e.ROUTESCOPE_KUBERNETES,
      env: { KUBECONFIG: e.KUBECONFIG, KUBERNETES_SERVICE_HOST: e.KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT: e.KUBERNETES_SERVICE_PORT, FELIX_INTERFACEPREFIX: e.FELIX_INTERFACEPREFIX },
    },
  };
}

export const API_CONFIG = Symbol('API_CONFIG');
