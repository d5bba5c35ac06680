import { NextResponse } from 'next/server';
import { z } from 'zod';
import { dashboardConfig, sessionSecret } from '../../lib/config';
import { isHttps, safeNextPath, sealSession, seeOther, SESSION_COOKIE, SESSION_HOURS } from '../../lib/session-cookie';

// POST /api/session (the sign-in form): checks the pasted token against the API with a query that
// needs the read scope, then seals it into the session cookie and goes where the user was headed.
// Any refusal goes back to the sign-in page with a reason code (never the token).

export const dynamic = 'force-dynamic';

const form = z.object({
  token: z.string().trim().min(1, 'empty').max(1024, 'too-long').regex(/^\S+$/, 'malformed'),
  next: z.string().optional(),
});

const VALIDATE = 'query SignInCheck { rules { __typename } }';

export async function POST(request: Request): Promise<Response> {
  // A cross-site form must not sign a browser in with someone else's token.
  const origin = request.headers.get('origin');
  if (origin && origin !== 'null' && new URL(origin).host !== (request.headers.get('host') ?? new URL(request.url).host)) {
    return NextResponse.json({ error: 'FORBIDDEN', message: 'cross-site sign-in refused' }, { status: 403 });
  }
  const data = await request.formData().catch(() => undefined);
  const next = safeNextPath(data?.get('next'));
  const back = (reason: string) => new Response(null, seeOther(`/sign-in?${new URLSearchParams(next === '/' ? { error: reason } : { error: reason, next })}`));
  const parsed = form.safeParse({ token: data?.get('token') ?? '', next: data?.get('next') ?? undefined });
  if (!parsed.success) return back(parsed.error.issues[0]?.message ?? 'malformed');

  const verdict = await check(parsed.data.token);
  if (verdict !== 'ok') return back(verdict);
  const expiresAt = Date.now() + SESSION_HOURS * 3_600_000;
  const response = new NextResponse(null, seeOther(next));
  response.cookies.set(SESSION_COOKIE, await sealSession({ token: parsed.data.token, expiresAt }, sessionSecret()), {
    httpOnly: true,
    sameSite: 'strict',
    secure: isHttps(request),
    path: '/',
    maxAge: SESSION_HOURS * 3600,
  });
  return response;
}

/** ok, or why the API would not let this token read: rejected (unknown, revoked, expired), scope, unreachable. */
async function check(token: string): Promise<'ok' | 'rejected' | 'scope' | 'unreachable'> {
  let body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  try {
    const response = await fetch(dashboardConfig().graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VALIDATE }),
      signal: AbortSignal.timeout(10_000),
      cache: 'no-store',
    });
    body = (await response.json()) as typeof body;
  } catch {
    return 'unreachable';
  }
  const code = body.errors?.[0]?.extensions?.code;
  if (!code && body.data) return 'ok';
  return code === 'FORBIDDEN' ? 'scope' : code === 'UNAUTHENTICATED' ? 'rejected' : 'unreachable';
}
