/**
 * @jest-environment node
 */
import { openSession, safeNextPath, sealSession } from './session-cookie';

const SECRET = 'a-session-secret-of-thirty-two-characters';
const token = 'rs_read_0123456789abcdef0123456789abcdef';

describe('the session cookie', () => {
  it('gives back the token it sealed, and does not show it', async () => {
    const sealed = await sealSession({ token, expiresAt: Date.now() + 60_000 }, SECRET);
    expect(sealed).not.toContain(token);
    expect(Buffer.from(sealed.split('.')[1], 'base64url').toString('latin1')).not.toContain('rs_read');
    expect((await openSession(sealed, SECRET))?.token).toBe(token);
  });

  it('is refused when sealed with another secret, altered, or expired', async () => {
    const sealed = await sealSession({ token, expiresAt: Date.now() + 60_000 }, SECRET);
    expect(await openSession(sealed, `${SECRET}-other`)).toBeUndefined();
    const [iv, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(await openSession(`${iv}.${flipped.toString('base64url')}`, SECRET)).toBeUndefined();
    expect(await openSession(token, SECRET)).toBeUndefined();
    expect(await openSession(undefined, SECRET)).toBeUndefined();
    const expired = await sealSession({ token, expiresAt: 1000 }, SECRET);
    expect(await openSession(expired, SECRET, 1000)).toBeUndefined();
    expect((await openSession(expired, SECRET, 999))?.token).toBe(token);
  });
});

describe('where sign-in goes next', () => {
  it.each([
    ['/nodes/node-a?at=2026-12-06T09:00:00Z', '/nodes/node-a?at=2026-12-06T09:00:00Z'],
    ['/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['nodes', '/'],
    [undefined, '/'],
  ])('%j goes to %j', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});
