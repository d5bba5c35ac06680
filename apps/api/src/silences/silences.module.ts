import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { FindingSilenceResolver, SilencesResolver } from './silences.resolver';
import { SilencesRepository } from './silences.repository';
import { SilencesService } from './silences.service';

/**
 * Triage: silences acknowledge a group of findings with a reason and an expiry. They change
 * nothing the checks evaluate; findings show the silence that covers them (Finding.silencedBy)
 * and the findings queries filter and count by it (silences.repository's SQL conditions).
 */
@Module({
  imports: [DatabaseModule],
  providers: [SilencesRepository, SilencesService, SilencesResolver, FindingSilenceResolver],
})
export class SilencesModule {}
