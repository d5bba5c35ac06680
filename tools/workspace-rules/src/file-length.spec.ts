import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// Source files stay short enough to read in one sitting. The files over the limit when this
// rule came in are listed in long-files.allowlist.json; a new one fails. Splitting a listed file
// is welcome: take it off the list then.
const root = resolve(__dirname, '../../..');
export const MAX_LINES = 400;

const SCANNED_ROOTS = ['apps', 'libs', 'tools', 'bench'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.next', 'generated', 'out-tsc', 'coverage']);
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
/** Generators mark their output; such files are not written by hand and are not counted. */
const GENERATED_MARK = /@generated|auto-generated|do not edit/i;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) out.push(...sourceFiles(join(dir, entry.name)));
    } else if (SOURCE.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

export function lineCount(text: string): number {
  if (text.length === 0) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('file length', () => {
  const allowed = new Set(JSON.parse(readFileSync(join(__dirname, 'long-files.allowlist.json'), 'utf8')) as string[]);
  const long = SCANNED_ROOTS.flatMap((dir) => sourceFiles(join(root, dir)))
    .map((file) => ({ file: relative(root, file), text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => !GENERATED_MARK.test(text.slice(0, 500)))
    .filter(({ text }) => lineCount(text) > MAX_LINES)
    .map(({ file, text }) => `${file} (${lineCount(text)} lines)`);

  it(`no source file outside the allowlist is longer than ${MAX_LINES} lines`, () => {
    expect(long.filter((entry) => !allowed.has(entry.replace(/ \(\d+ lines\)$/, '')))).toEqual([]);
  });

  it('the scan sees the long files it lists (it reads the tree it guards)', () => {
    expect(long.length).toBeGreaterThan(0);
  });

  it('counts lines as an editor shows them', () => {
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb'), lineCount('a\nb\n')]).toEqual([0, 1, 1, 2, 2]);
  });
});
