import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { RedisClient, type RedisReply } from './redis-client';

/**
 * The Redis commands the API sends outside pub/sub (rate-limit counters, the readiness ping).
 * One method, so that users do not depend on the client library (RedisClient, over ioredis).
 */
export interface RedisCommands {
  command(args: readonly (string | number)[]): Promise<RedisReply>;
}

/** `RedisCommands | undefined`: undefined when ROUTESCOPE_REDIS_URL is not set. */
export const REDIS_COMMANDS = Symbol('REDIS_COMMANDS');

@Module({
  providers: [{ provide: REDIS_COMMANDS, inject: [API_CONFIG], useFactory: (config: ApiConfig) => (config.redisUrl ? new RedisClient({ url: config.redisUrl }) : undefined) }],
  exports: [REDIS_COMMANDS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_COMMANDS) private readonly redis: RedisCommands | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis instanceof RedisClient) await this.redis.close();
  }
}
