import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A random (version 4) UUID, as `crypto.randomUUID()` makes, from the kernel's random source.
 * Loading node:crypto for the two identifiers of a snapshot costs a one-shot `collect` more
 * CPU than reading 16 bytes of /dev/urandom; where that cannot be read, node:crypto it is.
 */
export function randomUuid(): string {
  const bytes = Buffer.alloc(16);
  let read = 0;
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      read = readSync(fd, bytes, 0, 16, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    read = 0;
  }
  // node:crypto is required here, not imported: it is loaded only when /dev/urandom failed us.
  if (read !== 16) return (require('node:crypto') as typeof import('node:crypto')).randomUUID();
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10xx
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
