// The paste travels only inside the browser: compressed into the URL fragment (browsers never
// send `#…` to a server, so it reaches no server log) and kept in local storage as a draft.

/** `#capture=<base64url of deflate-raw UTF-8>` */
export const FRAGMENT_KEY = 'capture';
/** Local-storage keys of the last paste and its IP pools (this browser only). */
export const STORAGE_KEY = 'routescope.capture.text';
export const POOLS_STORAGE_KEY = 'routescope.capture.pools';
/** Above this many characters a link may be cut by chat tools and ticket systems: the page says so. */
export const LONG_LINK_CHARS = 32_000;

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Written and closed while the output is read: awaiting the write first could block on backpressure.
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  // A corrupt input fails the read below; the write's rejection is the same error, seen there.
  written.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  await written;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('the link’s capture is not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The fragment (without `#`) that carries `text`, and `extra` parameters (empty ones left out). */
export async function encodeCaptureFragment(text: string, extra: Record<string, string> = {}): Promise<string> {
  const compressed = await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
  const rest = new URLSearchParams(Object.entries(extra).filter(([, value]) => value !== '')).toString();
  return `${FRAGMENT_KEY}=${toBase64Url(compressed)}${rest ? `&${rest}` : ''}`;
}

/** One parameter of the fragment besides the capture (null when absent). */
export function fragmentParam(hash: string, key: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get(key);
}

/**
 * The text a fragment carries: undefined when the fragment has no capture, an Error (said
 * plainly) when it has one that cannot be read (cut short, edited).
 */
export async function decodeCaptureFragment(hash: string): Promise<string | Error | undefined> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const value = params.get(FRAGMENT_KEY);
  if (value === null || value === '') return undefined;
  try {
    const bytes = await pipe(fromBase64Url(value), new DecompressionStream('deflate-raw'));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new Error('The capture in this link could not be read: the link may have been cut short. Ask for the link again, or paste the output.');
  }
}
