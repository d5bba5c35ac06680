import { NextResponse } from 'next/server';
import { isHttps, seeOther, SESSION_COOKIE } from '../../../lib/session-cookie';

// POST /api/session/sign-out: forgets the session cookie (the token itself stays valid in the API;
// revoke it there to end its use everywhere).

export const dynamic = 'force-dynamic';

export function POST(request: Request): Response {
  const response = new NextResponse(null, seeOther('/sign-in?signed-out=1'));
  response.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: isHttps(request), path: '/', maxAge: 0 });
  return response;
}
