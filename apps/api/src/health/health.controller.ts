import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Database } from '@routescope/db';
import type { Response } from 'express';
import { ClusterLeadership, type LeadershipStatus } from '../checks/cluster-leadership.service';
import { DATABASE } from '../database/database.module';
import { OPENAPI_SCHEMAS, schemaRef } from '../openapi/openapi-document';
import { REDIS_COMMANDS, type RedisCommands } from '../redis/redis.module';

export type Dependency = 'database' | 'redis';

export interface Readiness {
  status: 'ready' | 'not ready';
  /** the database kind (postgres or pglite) */
  database: string;
  /** each dependency's verdict; redis only when ROUTESCOPE_REDIS_URL is set */
  checks: Partial<Record<Dependency, 'ok' | 'unreachable' | 'migrations pending'>>;
  /** the dependencies that failed, when not ready */
  failed?: Dependency[];
  pendingMigrations?: string[];
}

/** A dependency slower than this is not ready (a probe must answer before its own timeout). */
const PROBE_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller()
export class HealthController {
  private readonly logger = new Logger(HealthController.name);
  private readonly lastFailure = new Map<Dependency, string>();

  private leadership?: ClusterLeadership;

  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(REDIS_COMMANDS) private readonly redis: RedisCommands | undefined,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Liveness: the process answers; and whether this replica evaluates the cross-node rules (no database query). */
  @Get('healthz')
  @ApiOperation({ operationId: 'healthz', summary: 'Liveness: the process answers (no token); `checks` says whether this replica is the one evaluating the cross-node rules' })
  @ApiResponse({
    status: 200,
    description: 'alive',
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string', enum: ['ok'] },
            checks: {
              type: 'object',
              description: 'the cross-node checks: this replica leads (evaluates them) or follows',
              required: ['role', 'replica'],
              properties: {
                role: { type: 'string', enum: ['leader', 'follower'] },
                replica: { type: 'string', description: 'this replica (host:pid)' },
                term: { type: 'string', description: 'the election term, while it leads' },
                since: { type: 'string', format: 'date-time', description: 'when it was elected, while it leads' },
              },
            },
          },
        },
      },
    },
  })
  healthz(): { status: 'ok'; checks?: LeadershipStatus } {
    // ChecksModule is the root's (a dynamic module): looked up, not imported, like the metrics do.
    try {
      this.leadership ??= this.moduleRef.get(ClusterLeadership, { strict: false });
    } catch {
      // an application without the checks (some tests)
    }
    return { status: 'ok', checks: this.leadership?.status() };
  }

  /**
   * Readiness: the database answers with every migration applied, and Redis answers when one is
   * configured. /readyz needs no token, so it names what failed but never the error's text (which
   * can carry hosts, users and SQL); the text goes to the API's log.
   */
  @Get('readyz')
  @ApiOperation({ operationId: 'readyz', summary: 'Readiness: the database (and Redis when configured) answers, every migration applied (no token)' })
  @ApiResponse({ status: 200, description: 'ready', content: { 'application/json': { schema: schemaRef(OPENAPI_SCHEMAS.readiness) } } })
  @ApiResponse({ status: 503, description: 'not ready: `failed` names the dependencies', content: { 'application/json': { schema: schemaRef(OPENAPI_SCHEMAS.readiness) } } })
  async readyz(@Res({ passthrough: true }) response: Response): Promise<Readiness> {
    const checks: Readiness['checks'] = {};
    let pendingMigrations: string[] | undefined;
    const redisClient = this.redis;
    const [database, redis] = await Promise.all([
      this.probe('database', () => this.database.status()),
      redisClient ? this.probe('redis', () => redisClient.command(['PING'])) : undefined,
    ]);
    if (database.ok) {
      pendingMigrations = database.value.pending.length > 0 ? database.value.pending : undefined;
      checks.database = pendingMigrations ? 'migrations pending' : 'ok';
    } else {
      checks.database = 'unreachable';
    }
    if (redis) checks.redis = redis.ok ? 'ok' : 'unreachable';
    const failed = (Object.keys(checks) as Dependency[]).filter((name) => checks[name] !== 'ok');
    if (failed.length === 0) return { status: 'ready', database: this.database.kind, checks };
    response.status(503);
    return { status: 'not ready', database: this.database.kind, checks, failed, ...(pendingMigrations ? { pendingMigrations } : {}) };
  }

  private async probe<T>(dependency: Dependency, check: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      });
      const value = await Promise.race([check(), timeout]);
      this.lastFailure.delete(dependency);
      return { ok: true, value };
    } catch (error) {
      const message = (error as Error).message;
      // Once per distinct failure: a probe every few seconds must not flood the log.
      if (this.lastFailure.get(dependency) !== message) this.logger.warn(`readiness: ${dependency} failed: ${message}`);
      this.lastFailure.set(dependency, message);
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }
}
