import { NextResponse, type NextRequest } from 'next/server';
import { dashboardConfig, sessionSecret } from './app/lib/config';
import { openSession, SESSION_COOKIE } from './app/lib/session-cookie';

// Every page and API route needs a signed-in user (a valid session cookie) or, when the dashboard
// trusts an authenticating proxy, that proxy's header. Pages redirect to /sign-in (and back
// afterwards); API routes answer 401. The sign-in page, its form target and the health check are
// open, as are the static assets.

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const config = dashboardConfig();
  if (config.trustedHeader && request.headers.get(config.trustedHeader)) return NextResponse.next();
  if (await openSession(request.cookies.get(SESSION_COOKIE)?.value, sessionSecret())) return NextResponse.next();
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) return NextResponse.json({ error: 'UNAUTHENTICATED', message: 'sign in first (/sign-in)' }, { status: 401 });
  // Next.js sends a redirect to its own origin as a relative Location: the browser keeps its host.
  const signIn = request.nextUrl.clone();
  signIn.pathname = '/sign-in';
  signIn.search = pathname === '/' && !search ? '' : `?${new URLSearchParams({ next: `${pathname}${search}` })}`;
  return NextResponse.redirect(signIn, 303);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|icon\\.svg|favicon\\.ico|sign-in|api/session|api/healthz).*)'],
};
