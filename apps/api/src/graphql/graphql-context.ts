import type { Request } from 'express';
import type { AuthenticatedRequest } from '../auth/scope.guard';

export interface GraphqlContext {
  req: AuthenticatedRequest;
}

/** Subscriptions carry the token in graphql-ws connection params instead of a header. */
export function authorizationFromConnectionParams(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

export function buildGraphqlContext(input: { req?: Request; connectionParams?: Record<string, unknown>; extra?: { connectionParams?: Record<string, unknown> } }): GraphqlContext {
  if (input.req) return { req: input.req as unknown as AuthenticatedRequest };
  const params = input.connectionParams ?? input.extra?.connectionParams;
  return { req: { headers: { authorization: authorizationFromConnectionParams(params) } } };
}
