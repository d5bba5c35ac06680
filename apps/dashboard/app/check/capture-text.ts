// Pure helpers of the "Check a capture" page: the size limit, lines of the pasted text, and
// line ranges as people read them. Shared by the browser (before sending) and the server action.

/**
 * The API's limit on a pasted capture (UTF-8 bytes, apps/api checkCapture). Mirrored here so the
 * page can say it before sending; the API still enforces its own and its answer is shown as is.
 */
export const CAPTURE_MAX_BYTES = 1024 * 1024;

/** UTF-8 size of the text: what the API counts. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point outside the BMP
      i++;
    } else bytes += 3; // the rest of the BMP (a lone surrogate is encoded as U+FFFD, 3 bytes)
  }
  return bytes;
}

/** `512 B`, `12.3 KiB`, `1.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The lines of the text as the API numbers them (1-based; CRLF and CR end a line too). */
export function captureLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  // A trailing newline ends the last line; it does not start another.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `line 4`, `lines 4–6, 9`: sorted, deduplicated, consecutive lines joined. */
export function formatLineRanges(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  if (sorted.length === 0) return '';
  const ranges: string[] = [];
  let start = sorted[0];
  let end = start;
  for (const line of sorted.slice(1).concat(Number.NaN)) {
    if (line === end + 1) {
      end = line;
      continue;
    }
    ranges.push(start === end ? String(start) : `${start}–${end}`);
    start = line;
    end = line;
  }
  return `${sorted.length === 1 ? 'line' : 'lines'} ${ranges.join(', ')}`;
}
