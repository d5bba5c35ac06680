import type { IncomingMessage } from 'node:http';
import { TransportError, TransportErrorCode } from './transport.errors';

/** The body ended before it was complete: the client went away, nobody is left to answer. */
export class BodyAborted extends Error {}

/**
 * Reads a JSON body of at most `limit` bytes. It stops at the first byte over the limit (the
 * caller answers 413 and discards the rest, bounded) instead of reading to the end first, as
 * body-parser does before it reports an oversized chunked body.
 */
export function readJsonBody(request: IncomingMessage, limit: number, tooLarge: () => Error): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Nothing more is read until the caller decides how much of the rest to discard.
        request.pause();
        finish(() => reject(tooLarge()));
      }
      else chunks.push(chunk);
    };
    const onEnd = () =>
      finish(() => {
        const text = Buffer.concat(chunks, size).toString('utf8');
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(new TransportError(TransportErrorCode.InvalidJson, `the body is not valid JSON: ${(error as Error).message}`));
        }
      });
    const onAbort = () => finish(() => reject(new BodyAborted('the client closed the connection before the body was complete')));
    const onClose = () => {
      if (!request.complete) onAbort();
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('close', onClose);
  });
}
