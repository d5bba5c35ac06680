'use server';

import type { Loaded } from '../lib/api-problem';
import { checkCaptureText, load, type CaptureReport } from '../lib/data';
import type { CaptureContextInput } from '../lib/generated/graphql';
import { CAPTURE_MAX_BYTES, formatBytes, utf8Bytes } from './capture-text';

/**
 * The page's only call to the server: a Server Action (POST body, never a URL), which runs the
 * typed GraphQL operation with the dashboard's read token. The text is not logged or kept.
 */
export async function checkCaptureAction(text: unknown, context: CaptureContextInput | null = null): Promise<Loaded<CaptureReport>> {
  if (typeof text !== 'string' || text.trim() === '') {
    return { ok: false, problem: { kind: 'bad-input', title: 'Nothing to check.', detail: 'Paste the terminal output of a ticket (ip route, tcpdump -e, calicoctl node status…) first.' } };
  }
  const bytes = utf8Bytes(text);
  if (bytes > CAPTURE_MAX_BYTES) {
    return {
      ok: false,
      problem: { kind: 'bad-input', title: 'The capture is too large.', detail: `It has ${formatBytes(bytes)}; the API checks at most ${formatBytes(CAPTURE_MAX_BYTES)}. Paste the sections that matter.` },
    };
  }
  // The API checks the context field by field (its message names the field); typed input only reaches it as GraphQL variables.
  return load(() => checkCaptureText(text, context));
}
