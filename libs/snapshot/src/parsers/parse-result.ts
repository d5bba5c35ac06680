/** A problem with one piece of parser input; parsers report these instead of throwing. */
export interface ParseWarning {
  /** 1-based line number within the text that was parsed (text parsers only). */
  line?: number;
  message: string;
}

export interface ParseResult<T> {
  entries: T[];
  warnings: ParseWarning[];
}
