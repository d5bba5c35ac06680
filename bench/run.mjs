#!/usr/bin/env node
// `npm run bench [-- --quick]`: builds the harness and the system under test, then runs it.
//
// Two bundles, so that the harness (bench/src, a tool) never imports the application:
//  - bench/dist/harness.cjs: bench/src + the shared libs (@routescope/synth, snapshot);
//  - bench/dist/api-<variant>.cjs: apps/api + libs/db compiled from source exactly like the
//    API's own build (TypeScript with decorator metadata, which Nest's DI needs and esbuild
//    alone cannot emit). Variant `current` is the working tree; `patched` is a copy of it with
//    bench/patches/*.patch applied (the proposed changes, measured before they land).
// Third-party packages stay external and load from node_modules (PGlite/Prisma find their
// .wasm files next to their own modules).
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const dist = join(here, 'dist');
const args = process.argv.slice(2);

// --base=head builds the system under test from the last commit, with the working tree's
// apps/api/src/{ingest,events,retention} on top (what the patches and this issue touch), instead
// of the whole working tree: useful while others have half-written files in the tree. The
// harness itself always builds from the tree.
const baseArg = args.find((a) => a.startsWith('--base='))?.slice('--base='.length) ?? 'worktree';
const SOURCE_DIRS = ['apps/api/src', 'libs/db/src', 'libs/snapshot/src', 'libs/diff/src', 'libs/checks/src', 'prisma'];
const OVERLAY_DIRS = ['apps/api/src/ingest', 'apps/api/src/events', 'apps/api/src/retention'];

/** @routescope/<lib> → <tree>/libs/<lib>/src/index.ts (like tsconfig paths); other bare imports stay external. */
const workspaceLibs = (tree) => ({
  name: 'workspace-libs',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      const m = /^@routescope\/([a-z-]+)$/.exec(a.path);
      if (m) return { path: join(tree, 'libs', m[1], 'src', 'index.ts') };
      return { path: a.path, external: true };
    });
  },
});

const tscWithDecorators = {
  name: 'tsc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      const source = readFileSync(a.path, 'utf8');
      const out = ts.transpileModule(source, {
        fileName: a.path,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          sourceMap: false,
          inlineSourceMap: true,
          inlineSources: true,
        },
      });
      return { contents: out.outputText, loader: 'js' };
    });
  },
};

const common = (tree) => ({ bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', sourcemap: 'inline', plugins: [workspaceLibs(tree), tscWithDecorators] });

/** The API's entry points the harness drives, re-exported from one bundle so classes are shared. */
function apiEntry(base) {
  return `
    export { createApiApplication } from '${base}/apps/api/src/api-application';
    export { loadApiConfig } from '${base}/apps/api/src/config/api-config';
    export { IngestService } from '${base}/apps/api/src/ingest/ingest.service';
    export { HistoryEvents } from '${base}/apps/api/src/events/history-events';
    export { DATABASE } from '${base}/apps/api/src/database/database.module';
    export { createDatabase, testing } from '${base}/libs/db/src/index';
    export { RetentionService } from '${base}/apps/api/src/retention/retention.service';
    export { RetentionRepository } from '${base}/apps/api/src/retention/retention.repository';
  `;
}

function headTree() {
  const target = join(dist, 'head');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const tracked = SOURCE_DIRS.filter((dir) => spawnSync('git', ['cat-file', '-e', `HEAD:${dir}`], { cwd: root }).status === 0);
  const archive = spawnSync('sh', ['-c', `git archive HEAD ${tracked.join(' ')} | tar -x -C "${target}"`], { cwd: root, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`bench: git archive failed: ${archive.stderr}`);
  cpSync(join(root, 'libs/db/src/generated'), join(target, 'libs/db/src/generated'), { recursive: true });
  // The folders the proposed patches and this modules touch come from the working tree.
  for (const dir of OVERLAY_DIRS) {
    rmSync(join(target, dir), { recursive: true, force: true });
    if (existsSync(join(root, dir))) cpSync(join(root, dir), join(target, dir), { recursive: true });
  }
  return target;
}

function patchedTree(source) {
  const target = join(dist, 'patched');
  rmSync(target, { recursive: true, force: true });
  for (const dir of SOURCE_DIRS) {
    if (existsSync(join(source, dir))) cpSync(join(source, dir), join(target, dir), { recursive: true, filter: (p) => !p.includes('node_modules') });
  }
  const patches = existsSync(join(here, 'patches')) ? readdirSync(join(here, 'patches')).filter((f) => f.endsWith('.patch')).sort() : [];
  const applied = [];
  for (const patch of patches) {
    const file = join(here, 'patches', patch);
    // Already in the tree (the proposal landed)? Then there is nothing to compare.
    const reverse = spawnSync('patch', ['-p1', '-R', '--dry-run', '-s', '-f', '-i', file], { cwd: target });
    if (reverse.status === 0) {
      applied.push(`${patch} (already in the tree)`);
      continue;
    }
    const result = spawnSync('patch', ['-p1', '-s', '-f', '--no-backup-if-mismatch', '-i', file], { cwd: target, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`bench: ${patch} does not apply to the working tree:\n${result.stdout}${result.stderr}`);
    applied.push(patch);
  }
  return applied;
}

mkdirSync(dist, { recursive: true });
const started = Date.now();
const source = baseArg === 'head' ? headTree() : root;
await build({ ...common(root), entryPoints: [join(here, 'src/main.ts')], outfile: join(dist, 'harness.cjs') });
await build({ ...common(source), stdin: { contents: apiEntry(source), resolveDir: source, loader: 'ts' }, outfile: join(dist, 'api-current.cjs') });
let patches = [];
if (!args.includes('--no-patched')) {
  patches = patchedTree(source);
  const patched = join(dist, 'patched');
  await build({ ...common(patched), stdin: { contents: apiEntry(patched), resolveDir: patched, loader: 'ts' }, outfile: join(dist, 'api-patched.cjs') });
}
const env = {
  ...process.env,
  // as the API's image runs (deploy/api/Dockerfile): graphql-js skips its dev-mode checks
  NODE_ENV: 'production',
  BENCH_ROOT: root,
  BENCH_BUILD_MS: String(Date.now() - started),
  BENCH_PATCHES: JSON.stringify(patches),
  BENCH_BASE: baseArg,
  BENCH_CURRENT_MIGRATIONS: join(source, 'prisma', 'migrations'),
  BENCH_PATCHED_MIGRATIONS: join(dist, 'patched', 'prisma', 'migrations'),
};

// One process per variant (Nest's GraphQL type registry is process-wide), then a merge that
// prints the table and writes bench/results.json.
function harness(extra, extraEnv = {}) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--max-old-space-size=12000', '--expose-gc', join(dist, 'harness.cjs'), ...args, ...extra], { stdio: 'inherit', env: { ...env, ...extraEnv } });
    child.on('exit', (code, signal) => (code === 0 ? done() : fail(new Error(`bench harness ${extra.join(' ')} failed (${code ?? signal})`))));
  });
}
const variants = args.includes('--no-patched') ? ['current'] : ['current', 'patched'];
const runDir = join(dist, `run-${process.pid}`);
mkdirSync(runDir, { recursive: true });
const parts = variants.map((v) => join(runDir, `part-${v}.json`));
try {
  for (const [i, variant] of variants.entries()) {
    const previous = i > 0 ? JSON.parse(readFileSync(parts[i - 1], 'utf8')) : undefined;
    await harness([`--variant=${variant}`, `--partial=${parts[i]}`], {
      BENCH_KEEP_HISTORY: i < variants.length - 1 || args.includes('--keep-history') ? '1' : '0',
      ...(previous?.history?.databaseUrl ? { BENCH_HISTORY_URL: previous.history.databaseUrl } : {}),
    });
  }
  await harness([`--merge=${parts.join(',')}`]);
  rmSync(runDir, { recursive: true, force: true });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
