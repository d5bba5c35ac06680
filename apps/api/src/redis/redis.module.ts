import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { RedisConnection, type RespValue } from '../events/redis-connection';

/**
 * The Redis commands the API sends outside pub/sub (rate-limit counters, the readiness ping).
 * Kept to one method so that another client can replace RedisConnection without touching users.
 */
export interface RedisCommands {
  command(args: readonly (string | number)[]): Promise<RespValue>;
}

/** `RedisCommands | undefined`: undefined when ROUTESCOPE_REDIS_URL is not set. */
export const REDIS_COMMANDS = Symbol('REDIS_COMMANDS');

@Global()
@Module({
  providers: [{ provide: REDIS_COMMANDS, inject: [API_CONFIG], useFactory: (config: ApiConfig) => (config.redisUrl ? new RedisConnection({ url: config.redisUrl }) : undefined) }],
  exports: [REDIS_COMMANDS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_COMMANDS) private readonly redis: RedisCommands | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis instanceof RedisConnection) await this.redis.close();
  }
}
