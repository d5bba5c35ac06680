import { captureLines, CAPTURE_MAX_BYTES, formatBytes, formatLineRanges, utf8Bytes } from './capture-text';

describe('capture text helpers', () => {
  it('counts UTF-8 bytes as the API does', () => {
    expect(utf8Bytes('ip route')).toBe(8);
    expect(utf8Bytes('µs → ✓')).toBe(Buffer.byteLength('µs → ✓', 'utf8'));
    expect(utf8Bytes('😀x')).toBe(5);
    expect(formatBytes(CAPTURE_MAX_BYTES)).toBe('1.0 MiB');
    expect(formatBytes(2048)).toBe('2.0 KiB');
  });

  it('numbers lines like the import does: CRLF ends a line, a trailing newline starts none', () => {
    expect(captureLines('a\r\nb\nc\n')).toEqual(['a', 'b', 'c']);
    expect(captureLines('')).toEqual(['']);
  });

  it('says line ranges the way people read them', () => {
    expect(formatLineRanges([7])).toBe('line 7');
    expect(formatLineRanges([9, 4, 5, 6, 6])).toBe('lines 4–6, 9');
  });
});
