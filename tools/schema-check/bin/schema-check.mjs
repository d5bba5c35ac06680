#!/usr/bin/env node
// schema-check: bundles tools/schema-check/src with esbuild on the fly (like tools/seed/seed.mjs:
// no build step; third-party packages stay external), then runs it in this process.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(here, 'dist', 'schema-check.cjs');

try {
  const { outputFiles } = await build({ entryPoints: [join(here, 'src/main.ts')], write: false, outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', packages: 'external' });
  // Written aside and renamed into place: runs started together never load a half-written bundle.
  mkdirSync(dirname(outfile), { recursive: true });
  const partial = `${outfile}.${process.pid}.tmp`;
  writeFileSync(partial, outputFiles[0].contents);
  renameSync(partial, outfile);
} catch (error) {
  console.error(`schema-check: could not bundle tools/schema-check/src: ${error.message}`);
  process.exit(1);
}
createRequire(import.meta.url)(outfile);
