/**
 * @jest-environment node
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The typed operations are generated from the committed SDL (apps/api/schema.graphql). A stale
// copy — the schema or an operation changed without `npx nx run dashboard:codegen` — fails here.
const dashboardRoot = join(__dirname, '..');
const committedDir = join(dashboardRoot, 'app/lib/generated');

describe('generated GraphQL types', () => {
  let freshDir: string;
  beforeAll(() => {
    freshDir = mkdtempSync(join(tmpdir(), 'rs-codegen-'));
    const cli = require.resolve('@graphql-codegen/cli/package.json', { paths: [dashboardRoot] }).replace(/package\.json$/, 'esm/bin.js');
    execFileSync(process.execPath, [cli, '--config', 'codegen.ts'], { cwd: dashboardRoot, env: { ...process.env, ROUTESCOPE_CODEGEN_OUT: freshDir }, stdio: 'pipe' });
  }, 60_000);
  afterAll(() => rmSync(freshDir, { recursive: true, force: true }));

  it('are up to date with apps/api/schema.graphql and app/lib/operations (run `npx nx run dashboard:codegen`)', () => {
    const fresh = readdirSync(freshDir).sort();
    expect(readdirSync(committedDir).sort()).toEqual(fresh);
    for (const file of fresh) {
      expect({ file, content: readFileSync(join(committedDir, file), 'utf8') }).toEqual({ file, content: readFileSync(join(freshDir, file), 'utf8') });
    }
  });
});
