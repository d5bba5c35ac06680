import { SetMetadata } from '@nestjs/common';

/** `triage`: silence findings; `probe`: ask for live probes (GraphQL requestProbe); `probe-runner`: pull and answer them (collectors). */
export const SCOPES = ['ingest', 'read', 'triage', 'probe', 'probe-runner', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  tokenId: number;
  tokenName: string;
  scopes: readonly Scope[];
}

export const REQUIRED_SCOPE = 'routescope:required-scope';

/** The scope a handler needs; `admin` tokens pass every check. */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

export function grants(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
