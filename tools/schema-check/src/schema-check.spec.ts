import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kind, parse, print, visit } from 'graphql';
import { checkSchemas, formatSchemaCheck, SCHEMA_FILES } from './schema-check';

// Real git repositories in temp directories, holding copies of the committed schemas.
const ROOT = resolve(__dirname, '..', '..', '..');
const SDL = readFileSync(join(ROOT, SCHEMA_FILES.graphql), 'utf8');
const OPENAPI = readFileSync(join(ROOT, SCHEMA_FILES.rest), 'utf8');
const NO_OVERRIDE = { ROUTESCOPE_SCHEMA_BASE: '' };

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** A repository whose main holds the current schemas (the "release"), with a branch `work` checked out. */
function releasedRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
  dirs.push(dir);
  git(dir, 'init', '-q');
  write(dir, SCHEMA_FILES.graphql, SDL);
  write(dir, SCHEMA_FILES.rest, OPENAPI);
  write(dir, 'CHANGELOG.md', '# Changelog\n\n## Unreleased\n\n## 0.1.0\n\n- BREAKING(graphql): `Query.node` an old entry that excuses nothing now\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'release');
  git(dir, 'checkout', '-qb', 'work');
  return dir;
}

/** Removes `Query.node` from the SDL and, from the OpenAPI document, the ingest's 429 and IngestResult.stateVersion. */
function breakBoth(dir: string): void {
  const sdl = visit(parse(SDL), {
    [Kind.OBJECT_TYPE_DEFINITION]: (type) => (type.name.value === 'Query' ? { ...type, fields: type.fields?.filter((field) => field.name.value !== 'node') } : undefined),
  });
  write(dir, SCHEMA_FILES.graphql, print(sdl));
  const document = JSON.parse(OPENAPI);
  delete document.paths['/api/v1/snapshots'].post.responses['429'];
  const result = document.components.schemas.IngestResult;
  delete result.properties.stateVersion;
  result.required = result.required.filter((field: string) => field !== 'stateVersion');
  write(dir, SCHEMA_FILES.rest, JSON.stringify(document, null, 2));
}

describe('npm run schema:check', () => {
  it('passes on the current tree', async () => {
    const result = await checkSchemas(ROOT, NO_OVERRIDE);
    expect(result.changes.filter((change) => !change.deliberate)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('fails on a removed GraphQL field and removed REST status and response field, naming each and the line that marks it deliberate', async () => {
    const dir = releasedRepository();
    breakBoth(dir);
    const result = await checkSchemas(dir, NO_OVERRIDE);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('where HEAD left main');
    expect(result.changes.map((c) => `${c.surface} ${c.path} ${c.deliberate}`).sort()).toEqual([
      'graphql Query.node false',
      'rest POST /api/v1/snapshots 200.stateVersion false',
      'rest POST /api/v1/snapshots 201.stateVersion false',
      'rest POST /api/v1/snapshots 202.stateVersion false',
      'rest POST /api/v1/snapshots 429 false',
    ]);
    expect(formatSchemaCheck(result)).toContain('- BREAKING(rest): `POST /api/v1/snapshots 429`');
  });

  it('passes once every break has a BREAKING line under Unreleased, and only then', async () => {
    const dir = releasedRepository();
    breakBoth(dir);
    const entries = [
      '- BREAKING(graphql): `Query.node` removed; use `nodes(filter)`',
      '- BREAKING(rest): `POST /api/v1/snapshots 429` no rate limit any more',
      '- BREAKING(rest): `POST /api/v1/snapshots 200.stateVersion`, `POST /api/v1/snapshots 201.stateVersion` and `POST /api/v1/snapshots 202.stateVersion` dropped',
    ];
    // The entries of a past release (under "## 0.1.0") and one for the wrong surface do not count.
    write(dir, 'CHANGELOG.md', `# Changelog\n\n## Unreleased\n\n${entries.slice(1).join('\n')}\n- BREAKING(rest): \`Query.node\` wrong surface\n\n## 0.1.0\n\n${entries[0]}\n`);
    const partly = await checkSchemas(dir, NO_OVERRIDE);
    expect(partly.ok).toBe(false);
    expect(partly.changes.filter((c) => !c.deliberate).map((c) => c.path)).toEqual(['Query.node']);

    write(dir, 'CHANGELOG.md', `# Changelog\n\n## Unreleased\n\n${entries.join('\n')}\n\n## 0.1.0\n`);
    const marked = await checkSchemas(dir, NO_OVERRIDE);
    expect(marked.changes).toHaveLength(5);
    expect(marked.ok).toBe(true);
  });

  it('fails when the request accepts less: a field newly required, an enum value or a bound taken away', async () => {
    const dir = releasedRepository();
    const document = JSON.parse(OPENAPI);
    const snapshot = document.components.schemas.Snapshot;
    snapshot.required.push('kernel');
    snapshot.properties.collector.properties.source.enum = ['collect'];
    snapshot.properties.namespaces.maxItems = 10;
    write(dir, SCHEMA_FILES.rest, JSON.stringify(document));
    const result = await checkSchemas(dir, NO_OVERRIDE);
    expect(result.changes.map((c) => c.path).sort()).toEqual([
      'POST /api/v1/snapshots request.collector.source',
      'POST /api/v1/snapshots request.kernel',
      'POST /api/v1/snapshots request.namespaces',
    ]);
    expect(result.ok).toBe(false);
  });

  it('on main compares with the first parent, and prefers a release tag', async () => {
    const dir = releasedRepository();
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'tag', 'v0.1.0');
    write(dir, 'README', 'unrelated\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'unrelated');
    breakBoth(dir);
    git(dir, 'commit', '-qam', 'break');
    const tagged = await checkSchemas(dir, NO_OVERRIDE);
    expect(tagged.reason).toBe('release tag v0.1.0');
    expect(tagged.ok).toBe(false);

    git(dir, 'tag', '-d', 'v0.1.0');
    const untagged = await checkSchemas(dir, NO_OVERRIDE);
    expect(untagged.reason).toBe('HEAD is on main: its first parent');
    expect(untagged.baseline).toBe(git(dir, 'rev-parse', 'HEAD^1'));
    expect(untagged.ok).toBe(false);
  });

  it('a schema file new since the baseline has nothing to break; a deleted one is a breaking change', async () => {
    const dir = releasedRepository();
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'rm', '-q', SCHEMA_FILES.rest);
    git(dir, 'commit', '-qm', 'no openapi on main yet');
    git(dir, 'checkout', '-qb', 'later');
    write(dir, SCHEMA_FILES.rest, OPENAPI);
    const added = await checkSchemas(dir, NO_OVERRIDE);
    expect(added.compared.rest).toBe(false);
    expect(added.ok).toBe(true);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'openapi');

    git(dir, 'checkout', '-q', 'work');
    unlinkSync(join(dir, SCHEMA_FILES.graphql));
    const deleted = await checkSchemas(dir, NO_OVERRIDE);
    expect(deleted.changes.map((c) => c.path)).toEqual([SCHEMA_FILES.graphql]);
    expect(deleted.ok).toBe(false);
  });

  it('in a shallow clone without the baseline it fails saying so, fetching nothing', async () => {
    const origin = releasedRepository();
    git(origin, 'checkout', '-q', 'main');
    write(origin, 'README', 'second\n');
    git(origin, 'add', '.');
    git(origin, 'commit', '-qm', 'second');
    const shallow = mkdtempSync(join(tmpdir(), 'schema-check-shallow-'));
    dirs.push(shallow);
    git(shallow, 'clone', '-q', '--depth', '1', `file://${origin}`, '.');
    await expect(checkSchemas(shallow, NO_OVERRIDE)).rejects.toThrow(/shallow clone .*git fetch --unshallow/);
  });
});
