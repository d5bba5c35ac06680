import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// No import cycles between the files of a project. ESLint's import-x/no-cycle (eslint.config.mjs)
// reports value cycles in the editor but skips type-only imports; this walks every relative
// import, `import type` included, so a cycle of types (a mapper importing a repository's row
// type while the repository imports the mapper) fails too. Cycles between projects are
// @nx/enforce-module-boundaries' job.
const root = resolve(__dirname, '../../..');

const SCANNED_ROOTS = ['apps', 'libs', 'tools', 'bench'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.next', 'generated', 'out-tsc', 'coverage']);
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const RESOLVED_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'];

/** Cycles tolerated for now, each to be removed; a cycle not listed fails. None today. */
const KNOWN_CYCLES = new Set<string>();

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

/** The relative specifiers a file imports or re-exports from (static imports only; comments ignored). */
export function relativeImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const specifiers: string[] = [];
  const patterns = [/\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g, /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.push(match[1]);
  return specifiers;
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const suffix of RESOLVED_SUFFIXES) {
    const candidate = base + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  // `./x.js` written for a `./x.ts` source (ESM-style specifiers)
  const withoutJs = base.replace(/\.[cm]?js$/, '');
  for (const suffix of ['.ts', '.tsx', '.mts', '.cts']) if (existsSync(withoutJs + suffix)) return withoutJs + suffix;
  return undefined;
}

/** Strongly connected components of more than one file (or a file importing itself), each as sorted paths. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

describe('import cycles', () => {
  it('no two files of the workspace import each other, directly or through others (type imports included)', () => {
    const graph = new Map<string, string[]>();
    for (const file of SCANNED_ROOTS.flatMap((dir) => sourceFiles(join(root, dir)))) {
      const targets = relativeImports(readFileSync(file, 'utf8')).flatMap((specifier) => resolveImport(file, specifier) ?? []);
      graph.set(relative(root, file), targets.map((target) => relative(root, target)));
    }
    expect(graph.size).toBeGreaterThan(100);
    const found = cycles(graph).map((component) => component.join(' -> '));
    expect(found.filter((cycle) => !KNOWN_CYCLES.has(cycle))).toEqual([]);
  });

  it('finds a cycle of type imports and ignores what is not an import', () => {
    expect(relativeImports("import type { Row } from './repository';\nexport { x } from '../x';\nimport './side-effect';\n// import { y } from './commented';\nconst sql = `SELECT 1 FROM fact`;")).toEqual([
      './repository',
      '../x',
      './side-effect',
    ]);
    const graph = new Map([
      ['mapper.ts', ['repository.ts']],
      ['repository.ts', ['mapper.ts', 'rows.ts']],
      ['rows.ts', []],
    ]);
    expect(cycles(graph)).toEqual([['mapper.ts', 'repository.ts']]);
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });
});
