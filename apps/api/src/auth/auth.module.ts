import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthService } from './auth.service';
import { ScopeGuard } from './scope.guard';
import { TokenRepository } from './token.repository';

@Module({
  providers: [TokenRepository, AuthService, { provide: APP_GUARD, useClass: ScopeGuard }],
  exports: [AuthService, TokenRepository],
})
export class AuthModule {}
