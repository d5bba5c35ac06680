import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { AuthService } from './auth.service';
import { REQUIRED_SCOPE, type Principal, type Scope } from './scopes';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** Checks the bearer token of REST and GraphQL requests against the handler's @RequireScope. */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (!scope) return true;
    const request: AuthenticatedRequest =
      context.getType<GqlContextType>() === 'graphql' ? GqlExecutionContext.create(context).getContext().req : context.switchToHttp().getRequest();
    const header = request.headers.authorization;
    request.principal = await this.auth.authorize(Array.isArray(header) ? header[0] : header, scope);
    return true;
  }
}
