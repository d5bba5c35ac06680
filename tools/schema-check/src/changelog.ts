/**
 * The CHANGELOG rule: a breaking change to a published schema is deliberate when the
 * "## Unreleased" section of CHANGELOG.md has a line
 *   - BREAKING(graphql): `Query.nodes` … why, and what clients do instead
 *   - BREAKING(rest): `POST /api/v1/snapshots 201` … why, and what clients do instead
 * that names the change's path in backticks (the check prints the line to add). Only the Unreleased section counts: an
 * entry of a past release never excuses a new break.
 */
export type Surface = 'graphql' | 'rest';

export interface BreakingEntry {
  surface: Surface;
  text: string;
}

export function unreleasedBreakingEntries(changelog: string): BreakingEntry[] {
  const entries: BreakingEntry[] = [];
  let inUnreleased = false;
  for (const line of changelog.split('\n')) {
    if (/^##\s/.test(line)) {
      inUnreleased = /^##\s+\[?unreleased\]?\s*$/i.test(line.trim());
      continue;
    }
    if (!inUnreleased) continue;
    const match = /^\s*[-*]\s+BREAKING\((graphql|rest)\):\s*(.+)$/.exec(line);
    if (match) entries.push({ surface: match[1] as Surface, text: match[2] });
  }
  return entries;
}

/** The entry marking this change deliberate: same surface, and its text names the path in backticks (`Query.node` never excuses `Query.nodes`). */
export function isMarkedDeliberate(entries: readonly BreakingEntry[], surface: Surface, path: string): boolean {
  return entries.some((entry) => entry.surface === surface && entry.text.includes(`\`${path}\``));
}
