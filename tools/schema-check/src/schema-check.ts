import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMarkedDeliberate, unreleasedBreakingEntries, type Surface } from './changelog';
import { graphqlBreakingChanges, type BreakingChange } from './graphql-diff';
import { openapiBreakingChanges } from './openapi-diff';
import { fileAt, resolveBaseline } from './schema-baseline';

/** The published contracts, relative to the repository root. */
export const SCHEMA_FILES: Record<Surface, string> = {
  graphql: 'apps/api/schema.graphql',
  rest: 'apps/api/openapi.json',
};

export interface CheckedChange extends BreakingChange {
  surface: Surface;
  deliberate: boolean;
}

export interface SchemaCheckResult {
  baseline: string;
  reason: string;
  /** per surface: compared, or why not (absent at the baseline: new, nothing to break) */
  compared: Record<Surface, boolean>;
  changes: CheckedChange[];
  ok: boolean;
}

/** Compares the working tree's schema files with the baseline's (schema-baseline.ts) under the CHANGELOG rule (changelog.ts). */
export async function checkSchemas(root: string, env: NodeJS.ProcessEnv = process.env): Promise<SchemaCheckResult> {
  const { revision, reason } = resolveBaseline(root, env);
  const changelogFile = join(root, 'CHANGELOG.md');
  const entries = unreleasedBreakingEntries(existsSync(changelogFile) ? readFileSync(changelogFile, 'utf8') : '');
  const compared: Record<Surface, boolean> = { graphql: false, rest: false };
  const changes: CheckedChange[] = [];
  for (const surface of Object.keys(SCHEMA_FILES) as Surface[]) {
    const path = SCHEMA_FILES[surface];
    const previous = fileAt(root, revision, path);
    if (previous === undefined) continue;
    const currentFile = join(root, path);
    if (!existsSync(currentFile)) {
      changes.push({ surface, path, message: `${path} was deleted`, deliberate: isMarkedDeliberate(entries, surface, path) });
      compared[surface] = true;
      continue;
    }
    const current = readFileSync(currentFile, 'utf8');
    const found =
      surface === 'graphql' ? await graphqlBreakingChanges(previous, current) : openapiBreakingChanges(parseJson(previous, `${path} at ${revision}`), parseJson(current, path));
    for (const change of found) changes.push({ ...change, surface, deliberate: isMarkedDeliberate(entries, surface, change.path) });
    compared[surface] = true;
  }
  return { baseline: revision, reason, compared, changes, ok: changes.every((c) => c.deliberate) };
}

function parseJson(text: string, where: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
}

export function formatSchemaCheck(result: SchemaCheckResult): string {
  const lines = [`schema check against ${result.baseline ? result.baseline.slice(0, 12) : '(nothing)'} (${result.reason})`];
  for (const surface of Object.keys(SCHEMA_FILES) as Surface[]) {
    const mine = result.changes.filter((c) => c.surface === surface);
    if (!result.compared[surface]) lines.push(`  ${surface}: ${SCHEMA_FILES[surface]} is not at the baseline (new): nothing to compare`);
    else lines.push(`  ${surface}: ${mine.length === 0 ? 'no breaking change' : `${mine.length} breaking change(s)`}`);
    for (const change of mine) {
      lines.push(`    ${change.deliberate ? 'deliberate' : 'BREAKING'}: ${change.message}`);
      if (!change.deliberate) lines.push(`      if intended, add under "## Unreleased" in CHANGELOG.md:  - BREAKING(${surface}): \`${change.path}\` <why, and what clients do instead>`);
    }
  }
  lines.push(result.ok ? 'schema check passed' : 'schema check FAILED: a breaking change not marked deliberate in CHANGELOG.md');
  return lines.join('\n');
}
