/**
 * Polls `probe` until it gives a value other than undefined (a thrown error counts as "not yet"),
 * and fails after `timeoutMs` naming what it waited for: a test waits for the event, never for a
 * fixed time. The last error is kept as the failure's cause.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    const value = await Promise.resolve()
      .then(probe)
      .catch((error: unknown) => {
        lastError = error;
        return undefined;
      });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
