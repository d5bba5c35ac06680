// The sign-in session: the read token the user pasted, sealed (AES-256-GCM, key derived from the
// server's session secret) into an httpOnly cookie, so the browser holds it without being able to
// read or alter it, and the dashboard server holds no token of its own. Web Crypto, so that the
// same code runs in proxy.ts and in route handlers.

export const SESSION_COOKIE = 'routescope_session';
/** A session lasts this long, then the user signs in again. */
export const SESSION_HOURS = 12;

export interface Session {
  token: string;
  /** ms since epoch */
  expiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

function key(secret: string): Promise<CryptoKey> {
  let found = keys.get(secret);
  if (!found) {
    found = crypto.subtle.digest('SHA-256', encoder.encode(`routescope-dashboard-session:${secret}`)).then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
    keys.set(secret, found);
  }
  return found;
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export async function sealSession(session: Session, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await key(secret), encoder.encode(JSON.stringify({ t: session.token, e: session.expiresAt }))));
  return `${toBase64Url(iv)}.${toBase64Url(sealed)}`;
}

/** The session in a cookie value, or undefined when it is not one of ours (other secret, altered) or has expired. */
export async function openSession(value: string | undefined, secret: string, now = Date.now()): Promise<Session | undefined> {
  if (!value || value.length > 4096) return undefined;
  const [iv, sealed] = value.split('.');
  if (!iv || !sealed) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: Buffer.from(iv, 'base64url') }, await key(secret), Buffer.from(sealed, 'base64url'));
    const parsed = JSON.parse(decoder.decode(plain)) as { t?: unknown; e?: unknown };
    if (typeof parsed.t !== 'string' || typeof parsed.e !== 'number' || parsed.e <= now) return undefined;
    return { token: parsed.t, expiresAt: parsed.e };
  } catch {
    return undefined;
  }
}

/** Secure when the browser reached us over https (directly, or through a proxy that says so). */
export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** Where to go after signing in: a path of this dashboard, never another site. */
export function safeNextPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && value.length <= 2048 ? value : '/';
}

/**
 * A 303 to a path of this dashboard, as a relative Location: the browser stays on the host it
 * used (request.url names the host Next.js was started with, which may not be that one, and the
 * session cookie belongs to the host the browser used).
 */
export function seeOther(path: string): ResponseInit {
  return { status: 303, headers: { location: path } };
}
