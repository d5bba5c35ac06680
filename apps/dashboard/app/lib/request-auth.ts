import 'server-only';
import { cookies, headers } from 'next/headers';
import { dashboardConfig, proxyReadToken, sessionSecret } from './config';
import { openSession, SESSION_COOKIE } from './session-cookie';

export interface RequestAuth {
  /** the token the API is called with */
  token: string;
  /** session: the user signed in with it; proxy: the trusted proxy authenticated the user, the dashboard's own token */
  via: 'session' | 'proxy';
}

/**
 * Who this request is: a request carrying the trusted proxy's header (only when
 * ROUTESCOPE_DASHBOARD_TRUSTED_HEADER is set) uses the dashboard's own read token; otherwise the
 * sealed session cookie gives the token the user signed in with. Undefined: not signed in.
 */
export async function requestAuth(): Promise<RequestAuth | undefined> {
  const config = dashboardConfig();
  if (config.trustedHeader && (await headers()).get(config.trustedHeader)) return { token: proxyReadToken(), via: 'proxy' };
  const session = await openSession((await cookies()).get(SESSION_COOKIE)?.value, sessionSecret());
  return session ? { token: session.token, via: 'session' } : undefined;
}
