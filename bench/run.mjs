#!/usr/bin/env node
// `npm run bench [-- --quick]`: builds the harness and the system under test, then runs it.
//
// Two bundles, so that the harness (bench/src, a tool) never bundles the application:
//  - bench/dist/harness.cjs: bench/src + the shared libs (@routescope/synth, snapshot, diff);
//  - bench/dist/api.cjs: the API's public entry (apps/api/src/public.ts: the app and libs/db)
//    compiled from source exactly like the API's own build (TypeScript with decorator metadata,
//    which Nest's DI needs and esbuild alone cannot emit).
// Third-party packages stay external and load from node_modules (PGlite/Prisma find their
// .wasm files next to their own modules).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const dist = join(here, 'dist');
const args = process.argv.slice(2);

/** @routescope/* → its source, as tsconfig.base.json's paths say; other bare imports stay external. */
const aliases = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
const workspaceLibs = {
  name: 'workspace-libs',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      const target = aliases[a.path]?.[0];
      if (target) return { path: join(root, target) };
      return { path: a.path, external: true };
    });
  },
};

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

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', sourcemap: 'inline', plugins: [workspaceLibs, tscWithDecorators] };

/**
 * The API's public entry (apps/api/src/public.ts), one bundle so classes are shared. The harness
 * imports only its types (`import type … from '@routescope/api'`, erased from harness.cjs).
 */
const apiEntry = `export * from './apps/api/src/public';`;

/** A value import of the API in the harness would bundle a second copy of the application: refuse it. */
const typesOnlyFromApi = {
  name: 'types-only-from-api',
  setup(b) {
    b.onResolve({ filter: /^@routescope\/api$/ }, (a) => ({ errors: [{ text: `${a.importer} imports a value from @routescope/api: the harness loads the API from bench/dist/api.cjs (api-under-test.ts) and imports only its types` }] }));
  },
};

mkdirSync(dist, { recursive: true });
const started = Date.now();
await build({ ...common, plugins: [typesOnlyFromApi, ...common.plugins], entryPoints: [join(here, 'src/main.ts')], outfile: join(dist, 'harness.cjs') });
await build({ ...common, stdin: { contents: apiEntry, resolveDir: root, loader: 'ts' }, outfile: join(dist, 'api.cjs') });
// the API's cross-node checks thread, next to the bundle that starts it (apps/api/src/checks/cluster-checks-thread.ts)
await build({ ...common, entryPoints: [join(root, 'apps/api/src/checks/cluster-checks.worker.ts')], outfile: join(dist, 'cluster-checks.worker.js') });

// The API under test runs in this process: the API's V8 flags as its image has them
// (deploy/api/Dockerfile CMD), then the harness's own (a heap for the 90-day generator, gc()).
const child = spawn(process.execPath, ['--max-semi-space-size=32', '--max-old-space-size=12000', '--expose-gc', join(dist, 'harness.cjs'), ...args], {
  stdio: 'inherit',
  env: {
    ...process.env,
    // as the API's image runs (deploy/api/Dockerfile): graphql-js skips its dev-mode checks
    NODE_ENV: 'production',
    BENCH_ROOT: root,
    BENCH_BUILD_MS: String(Date.now() - started),
    BENCH_MIGRATIONS: join(root, 'prisma', 'migrations'),
  },
});
child.on('exit', (code, signal) => {
  if (code !== 0) console.error(`bench: harness failed (${code ?? signal})`);
  process.exit(code ?? 1);
});
