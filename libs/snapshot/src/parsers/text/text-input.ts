import type { ParseWarning } from '../parse-result';

/**
 * Shared input handling for the text parsers: splitting a paste into lines with their
 * original 1-based numbers, removing what terminals, tickets and markdown add around
 * ip(8) output, and collecting warnings with a cap so that garbage cannot flood callers.
 */

/** Longer lines are not ip(8) or sysctl output (the longest, `ip -d link` of a bridge, is ~2 KB). */
export const MAX_LINE_LENGTH = 65536;
/** Warnings kept per parse; the rest are counted in one final warning. */
export const MAX_WARNINGS = 200;
/** Characters of a pasted value quoted in a warning message. */
const QUOTE_LENGTH = 60;

export interface InputLine {
  /** 1-based line number within the parsed text. */
  line: number;
  /** The line's content, trimmed, without markdown quote markers. */
  text: string;
}

export class WarningLog {
  private readonly kept: ParseWarning[] = [];
  private leftOut = 0;

  add(line: number | undefined, message: string): void {
    if (this.kept.length >= MAX_WARNINGS) {
      this.leftOut++;
      return;
    }
    this.kept.push(line === undefined ? { message } : { line, message });
  }

  /** The warnings in line order (contract checks run after all lines were read), plus the count of those left out. */
  finish(): ParseWarning[] {
    const warnings = this.kept
      .map((warning, index) => ({ warning, index }))
      .sort((a, b) => (a.warning.line ?? Infinity) - (b.warning.line ?? Infinity) || a.index - b.index)
      .map(({ warning }) => warning);
    if (this.leftOut > 0) {
      warnings.push({ message: `${this.leftOut} further warnings were left out (at most ${MAX_WARNINGS} are reported per input)` });
    }
    return warnings;
  }
}

export interface ReadLinesOptions {
  /**
   * `ip -o` prints each record on one line, replacing newlines with a backslash; split
   * those back into lines (sharing the original line number).
   */
  splitOneline?: boolean;
}

/**
 * Splits text into non-blank lines. Handles \r\n, \r and \n; drops a leading BOM, markdown
 * code fences (``` and ~~~), markdown quote markers (`> `) and surrounding whitespace
 * (pager or markdown indentation, trailing spaces of old iproute2). Blank lines vanish
 * without a warning; lines longer than MAX_LINE_LENGTH are skipped with one.
 */
export function readLines(text: unknown, log: WarningLog, options: ReadLinesOptions = {}): InputLine[] {
  if (typeof text !== 'string') {
    log.add(undefined, `input is ${text === null ? 'null' : typeof text}, not text; nothing was parsed`);
    return [];
  }
  const lines: InputLine[] = [];
  const raw = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < raw.length; index++) {
    const line = index + 1;
    let content = raw[index];
    if (index === 0 && content.startsWith('\uFEFF')) content = content.slice(1);
    if (content.length > MAX_LINE_LENGTH) {
      log.add(line, `line is ${content.length} characters long, more than any ip(8) or sysctl output line (${MAX_LINE_LENGTH}); skipped`);
      continue;
    }
    content = content.replace(/^\s*(?:>[ \t]?)+/, '').trim();
    if (content === '' || content.startsWith('```') || content.startsWith('~~~')) continue;
    const parts = options.splitOneline ? content.split(/\\(?:\s+|$)/) : [content];
    for (const part of parts) {
      const trimmed = part.trim();
      if (trimmed !== '') lines.push({ line, text: trimmed });
    }
  }
  return lines;
}

/** Whitespace-separated tokens of a trimmed line (runs of spaces and tabs count as one). */
export function tokensOf(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

/** A pasted value made safe and short for a warning message. */
export function quote(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  const chars = Array.from(clean);
  return `"${chars.length > QUOTE_LENGTH ? `${chars.slice(0, QUOTE_LENGTH).join('')}…` : clean}"`;
}
