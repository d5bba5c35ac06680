/**
 * Subject patterns of silences: a finding subject (`address:172.16.0.5`, `veth:cali…`, `node`)
 * with `*` standing for any run of characters (none too), everything else literal and
 * case-sensitive. The same match is done in SQL (LIKE, for filters and groups) and here (for
 * `Finding.silencedBy` over findings already loaded): `toLikePattern` and `subjectMatches` agree.
 */

/** `address:*` → `address:%`, with LIKE's own wildcards and its escape character made literal. */
export function toLikePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

export function subjectMatches(pattern: string | null, subject: string): boolean {
  if (pattern === null) return true;
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return regex.test(subject);
}

/** Why a pattern is refused, or undefined when it is fine. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'is empty: leave it out (null) to silence every subject';
  if (pattern.length > 512) return `is ${pattern.length} characters long, at most 512`;
  return undefined;
}
