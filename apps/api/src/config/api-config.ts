import { z } from 'zod';
import { placeholderProblem } from '../auth/token-placeholder';

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


/** a secret from the environment: long enough, and not a template's placeholder (deploy/k8s/secret.example.yaml) */
const secret = (minLength: number) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = placeholderProblem(value, minLength);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional();
const token = secret(16);

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
  /** the HMAC key tokens are stored under; unset: one generated into the database (auth/token-hash.ts) */
  ROUTESCOPE_TOKEN_SECRET: secret(32),
  /** how long a replica trusts a valid token without asking the database: the revocation delay on other replicas without Redis */
  ROUTESCOPE_TOKEN_CACHE_SECONDS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be between 0 and 3600 (seconds)')
      .max(3600, 'must be between 0 and 3600 (seconds)')
      .default(5),
  ),
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
  /**
   * snapshot records (idempotency of re-posted snapshots, provenance) older than this are deleted;
   * at most ROUTESCOPE_RETENTION_DAYS (the facts, coverage and findings stay for that long).
   * Default 7, or ROUTESCOPE_RETENTION_DAYS when that is shorter.
   */
  ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: z.coerce.number().min(1).max(3650).optional(),
  /** with several replicas: subscriptions, revocations and rate-limit counters go through Redis (redis://host:6379, rediss:// for TLS). */
  ROUTESCOPE_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// (TLS) URL').optional(),
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
  /** largest GraphQL request body, in bytes (a query is text: the dashboard's largest is under 4 KB). */
  // 2 MiB: a checkCapture text of up to 1 MiB (its own limit) still fits once escaped in JSON.
  ROUTESCOPE_GRAPHQL_MAX_BODY_BYTES: count('bytes', 1024, 64 * 1024 * 1024, 2 * 1024 * 1024),
  /** cost budget of one GraphQL operation (graphql/query-cost.ts says how a query is costed). */
  ROUTESCOPE_GRAPHQL_MAX_COST: count('cost points', 100, 100_000_000, 500_000),
  /** largest GraphQL response, in bytes: a bigger result is answered with RESPONSE_TOO_LARGE. */
  ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES: count('bytes', 64 * 1024, 1024 * 1024 * 1024, 32 * 1024 * 1024),
  /** schema introspection and "Did you mean …" suggestions (for a read token); false turns both off. */
  ROUTESCOPE_GRAPHQL_INTROSPECTION: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
  /** requests per token per window on POST /api/v1/snapshots (0: no limit). */
  ROUTESCOPE_RATE_LIMIT_INGEST: count('requests', 0, 100_000_000, 20_000),
  /** requests per token per window on /graphql (0: no limit). */
  ROUTESCOPE_RATE_LIMIT_GRAPHQL: count('requests', 0, 100_000_000, 6_000),
  /** serve /metrics on this port instead of the API's (unset: GET /metrics on PORT). */
  ROUTESCOPE_METRICS_PORT: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number({ message: 'must be a port number' }).int('must be a port number').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535').optional()),
  /** when set, a /metrics scrape must send it as a bearer token. */
  ROUTESCOPE_METRICS_TOKEN: token,
  /** json (default when stdout is not a terminal) or pretty (default on a terminal). */
  ROUTESCOPE_LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional(),
  /** the rate-limit window, in seconds. */
  ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS: count('seconds', 1, 3600, 60),
  /** requests per token per window on /api/v1/probes/* (each collector long-polls about 2.4 times a minute; one token may serve 1,000 nodes) */
  ROUTESCOPE_RATE_LIMIT_PROBES: count('requests', 0, 100_000_000, 20_000),
  /** a probe nobody pulled for this long is `expired` (probes/probe-lifecycle.ts) */
  ROUTESCOPE_PROBE_QUEUE_SECONDS: count('seconds', 1, 3600, 60),
});

/** A whole number in [min, max] with a message naming the unit; an empty value takes the default. */
function count(unit: string, min: number, max: number, fallback: number) {
  const range = `must be between ${min} and ${max} (${unit})`;
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce.number({ message: `must be a number of ${unit}` }).int(`must be a whole number of ${unit}`).min(min, range).max(max, range).default(fallback),
  );
}

export type ApiConfig = Readonly<{
  port: number;
  host: string;
  database: { url?: string; dataDir: string };
  seedTokens: { ingest?: string; read?: string; admin?: string };
  /** ROUTESCOPE_TOKEN_SECRET */
  tokenSecret?: string;
  /** ROUTESCOPE_TOKEN_CACHE_SECONDS */
  tokenCacheSeconds: number;
  maxSnapshotBytes: number;
  gapFactor: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  kubernetes: { mode: 'off' | 'auto'; env: Readonly<Record<string, string | undefined>> };
  retentionDays: number;
  /** ROUTESCOPE_SNAPSHOT_RETENTION_DAYS (≤ retentionDays) */
  snapshotRetentionDays: number;
  redisUrl?: string;
  redisPrefix: string;
  /** ROUTESCOPE_CHECKS_DEBOUNCE_MS */
  checksDebounceMs: number;
  graphql: {
    /** ROUTESCOPE_GRAPHQL_MAX_BODY_BYTES */
    maxBodyBytes: number;
    /** ROUTESCOPE_GRAPHQL_MAX_COST */
    maxCost: number;
    /** ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES */
    maxResponseBytes: number;
    /** ROUTESCOPE_GRAPHQL_INTROSPECTION */
    introspection: boolean;
  };
  /** ROUTESCOPE_METRICS_PORT, ROUTESCOPE_METRICS_TOKEN */
  metrics: { port?: number; token?: string };
  /** ROUTESCOPE_LOG_FORMAT; unset: pretty on a terminal, else json */
  logFormat: 'json' | 'pretty';
  /** requests per token per window (0: unlimited); ROUTESCOPE_RATE_LIMIT_* */
  rateLimits: { ingest: number; graphql: number; probes: number; windowSeconds: number };
  /** ROUTESCOPE_PROBE_QUEUE_SECONDS */
  probes: { queueSeconds: number };
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
  if (e.ROUTESCOPE_SNAPSHOT_RETENTION_DAYS !== undefined && e.ROUTESCOPE_SNAPSHOT_RETENTION_DAYS > e.ROUTESCOPE_RETENTION_DAYS) {
    throw new ConfigError(
      `invalid configuration:\n  ROUTESCOPE_SNAPSHOT_RETENTION_DAYS: must be at most ROUTESCOPE_RETENTION_DAYS (${e.ROUTESCOPE_RETENTION_DAYS}): snapshot records are kept for a window shorter than the history they belong to`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    database: { url: e.DATABASE_URL, dataDir: e.ROUTESCOPE_DATA_DIR },
    seedTokens: { ingest: e.ROUTESCOPE_INGEST_TOKEN, read: e.ROUTESCOPE_READ_TOKEN, admin: e.ROUTESCOPE_ADMIN_TOKEN },
    tokenSecret: e.ROUTESCOPE_TOKEN_SECRET,
    tokenCacheSeconds: e.ROUTESCOPE_TOKEN_CACHE_SECONDS,
    maxSnapshotBytes: e.ROUTESCOPE_MAX_SNAPSHOT_BYTES,
    gapFactor: e.ROUTESCOPE_GAP_FACTOR,
    logLevel: e.ROUTESCOPE_LOG_LEVEL,
    retentionDays: e.ROUTESCOPE_RETENTION_DAYS,
    snapshotRetentionDays: e.ROUTESCOPE_SNAPSHOT_RETENTION_DAYS ?? Math.min(7, e.ROUTESCOPE_RETENTION_DAYS),
    redisUrl: e.ROUTESCOPE_REDIS_URL,
    redisPrefix: e.ROUTESCOPE_REDIS_PREFIX,
    checksDebounceMs: e.ROUTESCOPE_CHECKS_DEBOUNCE_MS,
    graphql: {
      maxBodyBytes: e.ROUTESCOPE_GRAPHQL_MAX_BODY_BYTES,
      maxCost: e.ROUTESCOPE_GRAPHQL_MAX_COST,
      maxResponseBytes: e.ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES,
      introspection: e.ROUTESCOPE_GRAPHQL_INTROSPECTION === 'true',
    },
    metrics: { port: e.ROUTESCOPE_METRICS_PORT, token: e.ROUTESCOPE_METRICS_TOKEN },
    logFormat: e.ROUTESCOPE_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    rateLimits: { ingest: e.ROUTESCOPE_RATE_LIMIT_INGEST, graphql: e.ROUTESCOPE_RATE_LIMIT_GRAPHQL, probes: e.ROUTESCOPE_RATE_LIMIT_PROBES, windowSeconds: e.ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS },
    probes: { queueSeconds: e.ROUTESCOPE_PROBE_QUEUE_SECONDS },
    maxClockSkewMs: e.ROUTESCOPE_MAX_CLOCK_SKEW,
    kubernetes: {
      mode: e.ROUTESCOPE_KUBERNETES,
      env: { KUBECONFIG: e.KUBECONFIG, KUBERNETES_SERVICE_HOST: e.KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT: e.KUBERNETES_SERVICE_PORT, FELIX_INTERFACEPREFIX: e.FELIX_INTERFACEPREFIX },
    },
  };
}

export const API_CONFIG = Symbol('API_CONFIG');
