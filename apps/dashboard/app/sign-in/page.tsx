import type { Metadata } from 'next';
import { dashboardConfig } from '../lib/config';
import { safeNextPath } from '../lib/session-cookie';

export const metadata: Metadata = { title: 'Sign in' };

const REASONS: Record<string, string> = {
  empty: 'Paste a read token first.',
  'too-long': 'That is longer than any Routescope token.',
  malformed: 'A token is one word, without spaces.',
  rejected: 'The API does not accept this token: it is wrong, revoked or expired.',
  scope: 'This token may not read: it lacks the read scope (an ingest-only token cannot sign in).',
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const error = typeof params.error === 'string' ? params.error : undefined;
  const next = safeNextPath(params.next);
  const reason = error === 'unreachable' ? `The API at ${dashboardConfig().apiUrl} did not answer; try again when it is up.` : error ? (REASONS[error] ?? 'The token could not be checked.') : undefined;
  return (
    <div className="sign-in">
      <h1>Sign in</h1>
      <p>
        Paste an API token with the <strong>read</strong> scope. The dashboard checks it with the API and keeps it in an encrypted, httpOnly session cookie for 12 hours; it
        holds no token of its own.
      </p>
      {params['signed-out'] ? <p role="status">You are signed out.</p> : null}
      {reason ? (
        <p className="notice bad" role="alert" id="sign-in-error">
          {reason}
        </p>
      ) : null}
      <form method="post" action="/api/session" className="sign-in-form">
        <input type="hidden" name="next" value={next} />
        <label htmlFor="token">Read token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} required aria-describedby={reason ? 'sign-in-error token-help' : 'token-help'} />
        <p id="token-help" className="card-note">
          With <code>npm start</code>: the <code>read</code> entry of <code>.routescope/data/tokens.json</code>, or the value of <code>ROUTESCOPE_READ_TOKEN</code>. An
          operator can make one with <code>routescope-admin tokens create NAME --scopes read</code>.
        </p>
        <button type="submit">Sign in</button>
      </form>
    </div>
  );
}
