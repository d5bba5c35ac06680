import { Module } from '@nestjs/common';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Deletes history older than ROUTESCOPE_RETENTION_DAYS (90 by default) on an hourly timer. */
@Module({ providers: [RetentionService, RetentionRepository], exports: [RetentionService] })
export class RetentionModule {}
