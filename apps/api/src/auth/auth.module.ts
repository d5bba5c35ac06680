import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DatabaseModule } from '../database/database.module';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { AuthService } from './auth.service';
import { ScopeGuard } from './scope.guard';
import { TokenAdminService } from './token-admin.service';
import { TokenHasher } from './token-hash';
import { TokenRepository } from './token.repository';
import { TokenRevocations } from './token-revocations';
import { TokensResolver } from './tokens.resolver';

/** The HMAC key: ROUTESCOPE_TOKEN_SECRET, or the one the first replica generated into the database. */
const tokenHasher = {
  provide: TokenHasher,
  inject: [API_CONFIG, TokenRepository],
  useFactory: async (config: ApiConfig, tokens: TokenRepository) => new TokenHasher(config.tokenSecret ?? (await tokens.serverSecret('token-hmac'))),
};

@Module({
  imports: [DatabaseModule],
  providers: [TokenRepository, tokenHasher, TokenRevocations, AuthService, TokenAdminService, TokensResolver, { provide: APP_GUARD, useClass: ScopeGuard }],
  exports: [AuthService, TokenRepository, TokenHasher, TokenAdminService, TokenRevocations],
})
export class AuthModule {}
