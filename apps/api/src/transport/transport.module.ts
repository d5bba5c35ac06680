import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { RateLimiter } from './rate-limiter';

/** The HTTP edge's state: per-token rate-limit counters (the gate itself is express middleware, api-application.ts). */
@Module({ imports: [RedisModule], providers: [RateLimiter], exports: [RateLimiter] })
export class TransportModule {}
